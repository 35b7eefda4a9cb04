"""Public totals of the money: awarded, disbursed, spent and co-funded, by grouping."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from services.grants.money import MoneyAmount
from services.grants.schemas.rates import RateUsed


class Dimension(StrEnum):
    community = "community"
    region = "region"
    funder = "funder"
    programme = "programme"
    priority = "priority"
    year = "year"
    grant = "grant"


class MeasureTotal(BaseModel):
    currencies: list[MoneyAmount] = Field(description="In the currencies the money moved in")
    amd: MoneyAmount = Field(description="In drams, each transaction at its own day's rate")


class FundingMeasures(BaseModel):
    awarded: MeasureTotal = Field(description="Grants awarded (as last amended), by award day")
    disbursed: MeasureTotal = Field(description="Tranches paid, by payment day")
    spent: MeasureTotal = Field(description="Expenditure reported, by the report's last day")
    cofunded: MeasureTotal = Field(description="Co-funding received, by receipt day")


class FundingGroup(FundingMeasures):
    key: dict[str, str | None] = Field(
        description="The value of each grouping dimension (ids, codes, years, funder names)"
    )


class FundingTotals(BaseModel):
    group_by: list[Dimension]
    groups: list[FundingGroup]
    total: FundingMeasures
    rates_used: list[RateUsed] = Field(description="Every rate a total in drams used")
    rounding: str
