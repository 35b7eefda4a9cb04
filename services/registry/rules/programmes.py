"""Programmes run in a territory: who runs and funds them, for whom, where, with which services."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.registry.access import ensure_in_territory, is_admin
from services.registry.journal import journal
from services.registry.messages import _
from services.registry.models import (
    Actor,
    Community,
    Programme,
    ProgrammeActor,
    ProgrammeCommunity,
    ProgrammeService,
    ProgrammeTargetGroup,
    Service,
)
from services.registry.reference import ProgrammeRole, ProgrammeStatus
from services.registry.rules.actors import touched_by
from services.registry.rules.services import exact
from services.registry.rules.territories import check_communities
from services.registry.schemas.programmes import (
    Period,
    ProgrammeActorOut,
    ProgrammeIn,
    ProgrammeOut,
    ProgrammePatch,
)
from shared.auth import Principal
from shared.errors import NotFound, RuleViolation
from shared.i18n import Message
from shared.text import CurrencyCode, LocalizedText, Money, fold, fold_all

_LOADED = (
    selectinload(Programme.actors),
    selectinload(Programme.target_groups),
    selectinload(Programme.communities),
    selectinload(Programme.services),
)
ActorNames = dict[uuid.UUID, LocalizedText]


def programme_out(programme: Programme, names: ActorNames) -> ProgrammeOut:
    budget = None
    if programme.budget_amount is not None and programme.budget_currency:
        budget = Money.model_construct(
            amount=exact(programme.budget_amount),
            currency=cast(CurrencyCode, programme.budget_currency),
        )
    return ProgrammeOut.model_construct(
        id=programme.id,
        version=programme.version,
        created_at=programme.created_at,
        updated_at=programme.updated_at,
        name=LocalizedText.model_construct(
            hy=programme.name_hy, en=programme.name_en, ru=programme.name_ru
        ),
        description=programme.description,
        period=Period.model_construct(starts_on=programme.starts_on, ends_on=programme.ends_on),
        budget=budget,
        status=ProgrammeStatus(programme.status),
        # In the order the database gives them back, so that every answer lists them alike.
        actors=[
            ProgrammeActorOut.model_construct(
                actor_id=actor_id, role=ProgrammeRole(role), name=names[actor_id]
            )
            for actor_id, role in sorted((a.actor_id, str(a.role)) for a in programme.actors)
        ],
        target_groups=sorted(t.code for t in programme.target_groups),
        communities=sorted(c.community_id for c in programme.communities),
        services=sorted(s.service_id for s in programme.services),
    )


async def actor_names(session: AsyncSession, actor_ids: Iterable[uuid.UUID]) -> ActorNames:
    """The names of these actors, in one query (for a whole page of programmes)."""
    wanted = set(actor_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(Actor.id, Actor.name_hy, Actor.name_en, Actor.name_ru).where(Actor.id.in_(wanted))
    )
    return {
        actor_id: LocalizedText.model_construct(hy=hy, en=en, ru=ru)
        for actor_id, hy, en, ru in rows
    }


async def programmes_out(session: AsyncSession, programmes: list[Programme]) -> list[ProgrammeOut]:
    names = await actor_names(session, (a.actor_id for p in programmes for a in p.actors))
    return [programme_out(p, names) for p in programmes]


async def _represent(session: AsyncSession, programme: Programme, full: bool) -> ProgrammeOut:
    return (await programmes_out(session, [programme]))[0]


PROGRAMMES = journal.resource("programme", _represent)


async def get_programme(session: AsyncSession, programme_id: uuid.UUID) -> Programme:
    programme = await session.scalar(
        select(Programme).where(Programme.id == programme_id).options(*_LOADED)
    )
    if programme is None:
        raise NotFound(_("There is no programme {programme_id}.", programme_id=programme_id))
    return programme


def programmes_query(
    *,
    actor_id: uuid.UUID | None = None,
    role: ProgrammeRole | None = None,
    target_group: str | None = None,
    community_id: uuid.UUID | None = None,
    region: str | None = None,
    status: ProgrammeStatus | None = None,
    q: str | None = None,
    active_on: date | None = None,
) -> Select[Any]:
    statement = select(Programme).options(*_LOADED)
    if actor_id or role:
        # Both together: programmes where this actor holds this role.
        taking_part = exists().where(ProgrammeActor.programme_id == Programme.id)
        if actor_id:
            taking_part = taking_part.where(ProgrammeActor.actor_id == actor_id)
        if role:
            taking_part = taking_part.where(ProgrammeActor.role == role)
        statement = statement.where(taking_part)
    if target_group:
        statement = statement.where(
            exists().where(
                ProgrammeTargetGroup.programme_id == Programme.id,
                ProgrammeTargetGroup.code == target_group,
            )
        )
    if community_id:
        statement = statement.where(
            exists().where(
                ProgrammeCommunity.programme_id == Programme.id,
                ProgrammeCommunity.community_id == community_id,
            )
        )
    if region:
        statement = statement.where(
            exists()
            .where(ProgrammeCommunity.programme_id == Programme.id)
            .where(Community.id == ProgrammeCommunity.community_id)
            .where(Community.region_code == region.upper())
        )
    if status:
        statement = statement.where(Programme.status == status)
    if active_on:
        # An open end runs on: no start means "since always", no end "still running".
        statement = statement.where(
            or_(Programme.starts_on.is_(None), Programme.starts_on <= active_on),
            or_(Programme.ends_on.is_(None), Programme.ends_on >= active_on),
        )
    if q:
        for word in fold(q).split():
            statement = statement.where(Programme.search_text.contains(word, autoescape=True))
    return statement


def _unknown(field: str, what: Message, ids: Iterable[uuid.UUID]) -> RuleViolation:
    return RuleViolation(
        _(
            "{field}: there is no {what} with the id {ids}.",
            field=field,
            what=what,
            ids=", ".join(sorted(map(str, ids))),
        ),
        title=_("Unknown {what}", what=what),
        extra={
            "errors": [
                {"field": field, "message": _("unknown {what}", what=what), "type": "unknown"}
            ]
        },
    )


async def _actors_territory(
    session: AsyncSession, actor_ids: set[uuid.UUID]
) -> tuple[set[uuid.UUID], set[str]]:
    """The communities and regions these actors are located, operate or have jurisdiction in."""
    communities: set[uuid.UUID] = set()
    regions: set[str] = set()
    if not actor_ids:
        return communities, regions
    actors = list(
        await session.scalars(
            select(Actor)
            .where(Actor.id.in_(actor_ids))
            .options(selectinload(Actor.places), selectinload(Actor.jurisdictions))
        )
    )
    missing = actor_ids - {a.id for a in actors}
    if missing:
        raise _unknown("actors", _("actor"), missing)
    for actor in actors:
        touched_communities, touched_regions = touched_by(actor)
        communities |= touched_communities
        regions |= touched_regions
    return communities, regions


async def ensure_may_write(
    session: AsyncSession,
    principal: Principal,
    programme: Programme | None,
    data: ProgrammeIn | None,
) -> None:
    """An official may write a programme one of whose communities or actors is in their center's
    territory: before the change (`programme`) and after it (`data`)."""
    if is_admin(principal):
        return
    if programme is not None:
        communities, regions = await _actors_territory(
            session, {a.actor_id for a in programme.actors}
        )
        communities |= {c.community_id for c in programme.communities}
        await ensure_in_territory(
            session, principal, communities=communities, regions=regions, what=_("this programme")
        )
    if data is not None:
        communities, regions = await _actors_territory(session, {a.actor_id for a in data.actors})
        communities |= set(data.communities)
        await ensure_in_territory(
            session, principal, communities=communities, regions=regions,
            what=_("the programme as sent"),
        )  # fmt: skip


def merge(before: ProgrammeOut, patch: ProgrammePatch) -> ProgrammeIn:
    fields: dict[str, Any] = dict.fromkeys(ProgrammeIn.model_fields, True)
    fields["actors"] = {"__all__": {"actor_id", "role"}}  # without the names
    return ProgrammeIn.model_validate(
        before.model_dump(include=fields) | patch.model_dump(exclude_unset=True)
    )


async def save_programme(
    session: AsyncSession, data: ProgrammeIn, programme: Programme | None = None
) -> Programme:
    names = await actor_names(session, (a.actor_id for a in data.actors))
    missing = {a.actor_id for a in data.actors} - set(names)
    if missing:
        raise _unknown("actors", _("actor"), missing)
    communities = list(dict.fromkeys(data.communities))
    await check_communities(session, communities, field="communities")
    services = list(dict.fromkeys(data.services))
    if services:
        found = set(await session.scalars(select(Service.id).where(Service.id.in_(services))))
        if set(services) - found:
            raise _unknown("services", _("service"), set(services) - found)

    if programme is None:
        programme = Programme(actors=[], target_groups=[], communities=[], services=[])
        session.add(programme)
    programme.name_hy, programme.name_en, programme.name_ru = (
        data.name.hy, data.name.en, data.name.ru,
    )  # fmt: skip
    programme.description = data.description
    programme.starts_on, programme.ends_on = data.period.starts_on, data.period.ends_on
    programme.budget_amount = exact(data.budget.amount) if data.budget else None
    programme.budget_currency = data.budget.currency if data.budget else None
    programme.status = data.status.value
    # Search relies on exactly these two folds.
    programme.search_name = fold_all(data.name.hy, data.name.en, data.name.ru)
    programme.search_text = fold_all(data.name.hy, data.name.en, data.name.ru, data.description)

    roles = {(a.actor_id, str(a.role)): a for a in programme.actors}
    programme.actors = [
        roles.get((a.actor_id, a.role.value))
        or ProgrammeActor(actor_id=a.actor_id, role=a.role.value)
        for a in data.actors
    ]
    groups = {t.code: t for t in programme.target_groups}
    programme.target_groups = [
        groups.get(code) or ProgrammeTargetGroup(code=code) for code in data.target_groups
    ]
    places = {c.community_id: c for c in programme.communities}
    programme.communities = [
        places.get(c) or ProgrammeCommunity(community_id=c) for c in communities
    ]
    listed = {s.service_id: s for s in programme.services}
    programme.services = [listed.get(s) or ProgrammeService(service_id=s) for s in services]
    await session.flush()
    return programme


async def create_programme(
    session: AsyncSession, principal: Principal, data: ProgrammeIn
) -> ProgrammeOut:
    await ensure_may_write(session, principal, None, data)
    return await PROGRAMMES.created(session, principal, await save_programme(session, data))


async def edit_programme(
    session: AsyncSession,
    principal: Principal,
    programme: Programme,
    before: ProgrammeOut,
    patch: ProgrammePatch,
) -> ProgrammeOut:
    merged = merge(before, patch)
    await ensure_may_write(session, principal, None, merged)
    await save_programme(session, merged, programme)
    return await PROGRAMMES.updated(session, principal, programme, before)


async def delete_programme(
    session: AsyncSession, principal: Principal, programme: Programme, before: ProgrammeOut
) -> None:
    await session.delete(programme)
    await session.flush()
    await PROGRAMMES.deleted(session, principal, before.id, before)
