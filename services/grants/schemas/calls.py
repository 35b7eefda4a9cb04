from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.grants.messages import _
from services.grants.money import MoneyAmount
from services.grants.reference import ApplicantKind, CallStatus
from services.grants.schemas.common import Code
from shared.inputs import Day
from shared.schemas import Resource, patch_of
from shared.text import LocalizedText

RegionCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^AM-[A-Z]{2}$")]


class CallCriterion(BaseModel):
    """An assessment criterion and its weight; each is scored from 0 to the call's scale."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    name: LocalizedText
    weight: Annotated[int, Field(ge=1, le=100, strict=True)]


class GrantCallIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "programme_id": "3f0c6f7e-3b7a-4a53-9d38-6a2f2c9e0d01",
                    "title": {"hy": "Համայնքային սոցիալական ծառայություններ"},
                    "opens_on": "2021-09-01",
                    "closes_on": "2021-10-15",
                    "eligible_regions": ["AM-KT"],
                    "applicant_kinds": ["cso", "local_government"],
                    "criteria": [{"code": "need", "name": {"hy": "Կարիք"}, "weight": 60},
                                 {"code": "cost", "name": {"hy": "Արժեք"}, "weight": 40}],
                    "budget": {"amount": "60000000", "currency": "AMD"},
                    "max_grant": {"amount": "10000000", "currency": "AMD"},
                    "cofunding_share": "10",
                }
            ]
        },
    )  # fmt: skip

    programme_id: uuid.UUID
    component: Code | None = Field(default=None, description="A component of the programme")
    title: LocalizedText
    opens_on: Day
    closes_on: Day = Field(description="The last day applications are taken")
    eligible_communities: Annotated[
        list[uuid.UUID], Field(max_length=500, description="Registry communities")
    ] = []
    eligible_regions: Annotated[list[RegionCode], Field(max_length=11)] = []
    applicant_kinds: Annotated[list[ApplicantKind], Field(min_length=1, max_length=10)]
    criteria: Annotated[list[CallCriterion], Field(min_length=1, max_length=20)]
    score_scale: Annotated[int, Field(ge=1, le=100, strict=True)] = 10
    budget: MoneyAmount
    max_grant: MoneyAmount = Field(description="The most one grant may be")
    cofunding_share: Annotated[
        Decimal,
        Field(ge=0, le=100, max_digits=5, decimal_places=2,
              description="The share of a grant's amount the community brings, in percent"),
    ] = Decimal(0)  # fmt: skip
    amounts_illustrative: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> GrantCallIn:
        if self.closes_on < self.opens_on:
            raise ValueError(
                _("the call cannot close ({closes_on}) before it opens ({opens_on})",
                  closes_on=self.closes_on, opens_on=self.opens_on)
            )  # fmt: skip
        if self.max_grant.currency != self.budget.currency:
            raise ValueError(_("the most a grant may be is in the call's currency"))
        if self.max_grant.amount > self.budget.amount:
            raise ValueError(_("the most a grant may be cannot exceed the call's budget"))
        codes = [c.code for c in self.criteria]
        if len(set(codes)) != len(codes):
            raise ValueError(_("each criterion has its own code"))
        return self


if TYPE_CHECKING:
    GrantCallPatch = BaseModel
else:
    GrantCallPatch = patch_of(GrantCallIn, name="GrantCallPatch", exclude=("programme_id",))


class GrantCallOut(GrantCallIn, Resource):
    status: CallStatus
    decided_on: date | None
    awarded: MoneyAmount = Field(description="What the call's grants add up to")


class CallDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decided_on: Day
