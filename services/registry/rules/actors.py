"""Actors of a territory: bodies, organisations, entrepreneurs and persons."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import selectinload

from services.registry.access import ensure_in_territory
from services.registry.journal import journal
from services.registry.messages import _
from services.registry.models import (
    Actor,
    ActorCapacity,
    ActorJurisdiction,
    ActorPlace,
    Community,
    Network,
    NetworkMember,
    ProgrammeActor,
    Service,
)
from services.registry.reference import PERSONAL_KINDS, ActorKind, LegalForm
from services.registry.rules.territories import check_communities, check_region
from services.registry.schemas.actors import ActorIn, ActorOut, ActorPatch
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import Conflict, NotFound
from shared.text import fold, fold_all

LOCATED, OPERATES = "located", "operates"
ACTOR_LOADS = (
    selectinload(Actor.places),
    selectinload(Actor.jurisdictions),
    selectinload(Actor.capacities),
)


def actor_out(actor: Actor, *, show_personal: bool) -> ActorOut:
    return actor_view(
        actor, actor.places, actor.jurisdictions, actor.capacities, show_personal=show_personal
    )


def actor_view(
    actor: Any,
    places: Sequence[Any],
    jurisdictions: Sequence[Any],
    capacities: Sequence[Any],
    *,
    show_personal: bool,
) -> ActorOut:
    """The representation of an actor from an ORM object or plain rows with the same names."""
    hide = not show_personal and actor.kind in PERSONAL_KINDS
    # Plain data validated in one go by pydantic-core: several times faster than building the
    # nested models one by one, which shows on pages of 50.
    return ActorOut.model_validate(
        {
            "id": actor.id,
            "version": actor.version,
            "created_at": actor.created_at,
            "updated_at": actor.updated_at,
            "kind": actor.kind,
            "legal_form": actor.legal_form,
            "name": {"hy": actor.name_hy, "en": actor.name_en, "ru": actor.name_ru},
            "description": actor.description,
            "tax_number": actor.tax_number,
            "registration_number": actor.registration_number,
            # A person's or entrepreneur's street address may be their home: personal data too.
            "address": {
                "street": None if hide else actor.street,
                "community_id": actor.community_id,
                "postal_code": actor.postal_code,
            },
            "contacts": {
                "phone": None if hide else actor.phone,
                "email": None if hide else actor.email,
                "website": actor.website,
            },
            "located_in": [p.community_id for p in places if p.relation == LOCATED],
            "operates_in": [p.community_id for p in places if p.relation == OPERATES],
            "jurisdiction": {
                "regions": sorted(j.region_code for j in jurisdictions if j.region_code),
                "communities": [j.community_id for j in jurisdictions if j.community_id],
            },
            "capacities": [{"kind": c.kind, "note": c.note} for c in capacities],
            "personal_data_hidden": hide and bool(actor.phone or actor.email or actor.street),
        }
    )


async def _represent(session: AsyncSession, actor: Actor, full: bool) -> ActorOut:
    return actor_out(actor, show_personal=full)


# The full representation holds the contacts of persons and entrepreneurs: events and
# anonymous callers get the public one.
ACTORS = journal.resource("actor", _represent, personal=True)


async def get_actor(session: AsyncSession, actor_id: uuid.UUID) -> Actor:
    actor = await session.scalar(select(Actor).where(Actor.id == actor_id).options(*ACTOR_LOADS))
    if actor is None:
        raise NotFound(_("There is no actor {actor_id}.", actor_id=actor_id))
    return actor


class _Place(NamedTuple):
    community_id: str
    relation: str


class _Jurisdiction(NamedTuple):
    id: str
    region_code: str | None
    community_id: str | None


class _Capacity(NamedTuple):
    position: int
    kind: str
    note: str | None


_READ_ACTOR: dict[str, Select[Any]] = {}


def _read_actor_statement(dialect: str) -> Select[Any]:
    """One statement for an actor and its three child collections, each aggregated by the
    database as a JSON array (PostgreSQL json_agg, SQLite json_group_array); built once."""
    if dialect not in _READ_ACTOR:
        aggregate, array = (
            (func.json_agg, func.json_build_array)
            if dialect == "postgresql"
            else (func.json_group_array, func.json_array)
        )
        actors = Actor.__table__

        def children(table: Any, *columns: Any) -> Any:
            return (
                select(aggregate(array(*(table.c[c] for c in columns))))
                .where(table.c.actor_id == actors.c.id)
                .scalar_subquery()
            )

        places = ActorPlace.__table__
        jurisdictions = ActorJurisdiction.__table__
        capacities = ActorCapacity.__table__
        _READ_ACTOR[dialect] = select(
            actors,
            children(places, "community_id", "relation").label("places_json"),
            children(jurisdictions, "id", "region_code", "community_id").label(
                "jurisdictions_json"
            ),
            children(capacities, "position", "kind", "note").label("capacities_json"),
        ).where(actors.c.id == bindparam("actor_id"))
    return _READ_ACTOR[dialect]


def _json_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(json.loads(value) if isinstance(value, str) else value)


async def read_actor(
    connection: AsyncConnection, actor_id: uuid.UUID, *, show_personal: bool
) -> ActorOut:
    """The representation of one actor from one statement of plain rows (no ORM objects, no
    session: a plain Core statement needs none of the ORM's machinery)."""
    statement = _read_actor_statement(connection.dialect.name)
    row = (await connection.execute(statement, {"actor_id": actor_id})).first()
    if row is None:
        raise NotFound(_("There is no actor {actor_id}.", actor_id=actor_id))
    # Ordered as the ORM relationships order them (UUIDs sort as their text on both databases).
    places = sorted(_Place(*p) for p in _json_list(row.places_json))
    jurisdictions = sorted(_Jurisdiction(*j) for j in _json_list(row.jurisdictions_json))
    capacities = sorted(
        (_Capacity(*c) for c in _json_list(row.capacities_json)), key=lambda c: c.position
    )
    return actor_view(row, places, jurisdictions, capacities, show_personal=show_personal)


def actors_query(
    *,
    kind: ActorKind | None = None,
    legal_form: LegalForm | None = None,
    region: str | None = None,
    community_id: uuid.UUID | None = None,
    q: str | None = None,
    ids: Sequence[uuid.UUID] | None = None,
    rows: bool = False,
) -> Select[Any]:
    """Actors matching the filters: ORM objects, or with `rows=True` plain rows of the table
    (for pages, whose ORM bookkeeping costs more than the query itself)."""
    statement = select(Actor.__table__) if rows else select(Actor).options(*ACTOR_LOADS)
    if ids:
        statement = statement.where(Actor.id.in_(ids))
    if kind:
        statement = statement.where(Actor.kind == kind)
    if legal_form:
        statement = statement.where(Actor.legal_form == legal_form)
    if community_id:
        statement = statement.where(
            exists().where(ActorPlace.actor_id == Actor.id, ActorPlace.community_id == community_id)
        )
    if region:
        statement = statement.where(
            exists()
            .where(ActorPlace.actor_id == Actor.id)
            .where(Community.id == ActorPlace.community_id)
            .where(Community.region_code == region.upper())
        )
    if q:
        for word in fold(q).split():
            statement = statement.where(Actor.search_text.contains(word, autoescape=True))
    return statement


async def actor_views(
    session: AsyncSession, rows: Sequence[Any], *, show_personal: bool
) -> list[ActorOut]:
    """Representations of a page of actor rows: three queries for the whole page."""
    ids = [row.id for row in rows]
    places: dict[uuid.UUID, list[Any]] = defaultdict(list)
    jurisdictions: dict[uuid.UUID, list[Any]] = defaultdict(list)
    capacities: dict[uuid.UUID, list[Any]] = defaultdict(list)
    if ids:
        for table, into, order in (
            (ActorPlace.__table__, places, ActorPlace.community_id),
            (ActorJurisdiction.__table__, jurisdictions, ActorJurisdiction.id),
            (ActorCapacity.__table__, capacities, ActorCapacity.position),
        ):
            found = await session.execute(
                select(table).where(table.c.actor_id.in_(ids)).order_by(order)
            )
            for item in found:
                into[item.actor_id].append(item)
    return [
        actor_view(row, places[row.id], jurisdictions[row.id], capacities[row.id],
                   show_personal=show_personal)
        for row in rows
    ]  # fmt: skip


def communities_touched(data: ActorIn) -> set[uuid.UUID]:
    touched = {*data.located_in, *data.operates_in, *data.jurisdiction.communities}
    if data.address.community_id:
        touched.add(data.address.community_id)
    return touched


def touched_by(actor: Actor) -> tuple[set[uuid.UUID], set[str]]:
    communities = {p.community_id for p in actor.places}
    communities |= {j.community_id for j in actor.jurisdictions if j.community_id}
    if actor.community_id:
        communities.add(actor.community_id)
    return communities, {j.region_code for j in actor.jurisdictions if j.region_code}


async def ensure_may_write(
    session: AsyncSession, principal: Principal, actor: Actor | None, data: ActorIn | None
) -> None:
    """An official may write an actor that is, and stays, in their center's territory."""
    if actor is not None:
        communities, regions = touched_by(actor)
        await ensure_in_territory(
            session, principal, communities=communities, regions=regions, what=_("this actor")
        )
    if data is not None:
        await ensure_in_territory(
            session,
            principal,
            communities=communities_touched(data),
            regions=set(data.jurisdiction.regions),
            what=_("the actor as sent"),
        )


async def _check_references(session: AsyncSession, data: ActorIn) -> list[str]:
    if data.address.community_id:
        await check_communities(session, [data.address.community_id], field="address.community_id")
    await check_communities(session, data.located_in, field="located_in")
    await check_communities(session, data.operates_in, field="operates_in")
    await check_communities(
        session, data.jurisdiction.communities, field="jurisdiction.communities"
    )
    return [
        await check_region(session, code, field="jurisdiction.regions")
        for code in dict.fromkeys(data.jurisdiction.regions)
    ]


async def save_actor(session: AsyncSession, data: ActorIn, actor: Actor | None = None) -> Actor:
    regions = await _check_references(session, data)
    if data.tax_number:
        holder = await session.scalar(select(Actor).where(Actor.tax_number == data.tax_number))
        if holder is not None and holder is not actor:
            raise Conflict(
                _(
                    "The tax number {tax_number} already belongs to {actor} ({actor_id}); "
                    "an actor is registered once.",
                    tax_number=data.tax_number,
                    actor=holder.name_hy,
                    actor_id=holder.id,
                ),
                title=_("Tax number taken"),
            )
    if actor is None:
        actor = Actor(places=[], jurisdictions=[], capacities=[])
        session.add(actor)
    actor.kind = data.kind
    actor.legal_form = data.legal_form
    actor.name_hy, actor.name_en, actor.name_ru = data.name.hy, data.name.en, data.name.ru
    actor.description = data.description
    actor.tax_number = data.tax_number
    actor.registration_number = data.registration_number
    actor.street = data.address.street
    actor.community_id = data.address.community_id
    actor.postal_code = data.address.postal_code
    actor.phone, actor.email, actor.website = (
        data.contacts.phone, data.contacts.email, data.contacts.website,
    )  # fmt: skip
    actor.search_name = fold_all(data.name.hy, data.name.en, data.name.ru)
    actor.search_text = fold_all(
        data.name.hy, data.name.en, data.name.ru, data.description, data.tax_number
    )

    places = [(c, LOCATED) for c in dict.fromkeys(data.located_in)]
    places += [(c, OPERATES) for c in dict.fromkeys(data.operates_in)]
    existing = {(p.community_id, p.relation): p for p in actor.places}
    actor.places = [
        existing.get(key) or ActorPlace(community_id=key[0], relation=key[1]) for key in places
    ]
    actor.jurisdictions = [ActorJurisdiction(region_code=code) for code in regions] + [
        ActorJurisdiction(community_id=c) for c in dict.fromkeys(data.jurisdiction.communities)
    ]
    actor.capacities = [
        ActorCapacity(kind=c.kind, note=c.note, position=i) for i, c in enumerate(data.capacities)
    ]
    await session.flush()
    return actor


async def delete_actor(session: AsyncSession, actor: Actor) -> None:
    services = await session.scalar(select(Service.id).where(Service.provider_id == actor.id))
    programmes = await session.scalar(
        select(ProgrammeActor.programme_id).where(ProgrammeActor.actor_id == actor.id)
    )
    if services or programmes:
        raise Conflict(
            _(
                "This actor still provides services or takes part in programmes; "
                "remove or reassign them first, so that nothing points to a missing actor."
            ),
            title=_("Actor in use"),
        )
    networks = (
        await session.execute(
            select(Network.id, Network.name_hy)
            .join(NetworkMember, NetworkMember.network_id == Network.id)
            .where(NetworkMember.actor_id == actor.id)
            .distinct()
            .order_by(Network.name_hy)
        )
    ).all()
    if networks:
        # Membership history is kept (past members too): the actor stays while any points to it.
        names = "; ".join(f"{name} ({network_id})" for network_id, name in networks)
        raise Conflict(
            _(
                "This actor is or was a member of the network(s) {networks}; the membership "
                "history keeps pointing to it, so it cannot be deleted.",
                networks=names,
            ),
            title=_("Actor in use"),
            extra={"networks": [str(network_id) for network_id, _name in networks]},
        )
    await session.delete(actor)
    await session.flush()


async def create_actor(session: AsyncSession, principal: Principal, data: ActorIn) -> ActorOut:
    await ensure_may_write(session, principal, None, data)
    return await ACTORS.created(session, principal, await save_actor(session, data))


async def edit_actor(
    session: AsyncSession, principal: Principal, actor: Actor, before: ActorOut, patch: ActorPatch
) -> ActorOut:
    merged = merge_patch(ActorIn, before, patch)
    await ensure_may_write(session, principal, None, merged)
    await save_actor(session, merged, actor)
    return await ACTORS.updated(session, principal, actor, before)


async def remove_actor(
    session: AsyncSession, principal: Principal, actor: Actor, before: ActorOut
) -> None:
    await delete_actor(session, actor)
    await ACTORS.deleted(session, principal, before.id, before)
