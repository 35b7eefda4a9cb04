"""Minimum service standards and compliance assessments against them."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, model_validator

from services.grants.messages import _
from services.grants.schemas.common import Code, LongText, ShortText
from shared.inputs import Day
from shared.schemas import Resource
from shared.text import LocalizedText

Threshold = Annotated[Decimal, Field(max_digits=18, decimal_places=4, allow_inf_nan=False)]


class Comparison(StrEnum):
    at_least = "at_least"
    at_most = "at_most"


class StandardCriterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    name: LocalizedText
    measure: ShortText = Field(description='What is measured, e.g. "staff per 10 clients"')
    comparison: Comparison
    threshold: Threshold


class ServiceStandardIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "category": "home_care",
                    "title": {"hy": "Տնային խնամքի նվազագույն չափորոշիչ"},
                    "criteria": [
                        {
                            "code": "staff",
                            "name": {"hy": "Աշխատակազմ"},
                            "measure": "staff per 10 clients",
                            "comparison": "at_least",
                            "threshold": "1",
                        },
                        {
                            "code": "response",
                            "name": {"hy": "Արձագանքման ժամանակ"},
                            "measure": "hours to first visit",
                            "comparison": "at_most",
                            "threshold": "48",
                        },
                    ],
                }
            ]
        },
    )

    category: Code = Field(description="A code of the registry's service categories")
    title: LocalizedText
    criteria: Annotated[list[StandardCriterion], Field(min_length=1, max_length=50)]

    @model_validator(mode="after")
    def _codes_once(self) -> ServiceStandardIn:
        codes = [c.code for c in self.criteria]
        if len(set(codes)) != len(codes):
            raise ValueError(_("each criterion code is listed once"))
        return self


class ServiceStandardOut(ServiceStandardIn, Resource):
    edition: int = Field(description="1 for the first version of the category's standard")
    retired_on: date | None


class StandardRetirementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    retired_on: Day


class CriterionResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    value: Threshold = Field(description="What was measured, in the criterion's measure")
    evidence: Annotated[list[AnyHttpUrl | LongText], Field(min_length=1, max_length=20)]


class ComplianceAssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    standard_id: uuid.UUID
    service_id: uuid.UUID | None = Field(default=None, description="A registry service")
    grant_id: uuid.UUID | None = Field(default=None, description="A grant's pilot")
    community_id: uuid.UUID | None = Field(
        default=None, description="Where the service is given; a grant's is its community"
    )
    assessed_on: Day
    results: Annotated[list[CriterionResult], Field(min_length=1, max_length=50)]

    @model_validator(mode="after")
    def _one_subject(self) -> ComplianceAssessmentIn:
        if (self.service_id is None) == (self.grant_id is None):
            raise ValueError(_("an assessment is of a registry service or of a grant: one of them"))
        if self.service_id is not None and self.community_id is None:
            raise ValueError(_("a service's assessment names the community it is given in"))
        return self


class CriterionOutcome(CriterionResult):
    met: bool


class ComplianceAssessmentOut(Resource):
    standard_id: uuid.UUID
    service_id: uuid.UUID | None
    grant_id: uuid.UUID | None
    community_id: uuid.UUID
    assessed_on: date
    results: list[CriterionOutcome]
    compliant: bool = Field(description="Every criterion met")


class CommunityCompliance(BaseModel):
    community_id: uuid.UUID
    assessed: int = Field(description="Services and pilots assessed (their latest assessment)")
    compliant: int
    share: Decimal = Field(description="Compliant in percent of assessed, to two decimals")
