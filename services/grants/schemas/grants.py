from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.grants.messages import _
from services.grants.money import MoneyAmount
from services.grants.reference import GrantStatus
from services.grants.schemas.applications import CofundingPledge, community_first
from services.grants.schemas.common import ShortText
from services.grants.schemas.finances import Amendment
from shared.inputs import Day
from shared.schemas import Resource, patch_of
from shared.text import LocalizedText


class Milestone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: ShortText
    due_on: Day
    done_on: Day | None = None


class GrantIn(BaseModel):
    """A grant awarded directly (as the 9 pilot grants were); one awarded from an application
    is made by POST /v1/applications/{id}/award."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "programme_id": "3f0c6f7e-3b7a-4a53-9d38-6a2f2c9e0d01",
                    "recipient_id": "5f0c6f7e-3b7a-5a53-9d38-6a2f2c9e0d01",
                    "community_id": "8c7c7a2e-3c58-5a0e-a1f2-7c0f2b3d4e5f",
                    "title": {"hy": "Տարեցների տնային խնամքի փորձարկում"},
                    "amount": {"amount": "8000000", "currency": "AMD"},
                    "awarded_on": "2021-03-01",
                    "starts_on": "2021-04-01",
                    "ends_on": "2021-12-31",
                }
            ]
        },
    )

    programme_id: uuid.UUID
    call_id: uuid.UUID | None = None
    recipient_id: uuid.UUID = Field(description="The registry actor that receives it")
    community_id: uuid.UUID
    priority_id: uuid.UUID | None = Field(
        default=None, description="The priority of the community's adopted plan it pilots"
    )
    title: LocalizedText
    amount: MoneyAmount
    cofunding: Annotated[
        list[CofundingPledge], Field(max_length=20, description="The community's own first")
    ] = []
    awarded_on: Day
    starts_on: Day
    ends_on: Day
    status: GrantStatus = GrantStatus.awarded
    milestones: Annotated[list[Milestone], Field(max_length=100)] = []
    amounts_illustrative: bool = False

    _community_first = field_validator("cofunding")(community_first)

    @model_validator(mode="after")
    def _dates(self) -> GrantIn:
        if self.ends_on < self.starts_on:
            raise ValueError(
                _("the grant cannot end ({ends_on}) before it starts ({starts_on})",
                  ends_on=self.ends_on, starts_on=self.starts_on)
            )  # fmt: skip
        return self


FIXED = ("programme_id", "call_id", "recipient_id", "community_id", "priority_id", "amount",
         "awarded_on")  # fmt: skip

if TYPE_CHECKING:
    GrantPatch = BaseModel
else:
    GrantPatch = patch_of(GrantIn, name="GrantPatch", exclude=FIXED)


class GrantRecipient(BaseModel):
    id: uuid.UUID
    name: str
    flag: str | None = Field(
        description='"deleted" or "changed" when the registry reported it; the grant stays'
    )
    flagged_at: datetime | None


class GrantOut(GrantIn, Resource):
    application_id: uuid.UUID | None
    recipient: GrantRecipient
    amendments: list[Amendment] = Field(
        default=[], description="Changes of the amount awarded, oldest first"
    )


class AwardIn(BaseModel):
    """Award a grant from an assessed application; the rest comes from the application."""

    model_config = ConfigDict(extra="forbid")

    amount: MoneyAmount | None = Field(default=None, description="The amount requested if left out")
    awarded_on: Day
    starts_on: Day
    ends_on: Day
    milestones: Annotated[list[Milestone], Field(max_length=100)] = []
