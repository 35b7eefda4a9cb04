"""Shapes several grants resources share."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000)]
Code = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9_\-]{0,39}$")
]
Year = Annotated[int, Field(ge=1990, le=2100, strict=True)]
Count = Annotated[int, Field(ge=0, le=10_000_000, strict=True)]
