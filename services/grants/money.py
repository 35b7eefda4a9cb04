"""Exact money: a decimal amount with its ISO 4217 currency, never a float.

Amounts travel as decimal strings (`{"amount": "1500000.00", "currency": "AMD"}`) and are
stored as integers of the currency's minor unit (`amount_minor`, `currency`), so sums in SQL
are exact on SQLite and PostgreSQL alike (SQLite keeps NUMERIC as a binary float).

The minor units are ISO 4217's (list one, as published by the maintenance agency, SIX):
an amount may not carry more decimals than its currency has. The dram has 2 (luma) in ISO
4217 although no luma circulates; amounts in AMD may therefore carry up to two decimals, and
totals are exact to the luma. Only currencies the funders of Armenian social services use are
accepted; adding one is a line here (its minor units from ISO 4217), no migration.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.grants.messages import _

# ISO 4217 minor units of the currencies SPN accepts.
MINOR_UNITS: dict[str, int] = {
    "AMD": 2,  # Armenian dram
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "CHF": 2,
    "RUB": 2,
    "SEK": 2,
    "JPY": 0,
}
Currency = Literal["AMD", "EUR", "USD", "GBP", "CHF", "RUB", "SEK", "JPY"]
# Large enough for any budget in any of these currencies, small enough for a 64-bit integer.
MAX_DIGITS = 16


class MoneyAmount(BaseModel):
    """An exact amount in an ISO 4217 currency, with no more decimals than the currency has."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"amount": "1500000.00", "currency": "AMD"}]},
    )

    amount: Annotated[
        Decimal,
        Field(ge=0, max_digits=MAX_DIGITS, description='A decimal string, e.g. "1500000.00"'),
    ]
    currency: Currency

    @model_validator(mode="after")
    def _within_minor_units(self) -> MoneyAmount:
        places = -int(self.amount.normalize().as_tuple().exponent)
        allowed = MINOR_UNITS[self.currency]
        if places > allowed:
            raise ValueError(
                _(
                    "{currency} has {allowed} decimal places; {amount} has more",
                    currency=self.currency,
                    allowed=allowed,
                    amount=str(self.amount),
                )
            )
        return self

    @property
    def minor(self) -> int:
        return to_minor(self.amount, self.currency)


def to_minor(amount: Decimal, currency: str) -> int:
    return int(amount.scaleb(MINOR_UNITS[currency]))


def from_minor(minor: int, currency: str) -> MoneyAmount:
    """The stored integer of minor units as an amount, with every decimal its currency has."""
    places = MINOR_UNITS[currency]
    amount = Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))
    return MoneyAmount.model_construct(amount=amount, currency=cast(Currency, currency))


def money_or_none(minor: int | None, currency: str | None) -> MoneyAmount | None:
    if minor is None or currency is None:
        return None
    return from_minor(minor, currency)
