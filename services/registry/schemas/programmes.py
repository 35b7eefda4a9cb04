from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from services.registry.messages import _
from services.registry.reference import ProgrammeRole, ProgrammeStatus
from services.registry.schemas.services import Ids, LongText, TargetGroups, check_target_groups
from shared.inputs import Day
from shared.schemas import Resource, patch_of
from shared.text import LocalizedText, Money


class Period(BaseModel):
    """When a programme runs; either end may be open."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"starts_on": "2021-07-01", "ends_on": "2024-06-30"}]},
    )

    starts_on: Day | None = None
    ends_on: Day | None = None

    @field_validator("ends_on")
    @classmethod
    def _ends_after_start(cls, ends_on: date | None, info: ValidationInfo) -> date | None:
        starts_on = info.data.get("starts_on")
        if ends_on is not None and starts_on is not None and ends_on < starts_on:
            raise ValueError(
                _(
                    "the programme cannot end ({ends_on}) before it starts ({starts_on})",
                    ends_on=ends_on,
                    starts_on=starts_on,
                )
            )
        return ends_on


class ProgrammeActorIn(BaseModel):
    """An actor taking part in a programme, in one role."""

    model_config = ConfigDict(extra="forbid")

    actor_id: uuid.UUID
    role: ProgrammeRole


class ProgrammeActorOut(ProgrammeActorIn):
    name: LocalizedText


class ProgrammeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": {
                        "hy": "Սոցիալական ներառման խթանում",
                        "en": "Promoting social inclusion and self-sufficient livelihoods",
                    },
                    "description": "A three-year grant programme with a case management method.",
                    "period": {"starts_on": "2021-07-01", "ends_on": "2024-06-30"},
                    "budget": {"amount": "1500000.00", "currency": "EUR"},
                    "status": "active",
                    "actors": [
                        {"actor_id": "3f0b8f9e-8c1d-4e57-9a3e-2b7f4c1d9e01", "role": "lead"},
                        {"actor_id": "3f0b8f9e-8c1d-4e57-9a3e-2b7f4c1d9e01", "role": "funder"},
                    ],
                    "target_groups": ["low_income_families"],
                    "communities": ["8b0e5a1c-6b7f-5d2e-9c3a-1f4e2d6b8a90"],
                    "services": [],
                }
            ]
        },
    )

    name: LocalizedText
    description: LongText | None = None
    period: Period = Field(default_factory=Period)
    budget: Money | None = Field(default=None, description="Exact, with its currency")
    status: ProgrammeStatus = ProgrammeStatus.active
    actors: Annotated[list[ProgrammeActorIn], Field(max_length=200)] = Field(
        default_factory=list,
        description="Who runs, partners in and funds it; an actor may hold several roles",
    )
    target_groups: TargetGroups = Field(default_factory=list)
    communities: Ids = Field(
        default_factory=list, description="Ids of the communities where it runs"
    )
    services: Ids = Field(default_factory=list, description="Ids of the services it includes")

    @field_validator("actors")
    @classmethod
    def _each_role_once(cls, actors: list[ProgrammeActorIn]) -> list[ProgrammeActorIn]:
        seen: set[tuple[uuid.UUID, ProgrammeRole]] = set()
        for actor in actors:
            key = (actor.actor_id, actor.role)
            if key in seen:
                raise ValueError(
                    _(
                        "actor {actor_id} is listed twice as {role}; an actor may hold several "
                        "roles, each once",
                        actor_id=actor.actor_id,
                        role=actor.role.value,
                    )
                )
            seen.add(key)
        return actors

    @field_validator("target_groups")
    @classmethod
    def _known_target_groups(cls, codes: list[str]) -> list[str]:
        return check_target_groups(codes)


if TYPE_CHECKING:
    ProgrammePatch = BaseModel
else:
    ProgrammePatch = patch_of(ProgrammeIn, name="ProgrammePatch")


class ProgrammeOut(ProgrammeIn, Resource):
    actors: list[ProgrammeActorOut] = Field(  # type: ignore[assignment]
        default_factory=list, description="Each actor with its role and name"
    )
