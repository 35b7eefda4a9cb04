"""Exchange rates, and the public totals of the money they convert."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select

from services.grants.clients import RegistryDep
from services.grants.dependencies import Officer
from services.grants.models import ExchangeRate
from services.grants.money import Currency
from services.grants.rules import rates as rate_rules
from services.grants.rules import totals as rules
from services.grants.schemas.rates import (
    ExchangeRateIn,
    ExchangeRateOut,
    RateImportIn,
    RateImportOut,
)
from services.grants.schemas.totals import Dimension, FundingTotals
from shared.concurrency import Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, paginate

router = APIRouter(tags=["money"])
WRITE_ERRORS = problem_responses(401, 403, 409, 412, 422)


@router.get("/v1/exchange-rates", summary="Exchange rates held, in drams per unit")
async def list_exchange_rates(
    session: SessionDep, page: PageDep, currency: Currency | None = None
) -> Page[ExchangeRateOut]:
    statement = select(ExchangeRate)
    if currency:
        statement = statement.where(ExchangeRate.currency == currency)
    items, cursor = await paginate(
        session, statement, keys=[ExchangeRate.rate_on, ExchangeRate.id], page=page
    )
    return Page(items=[rate_rules.exchange_rate_out(r) for r in items], next_cursor=cursor)


@router.get(
    "/v1/exchange-rates/{rate_id}", response_model=ExchangeRateOut, responses=problem_responses(404)
)
async def get_exchange_rate(
    rate_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    return conditional.answer(
        rate_rules.exchange_rate_out(await rate_rules.get_rate(session, rate_id))
    )


@router.post(
    "/v1/exchange-rates",
    status_code=status.HTTP_201_CREATED,
    response_model=ExchangeRateOut,
    responses=WRITE_ERRORS,
    summary="Enter a rate for a currency and day",
)
async def create_exchange_rate(
    body: ExchangeRateIn, session: SessionDep, principal: Officer, conditional: Creating
) -> Response:
    out = await rate_rules.create_rate(session, principal, body)
    return conditional.answer(out, status=201, location=f"/v1/exchange-rates/{out.id}")


@router.post(
    "/v1/exchange-rate-imports",
    status_code=status.HTTP_201_CREATED,
    response_model=RateImportOut,
    responses=WRITE_ERRORS,
    summary="Import the Central Bank of Armenia's published rates (CSV)",
)
async def import_exchange_rates(
    body: RateImportIn, session: SessionDep, principal: Officer, conditional: Creating
) -> Response:
    out = await rate_rules.import_rates(session, principal, body)
    return conditional.answer(out, status=201)


@router.get(
    "/v1/funding/totals",
    response_model=FundingTotals,
    responses=problem_responses(422, 503),
    summary="Awarded, disbursed, spent and co-funded, by grouping, in drams too",
)
async def get_funding_totals(
    session: SessionDep,
    registry: RegistryDep,
    conditional: Reading,
    group_by: Annotated[list[Dimension], Query(max_length=7)] = [Dimension.community],  # noqa: B006
    community_id: uuid.UUID | None = None,
    programme_id: uuid.UUID | None = None,
    grant_id: uuid.UUID | None = None,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> Response:
    dims = list(dict.fromkeys(group_by))
    out = await rules.totals(
        session,
        registry,
        dims,
        community_id=community_id,
        programme_id=programme_id,
        grant_id=grant_id,
        year=year,
    )
    return conditional.answer(out)
