"""Calls for applications under a programme: dates, who and where may apply, weighted
criteria, the budget, the most a grant may be and the community's co-funding share."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.grants.clients import Registry
from services.grants.journal import journal
from services.grants.messages import _
from services.grants.models import Grant, GrantCall, GrantProgramme, ProgrammeBudget
from services.grants.money import from_minor
from services.grants.reference import ApplicantKind, CallStatus
from services.grants.rules import registry_checks
from services.grants.rules.registry_checks import field_error
from services.grants.schemas.calls import CallCriterion, GrantCallIn, GrantCallOut, GrantCallPatch
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import Conflict, NotFound
from shared.text import LocalizedText

# Armenia keeps UTC+4 all year: a call closes at the end of its last day there.
ARMENIA = timezone(timedelta(hours=4))


def today() -> date:
    return datetime.now(UTC).astimezone(ARMENIA).date()


def call_out(row: GrantCall, awarded_minor: int) -> GrantCallOut:
    return GrantCallOut(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        programme_id=row.programme_id,
        component=row.component,
        title=LocalizedText(hy=row.title_hy, en=row.title_en),
        opens_on=row.opens_on,
        closes_on=row.closes_on,
        eligible_communities=[uuid.UUID(c) for c in row.eligible_communities],
        eligible_regions=row.eligible_regions,
        applicant_kinds=[ApplicantKind(k) for k in row.applicant_kinds],
        criteria=[CallCriterion.model_validate(c) for c in row.criteria],
        score_scale=row.score_scale,
        budget=from_minor(row.budget_minor, row.currency),
        max_grant=from_minor(row.max_grant_minor, row.currency),
        cofunding_share=Decimal(row.cofunding_share_bp).scaleb(-2).quantize(Decimal("0.01")),
        amounts_illustrative=row.amounts_illustrative,
        status=CallStatus(row.status),
        decided_on=row.decided_on,
        awarded=from_minor(awarded_minor, row.currency),
    )


async def awarded_minor(session: AsyncSession, call_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not call_ids:
        return {}
    rows = await session.execute(
        select(Grant.call_id, func.sum(Grant.amount_minor))
        .where(Grant.call_id.in_(call_ids))
        .group_by(Grant.call_id)
    )
    return {call_id: int(total or 0) for call_id, total in rows.all() if call_id is not None}


async def call_views(session: AsyncSession, rows: list[GrantCall]) -> list[GrantCallOut]:
    awarded = await awarded_minor(session, [r.id for r in rows])
    return [call_out(r, awarded.get(r.id, 0)) for r in rows]


async def _represent(session: AsyncSession, row: GrantCall, full: bool) -> GrantCallOut:
    return (await call_views(session, [row]))[0]


CALLS = journal.resource("grant_call", _represent, event_prefix="call")


async def get_call(session: AsyncSession, call_id: uuid.UUID) -> GrantCall:
    row = await session.get(GrantCall, call_id)
    if row is None:
        raise NotFound(_("There is no call {call_id}.", call_id=call_id))
    return row


def calls_query(*, programme_id: uuid.UUID | None, status: CallStatus | None) -> Select[Any]:
    statement = select(GrantCall)
    if programme_id:
        statement = statement.where(GrantCall.programme_id == programme_id)
    if status:
        statement = statement.where(GrantCall.status == status)
    return statement


async def _check(
    session: AsyncSession, registry: Registry, data: GrantCallIn, call_id: uuid.UUID | None
) -> None:
    programme = await session.get(GrantProgramme, data.programme_id)
    if programme is None:
        raise field_error(
            "programme_id",
            _("there is no grant programme {programme_id}", programme_id=data.programme_id),
            _("Unknown programme"),
        )
    components = [c["code"] for c in programme.components]
    if data.component is not None and data.component not in components:
        raise field_error(
            "component",
            _("the programme has no component {component}", component=data.component),
            _("Unknown component"),
        )
    budget = await session.scalar(
        select(ProgrammeBudget.amount_minor).where(
            ProgrammeBudget.programme_id == data.programme_id,
            ProgrammeBudget.currency == data.budget.currency,
        )
    )
    if budget is None:
        raise field_error(
            "budget.currency",
            _("the programme has no budget in {currency}", currency=data.budget.currency),
            _("Currency outside the programme's budget"),
        )
    others = select(func.coalesce(func.sum(GrantCall.budget_minor), 0)).where(
        GrantCall.programme_id == data.programme_id, GrantCall.currency == data.budget.currency
    )
    if call_id is not None:
        others = others.where(GrantCall.id != call_id)
    allocated = int(await session.scalar(others) or 0)
    if allocated + data.budget.minor > budget:
        raise Conflict(
            _(
                "The programme's calls would share out {total} {currency}, more than its "
                "budget of {budget} {currency}.",
                total=str(from_minor(allocated + data.budget.minor, data.budget.currency).amount),
                budget=str(from_minor(budget, data.budget.currency).amount),
                currency=data.budget.currency,
            ),
            title=_("Over the programme's budget"),
        )
    for i, community_id in enumerate(data.eligible_communities):
        await registry_checks.community(registry, community_id, f"eligible_communities.{i}")


def _fill(row: GrantCall, data: GrantCallIn) -> None:
    row.programme_id = data.programme_id
    row.component = data.component
    row.title_hy, row.title_en = data.title.hy, data.title.en
    row.opens_on, row.closes_on = data.opens_on, data.closes_on
    row.eligible_communities = [str(c) for c in dict.fromkeys(data.eligible_communities)]
    row.eligible_regions = list(dict.fromkeys(data.eligible_regions))
    row.applicant_kinds = [str(k) for k in dict.fromkeys(data.applicant_kinds)]
    row.criteria = [c.model_dump(mode="json") for c in data.criteria]
    row.score_scale = data.score_scale
    row.currency = data.budget.currency
    row.budget_minor = data.budget.minor
    row.max_grant_minor = data.max_grant.minor
    row.cofunding_share_bp = int(data.cofunding_share.scaleb(2))
    row.amounts_illustrative = data.amounts_illustrative


async def create_call(
    session: AsyncSession, registry: Registry, principal: Principal, data: GrantCallIn
) -> GrantCallOut:
    await _check(session, registry, data, None)
    row = GrantCall(id=uuid.uuid4(), status=CallStatus.open)
    _fill(row, data)
    session.add(row)
    return await CALLS.created(session, principal, row)


def ensure_not_decided(row: GrantCall) -> None:
    if row.status == CallStatus.decided:
        raise Conflict(
            _("The call was decided on {decided_on}; it no longer changes.",
              decided_on=row.decided_on),
            title=_("Call decided"),
        )  # fmt: skip


async def edit_call(
    session: AsyncSession,
    registry: Registry,
    principal: Principal,
    row: GrantCall,
    before: GrantCallOut,
    patch: GrantCallPatch,
) -> GrantCallOut:
    ensure_not_decided(row)
    data = merge_patch(GrantCallIn, before, patch)
    await _check(session, registry, data, row.id)
    if data.budget.currency != row.currency and before.awarded.amount > 0:
        raise field_error("budget.currency", _("the call has awarded grants in {currency}",
                          currency=row.currency), _("Currency cannot change"))  # fmt: skip
    if data.budget.minor < await _awarded(session, row.id):
        raise Conflict(
            _("The call has already awarded {awarded} {currency}; its budget cannot be less.",
              awarded=str(before.awarded.amount), currency=row.currency),
            title=_("Budget below the awards"),
        )  # fmt: skip
    _fill(row, data)
    return await CALLS.updated(session, principal, row, before)


async def _awarded(session: AsyncSession, call_id: uuid.UUID) -> int:
    return (await awarded_minor(session, [call_id])).get(call_id, 0)
