"""Results: indicators of a grant or a plan priority, beneficiaries reached as counts (target
groups checked in the registry's code list), a programme's beneficiary selection as counts per
criterion. Counts that do not add up to their total are refused by the schemas (422)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.grants.clients import Registry
from services.grants.journal import journal
from services.grants.messages import _
from services.grants.models import (
    BeneficiaryCount,
    BeneficiarySelection,
    Grant,
    PlanPriority,
    ResultIndicator,
)
from services.grants.rules import grants as grants_rules
from services.grants.rules import programmes, registry_checks
from services.grants.rules.registry_checks import field_error
from services.grants.schemas.results import (
    BeneficiaryCountIn,
    BeneficiaryCountOut,
    BeneficiarySelectionIn,
    BeneficiarySelectionOut,
    IndicatorIn,
    IndicatorOut,
    IndicatorPatch,
)
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import Conflict, NotFound
from shared.text import LocalizedText


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def indicator_out(row: ResultIndicator) -> IndicatorOut:
    return IndicatorOut.model_validate(
        {
            "id": row.id,
            "version": row.version,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "grant_id": row.grant_id,
            "priority_id": row.priority_id,
            "name": LocalizedText(hy=row.name_hy, en=row.name_en),
            "unit": row.unit,
            "baseline": _decimal(row.baseline),
            "periods": row.periods,
        }
    )


def count_out(row: BeneficiaryCount) -> BeneficiaryCountOut:
    return BeneficiaryCountOut.model_validate(
        {
            "id": row.id,
            "version": row.version,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "grant_id": row.grant_id,
            "period": row.period,
            "total": row.total,
            "counts": row.counts,
        }
    )


def selection_out(row: BeneficiarySelection) -> BeneficiarySelectionOut:
    return BeneficiarySelectionOut.model_validate(
        {
            "id": row.id,
            "version": row.version,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "programme_id": row.programme_id,
            "community_id": row.community_id,
            "selected_on": row.selected_on,
            "total": row.total,
            "criteria": row.criteria,
        }
    )


async def _represent_indicator(
    session: AsyncSession, row: ResultIndicator, full: bool
) -> IndicatorOut:
    return indicator_out(row)


async def _represent_count(
    session: AsyncSession, row: BeneficiaryCount, full: bool
) -> BeneficiaryCountOut:
    return count_out(row)


async def _represent_selection(
    session: AsyncSession, row: BeneficiarySelection, full: bool
) -> BeneficiarySelectionOut:
    return selection_out(row)


INDICATORS = journal.resource("result_indicator", _represent_indicator, event_prefix="indicator")
COUNTS = journal.resource("beneficiary_count", _represent_count, verbs=("created",))
SELECTIONS = journal.resource("beneficiary_selection", _represent_selection, verbs=("created",))


async def get_indicator(session: AsyncSession, indicator_id: uuid.UUID) -> ResultIndicator:
    row = await session.get(ResultIndicator, indicator_id)
    if row is None:
        raise NotFound(_("There is no indicator {indicator_id}.", indicator_id=indicator_id))
    return row


def _fill(row: ResultIndicator, data: IndicatorIn) -> None:
    row.name_hy, row.name_en, row.unit = data.name.hy, data.name.en, data.unit
    row.baseline = None if data.baseline is None else str(data.baseline)
    row.periods = [p.model_dump(mode="json") for p in data.periods]


async def create_indicator(
    session: AsyncSession, principal: Principal, data: IndicatorIn
) -> IndicatorOut:
    if data.grant_id is not None and await session.get(Grant, data.grant_id) is None:
        raise field_error(
            "grant_id",
            _("there is no grant {grant_id}", grant_id=data.grant_id),
            _("Unknown grant"),
        )
    if data.priority_id is not None and await session.get(PlanPriority, data.priority_id) is None:
        raise field_error(
            "priority_id",
            _("there is no plan priority {priority_id}", priority_id=data.priority_id),
            _("Unknown priority"),
        )
    row = ResultIndicator(id=uuid.uuid4(), grant_id=data.grant_id, priority_id=data.priority_id)
    _fill(row, data)
    session.add(row)
    return await INDICATORS.created(session, principal, row)


async def edit_indicator(
    session: AsyncSession,
    principal: Principal,
    row: ResultIndicator,
    before: IndicatorOut,
    patch: IndicatorPatch,
) -> IndicatorOut:
    data = merge_patch(IndicatorIn, before, patch)
    _fill(row, data)
    return await INDICATORS.updated(session, principal, row, before)


def indicators_query(grant_id: uuid.UUID | None, priority_id: uuid.UUID | None) -> Any:
    statement = select(ResultIndicator)
    if grant_id:
        statement = statement.where(ResultIndicator.grant_id == grant_id)
    if priority_id:
        statement = statement.where(ResultIndicator.priority_id == priority_id)
    return statement


async def count_beneficiaries(
    session: AsyncSession,
    registry: Registry,
    principal: Principal,
    grant_id: uuid.UUID,
    data: BeneficiaryCountIn,
) -> BeneficiaryCountOut:
    grant = await grants_rules.get_grant(session, grant_id)
    taken = await session.scalar(
        select(BeneficiaryCount.id).where(
            BeneficiaryCount.grant_id == grant.id, BeneficiaryCount.period == data.period
        )
    )
    if taken is not None:
        raise Conflict(
            _("The grant's beneficiaries of {period} are already counted.", period=data.period),
            title=_("Already counted"),
        )
    await registry_checks.codes(
        registry,
        target_groups=[
            (f"counts.{i}.target_group", c.target_group) for i, c in enumerate(data.counts)
        ],
    )
    row = BeneficiaryCount(
        id=uuid.uuid4(),
        grant_id=grant.id,
        period=data.period,
        total=data.total,
        counts=[c.model_dump(mode="json") for c in data.counts],
    )
    session.add(row)
    return await COUNTS.created(session, principal, row)


async def record_selection(
    session: AsyncSession,
    registry: Registry,
    principal: Principal,
    programme_id: uuid.UUID,
    data: BeneficiarySelectionIn,
) -> BeneficiarySelectionOut:
    programme = await programmes.get_programme(session, programme_id)
    if data.community_id is not None:
        await registry_checks.community(registry, data.community_id, "community_id")
    row = BeneficiarySelection(
        id=uuid.uuid4(),
        programme_id=programme.id,
        community_id=data.community_id,
        selected_on=data.selected_on,
        total=data.total,
        criteria=[c.model_dump(mode="json") for c in data.criteria],
    )
    session.add(row)
    return await SELECTIONS.created(session, principal, row)
