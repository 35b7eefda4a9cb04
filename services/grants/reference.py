"""The grants service's own code lists (the registry's code lists of target groups and service
categories are checked over HTTP in the registry, see `clients.py`)."""

from __future__ import annotations

from enum import StrEnum


class PlanStatus(StrEnum):
    draft = "draft"
    consultation = "consultation"  # in public consultation
    adopted = "adopted"  # by the community council, with its decision's number and date
    superseded = "superseded"  # by an adopted revision


class ConsultationFormat(StrEnum):
    public_hearing = "public_hearing"
    focus_group = "focus_group"
    survey = "survey"
    working_meeting = "working_meeting"
    online = "online"
    other = "other"


class ApplicantKind(StrEnum):
    """Who may apply, as a call says it; matched against the applicant's kind in the registry."""

    cso = "cso"
    foundation = "foundation"
    local_government = "local_government"
    state_body = "state_body"
    business = "business"
    international_organisation = "international_organisation"


class CallStatus(StrEnum):
    open = "open"  # applications taken until closes_on (the dates say whether it still is)
    decided = "decided"  # awards made; scores and reasons public


class ApplicationStatus(StrEnum):
    submitted = "submitted"
    awarded = "awarded"
    rejected = "rejected"


class GrantStatus(StrEnum):
    awarded = "awarded"
    active = "active"
    completed = "completed"
    terminated = "terminated"


class CofundingSource(StrEnum):
    community = "community"  # the community's own budget: always listed first
    recipient = "recipient"
    other = "other"
