from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.grants.messages import _
from services.grants.money import MoneyAmount
from services.grants.schemas.common import Code, LongText, ShortText
from shared.inputs import Day
from shared.schemas import Resource, patch_of
from shared.text import LocalizedText

CountryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{2}$"),
    Field(description="ISO 3166-1 alpha-2"),
]


class GrantFunder(BaseModel):
    """A funder: a registry actor, or an outside funder by name and country (the EU, a
    development agency)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": {"hy": "Եվրոպական միություն", "en": "European Union"},
                          "country": "BE"}]
        },
    )  # fmt: skip

    actor_id: uuid.UUID | None = Field(default=None, description="A registry actor")
    name: LocalizedText | None = None
    country: CountryCode | None = None

    @model_validator(mode="after")
    def _actor_or_name(self) -> GrantFunder:
        if self.actor_id is None and (self.name is None or self.country is None):
            raise ValueError(
                _("a funder is a registry actor (actor_id) or an outside one (name and country)")
            )
        return self


class ProgrammeComponent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    name: LocalizedText
    description: LongText | None = None


class GrantProgrammeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": {"hy": "Սոցիալական ներառման խթանում", "en": "Social inclusion"},
                    "funders": [{"name": {"hy": "Եվրոպական միություն"}, "country": "BE"}],
                    "budget": [{"amount": "1000000.00", "currency": "EUR"}],
                    "starts_on": "2021-07-01",
                    "ends_on": "2024-06-30",
                }
            ]
        },
    )

    name: LocalizedText
    funders: Annotated[list[GrantFunder], Field(min_length=1, max_length=20)]
    budget: Annotated[
        list[MoneyAmount],
        Field(min_length=1, max_length=10, description="One amount per currency"),
    ]
    starts_on: Day
    ends_on: Day
    components: Annotated[list[ProgrammeComponent], Field(max_length=20)] = []
    goals: Annotated[list[ShortText], Field(max_length=30)] = []
    beneficiary_scope: LongText | None = None
    selection_criteria: Annotated[list[ShortText], Field(max_length=30)] = []
    methodology: LongText | None = None
    amounts_illustrative: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> GrantProgrammeIn:
        if self.ends_on < self.starts_on:
            raise ValueError(
                _(
                    "the programme cannot end ({ends_on}) before it starts ({starts_on})",
                    ends_on=self.ends_on,
                    starts_on=self.starts_on,
                )
            )
        currencies = [m.currency for m in self.budget]
        if len(set(currencies)) != len(currencies):
            raise ValueError(_("the budget has one amount per currency"))
        codes = [c.code for c in self.components]
        if len(set(codes)) != len(codes):
            raise ValueError(_("each component has its own code"))
        return self


if TYPE_CHECKING:
    GrantProgrammePatch = BaseModel
else:
    GrantProgrammePatch = patch_of(GrantProgrammeIn, name="GrantProgrammePatch")


class GrantProgrammeOut(GrantProgrammeIn, Resource):
    pass
