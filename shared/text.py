"""Multilingual names (Armenian first), exact money, and the text folding search relies on."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Optional = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None


class LocalizedText(BaseModel):
    """A name people read: Armenian required, English and Russian when known."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"hy": "Մասիս", "en": "Masis"}]})

    hy: NonEmpty
    en: Optional = None
    ru: Optional = None


CurrencyCode = Literal["AMD", "EUR", "USD"]


class Money(BaseModel):
    """An exact amount in an ISO 4217 currency; sent and read as a decimal string."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"amount": "1500000.00", "currency": "AMD"}]}
    )

    amount: Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
    currency: CurrencyCode


_SPACES = re.compile(r"\s+")
SEPARATOR = "|"


def fold(text: str) -> str:
    """Case- and form-insensitive text for search: NFKC, casefold (Armenian too), one space.

    Casefolding splits the ligature և into ե + ւ; capitals write it ԵՎ. Both become եվ, so
    Երևան, ԵՐԵՎԱՆ and ԵՐԵՒԱՆ all fold to երեվան.

    `|` separates the parts of a folded record (`fold_all`), so a folded text never holds one:
    a query `|` must not match every record that has two names.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().replace("եւ", "եվ")
    folded = folded.replace(SEPARATOR, "¦")
    return _SPACES.sub(" ", folded).strip()


def fold_all(*parts: str | None) -> str:
    return f" {SEPARATOR} ".join(fold(p) for p in parts if p)
