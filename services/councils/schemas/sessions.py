"""Sessions of a council: convening, agenda, attendance, motions and votes, and the full record
a session's GET answers in one read."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.councils.messages import _
from services.councils.schemas.bylaws import DecisionKind, SessionFormat
from services.councils.schemas.councils import (
    Line,
    Text,
    WorkingGroupKind,
    WorkingGroupMember,
)
from shared.inputs import Day, Moment
from shared.schemas import Resource
from shared.text import LocalizedText

Link = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https?://\S{1,490}$")]


class SessionKind(StrEnum):
    ordinary = "ordinary"
    extraordinary = "extraordinary"


class SessionStatus(StrEnum):
    draft = "draft"
    convened = "convened"
    open = "open"
    closed = "closed"
    adjourned = "adjourned"
    postponed = "postponed"
    cancelled = "cancelled"


class CouncilSessionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "ordinary", "format": "hybrid", "starts_at": "2024-06-20T15:00:00+04:00",
                 "place": "Մասիսի համայնքապետարան", "meeting_link": "https://meet.example.am/x"}
            ]
        },
    )  # fmt: skip

    kind: SessionKind = SessionKind.ordinary
    format: SessionFormat
    starts_at: Moment
    place: Line | None = None
    meeting_link: Link | None = None
    guest_ids: Annotated[list[uuid.UUID], Field(max_length=100)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _where(self) -> CouncilSessionIn:
        if self.format != SessionFormat.remote and not self.place:
            raise ValueError(_("place: a session held in person or hybrid needs a place"))
        if self.format != SessionFormat.in_person and not self.meeting_link:
            raise ValueError(_("meeting_link: a remote or hybrid session needs a meeting link"))
        return self


class ConvenedBy(StrEnum):
    chair = "chair"
    secretary = "secretary"
    members = "members"


class Convening(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: ConvenedBy
    convened_on: Day | None = Field(
        default=None, description="The day the notice went out; today when not given"
    )
    requested_by: Annotated[list[uuid.UUID], Field(max_length=1000)] = Field(
        default_factory=list, description="Members requesting the session (when `by` = members)"
    )


class Postponement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: Moment
    reason: Text
    convened_on: Day | None = None


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text | None = None
    at: Moment | None = Field(default=None, description="When; now when not given")


class HistoryEntry(BaseModel):
    status: SessionStatus
    at: datetime
    by: str
    reason: str | None = None


class Invitation(BaseModel):
    representative_id: uuid.UUID | None = None
    guest_id: uuid.UUID | None = None
    name: str


# --- agenda ------------------------------------------------------------------------------


class ItemKind(StrEnum):
    information = "information"
    discussion = "discussion"
    decision = "decision"


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Line
    url: Link


class AgendaItemIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"title": {"hy": "Աշխատանքային խմբերի ձևավորում"}, "kind": "decision"}]
        },
    )

    title: LocalizedText
    kind: ItemKind
    presenter: Line | None = None
    documents: Annotated[list[Document], Field(max_length=50)] = Field(default_factory=list)


class ItemStatus(StrEnum):
    proposed = "proposed"
    adopted = "adopted"
    rejected = "rejected"


class AgendaItemOut(AgendaItemIn):
    id: uuid.UUID
    position: int
    status: ItemStatus
    proposed_by: str
    recused: list[uuid.UUID]


class Recusal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    representative_id: uuid.UUID


# --- attendance --------------------------------------------------------------------------


class Mode(StrEnum):
    in_person = "in_person"
    remote = "remote"


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    representative_id: uuid.UUID | None = None
    guest_id: uuid.UUID | None = None
    mode: Mode
    at: Moment | None = Field(default=None, description="When; now when not given")

    @model_validator(mode="after")
    def _one(self) -> CheckIn:
        if (self.representative_id is None) == (self.guest_id is None):
            raise ValueError(_("give either representative_id or guest_id"))
        return self


class CheckOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    representative_id: uuid.UUID | None = None
    guest_id: uuid.UUID | None = None
    at: Moment | None = None

    @model_validator(mode="after")
    def _one(self) -> CheckOut:
        if (self.representative_id is None) == (self.guest_id is None):
            raise ValueError(_("give either representative_id or guest_id"))
        return self


class AttendanceOut(BaseModel):
    representative_id: uuid.UUID | None
    guest_id: uuid.UUID | None
    name: str
    role: Literal["principal", "substitute", "guest"]
    member_id: uuid.UUID | None
    mode: Mode
    checked_in_at: datetime
    checked_out_at: datetime | None


class QuorumOut(BaseModel):
    present: bool
    seats_present: int
    seats: int
    members_present: int
    members: int
    needed: int
    explanation: str


# --- motions -----------------------------------------------------------------------------


class Method(StrEnum):
    roll_call = "roll_call"
    counted = "counted"


class GroupProposal(BaseModel):
    """The working group a decision forms: its number and day come from the decision."""

    model_config = ConfigDict(extra="forbid")

    kind: WorkingGroupKind = WorkingGroupKind.working_group
    name: LocalizedText
    mandate: Text
    convener_id: uuid.UUID | None = Field(default=None, description="A representative")
    deadline: Day | None = None
    members: Annotated[list[WorkingGroupMember], Field(max_length=200)] = Field(
        default_factory=list
    )


class MotionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"item_id": "3f1e2d4c-0000-4000-8000-000000000001",
                          "decision_kind": "working_group", "method": "roll_call",
                          "text": {"hy": "Ձևավորել փոքր աշխատանքային խմբեր"}}]
        },
    )  # fmt: skip

    item_id: uuid.UUID
    decision_kind: DecisionKind
    text: LocalizedText
    method: Method = Method.roll_call
    bylaws_id: uuid.UUID | None = Field(
        default=None, description="The draft a bylaws amendment puts in force"
    )
    working_group: GroupProposal | None = Field(
        default=None, description="The group a working group decision forms"
    )
    minutes_of: uuid.UUID | None = Field(
        default=None, description="The session whose minutes a minutes approval approves"
    )

    @model_validator(mode="after")
    def _effect(self) -> MotionIn:
        if (self.decision_kind == DecisionKind.bylaws_amendment) != (self.bylaws_id is not None):
            raise ValueError(_("bylaws_id: give it exactly for a bylaws amendment"))
        if (self.decision_kind == DecisionKind.working_group) != (self.working_group is not None):
            raise ValueError(_("working_group: give it exactly for a working group decision"))
        if (self.decision_kind == DecisionKind.minutes_approval) != (self.minutes_of is not None):
            raise ValueError(_("minutes_of: give it exactly for a minutes approval"))
        return self


class Choice(StrEnum):
    yes = "yes"
    no = "no"
    abstain = "abstain"


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    representative_id: uuid.UUID
    choice: Choice


class Totals(BaseModel):
    model_config = ConfigDict(extra="forbid")

    votes_for: int = Field(ge=0, le=10_000, strict=True)
    votes_against: int = Field(ge=0, le=10_000, strict=True)
    abstaining: int = Field(ge=0, le=10_000, strict=True)


class Closing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chair_casting_vote: Literal["for", "against"] | None = None


class BallotOut(BaseModel):
    representative_id: uuid.UUID
    member_id: uuid.UUID
    name: str
    choice: Choice
    cast_at: datetime


class ResultOut(BaseModel):
    passed: bool
    votes_for: int
    votes_against: int
    abstaining: int
    present: int
    seats: int
    needed: int
    quorum: str
    explanation: str


class MotionStatus(StrEnum):
    open = "open"
    decided = "decided"


class MotionOut(BaseModel):
    id: uuid.UUID
    number: int
    item_id: uuid.UUID
    decision_kind: DecisionKind
    text: LocalizedText
    method: Method
    status: MotionStatus
    bylaws_id: uuid.UUID | None = None
    minutes_of: uuid.UUID | None = None
    tally: Totals
    ballots: list[BallotOut]
    result: ResultOut | None
    decision: str | None = Field(description="The decision's number: n/year")


class CouncilSessionOut(CouncilSessionIn, Resource):
    """A session's full record: agenda, attendance, live quorum, motions and results."""

    council_id: uuid.UUID
    status: SessionStatus
    convened_on: date | None
    convened_by: ConvenedBy | None
    bylaws_id: uuid.UUID | None
    history: list[HistoryEntry]
    invitations: list[Invitation]
    agenda: list[AgendaItemOut]
    attendance: list[AttendanceOut]
    quorum: QuorumOut | None
    motions: list[MotionOut]
