"""Results: indicators per grant or plan priority, beneficiaries reached as counts, and a
programme's beneficiary selection as counts per criterion. Never persons."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.grants.messages import _
from services.grants.schemas.common import Code, Count, ShortText
from shared.inputs import Day
from shared.schemas import Resource, patch_of
from shared.text import LocalizedText

Period = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\d{4}(-(Q[1-4]|H[12]|\d{2}))?$"),
]
Value = Annotated[Decimal, Field(max_digits=18, decimal_places=4, allow_inf_nan=False)]


class IndicatorPeriod(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Period = Field(description='"2021", "2021-Q3", "2021-H1" or "2021-07"')
    target: Value | None = None
    actual: Value | None = None


class IndicatorIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "grant_id": "3f0c6f7e-3b7a-4a53-9d38-6a2f2c9e0d01",
                    "name": {"hy": "Խնամք ստացող տարեցներ", "en": "Older people cared for"},
                    "unit": "persons",
                    "baseline": "0",
                    "periods": [{"period": "2021", "target": "40", "actual": "37"}],
                }
            ]
        },
    )

    grant_id: uuid.UUID | None = None
    priority_id: uuid.UUID | None = None
    name: LocalizedText
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    baseline: Value | None = None
    periods: Annotated[list[IndicatorPeriod], Field(max_length=100)] = []

    @model_validator(mode="after")
    def _one_owner(self) -> IndicatorIn:
        if (self.grant_id is None) == (self.priority_id is None):
            raise ValueError(
                _("an indicator belongs to a grant or to a plan priority: one of them")
            )
        periods = [p.period for p in self.periods]
        if len(set(periods)) != len(periods):
            raise ValueError(_("each reporting period is listed once"))
        return self


if TYPE_CHECKING:
    IndicatorPatch = BaseModel
else:
    IndicatorPatch = patch_of(
        IndicatorIn, name="IndicatorPatch", exclude=("grant_id", "priority_id")
    )


class IndicatorOut(IndicatorIn, Resource):
    pass


class Sex(StrEnum):
    female = "female"
    male = "male"
    unknown = "unknown"


class AgeBand(StrEnum):
    age_0_17 = "0-17"
    age_18_34 = "18-34"
    age_35_64 = "35-64"
    age_65_plus = "65+"
    unknown = "unknown"


class BeneficiaryCell(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_group: Code = Field(description="A code of the registry's target groups")
    sex: Sex
    age_band: AgeBand
    count: Count


class BeneficiaryCountIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "period": "2021",
                    "total": 37,
                    "counts": [
                        {
                            "target_group": "elderly",
                            "sex": "female",
                            "age_band": "65+",
                            "count": 25,
                        },
                        {"target_group": "elderly", "sex": "male", "age_band": "65+", "count": 12},
                    ],
                }
            ]
        },
    )

    period: Period
    total: Count
    counts: Annotated[list[BeneficiaryCell], Field(min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _adds_up(self) -> BeneficiaryCountIn:
        cells = [(c.target_group, c.sex, c.age_band) for c in self.counts]
        if len(set(cells)) != len(cells):
            raise ValueError(_("each target group, sex and age band is counted once"))
        added = sum(c.count for c in self.counts)
        if added != self.total:
            raise ValueError(
                _(
                    "the counts add up to {added}, not to the total {total}",
                    added=added,
                    total=self.total,
                )
            )
        return self


class BeneficiaryCountOut(BeneficiaryCountIn, Resource):
    grant_id: uuid.UUID


class SelectionCriterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criterion: ShortText
    selected: Count = Field(description="How many were selected under it")


class BeneficiarySelectionIn(BaseModel):
    """One may be selected under several criteria: each count is at most the total."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "selected_on": "2023-03-01",
                    "total": 120,
                    "criteria": [
                        {"criterion": "Ընտանեկան նպաստի համակարգում", "selected": 80},
                        {"criterion": "Ընտանեկան նպաստի համակարգից դուրս", "selected": 40},
                    ],
                }
            ]
        },
    )

    community_id: uuid.UUID | None = None
    selected_on: Day
    total: Count
    criteria: Annotated[list[SelectionCriterion], Field(min_length=1, max_length=50)]

    @model_validator(mode="after")
    def _within_total(self) -> BeneficiarySelectionIn:
        for c in self.criteria:
            if c.selected > self.total:
                raise ValueError(
                    _(
                        "{selected} selected under {criterion} is more than the {total} selected",
                        selected=c.selected,
                        criterion=repr(c.criterion),
                        total=self.total,
                    )
                )
        return self


class BeneficiarySelectionOut(BeneficiarySelectionIn, Resource):
    programme_id: uuid.UUID
    selected_on: date
