"""Applications to a call, their assessment and ranking, and the call's decision.

An applicant (a registry actor of a kind the call admits) applies for a community the call
covers and one priority of that community's adopted plan, while the call is open. Officers
score every criterion within the call's scale; an officer tied to the applicant is recused.
Applications, their scores and reasons are public once the call is decided."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.grants import access
from services.grants.clients import Registry
from services.grants.journal import journal
from services.grants.messages import _
from services.grants.models import (
    Assessment,
    GrantApplication,
    GrantCall,
    LocalPlan,
    PlanPriority,
)
from services.grants.money import MoneyAmount, from_minor
from services.grants.reference import (
    ApplicantKind,
    ApplicationStatus,
    CallStatus,
    CofundingSource,
    PlanStatus,
)
from services.grants.rules import calls, registry_checks
from services.grants.rules.registry_checks import field_error
from services.grants.schemas.applications import (
    AssessmentIn,
    AssessmentOut,
    BudgetLine,
    CofundingPledge,
    GrantApplicationIn,
    GrantApplicationOut,
    RankedApplication,
)
from services.grants.schemas.calls import CallDecision, GrantCallOut
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, NotFound

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def applicant_kind(actor: dict[str, Any]) -> ApplicantKind | None:
    """The kind a call names, from the registry actor: bodies by their kind, legal entities by
    their legal form; persons and entrepreneurs are not applicants."""
    kind = str(actor.get("kind"))
    if kind in ("local_government", "state_body"):
        return ApplicantKind(kind)
    if kind == "legal_entity":
        form = str(actor.get("legal_form"))
        if form in ApplicantKind.__members__:
            return ApplicantKind(form)
    return None


def weighted(criteria: list[dict[str, Any]], scale: int, scores: dict[str, int]) -> Decimal:
    """Σ weight × score / (Σ weight × scale), in percent, to the hundredth."""
    weights = {c["code"]: int(c["weight"]) for c in criteria}
    total = sum(weights[code] * scores[code] for code in weights)
    return (Decimal(total) * HUNDRED / (sum(weights.values()) * scale)).quantize(CENT)


def mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT)


async def _scores(
    session: AsyncSession, applications: list[GrantApplication]
) -> dict[uuid.UUID, list[Decimal]]:
    """The weighted score of every assessment of these applications."""
    out: dict[uuid.UUID, list[Decimal]] = {a.id: [] for a in applications}
    if not applications:
        return out
    call_ids = {a.call_id for a in applications}
    call_rows = await session.scalars(select(GrantCall).where(GrantCall.id.in_(call_ids)))
    by_call = {c.id: c for c in call_rows}
    call_of = {a.id: by_call[a.call_id] for a in applications}
    rows = await session.scalars(select(Assessment).where(Assessment.application_id.in_(list(out))))
    for row in rows:
        call = call_of[row.application_id]
        out[row.application_id].append(weighted(call.criteria, call.score_scale, row.scores))
    return out


def application_out(
    row: GrantApplication, scores: list[Decimal], show_score: bool
) -> GrantApplicationOut:
    def money(value: dict[str, Any]) -> MoneyAmount:
        return MoneyAmount.model_validate(value)

    return GrantApplicationOut(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        call_id=row.call_id,
        applicant_id=row.applicant_id,
        applicant_name=row.applicant_name,
        community_id=row.community_id,
        priority_id=row.priority_id,
        title=row.title,
        summary=row.summary,
        requested=from_minor(row.requested_minor, row.currency),
        budget_lines=[
            BudgetLine(item=b["item"], amount=money(b["amount"])) for b in row.budget_lines
        ],
        cofunding=[
            CofundingPledge(source=c["source"], name=c.get("name"), amount=money(c["amount"]))
            for c in row.cofunding
        ],
        submitted_on=row.submitted_on,
        status=ApplicationStatus(row.status),
        score=mean(scores) if show_score else None,
    )


async def application_views(
    session: AsyncSession, rows: list[GrantApplication], *, show_scores: bool
) -> list[GrantApplicationOut]:
    scores = await _scores(session, rows) if show_scores else {}
    return [application_out(r, scores.get(r.id, []), show_scores) for r in rows]


async def _represent(
    session: AsyncSession, row: GrantApplication, full: bool
) -> GrantApplicationOut:
    # The journal keeps the scores too; events are not published for applications before
    # the call is decided (see APPLICATIONS below), so they reach no one early.
    return (await application_views(session, [row], show_scores=True))[0]


def assessment_out(row: Assessment, call: GrantCall) -> AssessmentOut:
    return AssessmentOut(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        application_id=row.application_id,
        assessor=row.assessor,
        scores=row.scores,
        reasons=row.reasons,
        weighted_score=weighted(call.criteria, call.score_scale, row.scores),
    )


async def _represent_assessment(
    session: AsyncSession, row: Assessment, full: bool
) -> AssessmentOut:
    application = await session.get(GrantApplication, row.application_id)
    assert application is not None
    call = await calls.get_call(session, application.call_id)
    return assessment_out(row, call)


# Applications and assessments are not public until the call is decided: audited, never
# published on the change feed (the feed is public).
APPLICATIONS = journal.resource("grant_application", _represent, publish=False)
ASSESSMENTS = journal.resource("grant_assessment", _represent_assessment, publish=False)


async def get_application(session: AsyncSession, application_id: uuid.UUID) -> GrantApplication:
    row = await session.get(GrantApplication, application_id)
    if row is None:
        raise NotFound(
            _("There is no application {application_id}.", application_id=application_id)
        )
    return row


async def ensure_may_read(
    session: AsyncSession, principal: Principal | None, row: GrantApplication
) -> GrantCall:
    call = await calls.get_call(session, row.call_id)
    if call.status != CallStatus.decided and not access.reads_undecided(
        principal, row.applicant_id
    ):
        raise Forbidden(
            _("Applications are public once their call is decided; until then only grants "
              "officers and the applicant read them.")
        )  # fmt: skip
    return call


def applications_query(
    principal: Principal | None,
    *,
    call_id: uuid.UUID | None,
    applicant_id: uuid.UUID | None,
    status: ApplicationStatus | None,
) -> Select[Any]:
    """Applications the caller may read: those of decided calls; officers read all; an
    applicant its own."""
    statement = select(GrantApplication).join(GrantCall, GrantCall.id == GrantApplication.call_id)
    if principal is None or not principal.has_role(*access.OFFICERS):
        own = [uuid.UUID(a) for a in _uuids(principal.scope("actors") if principal else ())]
        visible = GrantCall.status == CallStatus.decided
        if own and principal is not None and principal.has_role(access.APPLICANT):
            visible = visible | GrantApplication.applicant_id.in_(own)
        statement = statement.where(visible)
    if call_id:
        statement = statement.where(GrantApplication.call_id == call_id)
    if applicant_id:
        statement = statement.where(GrantApplication.applicant_id == applicant_id)
    if status:
        statement = statement.where(GrantApplication.status == status)
    return statement


def _uuids(values: Any) -> list[str]:
    out = []
    for value in values:
        try:
            uuid.UUID(value)
        except ValueError:
            continue
        out.append(value)
    return out


async def adopted_priority(
    session: AsyncSession, priority_id: uuid.UUID, community_id: uuid.UUID, field: str
) -> PlanPriority:
    """A priority of the community's adopted plan, or a 422 naming the field."""
    row = (
        await session.execute(
            select(PlanPriority, LocalPlan)
            .join(LocalPlan, LocalPlan.id == PlanPriority.plan_id)
            .where(PlanPriority.id == priority_id)
        )
    ).first()
    if row is None or row[1].community_id != community_id or row[1].status != PlanStatus.adopted:
        raise field_error(
            field,
            _("{priority_id} is not a priority of the community's adopted local social plan",
              priority_id=priority_id),
            _("Priority outside the adopted plan"),
        )  # fmt: skip
    return row[0]


async def submit(
    session: AsyncSession, registry: Registry, principal: Principal, data: GrantApplicationIn
) -> GrantApplicationOut:
    access.ensure_applies_for(principal, data.applicant_id)
    call = await session.get(GrantCall, data.call_id)
    if call is None:
        raise field_error("call_id", _("there is no call {call_id}", call_id=data.call_id),
                          _("Unknown call"))  # fmt: skip
    day = calls.today()
    if call.status != CallStatus.open or not call.opens_on <= day <= call.closes_on:
        raise field_error(
            "call_id",
            _("the call takes applications from {opens_on} to {closes_on}; today is {today}",
              opens_on=call.opens_on, closes_on=call.closes_on, today=day)
            if call.status == CallStatus.open
            else _("the call was decided on {decided_on}", decided_on=call.decided_on),
            _("Call not open"),
        )  # fmt: skip
    if data.requested.currency != call.currency:
        raise field_error("requested.currency", _("the call's grants are in {currency}",
                          currency=call.currency), _("Wrong currency"))  # fmt: skip
    if data.requested.minor > call.max_grant_minor:
        raise field_error(
            "requested",
            _("the call's grants are at most {max_grant} {currency}",
              max_grant=str(from_minor(call.max_grant_minor, call.currency).amount),
              currency=call.currency),
            _("Over the most a grant may be"),
        )  # fmt: skip
    community_pledge = sum(
        (p.amount.minor for p in data.cofunding if p.source == CofundingSource.community), 0
    )
    needed = data.requested.minor * call.cofunding_share_bp
    if community_pledge * 10_000 < needed:
        raise field_error(
            "cofunding",
            _("the community brings at least {share}% of the amount requested",
              share=str(Decimal(call.cofunding_share_bp).scaleb(-2).normalize())),
            _("Community co-funding too low"),
        )  # fmt: skip
    await adopted_priority(session, data.priority_id, data.community_id, "priority_id")
    actor = await registry_checks.actor(registry, data.applicant_id, "applicant_id")
    kind = applicant_kind(actor)
    if kind is None or kind not in call.applicant_kinds:
        raise field_error(
            "applicant_id",
            _("the call admits {kinds}; the applicant is not one of them",
              kinds=", ".join(call.applicant_kinds)),
            _("Applicant not eligible"),
        )  # fmt: skip
    community = await registry_checks.community(registry, data.community_id, "community_id")
    places = call.eligible_communities or call.eligible_regions
    if places and not (
        str(data.community_id) in call.eligible_communities
        or community.get("region_code") in call.eligible_regions
    ):
        raise field_error("community_id", _("the call does not cover this community"),
                          _("Community not eligible"))  # fmt: skip
    row = GrantApplication(
        id=uuid.uuid4(),
        call_id=call.id,
        applicant_id=data.applicant_id,
        applicant_name=registry_checks.actor_name(actor),
        community_id=data.community_id,
        priority_id=data.priority_id,
        title=data.title,
        summary=data.summary,
        currency=data.requested.currency,
        requested_minor=data.requested.minor,
        budget_lines=[b.model_dump(mode="json") for b in data.budget_lines],
        cofunding=[c.model_dump(mode="json") for c in data.cofunding],
        submitted_on=day,
        status=ApplicationStatus.submitted,
    )
    session.add(row)
    return await APPLICATIONS.created(session, principal, row)


async def assess(
    session: AsyncSession, principal: Principal, application: GrantApplication, data: AssessmentIn
) -> AssessmentOut:
    call = await calls.get_call(session, application.call_id)
    calls.ensure_not_decided(call)
    if access.is_tied_to(principal, application.applicant_id):
        raise Conflict(
            _("You are tied to the applicant ({applicant}) and are recused from assessing "
              "this application.", applicant=application.applicant_name),
            title=_("Assessor recused"),
        )  # fmt: skip
    codes = [c["code"] for c in call.criteria]
    unknown = sorted(set(data.scores) - set(codes))
    missing = [c for c in codes if c not in data.scores]
    if unknown or missing:
        raise field_error(
            "scores",
            _("score each criterion of the call ({codes}) once; unknown: {unknown}; "
              "missing: {missing}", codes=", ".join(codes), unknown=", ".join(unknown) or "-",
              missing=", ".join(missing) or "-"),
            _("Scores do not match the criteria"),
        )  # fmt: skip
    for code, score in data.scores.items():
        if not 0 <= score <= call.score_scale:
            raise field_error(
                f"scores.{code}",
                _("a score is from 0 to {scale}; {score} is not",
                  scale=call.score_scale, score=score),
                _("Score outside the scale"),
            )  # fmt: skip
    exists = await session.scalar(
        select(Assessment.id).where(
            Assessment.application_id == application.id, Assessment.assessor == principal.subject
        )
    )
    if exists is not None:
        raise Conflict(
            _("You have already assessed this application ({assessment_id}).",
              assessment_id=exists),
            title=_("Already assessed"),
        )  # fmt: skip
    row = Assessment(
        application_id=application.id,
        assessor=principal.subject,
        scores={c: data.scores[c] for c in codes},
        reasons=data.reasons,
    )
    session.add(row)
    try:
        out = await ASSESSMENTS.created(session, principal, row)
    except IntegrityError as exc:
        raise Conflict(_("You have just assessed this application.")) from exc
    return out


async def assessments_of(
    session: AsyncSession, application: GrantApplication, call: GrantCall
) -> list[AssessmentOut]:
    rows = await session.scalars(
        select(Assessment)
        .where(Assessment.application_id == application.id)
        .order_by(Assessment.created_at, Assessment.id)
    )
    return [assessment_out(r, call) for r in rows]


async def ranking(session: AsyncSession, call: GrantCall) -> list[RankedApplication]:
    """The call's applications by their mean weighted score, best first; unassessed last."""
    rows = list(
        await session.scalars(select(GrantApplication).where(GrantApplication.call_id == call.id))
    )
    scores = await _scores(session, rows)
    ordered = sorted(
        rows,
        key=lambda r: (
            -(mean(scores[r.id]) or Decimal(-1)),
            r.submitted_on,
            str(r.id),
        ),
    )
    return [
        RankedApplication(
            rank=rank,
            application_id=r.id,
            applicant_id=r.applicant_id,
            applicant_name=r.applicant_name,
            community_id=r.community_id,
            requested=from_minor(r.requested_minor, r.currency),
            status=ApplicationStatus(r.status),
            assessments=len(scores[r.id]),
            score=mean(scores[r.id]),
        )
        for rank, r in enumerate(ordered, start=1)
    ]


def ensure_may_read_ranking(principal: Principal | None, call: GrantCall) -> None:
    if call.status == CallStatus.decided:
        return
    if principal is None or not principal.has_role(*access.OFFICERS):
        raise Forbidden(
            _("Scores and reasons are public once the call is decided; until then only grants "
              "officers read them.")
        )  # fmt: skip


async def decide(
    session: AsyncSession,
    principal: Principal,
    call: GrantCall,
    before: GrantCallOut,
    decision: CallDecision,
) -> GrantCallOut:
    """Close the call: what was not awarded is rejected, and scores and reasons go public."""
    calls.ensure_not_decided(call)
    if decision.decided_on < call.closes_on:
        raise field_error(
            "decided_on",
            _("a call is decided after it closes on {closes_on}", closes_on=call.closes_on),
            _("Call still open"),
        )
    pending = await session.scalars(
        select(GrantApplication).where(
            GrantApplication.call_id == call.id,
            GrantApplication.status == ApplicationStatus.submitted,
        )
    )
    for application in pending:
        previous = await APPLICATIONS.snapshot(session, application)
        application.status = ApplicationStatus.rejected
        await APPLICATIONS.updated(session, principal, application, previous)
    call.status = CallStatus.decided
    call.decided_on = decision.decided_on
    return await calls.CALLS.updated(session, principal, call, before, event="decided")
