"""Results: indicators, beneficiaries reached (counts), a programme's beneficiary selection."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy import select

from services.grants.clients import RegistryDep
from services.grants.dependencies import Officer
from services.grants.models import BeneficiaryCount, BeneficiarySelection, ResultIndicator
from services.grants.rules import grants as grants_rules
from services.grants.rules import programmes
from services.grants.rules import results as rules
from services.grants.schemas.results import (
    BeneficiaryCountIn,
    BeneficiaryCountOut,
    BeneficiarySelectionIn,
    BeneficiarySelectionOut,
    IndicatorIn,
    IndicatorOut,
    IndicatorPatch,
)
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.journal import Change
from shared.pagination import Page, PageDep, paginate

router = APIRouter(tags=["results"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)


async def _indicator(
    indicator_id: uuid.UUID, session: SessionDep, _: Officer, conditional: Changing
) -> Change[ResultIndicator, IndicatorOut]:
    row = await rules.get_indicator(session, indicator_id)
    before = await rules.INDICATORS.snapshot(session, row)
    conditional.check(before)
    return Change(row, before)


IndicatorChange = Annotated[Change[ResultIndicator, IndicatorOut], Depends(_indicator)]


@router.get("/v1/indicators", summary="Indicators of a grant or of a plan priority")
async def list_indicators(
    session: SessionDep,
    page: PageDep,
    grant_id: uuid.UUID | None = None,
    priority_id: uuid.UUID | None = None,
) -> Page[IndicatorOut]:
    items, cursor = await paginate(
        session, rules.indicators_query(grant_id, priority_id), keys=[ResultIndicator.id], page=page
    )
    return Page(items=[rules.indicator_out(r) for r in items], next_cursor=cursor)


@router.get(
    "/v1/indicators/{indicator_id}", response_model=IndicatorOut, responses=problem_responses(404)
)
async def get_indicator(
    indicator_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    return conditional.answer(rules.indicator_out(await rules.get_indicator(session, indicator_id)))


@router.post(
    "/v1/indicators",
    status_code=status.HTTP_201_CREATED,
    response_model=IndicatorOut,
    responses=WRITE_ERRORS,
)
async def create_indicator(
    body: IndicatorIn, session: SessionDep, principal: Officer, conditional: Creating
) -> Response:
    out = await rules.create_indicator(session, principal, body)
    return conditional.answer(out, status=201, location=f"/v1/indicators/{out.id}")


@router.patch(
    "/v1/indicators/{indicator_id}",
    response_model=IndicatorOut,
    responses=WRITE_ERRORS,
    summary="Change an indicator: targets and actuals",
)
async def edit_indicator(
    body: IndicatorPatch,
    change: IndicatorChange,
    session: SessionDep,
    principal: Officer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_indicator(session, principal, change.row, change.before, body)
    return conditional.answer(out)


@router.post(
    "/v1/grants/{grant_id}/beneficiaries",
    status_code=status.HTTP_201_CREATED,
    response_model=BeneficiaryCountOut,
    responses=WRITE_ERRORS,
    summary="Beneficiaries reached in a period: counts, never persons",
)
async def count_beneficiaries(
    grant_id: uuid.UUID,
    body: BeneficiaryCountIn,
    session: SessionDep,
    registry: RegistryDep,
    principal: Officer,
    conditional: Creating,
) -> Response:
    out = await rules.count_beneficiaries(session, registry, principal, grant_id, body)
    return conditional.answer(out, status=201)


@router.get("/v1/grants/{grant_id}/beneficiaries", responses=problem_responses(404))
async def list_beneficiary_counts(
    grant_id: uuid.UUID, session: SessionDep, page: PageDep
) -> Page[BeneficiaryCountOut]:
    await grants_rules.get_grant(session, grant_id)
    statement = select(BeneficiaryCount).where(BeneficiaryCount.grant_id == grant_id)
    items, cursor = await paginate(
        session, statement, keys=[BeneficiaryCount.period, BeneficiaryCount.id], page=page
    )
    return Page(items=[rules.count_out(r) for r in items], next_cursor=cursor)


@router.post(
    "/v1/grant-programmes/{programme_id}/selections",
    status_code=status.HTTP_201_CREATED,
    response_model=BeneficiarySelectionOut,
    responses=WRITE_ERRORS,
    summary="A beneficiary selection: counts per criterion",
)
async def record_selection(
    programme_id: uuid.UUID,
    body: BeneficiarySelectionIn,
    session: SessionDep,
    registry: RegistryDep,
    principal: Officer,
    conditional: Creating,
) -> Response:
    out = await rules.record_selection(session, registry, principal, programme_id, body)
    return conditional.answer(out, status=201)


@router.get("/v1/grant-programmes/{programme_id}/selections", responses=problem_responses(404))
async def list_selections(
    programme_id: uuid.UUID, session: SessionDep, page: PageDep
) -> Page[BeneficiarySelectionOut]:
    await programmes.get_programme(session, programme_id)
    statement = select(BeneficiarySelection).where(
        BeneficiarySelection.programme_id == programme_id
    )
    items, cursor = await paginate(
        session,
        statement,
        keys=[BeneficiarySelection.selected_on, BeneficiarySelection.id],
        page=page,
    )
    return Page(items=[rules.selection_out(r) for r in items], next_cursor=cursor)
