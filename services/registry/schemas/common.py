"""Pieces every registry resource shares: addresses, contacts, and their validation."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from services.registry.messages import _
from services.registry.reference import REGIONS
from shared.text import LocalizedText

__all__ = ["Address", "Contacts", "LocalizedText", "Phone", "PostalCode", "RegionCode"]

_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def _armenian_phone(value: str) -> str:
    """+374 and 8 digits; people also write 0XX XXXXXX or 374XXXXXXXX. Stored as +374XXXXXXXX."""
    digits = _PHONE_SEPARATORS.sub("", value)
    if digits.startswith("+374"):
        national = digits[4:]
    elif digits.startswith("00374"):
        national = digits[5:]
    elif digits.startswith("374") and len(digits) == 11:
        national = digits[3:]
    elif digits.startswith("0") and len(digits) == 9:
        national = digits[1:]
    else:
        national = ""
    if not (len(national) == 8 and national.isdigit()):
        raise ValueError(_("an Armenian phone number is +374 followed by 8 digits"))
    return "+374" + national


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise ValueError(_("not an e-mail address"))
    return value.lower()


Phone = Annotated[str, StringConstraints(max_length=30), AfterValidator(_armenian_phone)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254),
                  AfterValidator(_email)]  # fmt: skip
PostalCode = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500,
                                       pattern=r"^https?://\S+$")]  # fmt: skip


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    community_id: uuid.UUID | None = None
    postal_code: PostalCode | None = Field(default=None, description="4 digits; Yerevan 0001–0099")


class Contacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Phone | None = None
    email: Email | None = None
    website: Url | None = None


_REGION_CODES = frozenset(r.code for r in REGIONS)


def _region(value: str | None) -> str | None:
    if value is None:
        return None
    code = value.strip().upper()
    if code not in _REGION_CODES:
        raise ValueError(
            _("{code!r} is not a region; use an ISO 3166-2:AM code such as AM-AR", code=value)
        )
    return code


# The `region` filter of every list: an unknown code is a 422 everywhere, never an empty page.
RegionCode = Annotated[str | None, StringConstraints(max_length=20), AfterValidator(_region)]
