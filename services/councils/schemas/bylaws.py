"""Bylaws: the rules of procedure a council adopts, with the parameters a machine checks.

Shares are exact fractions written "n/d" ("1/2", "2/3"): two thirds has no exact decimal.
Sessions, quorum and votes (issue 15) read these parameters: `services.councils.rules.decide`
holds the arithmetic."""

from __future__ import annotations

import uuid
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, Literal

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


def _share(value: str) -> str:
    numerator, _sep, denominator = value.partition("/")
    if int(denominator) == 0:
        raise ValueError(_("a share cannot have 0 as its denominator"))
    share = Fraction(int(numerator), int(denominator))
    if not 0 < share <= 1:
        raise ValueError(
            _("a share is more than 0 and at most 1 (100 %), e.g. 1/2 or 2/3; {share} is not",
              share=value)
        )  # fmt: skip
    return f"{share.numerator}/{share.denominator}"


Share = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\d{1,4}/\d{1,4}$"),
    AfterValidator(_share),
]


def fraction(share: str) -> Fraction:
    numerator, _sep, denominator = share.partition("/")
    return Fraction(int(numerator), int(denominator))


class SessionFormat(StrEnum):
    in_person = "in_person"
    remote = "remote"
    hybrid = "hybrid"


class Comparison(StrEnum):
    more_than = "more_than"
    at_least = "at_least"


class QuorumBase(StrEnum):
    members = "members"
    seats = "seats"


class ThresholdBase(StrEnum):
    votes_cast = "votes_cast"  # for + against
    present = "present"  # voters present
    all_seats = "all_seats"  # every open seat of the council


class TieRule(StrEnum):
    fails = "fails"
    chair_casting_vote = "chair_casting_vote"


class DecisionKind(StrEnum):
    ordinary = "ordinary"
    bylaws_amendment = "bylaws_amendment"
    election = "election"
    working_group = "working_group"
    minutes_approval = "minutes_approval"


class Threshold(BaseModel):
    """A decision passes when the votes for are `comparison` `share` of `base`."""

    model_config = ConfigDict(extra="forbid")

    share: Share
    comparison: Comparison = Comparison.more_than
    base: ThresholdBase
    tie: TieRule = TieRule.fails


class Quorum(BaseModel):
    model_config = ConfigDict(extra="forbid")

    share: Share
    comparison: Comparison = Comparison.more_than
    base: QuorumBase
    remote_counts: bool = Field(description="Whether members present remotely count")


class Convening(BaseModel):
    """Who may convene a session."""

    model_config = ConfigDict(extra="forbid")

    chair: bool = True
    secretary: bool = False
    members_share: Share | None = Field(
        default=None, description="A share of members who may request a session"
    )


class Notice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ordinary_days: int = Field(ge=0, le=365, strict=True)
    extraordinary_days: int = Field(ge=0, le=365, strict=True)


class Decisions(BaseModel):
    """The threshold of each kind of decision."""

    model_config = ConfigDict(extra="forbid")

    ordinary: Threshold
    bylaws_amendment: Threshold
    election: Threshold
    working_group: Threshold
    minutes_approval: Threshold


class MinutesRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approval: Literal["next_session", "within_days"] = "next_session"
    within_days: int | None = Field(default=None, ge=1, le=365, strict=True)


class BylawsParameters(BaseModel):
    """What a machine checks of the bylaws."""

    model_config = ConfigDict(extra="forbid")

    seats_per_member: int = Field(ge=1, le=20, strict=True, description="Voting seats each")
    convening: Convening
    notice: Notice
    formats: Annotated[list[SessionFormat], Field(min_length=1, max_length=3)]
    quorum: Quorum
    decisions: Decisions
    minutes: MinutesRule = Field(default_factory=MinutesRule)

    @model_validator(mode="after")
    def _consistent(self) -> BylawsParameters:
        if len(set(self.formats)) != len(self.formats):
            raise ValueError(_("formats: each format is listed once"))
        remote = {SessionFormat.remote, SessionFormat.hybrid} & set(self.formats)
        if self.quorum.remote_counts and not remote:
            raise ValueError(
                _("quorum.remote_counts: remote presence cannot count when no session may be "
                  "held remotely or hybrid")
            )  # fmt: skip
        c = self.convening
        if not (c.chair or c.secretary or c.members_share):
            raise ValueError(_("convening: somebody must be able to convene a session"))
        if self.notice.extraordinary_days > self.notice.ordinary_days:
            raise ValueError(
                _("notice: an extraordinary session cannot need longer notice than an ordinary one")
            )
        if (self.minutes.approval == "within_days") != (self.minutes.within_days is not None):
            raise ValueError(
                _("minutes.within_days: give the days exactly when approval is within_days")
            )
        return self


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200_000)]

EXAMPLE_PARAMETERS: dict[str, Any] = {
    "seats_per_member": 1,
    "convening": {"chair": True, "secretary": True, "members_share": "1/3"},
    "notice": {"ordinary_days": 7, "extraordinary_days": 2},
    "formats": ["in_person", "remote", "hybrid"],
    "quorum": {"share": "1/2", "comparison": "more_than", "base": "seats", "remote_counts": True},
    "decisions": {
        "ordinary": {"share": "1/2", "base": "present", "tie": "chair_casting_vote"},
        "bylaws_amendment": {"share": "2/3", "comparison": "at_least", "base": "all_seats"},
        "election": {"share": "1/2", "base": "votes_cast"},
        "working_group": {"share": "1/2", "base": "present"},
        "minutes_approval": {"share": "1/2", "base": "votes_cast"},
    },
    "minutes": {"approval": "next_session"},
}


class BylawsIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"text_hy": "Խորհրդի աշխատակարգ ...", "parameters": EXAMPLE_PARAMETERS}]
        },
    )

    text_hy: Text
    text_en: Text | None = None
    parameters: BylawsParameters


if TYPE_CHECKING:
    BylawsPatch = BaseModel
else:
    BylawsPatch = patch_of(BylawsIn, name="BylawsPatch")


class Adoption(BaseModel):
    """The council's decision adopting a version: the votes as counted."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"adopted_on": "2024-05-10", "votes_for": 4, "votes_against": 0,
                 "abstaining": 1, "present": 5, "decision": "1/2024"}
            ]
        },
    )  # fmt: skip

    adopted_on: Day
    votes_for: int = Field(ge=0, le=10_000, strict=True)
    votes_against: int = Field(ge=0, le=10_000, strict=True)
    abstaining: int = Field(ge=0, le=10_000, strict=True)
    present: int = Field(ge=0, le=10_000, strict=True, description="Voters present")
    members_present: int | None = Field(
        default=None, ge=0, le=10_000, strict=True, description="Needed when quorum counts members"
    )
    chair_casting_vote: Literal["for", "against"] | None = None
    decision: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None

    @model_validator(mode="after")
    def _counts(self) -> Adoption:
        if self.votes_for + self.votes_against + self.abstaining > self.present:
            raise ValueError(_("present: more votes were counted than voters were present"))
        return self


class AdoptionOut(Adoption):
    seats: int = Field(description="Open seats of the council on the day")
    rule: str = Field(description="The rule the votes were checked against")
    explanation: str


class BylawsStatus(StrEnum):
    draft = "draft"
    adopted = "adopted"


class BylawsOut(BylawsIn, Resource):
    council_id: uuid.UUID
    number: int
    status: BylawsStatus
    adoption: AdoptionOut | None
