"""Local social cooperation networks, their members and activities."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.registry.access import ensure_manages_center
from services.registry.journal import journal
from services.registry.messages import _
from services.registry.models import (
    Actor,
    ActorJurisdiction,
    ActorPlace,
    Center,
    CenterTerritory,
    Network,
    NetworkActivity,
    NetworkActivityParticipant,
    NetworkMember,
)
from services.registry.reference import (
    BODY_KINDS,
    COUNCIL_FORMS,
    PERSONAL_KINDS,
    ActivityKind,
    ActorKind,
    CapacityKind,
    MemberRole,
    NetworkForm,
    NetworkStatus,
)
from services.registry.schemas.actors import Capacity
from services.registry.schemas.common import Contacts
from services.registry.schemas.networks import (
    ActivityIn,
    ActivityOut,
    ActivityPatch,
    Agreement,
    Document,
    Leave,
    MemberActor,
    MemberIn,
    MemberOut,
    MemberPatch,
    NetworkIn,
    NetworkOut,
    NetworkPatch,
)
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import Conflict, NotFound, RuleViolation
from shared.i18n import Joined, Message
from shared.text import LocalizedText


def _field_error(field: str, detail: Message, title: Message) -> RuleViolation:
    return RuleViolation(
        Joined(": ", [field, detail]),
        title=title,
        extra={"errors": [{"field": field, "message": detail, "type": "rule"}]},
    )


# --- networks ---------------------------------------------------------------------------


def network_out(network: Network, current_members: int) -> NetworkOut:
    return NetworkOut(
        id=network.id,
        version=network.version,
        center_id=network.center_id,
        name=LocalizedText(hy=network.name_hy, en=network.name_en, ru=network.name_ru),
        form=NetworkForm(network.form),
        goals=network.goals,
        goals_note=network.goals_note,
        founded_on=network.founded_on,
        status=NetworkStatus(network.status),
        dissolved_on=network.dissolved_on,
        may_form_council=may_form_council(network),
        current_members=current_members,
        created_at=network.created_at,
        updated_at=network.updated_at,
    )


def may_form_council(network: Network) -> bool:
    return network.status == NetworkStatus.active and network.form in COUNCIL_FORMS


async def current_member_counts(
    session: AsyncSession, network_ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    if not network_ids:
        return {}
    rows = await session.execute(
        select(NetworkMember.network_id, func.count())
        .where(NetworkMember.network_id.in_(network_ids), NetworkMember.left_on.is_(None))
        .group_by(NetworkMember.network_id)
    )
    return dict(rows.all())


async def get_network(session: AsyncSession, network_id: uuid.UUID) -> Network:
    network = await session.get(Network, network_id)
    if network is None:
        raise NotFound(_("There is no network {network_id}.", network_id=network_id))
    return network


def ensure_may_manage(principal: Principal, center_id: uuid.UUID) -> None:
    """Admins and the center's own officials (role and scope together) manage its network."""
    ensure_manages_center(principal, center_id, _("this network"))


async def _represent_network(session: AsyncSession, network: Network, full: bool) -> NetworkOut:
    counts = await current_member_counts(session, [network.id])
    return network_out(network, counts.get(network.id, 0))


async def _represent_member(session: AsyncSession, member: NetworkMember, full: bool) -> MemberOut:
    actor = await session.get(Actor, member.actor_id)
    assert actor is not None  # a member's actor cannot be deleted (see rules.actors)
    return member_out(member, actor, show_personal=full)


async def _represent_activity(
    session: AsyncSession, activity: NetworkActivity, full: bool
) -> ActivityOut:
    return activity_out(activity)


# Network, membership and activity events share the network's stream, so a consumer sees them
# in the order they happened.
NETWORKS = journal.resource("network", _represent_network, verbs=("created", "updated"))
MEMBERS = journal.resource(
    "network_member",
    _represent_member,
    event_prefix="member",
    stream_of=lambda member: member.network_id,
    personal=True,
    verbs=("joined", "updated", "left"),
)
ACTIVITIES = journal.resource(
    "network_activity",
    _represent_activity,
    event_prefix="activity",
    stream_of=lambda activity: activity.network_id,
    verbs=("created", "updated"),
)


def networks_query(
    *,
    center_id: uuid.UUID | None,
    status: NetworkStatus | None,
    form: NetworkForm | None,
    actor_id: uuid.UUID | None = None,
) -> Select[Any]:
    statement = select(Network)
    if actor_id:
        current = select(NetworkMember.network_id).where(
            NetworkMember.actor_id == actor_id, NetworkMember.left_on.is_(None)
        )
        statement = statement.where(Network.id.in_(current))
    if center_id:
        statement = statement.where(Network.center_id == center_id)
    if status:
        statement = statement.where(Network.status == status)
    if form:
        statement = statement.where(Network.form == form)
    return statement


async def save_network(
    session: AsyncSession, data: NetworkIn, network: Network | None = None
) -> Network:
    if network is not None and data.center_id != network.center_id:
        raise _field_error("center_id", _("a network stays with the center it was formed around"),
                           _("Center cannot change"))  # fmt: skip
    center = await session.get(Center, data.center_id)
    if center is None:
        raise _field_error("center_id", _("there is no center {center_id}",
                           center_id=data.center_id), _("Unknown center"))  # fmt: skip
    if data.status == NetworkStatus.active:
        others = select(Network).where(
            Network.center_id == data.center_id, Network.status == NetworkStatus.active
        )
        if network is not None:
            others = others.where(Network.id != network.id)
        other = await session.scalar(others)
        if other is not None:
            raise Conflict(
                _(
                    "{center} already has an active network ({network}, {network_id}); "
                    "a center has one active local social cooperation network. "
                    "Dissolve that one first.",
                    center=center.name_hy,
                    network=other.name_hy,
                    network_id=other.id,
                ),
                title=_("Center already has a network"),
            )
    if network is None:
        network = Network()
        session.add(network)
    network.center_id = data.center_id
    network.name_hy, network.name_en, network.name_ru = data.name.hy, data.name.en, data.name.ru
    network.form = data.form
    network.goals = list(data.goals)
    network.goals_note = data.goals_note
    network.founded_on = data.founded_on
    network.status = data.status
    network.dissolved_on = data.dissolved_on
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(_("Another active network was just formed for this center.")) from exc
    return network


# --- members ----------------------------------------------------------------------------


def member_out(member: NetworkMember, actor: Actor, *, show_personal: bool) -> MemberOut:
    hide = not show_personal and actor.kind in PERSONAL_KINDS
    return MemberOut(
        id=member.id,
        network_id=member.network_id,
        actor=MemberActor(
            id=actor.id,
            kind=ActorKind(actor.kind),
            name=LocalizedText(hy=actor.name_hy, en=actor.name_en, ru=actor.name_ru),
            contacts=Contacts.model_construct(
                phone=None if hide else actor.phone,
                email=None if hide else actor.email,
                website=actor.website,
            ),
        ),
        role=MemberRole(member.role),
        joined_on=member.joined_on,
        areas=member.areas,
        capacities=[
            Capacity(kind=CapacityKind(c["kind"]), note=c.get("note")) for c in member.capacities
        ],
        agreement=Agreement(number=member.agreement_number, date=member.agreement_date)
        if member.agreement_number and member.agreement_date
        else None,
        left_on=member.left_on,
        leave_reason=member.leave_reason,
        version=member.version,
        created_at=member.created_at,
        updated_at=member.updated_at,
    )


def members_query(
    network_id: uuid.UUID, *, on: date | None, include_past: bool, role: MemberRole | None
) -> Select[NetworkMember, Actor]:
    statement: Select[NetworkMember, Actor] = (
        select(NetworkMember, Actor)
        .join(Actor, Actor.id == NetworkMember.actor_id)
        .where(NetworkMember.network_id == network_id)
    )
    if on is not None:
        # Membership on a past date: joined by then and not yet left.
        statement = statement.where(
            NetworkMember.joined_on <= on,
            or_(NetworkMember.left_on.is_(None), NetworkMember.left_on > on),
        )
    elif not include_past:
        statement = statement.where(NetworkMember.left_on.is_(None))
    if role:
        statement = statement.where(NetworkMember.role == role)
    return statement


async def get_member(
    session: AsyncSession, network_id: uuid.UUID, member_id: uuid.UUID
) -> tuple[NetworkMember, Actor]:
    row = (
        await session.execute(
            select(NetworkMember, Actor)
            .join(Actor, Actor.id == NetworkMember.actor_id)
            .where(NetworkMember.id == member_id, NetworkMember.network_id == network_id)
        )
    ).first()
    if row is None:
        raise NotFound(
            _(
                "Network {network_id} has no member {member_id}.",
                network_id=network_id,
                member_id=member_id,
            )
        )
    return row[0], row[1]


async def territory_of_center(session: AsyncSession, center_id: uuid.UUID) -> set[uuid.UUID]:
    rows = await session.scalars(
        select(CenterTerritory.community_id).where(CenterTerritory.center_id == center_id)
    )
    return set(rows)


async def actor_belongs_to_territory(
    session: AsyncSession, actor: Actor, center: Center, territory: set[uuid.UUID]
) -> bool:
    """Located or operating in the territory, or a body with jurisdiction over it."""
    in_places = await session.scalar(
        select(ActorPlace.actor_id).where(
            ActorPlace.actor_id == actor.id, ActorPlace.community_id.in_(territory)
        ).limit(1)
    )  # fmt: skip
    if in_places is not None:
        return True
    if actor.kind not in BODY_KINDS:
        return False
    jurisdiction = await session.scalar(
        select(ActorJurisdiction.id).where(
            ActorJurisdiction.actor_id == actor.id,
            or_(
                ActorJurisdiction.region_code == center.region_code,
                ActorJurisdiction.community_id.in_(territory),
            ),
        ).limit(1)
    )  # fmt: skip
    return jurisdiction is not None


async def join(session: AsyncSession, network: Network, data: MemberIn) -> NetworkMember:
    if network.status != NetworkStatus.active:
        raise _field_error("network", _("the network is dissolved; nobody can join it"),
                           _("Network dissolved"))  # fmt: skip
    actor = await session.get(Actor, data.actor_id)
    if actor is None:
        raise _field_error("actor_id", _("there is no actor {actor_id}", actor_id=data.actor_id),
                           _("Unknown actor"))  # fmt: skip
    if data.joined_on < network.founded_on:
        raise _field_error("joined_on", _("the network was founded on {founded_on}; nobody can "
                           "join it before that", founded_on=network.founded_on),
                           _("Joined too early"))  # fmt: skip
    center = await session.get(Center, network.center_id)
    assert center is not None
    territory = await territory_of_center(session, center.id)
    if not await actor_belongs_to_territory(session, actor, center, territory):
        raise _field_error(
            "actor_id",
            _(
                "{actor} is neither located nor operating in the service territory of {center}, "
                "nor a body with jurisdiction over it, so it cannot join this network",
                actor=actor.name_hy,
                center=center.name_hy,
            ),
            _("Actor outside the territory"),
        )
    if network.form == NetworkForm.formalised and data.agreement is None:
        raise _field_error("agreement", _("a formalised network's members join by a memorandum: "
                           "give its number and date"), _("Agreement missing"))  # fmt: skip
    current = await session.scalar(
        select(NetworkMember).where(
            NetworkMember.network_id == network.id,
            NetworkMember.actor_id == actor.id,
            NetworkMember.left_on.is_(None),
        )
    )
    if current is not None:
        raise Conflict(
            _(
                "{actor} is already a member of this network (since {joined_on}).",
                actor=actor.name_hy,
                joined_on=current.joined_on,
            ),
            title=_("Already a member"),
        )
    member = NetworkMember(network_id=network.id, actor_id=actor.id)
    _apply_member(member, data.role, data.areas, data.capacities, data.agreement)
    member.joined_on = data.joined_on
    session.add(member)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(_("{actor} has just joined this network.", actor=actor.name_hy)) from exc
    return member


def _apply_member(
    member: NetworkMember,
    role: MemberRole,
    areas: list[str],
    capacities: list[Capacity],
    agreement: Agreement | None,
) -> None:
    member.role = role
    member.areas = list(areas)
    member.capacities = [c.model_dump(mode="json") for c in capacities]
    member.agreement_number = agreement.number if agreement else None
    member.agreement_date = agreement.date if agreement else None


async def update_member(
    session: AsyncSession, network: Network, member: NetworkMember, data: MemberIn
) -> NetworkMember:
    if member.left_on is not None:
        raise Conflict(_("This member has left the network; its record is history now."))
    if network.form == NetworkForm.formalised and data.agreement is None:
        raise _field_error("agreement", _("a formalised network's members need their memorandum"),
                           _("Agreement missing"))  # fmt: skip
    _apply_member(member, data.role, data.areas, data.capacities, data.agreement)
    await session.flush()
    return member


async def leave(
    session: AsyncSession, member: NetworkMember, left_on: date, reason: str
) -> NetworkMember:
    if member.left_on is not None:
        raise Conflict(
            _("This member already left the network on {left_on}.", left_on=member.left_on)
        )
    if left_on < member.joined_on:
        raise _field_error("left_on", _("the member joined on {joined_on}; it cannot leave "
                           "before that", joined_on=member.joined_on),
                           _("Left before joining"))  # fmt: skip
    member.left_on = left_on
    member.leave_reason = reason
    await session.flush()
    return member


# --- activities -------------------------------------------------------------------------


def activity_out(activity: NetworkActivity) -> ActivityOut:
    return ActivityOut(
        id=activity.id,
        network_id=activity.network_id,
        version=activity.version,
        kind=ActivityKind(activity.kind),
        held_on=activity.held_on,
        ends_on=activity.ends_on,
        topic=activity.topic,
        outcome=activity.outcome,
        participants=[p.member_id for p in activity.participants],
        documents=[Document.model_validate(d) for d in activity.documents],
        created_at=activity.created_at,
        updated_at=activity.updated_at,
    )


async def get_activity(
    session: AsyncSession, network_id: uuid.UUID, activity_id: uuid.UUID
) -> NetworkActivity:
    activity = await session.scalar(
        select(NetworkActivity)
        .where(NetworkActivity.id == activity_id, NetworkActivity.network_id == network_id)
        .options(selectinload(NetworkActivity.participants))
    )
    if activity is None:
        raise NotFound(
            _(
                "Network {network_id} has no activity {activity_id}.",
                network_id=network_id,
                activity_id=activity_id,
            )
        )
    return activity


def activities_query(
    network_id: uuid.UUID, *, kind: str | None, held_from: date | None, held_to: date | None
) -> Select[Any]:
    statement = (
        select(NetworkActivity)
        .where(NetworkActivity.network_id == network_id)
        .options(selectinload(NetworkActivity.participants))
    )
    if kind:
        statement = statement.where(NetworkActivity.kind == kind)
    if held_from:
        statement = statement.where(NetworkActivity.held_on >= held_from)
    if held_to:
        statement = statement.where(NetworkActivity.held_on <= held_to)
    return statement


async def save_activity(
    session: AsyncSession,
    network: Network,
    data: ActivityIn,
    activity: NetworkActivity | None = None,
) -> NetworkActivity:
    participants = list(dict.fromkeys(data.participants))
    if participants:
        # Participants are members of this network on the day of the activity.
        found = set(
            await session.scalars(
                select(NetworkMember.id).where(
                    NetworkMember.id.in_(participants),
                    NetworkMember.network_id == network.id,
                    NetworkMember.joined_on <= data.held_on,
                    or_(NetworkMember.left_on.is_(None),
                        and_(NetworkMember.left_on > data.held_on)),
                )
            )
        )  # fmt: skip
        missing = [str(p) for p in participants if p not in found]
        if missing:
            raise _field_error(
                "participants",
                _(
                    "{members} were not members of this network on {held_on}",
                    members=", ".join(missing),
                    held_on=data.held_on,
                ),
                _("Participant not a member"),
            )
    if activity is None:
        activity = NetworkActivity(network_id=network.id, participants=[])
        session.add(activity)
    activity.kind = data.kind
    activity.held_on = data.held_on
    activity.ends_on = data.ends_on
    activity.topic = data.topic
    activity.outcome = data.outcome
    activity.documents = [d.model_dump() for d in data.documents]
    activity.participants = [NetworkActivityParticipant(member_id=m) for m in participants]
    await session.flush()
    return activity


# --- the writes, each journaled -----------------------------------------------------------


async def create_network(
    session: AsyncSession, principal: Principal, data: NetworkIn
) -> NetworkOut:
    ensure_may_manage(principal, data.center_id)
    return await NETWORKS.created(session, principal, await save_network(session, data))


async def edit_network(
    session: AsyncSession,
    principal: Principal,
    network: Network,
    before: NetworkOut,
    patch: NetworkPatch,
) -> NetworkOut:
    await save_network(session, merge_patch(NetworkIn, before, patch), network)
    return await NETWORKS.updated(session, principal, network, before)


async def add_member(
    session: AsyncSession, principal: Principal, network: Network, data: MemberIn
) -> MemberOut:
    member = await join(session, network, data)
    return await MEMBERS.created(session, principal, member, event="joined")


async def edit_member(
    session: AsyncSession,
    principal: Principal,
    network: Network,
    member: NetworkMember,
    before: MemberOut,
    patch: MemberPatch,
) -> MemberOut:
    merged = merge_patch(MemberIn, before, patch, actor_id=before.actor.id)
    await update_member(session, network, member, merged)
    return await MEMBERS.updated(session, principal, member, before)


async def leave_network(
    session: AsyncSession,
    principal: Principal,
    member: NetworkMember,
    before: MemberOut,
    data: Leave,
) -> MemberOut:
    await leave(session, member, data.left_on, data.reason)
    return await MEMBERS.updated(session, principal, member, before, event="left")


async def create_activity(
    session: AsyncSession, principal: Principal, network: Network, data: ActivityIn
) -> ActivityOut:
    activity = await save_activity(session, network, data)
    return await ACTIVITIES.created(session, principal, activity)


async def edit_activity(
    session: AsyncSession,
    principal: Principal,
    network: Network,
    activity: NetworkActivity,
    before: ActivityOut,
    patch: ActivityPatch,
) -> ActivityOut:
    await save_activity(session, network, merge_patch(ActivityIn, before, patch), activity)
    return await ACTIVITIES.updated(session, principal, activity, before)
