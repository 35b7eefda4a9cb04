"""Councils, their members and seats, persons, representatives, guests, working groups."""

from __future__ import annotations

import re
import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from services.councils.messages import _
from shared.inputs import Day
from shared.schemas import Resource, patch_of
from shared.text import LocalizedText

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class CouncilKind(StrEnum):
    coordinating = "coordinating"
    municipal = "municipal"


class CouncilStatus(StrEnum):
    forming = "forming"
    active = "active"
    suspended = "suspended"
    dissolved = "dissolved"


class Offices(BaseModel):
    """Representatives of this council holding its offices."""

    model_config = ConfigDict(extra="forbid")

    chair_id: uuid.UUID | None = None
    deputy_chair_id: uuid.UUID | None = None
    secretary_id: uuid.UUID | None = None


class CouncilIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "coordinating", "network_id": "3f1e2d4c-0000-4000-8000-000000000001",
                 "name": {"hy": "Մասիսի ցանցի համակարգող խորհուրդ",
                          "en": "Coordinating council of the Masis network"},
                 "founded_on": "2024-05-01"}
            ]
        },
    )  # fmt: skip

    kind: CouncilKind
    network_id: uuid.UUID | None = Field(default=None, description="A coordinating council's")
    community_id: uuid.UUID | None = Field(default=None, description="A municipal council's")
    name: LocalizedText
    founded_on: Day
    status: CouncilStatus = CouncilStatus.forming
    status_reason: Text | None = None
    dissolved_on: Day | None = None
    offices: Offices = Field(default_factory=Offices)

    @model_validator(mode="after")
    def _shape(self) -> CouncilIn:
        if self.kind == CouncilKind.coordinating and (
            self.network_id is None or self.community_id is not None
        ):
            raise ValueError(_("network_id: a coordinating council belongs to one network"))
        if self.kind == CouncilKind.municipal and (
            self.community_id is None or self.network_id is not None
        ):
            raise ValueError(_("community_id: a municipal council belongs to one community"))
        if (self.status == CouncilStatus.dissolved) != (self.dissolved_on is not None):
            raise ValueError(_("dissolved_on: give the date exactly when the council is dissolved"))
        if self.dissolved_on and self.dissolved_on < self.founded_on:
            raise ValueError(_("dissolved_on: a council cannot be dissolved before it was founded"))
        return self


if TYPE_CHECKING:
    CouncilPatch = BaseModel
else:
    CouncilPatch = patch_of(
        CouncilIn, name="CouncilPatch", exclude=("kind", "network_id", "community_id")
    )


class CouncilOut(CouncilIn, Resource):
    center_id: uuid.UUID | None = Field(description="The network's center (coordinating)")
    current_members: int
    seats_per_member: int = Field(description="By the bylaws in force today (1 before any)")


# --- members and seats ------------------------------------------------------------------


class MemberKind(StrEnum):
    network_member = "network_member"  # a coordinating council's, from the registry
    organisation = "organisation"  # appointed to a municipal council
    person = "person"


class CouncilMemberIn(BaseModel):
    """A member joining: on a coordinating council, an actor that is a member of the network
    (checked in the registry); on a municipal one, an appointed organisation or person."""

    model_config = ConfigDict(extra="forbid")

    actor_id: uuid.UUID | None = Field(default=None, description="The registry's actor")
    kind: MemberKind | None = Field(default=None, description="A municipal council's member")
    name: LocalizedText | None = Field(default=None, description="A municipal council's member")
    joined_on: Day


class SeatOut(BaseModel):
    id: uuid.UUID
    number: int
    opened_on: Day
    closed_on: Day | None
    holder_id: uuid.UUID | None = Field(description="The representative in it today")


class CouncilMemberOut(Resource):
    council_id: uuid.UUID
    kind: MemberKind
    actor_id: uuid.UUID | None
    network_member_id: uuid.UUID | None
    name: LocalizedText
    joined_on: Day
    left_on: Day | None
    leave_reason: str | None
    seats: list[SeatOut]
    complete: bool = Field(description="Every open seat has a representative today")


class CouncilMemberLeave(BaseModel):
    model_config = ConfigDict(extra="forbid")

    left_on: Day
    reason: Text


class Representation(BaseModel):
    """Equal representation as it stands today."""

    council_id: uuid.UUID
    seats_per_member: int
    members: int
    seats: int
    incomplete: list[uuid.UUID] = Field(description="Members with an unfilled seat")


# --- persons and representatives ----------------------------------------------------------


def _phone(value: str) -> str:
    digits = re.sub(r"[\s\-().]", "", value)
    if digits.startswith("0") and len(digits) == 9:
        digits = "+374" + digits[1:]
    if not re.fullmatch(r"\+374\d{8}", digits):
        raise ValueError(_("an Armenian phone number is +374 followed by 8 digits"))
    return digits


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise ValueError(_("not an e-mail address"))
    return value.lower()


class PersonContacts(BaseModel):
    """Personal data: shown only to the council's managers and members."""

    model_config = ConfigDict(extra="forbid")

    phone: Annotated[str, StringConstraints(max_length=30), AfterValidator(_phone)] | None = None
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254),
                     AfterValidator(_email)] | None = None  # fmt: skip


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: LocalizedText
    contacts: PersonContacts = Field(default_factory=PersonContacts)


if TYPE_CHECKING:
    PersonPatch = BaseModel
else:
    PersonPatch = patch_of(PersonIn, name="PersonPatch")


class PersonOut(PersonIn, Resource):
    council_id: uuid.UUID
    personal_data_hidden: bool


class RepresentativeRole(StrEnum):
    principal = "principal"
    substitute = "substitute"


class RepresentativeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_id: uuid.UUID
    person_id: uuid.UUID
    role: RepresentativeRole = RepresentativeRole.principal
    substitute_for_id: uuid.UUID | None = Field(
        default=None, description="The principal a substitute stands in for when absent"
    )
    position: Line | None = None
    term_start: Day
    term_end: Day | None = Field(default=None, description="The first day no longer sitting")
    end_reason: Text | None = None

    @model_validator(mode="after")
    def _term(self) -> RepresentativeIn:
        if self.term_end is not None and self.term_end <= self.term_start:
            raise ValueError(_("term_end: a term cannot end before it starts"))
        if (self.role == RepresentativeRole.substitute) != (self.substitute_for_id is not None):
            raise ValueError(
                _("substitute_for_id: a substitute names its principal, a principal does not")
            )
        return self


if TYPE_CHECKING:
    RepresentativePatch = BaseModel
else:
    RepresentativePatch = patch_of(
        RepresentativeIn,
        name="RepresentativePatch",
        exclude=("member_id", "person_id", "role", "substitute_for_id", "term_start"),
    )


class RepresentativeOut(RepresentativeIn, Resource):
    council_id: uuid.UUID
    seat_id: uuid.UUID | None
    person: PersonOut


# --- guests -----------------------------------------------------------------------------


class GuestRole(StrEnum):
    independent_expert = "independent_expert"
    community_council_representative = "community_council_representative"
    observer = "observer"
    staff = "staff"


class GuestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: LocalizedText
    role: GuestRole
    organisation: Line | None = None
    starts_on: Day
    ends_on: Day | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _period(self) -> GuestIn:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError(_("ends_on: a guest cannot leave before coming"))
        return self


if TYPE_CHECKING:
    GuestPatch = BaseModel
else:
    GuestPatch = patch_of(GuestIn, name="GuestPatch")


class GuestOut(GuestIn, Resource):
    council_id: uuid.UUID


# --- working groups ---------------------------------------------------------------------


class WorkingGroupKind(StrEnum):
    working_group = "working_group"
    commission = "commission"


class WorkingGroupStatus(StrEnum):
    active = "active"
    reported = "reported"
    dissolved = "dissolved"


class WorkingGroupMember(BaseModel):
    """A representative or a guest of the council (exactly one)."""

    model_config = ConfigDict(extra="forbid")

    representative_id: uuid.UUID | None = None
    guest_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one(self) -> WorkingGroupMember:
        if (self.representative_id is None) == (self.guest_id is None):
            raise ValueError(_("members: give a representative_id or a guest_id"))
        return self


class WorkingGroupReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Line
    reported_on: Day
    url: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https?://\S+$",
                                          max_length=1000)] | None = None  # fmt: skip


class WorkingGroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: WorkingGroupKind = WorkingGroupKind.working_group
    name: LocalizedText
    mandate: Text
    decision: Line = Field(description="The council decision forming it (number or reference)")
    formed_on: Day
    convener_id: uuid.UUID | None = Field(default=None, description="A representative")
    deadline: Day | None = None
    status: WorkingGroupStatus = WorkingGroupStatus.active
    members: Annotated[list[WorkingGroupMember], Field(max_length=200)] = Field(
        default_factory=list
    )
    reports: Annotated[list[WorkingGroupReport], Field(max_length=200)] = Field(
        default_factory=list
    )

    @model_validator(mode="after")
    def _dates(self) -> WorkingGroupIn:
        if self.deadline is not None and self.deadline < self.formed_on:
            raise ValueError(_("deadline: a working group cannot be due before it is formed"))
        if self.status == WorkingGroupStatus.reported and not self.reports:
            raise ValueError(_("reports: a group that reported has at least one report"))
        if any(r.reported_on < self.formed_on for r in self.reports):
            raise ValueError(_("reports: a report cannot predate the group"))
        return self


if TYPE_CHECKING:
    WorkingGroupPatch = BaseModel
else:
    WorkingGroupPatch = patch_of(WorkingGroupIn, name="WorkingGroupPatch")


class WorkingGroupOut(WorkingGroupIn, Resource):
    council_id: uuid.UUID


# --- reconciliation ---------------------------------------------------------------------


class Reconcile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: Day
    repair: bool = True


class MembershipDifference(BaseModel):
    actor_id: uuid.UUID
    network_member_id: uuid.UUID
    name: str
    difference: str = Field(description="missing_in_council or not_in_network")


class Reconciliation(BaseModel):
    council_id: uuid.UUID
    on: Day
    network_members: int
    council_members: int
    differences: list[MembershipDifference]
    repaired: bool
