"""Exchange rates the service holds: drams for one unit of a currency on a day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.grants.money import Currency
from shared.inputs import Day
from shared.schemas import Resource

RateValue = Annotated[
    Decimal,
    Field(
        gt=0,
        max_digits=14,
        decimal_places=6,
        description='Drams for one unit of the currency, e.g. "388.45"',
    ),
]


class ExchangeRateIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"currency": "EUR", "rate_on": "2021-04-15", "rate": "636.58"}]
        },
    )

    currency: Currency
    rate_on: Day
    rate: RateValue


class ExchangeRateOut(ExchangeRateIn, Resource):
    source: str = Field(description='"officer" (entered) or "cba" (imported)')


class RateImportIn(BaseModel):
    """The Central Bank of Armenia's published rates as CSV text (see docs/decisions.md)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"csv": "Date,ISO,Amount,Rate\n15/04/2021,EUR,1,636.58\n"}]
        },
    )

    csv: Annotated[str, Field(min_length=1, max_length=2_000_000)]


class RateImportOut(Resource):
    source: str
    imported: int = Field(description="Rates added")
    kept: int = Field(description="Rates already held for that currency and day, left as they were")
    skipped: int = Field(description="Rows in currencies SPN does not take")
    rates: list[ExchangeRateIn]


class RateUsed(BaseModel):
    """A rate a converted total used: asked for `for_date`, published on `rate_on`."""

    currency: str
    rate_on: date
    rate: Decimal
