from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from services.registry.messages import _
from services.registry.reference import (
    GOAL_CODES,
    ActivityKind,
    ActorKind,
    MemberRole,
    NetworkForm,
    NetworkStatus,
)
from services.registry.schemas.actors import Capacity
from services.registry.schemas.common import Contacts
from shared.inputs import Day
from shared.schemas import Resource, patch_of
from shared.text import LocalizedText

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


def _goal_codes(codes: list[str]) -> list[str]:
    unknown = [c for c in codes if c not in GOAL_CODES]
    if unknown:
        raise ValueError(
            _(
                "unknown cooperation goal {codes}; the codes are at {listed_at}",
                codes=", ".join(unknown),
                listed_at="/v1/taxonomies/cooperation-goals",
            )
        )
    return list(dict.fromkeys(codes))


GoalCodes = Annotated[list[str], Field(max_length=30), AfterValidator(_goal_codes)]


class NetworkIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "center_id": "3f1e2d4c-0000-4000-8000-000000000001",
                    "name": {"hy": "Մասիսի սոցիալական համագործակցության տեղական ցանց",
                             "en": "Masis local social cooperation network"},
                    "form": "formalised",
                    "goals": ["comprehensive_services", "poverty_reduction"],
                    "founded_on": "2024-03-01",
                }
            ]
        },
    )  # fmt: skip

    center_id: uuid.UUID
    name: LocalizedText
    form: NetworkForm
    goals: GoalCodes = Field(default_factory=list)
    goals_note: Text | None = None
    founded_on: Day
    status: NetworkStatus = NetworkStatus.active
    dissolved_on: Day | None = None

    @model_validator(mode="after")
    def _dates(self) -> NetworkIn:
        if self.status == NetworkStatus.dissolved and self.dissolved_on is None:
            raise ValueError(_("dissolved_on: a dissolved network needs the date it was dissolved"))
        if self.dissolved_on and self.dissolved_on < self.founded_on:
            raise ValueError(_("dissolved_on: a network cannot be dissolved before it was founded"))
        return self


if TYPE_CHECKING:
    NetworkPatch = BaseModel
else:
    NetworkPatch = patch_of(NetworkIn, name="NetworkPatch", exclude=("center_id",))


class NetworkOut(NetworkIn, Resource):
    may_form_council: bool = Field(
        description="Only an active formalised or mixed network may form a coordinating council"
    )
    current_members: int


class Agreement(BaseModel):
    """The memorandum a member signed with a formalised network."""

    model_config = ConfigDict(extra="forbid")

    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    date: Day


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor_id: uuid.UUID
    role: MemberRole = MemberRole.member
    joined_on: Day
    areas: GoalCodes = Field(default_factory=list, description="Cooperation goals it works on")
    capacities: Annotated[list[Capacity], Field(max_length=50)] = Field(default_factory=list)
    agreement: Agreement | None = None


if TYPE_CHECKING:
    MemberPatch = BaseModel
else:
    MemberPatch = patch_of(MemberIn, name="MemberPatch", exclude=("actor_id", "joined_on"))


class Leave(BaseModel):
    model_config = ConfigDict(extra="forbid")

    left_on: Day
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class MemberActor(BaseModel):
    id: uuid.UUID
    kind: ActorKind
    name: LocalizedText
    contacts: Contacts


class MemberOut(Resource):
    network_id: uuid.UUID
    actor: MemberActor
    role: MemberRole
    joined_on: Day
    areas: list[str]
    capacities: list[Capacity]
    agreement: Agreement | None
    left_on: Day | None
    leave_reason: str | None


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    url: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https?://\S+$",
                                          max_length=1000)]  # fmt: skip


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ActivityKind
    held_on: Day
    ends_on: Day | None = Field(default=None, description="For working groups and commissions")
    topic: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    outcome: Text | None = None
    participants: Annotated[list[uuid.UUID], Field(max_length=500)] = Field(
        default_factory=list, description="Member ids"
    )
    documents: Annotated[list[Document], Field(max_length=50)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _period(self) -> ActivityIn:
        if self.ends_on and self.ends_on < self.held_on:
            raise ValueError(_("ends_on: an activity cannot end before it starts"))
        return self


if TYPE_CHECKING:
    ActivityPatch = BaseModel
else:
    ActivityPatch = patch_of(ActivityIn, name="ActivityPatch")


class ActivityOut(ActivityIn, Resource):
    network_id: uuid.UUID
