from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.grants.messages import _
from services.grants.money import MoneyAmount
from services.grants.reference import ConsultationFormat, PlanStatus
from services.grants.schemas.common import Code, Count, LongText, ShortText, Year
from shared.inputs import Day
from shared.schemas import Resource, patch_of
from shared.text import LocalizedText

CODE_LISTS = "the registry's /v1/taxonomies/target-groups and /v1/taxonomies/service-categories"


class PriorityIn(BaseModel):
    """A priority of a plan; its rank is its place in the plan's list (1 first)."""

    model_config = ConfigDict(extra="forbid")

    title: LocalizedText
    target_groups: Annotated[
        list[Code], Field(max_length=30, description="Codes of the registry's target groups")
    ] = []
    service_categories: Annotated[
        list[Code], Field(max_length=30, description="Codes of the registry's service categories")
    ] = []
    justification: LongText | None = None
    indicators: Annotated[list[ShortText], Field(max_length=30)] = []
    estimated_cost: MoneyAmount | None = None


class PriorityOut(PriorityIn):
    id: uuid.UUID
    rank: int


class PlanIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "community_id": "8c7c7a2e-3c58-5a0e-a1f2-7c0f2b3d4e5f",
                    "period_from": 2020,
                    "period_to": 2022,
                    "title": {"hy": "Գյումրու տեղական սոցիալական պլան"},
                    "priorities": [
                        {"title": {"hy": "Տարեցների տնային խնամք"},
                         "target_groups": ["elderly"], "service_categories": ["home_care"]}
                    ],
                }
            ]
        },
    )  # fmt: skip

    community_id: uuid.UUID = Field(description="A registry community")
    period_from: Year = Field(description="First year of the plan")
    period_to: Year = Field(description="Last year of the plan")
    title: LocalizedText
    network_id: uuid.UUID | None = Field(
        default=None, description="The registry network that drew it up"
    )
    needs_assessment: LongText | None = None
    priorities: Annotated[list[PriorityIn], Field(max_length=50)] = []
    amounts_illustrative: bool = Field(
        default=False, description="The amounts are illustrative, not from a source document"
    )

    @model_validator(mode="after")
    def _period_in_order(self) -> PlanIn:
        if self.period_to < self.period_from:
            raise ValueError(
                _(
                    "the plan cannot end ({period_to}) before it starts ({period_from})",
                    period_to=self.period_to,
                    period_from=self.period_from,
                )
            )
        return self


if TYPE_CHECKING:
    PlanPatch = BaseModel
else:
    PlanPatch = patch_of(PlanIn, name="PlanPatch", exclude=("community_id",))


class Decision(BaseModel):
    """The community council's decision that adopted a plan."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"number": "45-Ն", "date": "2020-12-25"}]},
    )

    number: ShortText
    date: Day


class PlanOut(Resource):
    community_id: uuid.UUID
    period_from: int
    period_to: int
    revision: int = Field(description="1 for the first plan, +1 for each revision")
    revises_id: uuid.UUID | None = Field(description="The plan this revision replaces")
    status: PlanStatus
    title: LocalizedText
    network_id: uuid.UUID | None
    needs_assessment: str | None
    decision: Decision | None
    priorities: list[PriorityOut]
    consultations: int = Field(description="How many consultations were held on it")
    amounts_illustrative: bool


class ConsultedGroup(BaseModel):
    """A population group consulted, and how many of it took part: counts, never persons."""

    model_config = ConfigDict(extra="forbid")

    group: ShortText = Field(description='e.g. "parents of children with disabilities"')
    target_group: Code | None = Field(default=None, description="A registry target group")
    participants: Count


class ConsultationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"held_on": "2020-10-12", "format": "public_hearing",
                 "groups": [{"group": "Տարեցներ", "target_group": "elderly", "participants": 18}],
                 "summary": "Տնային խնամքի կարիք"}
            ]
        },
    )  # fmt: skip

    held_on: Day
    format: ConsultationFormat
    groups: Annotated[list[ConsultedGroup], Field(min_length=1, max_length=30)]
    summary: LongText = Field(description="What the groups said; no names of persons")


class ConsultationOut(ConsultationIn, Resource):
    plan_id: uuid.UUID
    participants: int = Field(description="Everyone who took part, all groups together")
