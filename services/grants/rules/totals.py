"""Following the money: totals awarded, disbursed, spent and co-funded, grouped by community,
region, funder, programme, plan priority, year or grant, in their currencies and in drams.

Each transaction is one fact (a grant's award, a tranche, an expenditure line, a co-funding
receipt) with the grant's dimensions and its own day; a fact's year is the year of its day. A
fact is converted to drams alone (`rates.Rates.to_amd`), so every grouping's drams are sums of
the same rounded parts and add up to the luma: a community's total is the sum of its grants'."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.grants.clients import Registry
from services.grants.models import (
    CofundingReceipt,
    Disbursement,
    ExpenditureLine,
    Grant,
    GrantProgramme,
)
from services.grants.money import from_minor
from services.grants.rules.rates import BASE, Rates
from services.grants.schemas.totals import (
    Dimension,
    FundingGroup,
    FundingMeasures,
    FundingTotals,
    MeasureTotal,
)

MEASURES = ("awarded", "disbursed", "spent", "cofunded")
ROUNDING = (
    "Each transaction is converted at the rate of its day (or the latest published in the 7 "
    "days before), rounded half to even to the luma; totals add the rounded parts."
)


@dataclass(frozen=True)
class Fact:
    measure: str
    grant_id: uuid.UUID
    community_id: uuid.UUID
    programme_id: uuid.UUID
    priority_id: uuid.UUID | None
    day: date
    currency: str
    minor: int


@dataclass
class Sums:
    currencies: dict[str, int]
    amd: int = 0


def _key(
    fact: Fact,
    dims: Sequence[Dimension],
    regions: dict[uuid.UUID, str | None],
    funders: dict[uuid.UUID, str],
) -> tuple[str | None, ...]:
    values: dict[Dimension, str | None] = {
        Dimension.community: str(fact.community_id),
        Dimension.region: regions.get(fact.community_id),
        Dimension.funder: funders.get(fact.programme_id),
        Dimension.programme: str(fact.programme_id),
        Dimension.priority: str(fact.priority_id) if fact.priority_id else None,
        Dimension.year: str(fact.day.year),
        Dimension.grant: str(fact.grant_id),
    }
    return tuple(values[d] for d in dims)


def _measures(sums: dict[str, Sums]) -> dict[str, MeasureTotal]:
    return {
        m: MeasureTotal(
            currencies=[from_minor(v, c) for c, v in sorted(sums[m].currencies.items())],
            amd=from_minor(sums[m].amd, BASE),
        )
        for m in MEASURES
    }


def aggregate(
    facts: Iterable[Fact],
    dims: Sequence[Dimension],
    rates: Rates,
    *,
    regions: dict[uuid.UUID, str | None] | None = None,
    funders: dict[uuid.UUID, str] | None = None,
) -> FundingTotals:
    """The totals of `facts` by `dims`; a rate missing for a fact's day is a 422 (Rates.find)."""
    regions, funders = regions or {}, funders or {}

    def empty() -> dict[str, Sums]:
        return {m: Sums(currencies=defaultdict(int)) for m in MEASURES}

    groups: dict[tuple[str | None, ...], dict[str, Sums]] = defaultdict(empty)
    total = empty()
    for fact in facts:
        amd = rates.to_amd(fact.minor, fact.currency, fact.day)
        for sums in (groups[_key(fact, dims, regions, funders)][fact.measure], total[fact.measure]):
            sums.currencies[fact.currency] += fact.minor
            sums.amd += amd
    return FundingTotals(
        group_by=list(dims),
        groups=[
            FundingGroup(
                key=dict(zip([d.value for d in dims], key, strict=True)), **_measures(sums)
            )
            for key, sums in sorted(groups.items(), key=lambda kv: [v or "" for v in kv[0]])
        ],
        total=FundingMeasures(**_measures(total)),
        rates_used=rates.rates_used(),
        rounding=ROUNDING,
    )


def _facts_query(measure: str, filters: dict[str, Any]) -> Any:
    g = Grant
    base: Any
    if measure == "awarded":
        day, currency, amount, base = g.awarded_on, g.currency, g.amount_minor, None
    elif measure == "disbursed":
        d = Disbursement
        day, currency, amount, base = d.paid_on, d.currency, d.amount_minor, d
    elif measure == "spent":
        e = ExpenditureLine
        day, currency, amount, base = e.spent_on, e.currency, e.amount_minor, e
    else:
        r = CofundingReceipt
        day, currency, amount, base = r.received_on, r.currency, r.amount_minor, r
    statement = select(g.id, g.community_id, g.programme_id, g.priority_id, day, currency, amount)
    if base is not None:
        statement = statement.select_from(base).join(g, g.id == base.grant_id)
    if filters.get("community_id"):
        statement = statement.where(g.community_id == filters["community_id"])
    if filters.get("programme_id"):
        statement = statement.where(g.programme_id == filters["programme_id"])
    if filters.get("grant_id"):
        statement = statement.where(g.id == filters["grant_id"])
    if filters.get("year") is not None:
        year = filters["year"]
        statement = statement.where(day >= date(year, 1, 1), day <= date(year, 12, 31))
    return statement


async def facts(session: AsyncSession, **filters: Any) -> list[Fact]:
    found: list[Fact] = []
    for measure in MEASURES:
        rows = await session.execute(_facts_query(measure, filters))
        found.extend(Fact(measure, *row) for row in rows.all())
    return found


def _funder_name(funders: list[dict[str, Any]]) -> str:
    names = []
    for f in funders:
        name = f.get("name") or {}
        names.append(str(name.get("en") or name.get("hy") or f.get("actor_id")))
    return " + ".join(sorted(names)) or "-"


async def totals(
    session: AsyncSession,
    registry: Registry | None,
    dims: Sequence[Dimension],
    **filters: Any,
) -> FundingTotals:
    found = await facts(session, **filters)
    rates = await Rates.load(session, {f.currency for f in found})
    regions: dict[uuid.UUID, str | None] = {}
    if Dimension.region in dims and registry is not None:
        for community_id in {f.community_id for f in found}:
            community = await registry.community(community_id)
            regions[community_id] = community.get("region_code") if community else None
    funders: dict[uuid.UUID, str] = {}
    if Dimension.funder in dims:
        programme_ids = {f.programme_id for f in found}
        for programme_id, listed in await session.execute(
            select(GrantProgramme.id, GrantProgramme.funders).where(
                GrantProgramme.id.in_(programme_ids)
            )
        ):
            funders[programme_id] = _funder_name(listed)
    return aggregate(found, dims, rates, regions=regions, funders=funders)
