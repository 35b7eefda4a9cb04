"""Grant programmes: funders, a budget in one or more currencies, components, goals, the
beneficiary scope and the selection procedure."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.grants.clients import Registry
from services.grants.journal import journal
from services.grants.messages import _
from services.grants.models import GrantCall, GrantProgramme, ProgrammeBudget
from services.grants.money import from_minor
from services.grants.rules import registry_checks
from services.grants.schemas.programmes import (
    GrantFunder,
    GrantProgrammeIn,
    GrantProgrammeOut,
    GrantProgrammePatch,
    ProgrammeComponent,
)
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import Conflict, NotFound
from shared.text import LocalizedText


def programme_out(row: GrantProgramme, budgets: list[ProgrammeBudget]) -> GrantProgrammeOut:
    return GrantProgrammeOut(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        name=LocalizedText(hy=row.name_hy, en=row.name_en),
        funders=[GrantFunder.model_validate(f) for f in row.funders],
        budget=[
            from_minor(b.amount_minor, b.currency)
            for b in sorted(budgets, key=lambda b: b.currency)
        ],
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        components=[ProgrammeComponent.model_validate(c) for c in row.components],
        goals=row.goals,
        beneficiary_scope=row.beneficiary_scope,
        selection_criteria=row.selection_criteria,
        methodology=row.methodology,
        amounts_illustrative=row.amounts_illustrative,
    )


async def programme_views(
    session: AsyncSession, rows: list[GrantProgramme]
) -> list[GrantProgrammeOut]:
    budgets: dict[uuid.UUID, list[ProgrammeBudget]] = {r.id: [] for r in rows}
    if rows:
        for b in await session.scalars(
            select(ProgrammeBudget).where(ProgrammeBudget.programme_id.in_(list(budgets)))
        ):
            budgets[b.programme_id].append(b)
    return [programme_out(r, budgets[r.id]) for r in rows]


async def _represent(session: AsyncSession, row: GrantProgramme, full: bool) -> GrantProgrammeOut:
    return (await programme_views(session, [row]))[0]


PROGRAMMES = journal.resource("grant_programme", _represent, event_prefix="programme")


async def get_programme(session: AsyncSession, programme_id: uuid.UUID) -> GrantProgramme:
    row = await session.get(GrantProgramme, programme_id)
    if row is None:
        raise NotFound(_("There is no grant programme {programme_id}.", programme_id=programme_id))
    return row


def programmes_query() -> Select[Any]:
    return select(GrantProgramme)


async def _check_funders(registry: Registry, data: GrantProgrammeIn) -> None:
    for i, funder in enumerate(data.funders):
        if funder.actor_id is not None:
            await registry_checks.actor(registry, funder.actor_id, f"funders.{i}.actor_id")


async def _ensure_covers_calls(
    session: AsyncSession, programme_id: uuid.UUID, data: GrantProgrammeIn
) -> None:
    """409 when the programme's calls already share out more than the new budget."""
    budget: dict[str, int] = {m.currency: m.minor for m in data.budget}
    allocated = await session.execute(
        select(GrantCall.currency, func.sum(GrantCall.budget_minor))
        .where(GrantCall.programme_id == programme_id)
        .group_by(GrantCall.currency)
    )
    for currency, total in allocated.all():
        if int(total or 0) > budget.get(currency, 0):
            raise Conflict(
                _(
                    "The programme's calls already share out {total} {currency}; its budget in "
                    "{currency} cannot be less.",
                    total=str(from_minor(int(total), currency).amount),
                    currency=currency,
                ),
                title=_("Budget below the calls"),
            )


async def _save(session: AsyncSession, row: GrantProgramme, data: GrantProgrammeIn) -> None:
    row.name_hy, row.name_en = data.name.hy, data.name.en
    row.funders = [f.model_dump(mode="json") for f in data.funders]
    row.starts_on, row.ends_on = data.starts_on, data.ends_on
    row.components = [c.model_dump(mode="json") for c in data.components]
    row.goals = list(data.goals)
    row.beneficiary_scope = data.beneficiary_scope
    row.selection_criteria = list(data.selection_criteria)
    row.methodology = data.methodology
    row.amounts_illustrative = data.amounts_illustrative
    session.add(row)
    await session.flush()
    await session.execute(delete(ProgrammeBudget).where(ProgrammeBudget.programme_id == row.id))
    session.add_all(
        ProgrammeBudget(programme_id=row.id, currency=m.currency, amount_minor=m.minor)
        for m in data.budget
    )


async def create_programme(
    session: AsyncSession, registry: Registry, principal: Principal, data: GrantProgrammeIn
) -> GrantProgrammeOut:
    await _check_funders(registry, data)
    row = GrantProgramme(id=uuid.uuid4())
    await _save(session, row, data)
    return await PROGRAMMES.created(session, principal, row)


async def edit_programme(
    session: AsyncSession,
    registry: Registry,
    principal: Principal,
    row: GrantProgramme,
    before: GrantProgrammeOut,
    patch: GrantProgrammePatch,
) -> GrantProgrammeOut:
    data = merge_patch(GrantProgrammeIn, before, patch)
    await _check_funders(registry, data)
    await _ensure_covers_calls(session, row.id, data)
    await _save(session, row, data)
    return await PROGRAMMES.updated(session, principal, row, before)
