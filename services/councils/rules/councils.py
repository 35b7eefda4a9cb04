"""Councils, their members and seats: equal representation, and seats that follow the network.

The invariant of the source document (000): every member of a council has the same number of
voting seats, the number the bylaws in force set (one until the council adopts its first
bylaws). Seats are opened when a member joins and when the bylaws raise the number, closed when
it leaves and when they lower it; nobody opens or closes one by hand, so the invariant holds at
every moment. A coordinating council seats every member of its network: all of them when it is
formed, then as the registry's change feed says they join and leave."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.councils.access import ADMIN, CENTER_OFFICIAL, ensure_forms, ensure_manages
from services.councils.clients import Registry
from services.councils.journal import journal
from services.councils.messages import _
from services.councils.models import (
    BylawsVersion,
    Council,
    CouncilMember,
    Representative,
    Seat,
)
from services.councils.rules.common import (
    current_on,
    field_error,
    today,
)
from services.councils.schemas.bylaws import BylawsParameters
from services.councils.schemas.councils import (
    CouncilIn,
    CouncilKind,
    CouncilMemberIn,
    CouncilMemberLeave,
    CouncilMemberOut,
    CouncilOut,
    CouncilPatch,
    CouncilStatus,
    MemberKind,
    MembershipDifference,
    Offices,
    Reconciliation,
    Representation,
    SeatOut,
)
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import Conflict, Forbidden, NotFound
from shared.text import LocalizedText

DEFAULT_SEATS_PER_MEMBER = 1


# --- the bylaws in force ----------------------------------------------------------------


async def bylaws_in_force(
    session: AsyncSession, council_id: uuid.UUID, on: date
) -> BylawsVersion | None:
    """The adopted version in force on a date: the last adopted on or before it."""
    result: BylawsVersion | None = await session.scalar(
        select(BylawsVersion)
        .where(
            BylawsVersion.council_id == council_id,
            BylawsVersion.status == "adopted",
            BylawsVersion.adopted_on <= on,
        )
        .order_by(BylawsVersion.adopted_on.desc(), BylawsVersion.number.desc())
        .limit(1)
    )
    return result


async def seats_per_member(session: AsyncSession, council_id: uuid.UUID, on: date) -> int:
    version = await bylaws_in_force(session, council_id, on)
    if version is None:
        return DEFAULT_SEATS_PER_MEMBER
    return BylawsParameters.model_validate(version.parameters).seats_per_member


# --- representations --------------------------------------------------------------------


async def current_member_counts(
    session: AsyncSession, council_ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    if not council_ids:
        return {}
    rows = await session.execute(
        select(CouncilMember.council_id, func.count())
        .where(CouncilMember.council_id.in_(council_ids), CouncilMember.left_on.is_(None))
        .group_by(CouncilMember.council_id)
    )
    return dict(rows.all())


def council_out(council: Council, members: int, seats: int) -> CouncilOut:
    return CouncilOut(
        id=council.id,
        version=council.version,
        kind=CouncilKind(council.kind),
        network_id=council.network_id,
        community_id=council.community_id,
        center_id=council.center_id,
        name=LocalizedText(hy=council.name_hy, en=council.name_en),
        founded_on=council.founded_on,
        status=CouncilStatus(council.status),
        status_reason=council.status_reason,
        dissolved_on=council.dissolved_on,
        offices=Offices(
            chair_id=council.chair_id,
            deputy_chair_id=council.deputy_chair_id,
            secretary_id=council.secretary_id,
        ),
        current_members=members,
        seats_per_member=seats,
        created_at=council.created_at,
        updated_at=council.updated_at,
    )


async def council_views(session: AsyncSession, councils: list[Council]) -> list[CouncilOut]:
    counts = await current_member_counts(session, [c.id for c in councils])
    on = today()
    return [
        council_out(c, counts.get(c.id, 0), await seats_per_member(session, c.id, on))
        for c in councils
    ]


async def _represent_council(session: AsyncSession, council: Council, full: bool) -> CouncilOut:
    return (await council_views(session, [council]))[0]


async def member_views(
    session: AsyncSession, members: list[CouncilMember], on: date | None = None
) -> list[CouncilMemberOut]:
    """Members with their seats and who holds each today: two statements for a whole page."""
    if not members:
        return []
    on = on or today()
    ids = [m.id for m in members]
    seats: dict[uuid.UUID, list[Seat]] = defaultdict(list)
    for seat in await session.scalars(
        select(Seat).where(Seat.member_id.in_(ids)).order_by(Seat.number)
    ):
        seats[seat.member_id].append(seat)
    holders: dict[uuid.UUID, uuid.UUID] = {}
    for rep in await session.scalars(
        select(Representative).where(
            Representative.member_id.in_(ids),
            Representative.seat_id.is_not(None),
            Representative.term_start <= on,
            or_(Representative.term_end.is_(None), Representative.term_end > on),
        )
    ):
        assert rep.seat_id is not None
        holders[rep.seat_id] = rep.id
    views = []
    for member in members:
        outs = [
            SeatOut(
                id=s.id,
                number=s.number,
                opened_on=s.opened_on,
                closed_on=s.closed_on,
                holder_id=holders.get(s.id),
            )
            for s in seats[member.id]
        ]
        open_now = [s for s in outs if current_on(s.opened_on, s.closed_on, on)]
        views.append(
            CouncilMemberOut(
                id=member.id,
                version=member.version,
                council_id=member.council_id,
                kind=MemberKind(member.kind),
                actor_id=member.actor_id,
                network_member_id=member.network_member_id,
                name=LocalizedText(hy=member.name_hy, en=member.name_en),
                joined_on=member.joined_on,
                left_on=member.left_on,
                leave_reason=member.leave_reason,
                seats=outs,
                complete=all(s.holder_id is not None for s in open_now),
                created_at=member.created_at,
                updated_at=member.updated_at,
            )
        )
    return views


async def _represent_member(
    session: AsyncSession, member: CouncilMember, full: bool
) -> CouncilMemberOut:
    return (await member_views(session, [member]))[0]


COUNCILS = journal.resource(
    "council", _represent_council, verbs=("created", "updated", "suspended")
)
MEMBERS = journal.resource(
    "council_member",
    _represent_member,
    stream_of=lambda member: member.council_id,
    verbs=("created", "updated"),
)


# --- councils ---------------------------------------------------------------------------


def councils_query(
    *,
    kind: CouncilKind | None,
    status: CouncilStatus | None,
    network_id: uuid.UUID | None,
    community_id: uuid.UUID | None,
) -> Select[Any]:
    statement = select(Council)
    if kind:
        statement = statement.where(Council.kind == kind)
    if status:
        statement = statement.where(Council.status == status)
    if network_id:
        statement = statement.where(Council.network_id == network_id)
    if community_id:
        statement = statement.where(Council.community_id == community_id)
    return statement


async def _current_council_of(
    session: AsyncSession, network_id: uuid.UUID, besides: uuid.UUID | None = None
) -> Council | None:
    statement = select(Council).where(
        Council.network_id == network_id, Council.status != CouncilStatus.dissolved
    )
    if besides is not None:
        statement = statement.where(Council.id != besides)
    result: Council | None = await session.scalar(statement)
    return result


def _why_no_council(network: dict[str, Any]) -> Any:
    if network.get("status") != "active":
        return _(
            "the network {network} is dissolved; only an active network forms a council",
            network=network["name"]["hy"],
        )
    return _(
        "the network {network} is {form}; only a formalised or mixed network may form a "
        "coordinating council",
        network=network["name"]["hy"],
        form=network.get("form"),
    )


async def _checked_network(registry: Registry, network_id: uuid.UUID) -> dict[str, Any]:
    """The network from the registry, able to form a council (422 saying why not)."""
    network = await registry.network(network_id)
    if network is None:
        raise field_error(
            "network_id",
            _("the registry has no network {network_id}", network_id=network_id),
            _("Unknown network"),
        )
    if not network.get("may_form_council"):
        raise field_error(
            "network_id", _why_no_council(network), _("Network cannot form a council")
        )
    return network


async def create_council(
    session: AsyncSession, principal: Principal, data: CouncilIn, registry: Registry
) -> CouncilOut:
    if not principal.has_role(ADMIN, CENTER_OFFICIAL):
        raise Forbidden(_("Forming a council needs the role admin or center_official."))
    if data.status not in (CouncilStatus.forming, CouncilStatus.active):
        raise field_error("status", _("a council is formed forming or active"),
                          _("Status not allowed"))  # fmt: skip
    if data.status == CouncilStatus.active:
        raise field_error("status", _("a council becomes active once it has adopted its bylaws"),
                          _("Bylaws missing"))  # fmt: skip
    members: list[dict[str, Any]] = []
    center_id: uuid.UUID | None = None
    if data.kind == CouncilKind.coordinating:
        assert data.network_id is not None
        # Everything the registry must say is asked before anything is written.
        network = await _checked_network(registry, data.network_id)
        center_id = uuid.UUID(network["center_id"])
        ensure_forms(principal, center_id)
        await _refuse_second_council(session, data.network_id)
        members = await registry.members(data.network_id, today())
    else:
        ensure_forms(principal, None)
    council = Council(kind=data.kind, center_id=center_id)
    _apply_council(council, data)
    council.network_id, council.community_id = data.network_id, data.community_id
    session.add(council)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(_("Another council was just formed for this network.")) from exc
    out = await COUNCILS.created(session, principal, council)
    for member in members:
        await seat_network_member(session, principal, council, member)
    return await COUNCILS.snapshot(session, council) if members else out


async def _refuse_second_council(
    session: AsyncSession, network_id: uuid.UUID, besides: uuid.UUID | None = None
) -> None:
    other = await _current_council_of(session, network_id, besides)
    if other is not None:
        raise Conflict(
            _(
                "The network already has a council ({council}, {council_id}, {status}); a "
                "network has one council at a time. Dissolve that one first.",
                council=other.name_hy,
                council_id=other.id,
                status=other.status,
            ),
            title=_("Network already has a council"),
        )


def _apply_council(council: Council, data: CouncilIn) -> None:
    council.name_hy, council.name_en = data.name.hy, data.name.en
    council.founded_on = data.founded_on
    council.status = data.status
    council.status_reason = data.status_reason
    council.dissolved_on = data.dissolved_on
    council.chair_id = data.offices.chair_id
    council.deputy_chair_id = data.offices.deputy_chair_id
    council.secretary_id = data.offices.secretary_id


async def edit_council(
    session: AsyncSession,
    principal: Principal,
    council: Council,
    before: CouncilOut,
    patch: CouncilPatch,
    registry: Registry,
) -> CouncilOut:
    data = merge_patch(
        CouncilIn, before, patch,
        kind=council.kind, network_id=council.network_id, community_id=council.community_id,
    )  # fmt: skip
    if council.status == CouncilStatus.dissolved:
        raise Conflict(_("This council is dissolved; its record is history now."))
    if data.status == CouncilStatus.active and council.status != CouncilStatus.active:
        if await bylaws_in_force(session, council.id, today()) is None:
            raise field_error("status", _("a council becomes active once it has adopted its "
                              "bylaws"), _("Bylaws missing"))  # fmt: skip
        if council.kind == CouncilKind.coordinating:
            assert council.network_id is not None
            await _checked_network(registry, council.network_id)
    if data.status == CouncilStatus.forming and council.status != CouncilStatus.forming:
        raise field_error("status", _("a council that has left forming does not go back to it"),
                          _("Status not allowed"))  # fmt: skip
    await _check_offices(session, council, data.offices)
    _apply_council(council, data)
    if data.status != CouncilStatus.suspended and before.status == CouncilStatus.suspended:
        council.status_reason = data.status_reason if patch.model_fields_set & {
            "status_reason"} else None  # fmt: skip
    await session.flush()
    return await COUNCILS.updated(session, principal, council, before)


async def _check_offices(session: AsyncSession, council: Council, offices: Offices) -> None:
    on = today()
    for field, rep_id in offices.model_dump().items():
        if rep_id is None:
            continue
        rep = await session.get(Representative, rep_id)
        if (
            rep is None
            or rep.council_id != council.id
            or rep.seat_id is None
            or not current_on(rep.term_start, rep.term_end, on)
        ):
            raise field_error(
                f"offices.{field}",
                _("{rep_id} is not a representative sitting on this council today",
                  rep_id=rep_id),
                _("Not a representative"),
            )  # fmt: skip


async def suspend(
    session: AsyncSession, principal: Principal, council: Council, reason: str
) -> CouncilOut | None:
    if council.status not in (CouncilStatus.forming, CouncilStatus.active):
        return None
    before = await COUNCILS.snapshot(session, council)
    council.status = CouncilStatus.suspended
    council.status_reason = reason
    await session.flush()
    return await COUNCILS.updated(session, principal, council, before, event="suspended")


# --- members and seats --------------------------------------------------------------------


async def get_member(
    session: AsyncSession, council_id: uuid.UUID, member_id: uuid.UUID
) -> CouncilMember:
    member = await session.get(CouncilMember, member_id)
    if member is None or member.council_id != council_id:
        raise NotFound(
            _(
                "Council {council_id} has no member {member_id}.",
                council_id=council_id,
                member_id=member_id,
            )
        )
    return member


def members_query(
    council_id: uuid.UUID | None,
    *,
    on: date | None,
    include_past: bool,
    actor_id: uuid.UUID | None = None,
) -> Select[Any]:
    statement = select(CouncilMember)
    if council_id is not None:
        statement = statement.where(CouncilMember.council_id == council_id)
    if actor_id is not None:
        statement = statement.where(CouncilMember.actor_id == actor_id)
    if on is not None:
        statement = statement.where(
            CouncilMember.joined_on <= on,
            or_(CouncilMember.left_on.is_(None), CouncilMember.left_on > on),
        )
    elif not include_past:
        statement = statement.where(CouncilMember.left_on.is_(None))
    return statement


async def open_seats_of(session: AsyncSession, member_id: uuid.UUID) -> list[Seat]:
    return list(
        await session.scalars(
            select(Seat)
            .where(Seat.member_id == member_id, Seat.closed_on.is_(None))
            .order_by(Seat.number)
        )
    )


async def sync_seats(
    session: AsyncSession, council: Council, member: CouncilMember, wanted: int, on: date
) -> None:
    """Open or close the member's seats from `on` so that it holds `wanted` of them; a seat
    closed must be vacant from then on (409 naming the member otherwise)."""
    seats = await open_seats_of(session, member.id)
    if len(seats) < wanted:
        last = await session.scalar(
            select(func.max(Seat.number)).where(Seat.member_id == member.id)
        )
        for number in range(int(last or 0) + 1, int(last or 0) + 1 + wanted - len(seats)):
            session.add(
                Seat(council_id=council.id, member_id=member.id, number=number, opened_on=on)
            )
    elif len(seats) > wanted:
        held = set(
            await session.scalars(
                select(Representative.seat_id).where(
                    Representative.member_id == member.id,
                    Representative.seat_id.is_not(None),
                    or_(Representative.term_end.is_(None), Representative.term_end > on),
                )
            )
        )
        vacant = [s for s in reversed(seats) if s.id not in held]
        excess = len(seats) - wanted
        if len(vacant) < excess:
            raise Conflict(
                _(
                    "{member} would keep {held} representatives in {wanted} seats; end the term "
                    "of {excess} of them before {on} first.",
                    member=member.name_hy,
                    held=len(held),
                    wanted=wanted,
                    excess=len(held) - wanted,
                    on=on,
                ),
                title=_("Seats still held"),
            )
        for seat in vacant[:excess]:
            seat.closed_on = max(on, seat.opened_on)
    await session.flush()


async def _new_member(
    session: AsyncSession,
    council: Council,
    *,
    kind: MemberKind,
    name: LocalizedText,
    joined_on: date,
    actor_id: uuid.UUID | None = None,
    network_member_id: uuid.UUID | None = None,
) -> CouncilMember:
    member = CouncilMember(
        council_id=council.id,
        kind=kind,
        actor_id=actor_id,
        network_member_id=network_member_id,
        name_hy=name.hy,
        name_en=name.en,
        joined_on=joined_on,
    )
    session.add(member)
    await session.flush()
    await sync_seats(
        session, council, member, await seats_per_member(session, council.id, joined_on), joined_on
    )
    return member


async def seat_network_member(
    session: AsyncSession, principal: Principal, council: Council, member: dict[str, Any]
) -> CouncilMemberOut | None:
    """Seat a network member as the registry shows it (its public representation), once."""
    network_member_id = uuid.UUID(str(member["id"]))
    seated = await session.scalar(
        select(CouncilMember.id).where(
            CouncilMember.council_id == council.id,
            CouncilMember.network_member_id == network_member_id,
        )
    )
    if seated is not None:
        return None
    joined_on = max(date.fromisoformat(member["joined_on"]), council.founded_on)
    actor = member["actor"]
    row = await _new_member(
        session,
        council,
        kind=MemberKind.network_member,
        name=LocalizedText(hy=actor["name"]["hy"], en=actor["name"].get("en")),
        joined_on=joined_on,
        actor_id=uuid.UUID(str(actor["id"])),
        network_member_id=network_member_id,
    )
    return await MEMBERS.created(session, principal, row)


async def add_member(
    session: AsyncSession,
    principal: Principal,
    council: Council,
    data: CouncilMemberIn,
    registry: Registry,
) -> CouncilMemberOut:
    if council.status == CouncilStatus.dissolved:
        raise Conflict(_("This council is dissolved; nobody joins it."))
    if data.joined_on < council.founded_on:
        raise field_error("joined_on", _("the council was founded on {founded_on}; nobody joins "
                          "it before that", founded_on=council.founded_on),
                          _("Joined too early"))  # fmt: skip
    if council.kind == CouncilKind.coordinating:
        if data.actor_id is None:
            raise field_error("actor_id", _("a coordinating council's members are the network's: "
                              "name the actor"), _("Actor missing"))  # fmt: skip
        assert council.network_id is not None
        found = [
            m for m in await registry.members(council.network_id, data.joined_on)
            if m["actor"]["id"] == str(data.actor_id)
        ]  # fmt: skip
        if not found:
            raise field_error(
                "actor_id",
                _("{actor_id} is not a member of the network on {on}; a coordinating council "
                  "seats only the network's members", actor_id=data.actor_id, on=data.joined_on),
                _("Not a member of the network"),
            )  # fmt: skip
        already = await _current_member_of_actor(session, council.id, data.actor_id)
        if already is not None:
            raise _already_member(already)
        out = await seat_network_member(
            session, principal, council, found[0] | {"joined_on": data.joined_on.isoformat()}
        )
        if out is None:  # this very membership was seated and left before
            raise Conflict(_("This membership of the network was seated before and has left; "
                             "it joins again as a new membership in the registry."))  # fmt: skip
        return out
    if data.kind is None or data.kind == MemberKind.network_member or data.name is None:
        raise field_error("kind", _("a municipal council's member is an appointed organisation "
                          "or person: give kind and name"), _("Member missing"))  # fmt: skip
    if data.actor_id is not None:
        already = await _current_member_of_actor(session, council.id, data.actor_id)
        if already is not None:
            raise _already_member(already)
    member = await _new_member(
        session, council, kind=data.kind, name=data.name, joined_on=data.joined_on,
        actor_id=data.actor_id,
    )  # fmt: skip
    return await MEMBERS.created(session, principal, member)


async def _current_member_of_actor(
    session: AsyncSession, council_id: uuid.UUID, actor_id: uuid.UUID
) -> CouncilMember | None:
    result: CouncilMember | None = await session.scalar(
        select(CouncilMember).where(
            CouncilMember.council_id == council_id,
            CouncilMember.actor_id == actor_id,
            CouncilMember.left_on.is_(None),
        )
    )
    return result


def _already_member(member: CouncilMember) -> Conflict:
    return Conflict(
        _("{member} already sits on this council (since {joined_on}).",
          member=member.name_hy, joined_on=member.joined_on),
        title=_("Already a member"),
    )  # fmt: skip


async def leave(
    session: AsyncSession,
    principal: Principal,
    member: CouncilMember,
    before: CouncilMemberOut,
    data: CouncilMemberLeave,
) -> CouncilMemberOut:
    """The member leaves: its seats close and its representatives' terms end that day."""
    if member.left_on is not None:
        raise Conflict(_("This member already left the council on {left_on}.",
                         left_on=member.left_on))  # fmt: skip
    if data.left_on < member.joined_on:
        raise field_error(
            "left_on",
            _("the member joined on {joined_on}; it cannot leave before that",
              joined_on=member.joined_on),
            _("Left before joining"),
        )  # fmt: skip
    member.left_on = data.left_on
    member.leave_reason = data.reason
    for seat in await open_seats_of(session, member.id):
        seat.closed_on = max(data.left_on, seat.opened_on)
    reps = await session.scalars(
        select(Representative)
        .where(
            Representative.member_id == member.id,
            or_(Representative.term_end.is_(None), Representative.term_end > data.left_on),
        )
        .order_by(Representative.substitute_for_id.is_not(None).desc())  # substitutes first
    )
    for rep in reps:
        if rep.term_start < data.left_on:
            rep.term_end, rep.end_reason = data.left_on, data.reason
        else:  # appointed for later, never sat: the appointment goes with the membership
            await session.delete(rep)
            await session.flush()
    await session.flush()
    return await MEMBERS.updated(session, principal, member, before, event="left")


async def representation(session: AsyncSession, council: Council) -> Representation:
    members = list(await session.scalars(members_query(council.id, on=None, include_past=False)))
    views = await member_views(session, members)
    on = today()
    return Representation(
        council_id=council.id,
        seats_per_member=await seats_per_member(session, council.id, on),
        members=len(views),
        seats=sum(1 for v in views for s in v.seats if current_on(s.opened_on, s.closed_on, on)),
        incomplete=[v.id for v in views if not v.complete],
    )


# --- reconciliation with the registry ---------------------------------------------------------


async def reconcile(
    session: AsyncSession,
    principal: Principal,
    council: Council,
    registry: Registry,
    on: date,
    *,
    repair: bool,
) -> Reconciliation:
    """Compare the council's members on a date with the network's in the registry; with
    `repair`, seat the missing and let go those no longer in the network, as of that date."""
    if council.kind != CouncilKind.coordinating or council.network_id is None:
        raise field_error("council", _("only a coordinating council follows a network"),
                          _("Not a coordinating council"))  # fmt: skip
    ensure_manages(principal, council, _("this council"))
    in_network = {uuid.UUID(m["id"]): m for m in await registry.members(council.network_id, on)}
    seated = {
        m.network_member_id: m
        for m in await session.scalars(members_query(council.id, on=on, include_past=False))
        if m.network_member_id is not None
    }
    differences = [
        MembershipDifference(
            actor_id=m["actor"]["id"], network_member_id=mid, name=m["actor"]["name"]["hy"],
            difference="missing_in_council",
        )
        for mid, m in in_network.items() if mid not in seated
    ] + [
        MembershipDifference(
            actor_id=m.actor_id or mid, network_member_id=mid, name=m.name_hy,
            difference="not_in_network",
        )
        for mid, m in seated.items() if mid not in in_network
    ]  # fmt: skip
    if repair and council.status != CouncilStatus.dissolved:
        for difference in differences:
            if difference.difference == "missing_in_council":
                await seat_network_member(
                    session, principal, council, in_network[difference.network_member_id]
                )
            else:
                member = seated[difference.network_member_id]
                before = await MEMBERS.snapshot(session, member)
                reason = _("not a member of the network on {on}, as the registry says", on=on)
                await leave(session, principal, member, before,
                            CouncilMemberLeave(left_on=max(on, member.joined_on),
                                               reason=str(reason)))  # fmt: skip
    return Reconciliation(
        council_id=council.id,
        on=on,
        network_members=len(in_network),
        council_members=len(seated),
        differences=differences,
        repaired=repair and bool(differences),
    )
