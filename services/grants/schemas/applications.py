from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.grants.messages import _
from services.grants.money import MoneyAmount
from services.grants.reference import ApplicationStatus, CofundingSource
from services.grants.schemas.common import Code, LongText, ShortText
from shared.schemas import Resource


class BudgetLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: ShortText
    amount: MoneyAmount


class CofundingPledge(BaseModel):
    """Co-funding by source; the community's own contribution comes first."""

    model_config = ConfigDict(extra="forbid")

    source: CofundingSource
    name: ShortText | None = Field(default=None, description="Who, when not the community")
    amount: MoneyAmount


def community_first(pledges: list[CofundingPledge]) -> list[CofundingPledge]:
    sources = [p.source for p in pledges]
    if CofundingSource.community in sources and sources[0] != CofundingSource.community:
        raise ValueError(_("the community's own contribution is listed first"))
    return pledges


class GrantApplicationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "call_id": "3f0c6f7e-3b7a-4a53-9d38-6a2f2c9e0d01",
                    "applicant_id": "5f0c6f7e-3b7a-5a53-9d38-6a2f2c9e0d01",
                    "community_id": "8c7c7a2e-3c58-5a0e-a1f2-7c0f2b3d4e5f",
                    "priority_id": "9d0c6f7e-3b7a-4a53-9d38-6a2f2c9e0d02",
                    "title": "Տարեցների տնային խնամք",
                    "requested": {"amount": "5000000", "currency": "AMD"},
                    "budget_lines": [{"item": "Աշխատավարձ",
                                      "amount": {"amount": "5000000", "currency": "AMD"}}],
                    "cofunding": [{"source": "community",
                                   "amount": {"amount": "500000", "currency": "AMD"}}],
                }
            ]
        },
    )  # fmt: skip

    call_id: uuid.UUID
    applicant_id: uuid.UUID = Field(description="The registry actor that applies")
    community_id: uuid.UUID
    priority_id: uuid.UUID = Field(description="A priority of the community's adopted plan")
    title: ShortText
    summary: LongText | None = None
    requested: MoneyAmount
    budget_lines: Annotated[list[BudgetLine], Field(min_length=1, max_length=100)]
    cofunding: Annotated[list[CofundingPledge], Field(max_length=20)] = []

    @model_validator(mode="after")
    def _adds_up(self) -> GrantApplicationIn:
        currency = self.requested.currency
        amounts = [line.amount for line in self.budget_lines] + [p.amount for p in self.cofunding]
        if any(m.currency != currency for m in amounts):
            raise ValueError(_("every amount of an application is in {currency}",
                               currency=currency))  # fmt: skip
        total = sum((line.amount.amount for line in self.budget_lines), Decimal(0))
        if total != self.requested.amount:
            raise ValueError(
                _("the budget lines add up to {total}, not to the {requested} requested",
                  total=str(total), requested=str(self.requested.amount))
            )  # fmt: skip
        community_first(self.cofunding)
        return self


class GrantApplicationOut(GrantApplicationIn, Resource):
    applicant_name: str
    submitted_on: date
    status: ApplicationStatus
    score: Decimal | None = Field(
        description="The mean weighted score of its assessments, in percent of the scale; "
        "public once the call is decided"
    )


class AssessmentIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"scores": {"need": 8, "cost": 6}, "reasons": "Հիմնավորված կարիք"}]
        },
    )

    scores: Annotated[
        dict[Code, Annotated[int, Field(strict=True)]],
        Field(max_length=20, description="A score per criterion code of the call"),
    ]
    reasons: LongText = Field(min_length=1)


class AssessmentOut(AssessmentIn, Resource):
    application_id: uuid.UUID
    assessor: str
    weighted_score: Decimal = Field(description="Weighted by the criteria, in percent")


class RankedApplication(BaseModel):
    rank: int
    application_id: uuid.UUID
    applicant_id: uuid.UUID
    applicant_name: str
    community_id: uuid.UUID
    requested: MoneyAmount
    status: ApplicationStatus
    assessments: int
    score: Decimal | None
