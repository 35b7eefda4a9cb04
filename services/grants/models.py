"""The grants service's tables. Money is stored as integers of the currency's minor unit with
the currency beside them (see `money.py`); names people read per language (`*_hy`, `*_en`).
References to the registry (communities, actors, networks) are ids checked over HTTP when
written."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import Uuid

from shared.database import IdMixin, TimestampMixin, UTCDateTime, VersionedMixin, make_metadata
from shared.idempotency import idempotency_table
from shared.inbox import inbox_table
from shared.journal import audit_table
from shared.outbox import outbox_tables


class Base(DeclarativeBase):
    metadata = make_metadata()


idempotency_keys = idempotency_table(Base.metadata)
audit_log = audit_table(Base.metadata)
outbox = outbox_tables(Base.metadata)
# How far the registry's change feed has been applied (recipients changed or deleted).
inbox_positions = inbox_table(Base.metadata)


class LocalPlan(IdMixin, VersionedMixin, TimestampMixin, Base):
    """A community's local social plan for a period; a revision is a new row (`revision` + 1)
    that supersedes the adopted one when it is adopted in its turn."""

    __tablename__ = "local_plans"

    community_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    period_from: Mapped[int] = mapped_column(Integer)  # first year
    period_to: Mapped[int] = mapped_column(Integer)  # last year
    revision: Mapped[int] = mapped_column(Integer, default=1)
    revises_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("local_plans.id"))
    status: Mapped[str] = mapped_column(String(20))
    network_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    title_hy: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    needs_assessment: Mapped[str | None] = mapped_column(Text)
    decision_number: Mapped[str | None] = mapped_column(String(60))
    decision_date: Mapped[date | None] = mapped_column(Date)
    amounts_illustrative: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        # Two adopted plans of one community for one period: the database refuses the second
        # even when two adoptions race.
        Index(
            "uq_local_plans_adopted",
            "community_id",
            "period_from",
            "period_to",
            unique=True,
            sqlite_where=text("status = 'adopted'"),
            postgresql_where=text("status = 'adopted'"),
        ),
    )


class PlanPriority(IdMixin, Base):
    __tablename__ = "plan_priorities"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("local_plans.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int] = mapped_column(Integer)
    title_hy: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    service_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    justification: Mapped[str | None] = mapped_column(Text)
    indicators: Mapped[list[str]] = mapped_column(JSON, default=list)
    cost_minor: Mapped[int | None] = mapped_column(BigInteger)
    cost_currency: Mapped[str | None] = mapped_column(String(3))

    __table_args__ = (UniqueConstraint("plan_id", "rank"),)


class Consultation(IdMixin, VersionedMixin, TimestampMixin, Base):
    """A consultation held on a plan: groups and counts, never the persons."""

    __tablename__ = "plan_consultations"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("local_plans.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    format: Mapped[str] = mapped_column(String(30))
    groups: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text)


class GrantProgramme(IdMixin, VersionedMixin, TimestampMixin, Base):
    __tablename__ = "grant_programmes"

    name_hy: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    funders: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    beneficiary_scope: Mapped[str | None] = mapped_column(Text)
    selection_criteria: Mapped[list[str]] = mapped_column(JSON, default=list)
    methodology: Mapped[str | None] = mapped_column(Text)
    amounts_illustrative: Mapped[bool] = mapped_column(Boolean, default=False)


class ProgrammeBudget(IdMixin, Base):
    """A programme's budget in one currency; a programme may hold several."""

    __tablename__ = "programme_budgets"

    programme_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("grant_programmes.id", ondelete="CASCADE"), index=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (UniqueConstraint("programme_id", "currency"),)


class GrantCall(IdMixin, VersionedMixin, TimestampMixin, Base):
    __tablename__ = "grant_calls"

    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grant_programmes.id"), index=True)
    component: Mapped[str | None] = mapped_column(String(40))
    title_hy: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    eligible_communities: Mapped[list[str]] = mapped_column(JSON, default=list)
    eligible_regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    applicant_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    score_scale: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    budget_minor: Mapped[int] = mapped_column(BigInteger)
    max_grant_minor: Mapped[int] = mapped_column(BigInteger)
    cofunding_share_bp: Mapped[int] = mapped_column(Integer, default=0)  # basis points
    status: Mapped[str] = mapped_column(String(20))
    decided_on: Mapped[date | None] = mapped_column(Date)
    amounts_illustrative: Mapped[bool] = mapped_column(Boolean, default=False)


class GrantApplication(IdMixin, VersionedMixin, TimestampMixin, Base):
    __tablename__ = "grant_applications"

    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grant_calls.id"), index=True)
    applicant_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    applicant_name: Mapped[str] = mapped_column(String(300))
    community_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    priority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan_priorities.id"))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    requested_minor: Mapped[int] = mapped_column(BigInteger)
    budget_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cofunding: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    submitted_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))


class Assessment(IdMixin, VersionedMixin, TimestampMixin, Base):
    """One assessor's scores of one application, per criterion of its call."""

    __tablename__ = "grant_assessments"

    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("grant_applications.id"), index=True
    )
    assessor: Mapped[str] = mapped_column(String(200))
    scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    reasons: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("application_id", "assessor"),)


class Grant(IdMixin, VersionedMixin, TimestampMixin, Base):
    __tablename__ = "grants"

    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grant_programmes.id"), index=True)
    call_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("grant_calls.id"), index=True)
    application_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("grant_applications.id"), unique=True
    )
    recipient_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    recipient_name: Mapped[str] = mapped_column(String(300))
    # Set from the registry's change feed: "changed" or "deleted"; a grant is never dropped.
    recipient_flag: Mapped[str | None] = mapped_column(String(20))
    recipient_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    community_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    priority_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("plan_priorities.id"))
    title_hy: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    cofunding: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    awarded_on: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    amounts_illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    # Amendments of the amount awarded, oldest first: {amended_on, previous_minor, amount_minor,
    # reason, decision_number, decision_date}; `amount_minor` is the amount as last amended.
    amendments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    __table_args__ = (
        Index("ix_grants_community_awarded", "community_id", "awarded_on", "id"),
        Index("ix_grants_priority", "priority_id"),
    )


class Disbursement(IdMixin, VersionedMixin, TimestampMixin, Base):
    """A tranche paid on a grant, in the grant's currency."""

    __tablename__ = "grant_disbursements"

    grant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grants.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str | None] = mapped_column(String(120))


class CofundingReceipt(IdMixin, VersionedMixin, TimestampMixin, Base):
    """What a co-funder actually paid, against its pledge on the grant (by source and name)."""

    __tablename__ = "cofunding_receipts"

    grant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grants.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(300))
    received_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)


class ExpenditureReport(IdMixin, VersionedMixin, TimestampMixin, Base):
    """A recipient's report of what it spent in a period, per budget line (`ExpenditureLine`)."""

    __tablename__ = "expenditure_reports"

    grant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grants.id"), index=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))


class ExpenditureLine(IdMixin, Base):
    __tablename__ = "expenditure_lines"

    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("expenditure_reports.id", ondelete="CASCADE"), index=True
    )
    grant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grants.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    budget_line: Mapped[str] = mapped_column(String(300))
    spent_on: Mapped[date] = mapped_column(Date)  # the report's last day: its rate's date
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    documents: Mapped[list[str]] = mapped_column(JSON, default=list)


class Reclaim(IdMixin, VersionedMixin, TimestampMixin, Base):
    """An amount the funder claims back: unspent, or spent on what was not eligible."""

    __tablename__ = "grant_reclaims"

    grant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    decided_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)


class ExchangeRate(IdMixin, VersionedMixin, TimestampMixin, Base):
    """Drams for one unit of a currency on a day, exact to 10^-6 (`rate_micro`), as an officer
    entered it or a CSV of the Central Bank of Armenia's published rates brought it."""

    __tablename__ = "exchange_rates"

    currency: Mapped[str] = mapped_column(String(3))
    rate_on: Mapped[date] = mapped_column(Date)
    rate_micro: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(20))

    __table_args__ = (UniqueConstraint("currency", "rate_on"),)


class RateImport(IdMixin, VersionedMixin, TimestampMixin, Base):
    """One import of published rates: what it brought, journaled as one write."""

    __tablename__ = "exchange_rate_imports"

    source: Mapped[str] = mapped_column(String(20))
    rates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    skipped: Mapped[int] = mapped_column(Integer, default=0)


class ResultIndicator(IdMixin, VersionedMixin, TimestampMixin, Base):
    """An indicator of a grant or of a plan priority (one of the two): its unit, baseline and,
    per reporting period, a target and an actual (exact decimals kept as text)."""

    __tablename__ = "result_indicators"

    grant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("grants.id"), index=True)
    priority_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("plan_priorities.id"), index=True
    )
    name_hy: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(60))
    baseline: Mapped[str | None] = mapped_column(String(40))
    periods: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class BeneficiaryCount(IdMixin, VersionedMixin, TimestampMixin, Base):
    """How many a grant reached in a period, as counts by target group, sex and age band:
    never persons."""

    __tablename__ = "beneficiary_counts"

    grant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grants.id"), index=True)
    period: Mapped[str] = mapped_column(String(20))
    total: Mapped[int] = mapped_column(Integer)
    counts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    __table_args__ = (UniqueConstraint("grant_id", "period"),)


class BeneficiarySelection(IdMixin, VersionedMixin, TimestampMixin, Base):
    """A programme's selection of beneficiaries: the criteria applied and how many were
    selected under each (counts only)."""

    __tablename__ = "beneficiary_selections"

    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grant_programmes.id"), index=True)
    community_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    selected_on: Mapped[date] = mapped_column(Date)
    total: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class ServiceStandard(IdMixin, VersionedMixin, TimestampMixin, Base):
    """A minimum standard of one service category (the registry's code), versioned: each a list
    of criteria with a measurable threshold. A retired version takes no new assessment."""

    __tablename__ = "service_standards"

    category: Mapped[str] = mapped_column(String(40), index=True)
    edition: Mapped[int] = mapped_column(Integer)
    title_hy: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    retired_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("category", "edition"),)


class ComplianceAssessment(IdMixin, VersionedMixin, TimestampMixin, Base):
    """A registry service or a grant's pilot assessed against a standard, criterion by
    criterion, with evidence."""

    __tablename__ = "compliance_assessments"

    standard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_standards.id"), index=True)
    service_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    grant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("grants.id"), index=True)
    community_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    compliant: Mapped[bool] = mapped_column(Boolean)
