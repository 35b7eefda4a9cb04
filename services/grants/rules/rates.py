"""Exchange rates held by the service, and the one conversion rule of every total in drams.

A rate is drams for one unit of a currency on a day (exact to 10^-6), entered by a grants
officer or imported from a CSV of the Central Bank of Armenia's published rates. A total in
AMD converts each transaction at the rate of its own day (or the latest published in the
`STALE_DAYS` before it: the bank publishes on working days), rounds it half to even to the
luma, and adds the rounded parts; so the AMD total of any grouping is exactly the sum of the
AMD totals of its parts. A rate missing for a day a total needs is a 422 naming the currency
and the day, never a zero.
"""

from __future__ import annotations

import bisect
import csv
import io
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.grants.journal import journal
from services.grants.messages import _
from services.grants.models import ExchangeRate, RateImport
from services.grants.money import MINOR_UNITS, Currency
from services.grants.rules.registry_checks import field_error
from services.grants.schemas.rates import (
    ExchangeRateIn,
    ExchangeRateOut,
    RateImportIn,
    RateImportOut,
    RateUsed,
)
from shared.auth import Principal
from shared.errors import Conflict, NotFound, RuleViolation

BASE = "AMD"
MICRO = 10**6
# How far back a total looks for the latest published rate (weekends and holidays).
STALE_DAYS = 7


def rate_micro(rate: Decimal) -> int:
    return int(rate.scaleb(6))


def rate_decimal(micro: int) -> Decimal:
    return Decimal(micro).scaleb(-6).quantize(Decimal("0.000001"))


def to_amd_minor(minor: int, currency: str, micro: int) -> int:
    """An amount in minor units of `currency` in luma at `micro` drams ×10^6 per unit, rounded
    half to even. Exact (rational arithmetic), whatever the currency's minor units."""
    if currency == BASE:
        return minor
    exact = Fraction(minor * micro, MICRO) * Fraction(10) ** (
        MINOR_UNITS[BASE] - MINOR_UNITS[currency]
    )
    return round(exact)


def exchange_rate_out(row: ExchangeRate) -> ExchangeRateOut:
    return ExchangeRateOut(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        currency=row.currency,
        rate_on=row.rate_on,
        rate=rate_decimal(row.rate_micro),
        source=row.source,
    )


def import_out(row: RateImport) -> RateImportOut:
    return RateImportOut(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        source=row.source,
        imported=sum(1 for r in row.rates if r["new"]),
        kept=sum(1 for r in row.rates if not r["new"]),
        skipped=int(row.skipped),
        rates=[
            ExchangeRateIn.model_validate({k: v for k, v in r.items() if k != "new"})
            for r in row.rates
        ],
    )


async def _represent_rate(session: AsyncSession, row: ExchangeRate, full: bool) -> ExchangeRateOut:
    return exchange_rate_out(row)


async def _represent_import(session: AsyncSession, row: RateImport, full: bool) -> RateImportOut:
    return import_out(row)


RATES = journal.resource("exchange_rate", _represent_rate, verbs=("created",))
IMPORTS = journal.resource("exchange_rate_import", _represent_import, verbs=("created",))


async def get_rate(session: AsyncSession, rate_id: uuid.UUID) -> ExchangeRate:
    row = await session.get(ExchangeRate, rate_id)
    if row is None:
        raise NotFound(_("There is no exchange rate {rate_id}.", rate_id=rate_id))
    return row


async def _held(session: AsyncSession, pairs: Iterable[tuple[str, date]]) -> set[tuple[str, date]]:
    pairs = list(pairs)
    if not pairs:
        return set()
    currencies = {c for c, _d in pairs}
    days = [d for _c, d in pairs]
    rows = await session.execute(
        select(ExchangeRate.currency, ExchangeRate.rate_on).where(
            ExchangeRate.currency.in_(currencies),
            ExchangeRate.rate_on >= min(days),
            ExchangeRate.rate_on <= max(days),
        )
    )
    return {(c, d) for c, d in rows.all()}


async def create_rate(
    session: AsyncSession, principal: Principal, data: ExchangeRateIn
) -> ExchangeRateOut:
    if data.currency == BASE:
        raise field_error(
            "currency", _("totals are in drams; the dram needs no rate"), _("No rate for the dram")
        )
    if await _held(session, [(data.currency, data.rate_on)]):
        raise Conflict(
            _(
                "A rate of {currency} for {day} is already held.",
                currency=data.currency,
                day=data.rate_on,
            ),
            title=_("Rate already held"),
        )
    row = ExchangeRate(
        id=uuid.uuid4(),
        currency=data.currency,
        rate_on=data.rate_on,
        rate_micro=rate_micro(data.rate),
        source="officer",
    )
    session.add(row)
    return await RATES.created(session, principal, row)


def _day(text: str) -> date:
    for layout in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), layout).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_cba_csv(text: str) -> tuple[list[ExchangeRateIn], int]:
    """The rows of a CSV with the columns Date, ISO, Amount (units quoted, 1 when left out)
    and Rate (drams for Amount units), as the Central Bank of Armenia's rate archive gives
    them; rows of currencies SPN does not take are counted and skipped."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {c.strip().lower(): c for c in reader.fieldnames or []}
    missing = [c for c in ("date", "iso", "rate") if c not in columns]
    if missing:
        raise field_error(
            "csv", _("the CSV has no column {column}", column=missing[0]), _("Not the bank's rates")
        )
    rates: list[ExchangeRateIn] = []
    skipped = 0
    for line, row in enumerate(reader, start=2):
        currency = (row.get(columns["iso"]) or "").strip().upper()
        if currency not in MINOR_UNITS or currency == BASE:
            skipped += 1
            continue
        try:
            units = Decimal((row.get(columns.get("amount", "")) or "1").strip() or "1")
            rate = Decimal((row.get(columns["rate"]) or "").strip().replace(",", ""))
            per_unit = (rate / units).quantize(Decimal("0.000001"), ROUND_HALF_EVEN)
            rates.append(
                ExchangeRateIn(
                    currency=currency, rate_on=_day(row[columns["date"]] or ""), rate=per_unit
                )
            )
        except (InvalidOperation, ValueError, ZeroDivisionError, TypeError) as error:
            raise field_error(
                "csv",
                _("line {line} is not a rate: {error}", line=line, error=str(error)[:200]),
                _("Not the bank's rates"),
            ) from None
    return rates, skipped


async def import_rates(
    session: AsyncSession, principal: Principal, data: RateImportIn
) -> RateImportOut:
    parsed, skipped = parse_cba_csv(data.csv)
    unique: dict[tuple[str, date], ExchangeRateIn] = {}
    for rate in parsed:
        unique.setdefault((rate.currency, rate.rate_on), rate)
    held = await _held(session, unique)
    rows = []
    for key, rate in unique.items():
        new = key not in held
        if new:
            session.add(
                ExchangeRate(
                    currency=rate.currency,
                    rate_on=rate.rate_on,
                    rate_micro=rate_micro(rate.rate),
                    source="cba",
                )
            )
        rows.append(rate.model_dump(mode="json") | {"new": new})
    row = RateImport(id=uuid.uuid4(), source="cba", rates=rows, skipped=skipped)
    session.add(row)
    return await IMPORTS.created(session, principal, row)


class Rates:
    """The rates a total needs, read once; `find` gives the rate for a currency on a day."""

    def __init__(self, held: dict[str, list[tuple[date, int]]]) -> None:
        self.held = {c: sorted(days) for c, days in held.items()}
        self.used: dict[tuple[str, date], int] = {}

    @classmethod
    async def load(cls, session: AsyncSession, currencies: Iterable[str]) -> Rates:
        wanted = sorted(set(currencies) - {BASE})
        held: dict[str, list[tuple[date, int]]] = {c: [] for c in wanted}
        if wanted:
            rows = await session.execute(
                select(ExchangeRate.currency, ExchangeRate.rate_on, ExchangeRate.rate_micro).where(
                    ExchangeRate.currency.in_(wanted)
                )
            )
            for currency, day, micro in rows.all():
                held[currency].append((day, micro))
        return cls(held)

    def find(self, currency: str, day: date) -> tuple[date, int]:
        days = self.held.get(currency, [])
        i = bisect.bisect_right(days, (day, 10**30))
        if i and days[i - 1][0] >= day - timedelta(days=STALE_DAYS):
            return days[i - 1]
        raise RuleViolation(
            _(
                "No exchange rate of {currency} for {day} (nor in the {stale} days before it); "
                "a grants officer enters it or imports the bank's rates.",
                currency=currency,
                day=day,
                stale=STALE_DAYS,
            ),
            title=_("Exchange rate missing"),
            extra={"currency": currency, "date": day.isoformat()},
        )

    def to_amd(self, minor: int, currency: str, day: date) -> int:
        if currency == BASE:
            return minor
        rate_on, micro = self.find(currency, day)
        self.used[(currency, rate_on)] = micro
        return to_amd_minor(minor, currency, micro)

    def rates_used(self) -> list[RateUsed]:
        return [
            RateUsed(currency=c, rate_on=d, rate=rate_decimal(m))
            for (c, d), m in sorted(self.used.items())
        ]


CURRENCIES: tuple[Currency, ...] = tuple(c for c in MINOR_UNITS if c != BASE)  # type: ignore[misc]
