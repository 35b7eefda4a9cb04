"""Minutes of a session."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from shared.schemas import Resource, patch_of

MinutesText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200_000)
]


class MinutesStatus(StrEnum):
    draft = "draft"
    approved = "approved"


class MinutesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text_hy: MinutesText
    text_en: MinutesText | None = None


if TYPE_CHECKING:
    MinutesPatch = BaseModel
else:
    MinutesPatch = patch_of(MinutesIn, name="MinutesPatch")


class MinutesApproval(BaseModel):
    session_id: uuid.UUID
    motion_id: uuid.UUID
    decision: str


class MinutesOut(MinutesIn, Resource):
    session_id: uuid.UUID
    council_id: uuid.UUID
    status: MinutesStatus
    approved_on: date | None
    approved_by: MinutesApproval | None
