"""Local social plans: one per community and period, drawn up with the community (draft →
public consultation → adopted by the community council → superseded by an adopted revision),
their ranked priorities and the consultations held on them."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.grants import access
from services.grants.clients import Registry
from services.grants.journal import journal
from services.grants.messages import _
from services.grants.models import Consultation, LocalPlan, PlanPriority
from services.grants.money import MoneyAmount, money_or_none
from services.grants.reference import ConsultationFormat, PlanStatus
from services.grants.rules import registry_checks
from services.grants.schemas.plans import (
    ConsultationIn,
    ConsultationOut,
    ConsultedGroup,
    Decision,
    PlanIn,
    PlanOut,
    PlanPatch,
    PriorityIn,
    PriorityOut,
)
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import Conflict, NotFound
from shared.text import LocalizedText

OPEN = (PlanStatus.draft, PlanStatus.consultation)


def priority_out(row: PlanPriority) -> PriorityOut:
    return PriorityOut(
        id=row.id,
        rank=row.rank,
        title=LocalizedText(hy=row.title_hy, en=row.title_en),
        target_groups=row.target_groups,
        service_categories=row.service_categories,
        justification=row.justification,
        indicators=row.indicators,
        estimated_cost=money_or_none(row.cost_minor, row.cost_currency),
    )


def plan_out(plan: LocalPlan, priorities: list[PlanPriority], consultations: int) -> PlanOut:
    return PlanOut(
        id=plan.id,
        version=plan.version,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
        community_id=plan.community_id,
        period_from=plan.period_from,
        period_to=plan.period_to,
        revision=plan.revision,
        revises_id=plan.revises_id,
        status=PlanStatus(plan.status),
        title=LocalizedText(hy=plan.title_hy, en=plan.title_en),
        network_id=plan.network_id,
        needs_assessment=plan.needs_assessment,
        decision=Decision(number=plan.decision_number, date=plan.decision_date)
        if plan.decision_number and plan.decision_date
        else None,
        priorities=[priority_out(p) for p in sorted(priorities, key=lambda p: p.rank)],
        consultations=consultations,
        amounts_illustrative=plan.amounts_illustrative,
    )


async def plan_views(session: AsyncSession, plans: list[LocalPlan]) -> list[PlanOut]:
    """Plans with their priorities and consultation counts: one query per collection."""
    ids = [p.id for p in plans]
    priorities: dict[uuid.UUID, list[PlanPriority]] = {i: [] for i in ids}
    counts: dict[uuid.UUID, int] = {}
    if ids:
        for row in await session.scalars(select(PlanPriority).where(PlanPriority.plan_id.in_(ids))):
            priorities[row.plan_id].append(row)
        counted = await session.execute(
            select(Consultation.plan_id, func.count())
            .where(Consultation.plan_id.in_(ids))
            .group_by(Consultation.plan_id)
        )
        counts = {plan_id: int(n) for plan_id, n in counted.all()}
    return [plan_out(p, priorities[p.id], counts.get(p.id, 0)) for p in plans]


_READ_PLAN: dict[str, Select[Any]] = {}
_PRIORITY_COLUMNS = ("id", "rank", "title_hy", "title_en", "target_groups", "service_categories",
                     "justification", "indicators", "cost_minor", "cost_currency")  # fmt: skip


def _read_plan_statement(dialect: str) -> Select[Any]:
    """One statement for a plan, its priorities (a JSON array built by the database) and its
    number of consultations; built once per dialect."""
    if dialect not in _READ_PLAN:
        aggregate, array = (
            (func.json_agg, func.json_build_array)
            if dialect == "postgresql"
            else (func.json_group_array, func.json_array)
        )
        plans, priorities = LocalPlan.__table__, PlanPriority.__table__
        consultations = Consultation.__table__
        _READ_PLAN[dialect] = select(
            plans,
            select(aggregate(array(*(priorities.c[c] for c in _PRIORITY_COLUMNS))))
            .where(priorities.c.plan_id == plans.c.id)
            .scalar_subquery()
            .label("priorities_json"),
            select(func.count())
            .where(consultations.c.plan_id == plans.c.id)
            .scalar_subquery()
            .label("consultations"),
        ).where(plans.c.id == bindparam("plan_id"))
    return _READ_PLAN[dialect]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def read_plan(session: AsyncSession, plan_id: uuid.UUID) -> PlanOut:
    """The representation of one plan from one statement of plain rows (the read path)."""
    connection = await session.connection()
    statement = _read_plan_statement(connection.dialect.name)
    row = (await connection.execute(statement, {"plan_id": plan_id})).first()
    if row is None:
        raise NotFound(_("There is no local social plan {plan_id}.", plan_id=plan_id))
    priorities = []
    for values in _json(row.priorities_json) or []:
        fields = dict(zip(_PRIORITY_COLUMNS, values, strict=True))
        fields["id"] = uuid.UUID(str(fields["id"]))
        for listed in ("target_groups", "service_categories", "indicators"):
            fields[listed] = _json(fields[listed]) or []
        priorities.append(PlanPriority(**fields))
    return plan_out(row, priorities, int(row.consultations))


async def _represent_plan(session: AsyncSession, plan: LocalPlan, full: bool) -> PlanOut:
    return (await plan_views(session, [plan]))[0]


def consultation_out(row: Consultation) -> ConsultationOut:
    groups = [ConsultedGroup.model_validate(g) for g in row.groups]
    return ConsultationOut(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        plan_id=row.plan_id,
        held_on=row.held_on,
        format=ConsultationFormat(row.format),
        groups=groups,
        summary=row.summary,
        participants=sum(g.participants for g in groups),
    )


async def _represent_consultation(
    session: AsyncSession, row: Consultation, full: bool
) -> ConsultationOut:
    return consultation_out(row)


PLANS = journal.resource("local_plan", _represent_plan, event_prefix="plan")
CONSULTATIONS = journal.resource(
    "plan_consultation",
    _represent_consultation,
    event_prefix="consultation",
    stream_of=lambda row: row.plan_id,
    verbs=("created",),
)


async def get_plan(session: AsyncSession, plan_id: uuid.UUID) -> LocalPlan:
    plan = await session.get(LocalPlan, plan_id)
    if plan is None:
        raise NotFound(_("There is no local social plan {plan_id}.", plan_id=plan_id))
    return plan


def plans_query(
    *,
    community_id: uuid.UUID | None,
    status: PlanStatus | None,
    year: int | None,
) -> Select[Any]:
    statement = select(LocalPlan)
    if community_id:
        statement = statement.where(LocalPlan.community_id == community_id)
    if status:
        statement = statement.where(LocalPlan.status == status)
    if year is not None:
        statement = statement.where(LocalPlan.period_from <= year, LocalPlan.period_to >= year)
    return statement


def ensure_may_write(principal: Principal, community_id: uuid.UUID) -> None:
    access.ensure_writes_plans_of(principal, community_id, _("the plans of this community"))


async def _check_references(registry: Registry, data: PlanIn) -> None:
    """The community, the network and every code, in the registry (422 or 503)."""
    await registry_checks.community(registry, data.community_id, "community_id")
    if data.network_id is not None:
        await registry_checks.network(registry, data.network_id, "network_id")
    await registry_checks.codes(
        registry,
        target_groups=[
            (f"priorities.{i}.target_groups", code)
            for i, p in enumerate(data.priorities)
            for code in p.target_groups
        ],
        service_categories=[
            (f"priorities.{i}.service_categories", code)
            for i, p in enumerate(data.priorities)
            for code in p.service_categories
        ],
    )


async def _overlapping(
    session: AsyncSession, data: PlanIn, statuses: tuple[PlanStatus, ...], *, but: set[uuid.UUID]
) -> LocalPlan | None:
    statement = select(LocalPlan).where(
        LocalPlan.community_id == data.community_id,
        LocalPlan.status.in_(statuses),
        LocalPlan.period_from <= data.period_to,
        LocalPlan.period_to >= data.period_from,
    )
    if but:
        statement = statement.where(LocalPlan.id.not_in(but))
    return await session.scalar(statement.limit(1))


def _priorities_in(before: PlanOut) -> list[dict[str, Any]]:
    return [p.model_dump(include=set(PriorityIn.model_fields)) for p in before.priorities]


def plan_in(before: PlanOut) -> PlanIn:
    """What was sent to make the plan as it is now."""
    stored = before.model_dump(include=set(PlanIn.model_fields))
    return PlanIn.model_validate(stored | {"priorities": _priorities_in(before)})


def _fill(plan: LocalPlan, data: PlanIn) -> None:
    plan.community_id = data.community_id
    plan.period_from, plan.period_to = data.period_from, data.period_to
    plan.title_hy, plan.title_en = data.title.hy, data.title.en
    plan.network_id = data.network_id
    plan.needs_assessment = data.needs_assessment
    plan.amounts_illustrative = data.amounts_illustrative


def _priority_rows(plan_id: uuid.UUID, priorities: list[PriorityIn]) -> list[PlanPriority]:
    rows = []
    for rank, p in enumerate(priorities, start=1):
        cost: MoneyAmount | None = p.estimated_cost
        rows.append(
            PlanPriority(
                plan_id=plan_id,
                rank=rank,
                title_hy=p.title.hy,
                title_en=p.title.en,
                target_groups=list(dict.fromkeys(p.target_groups)),
                service_categories=list(dict.fromkeys(p.service_categories)),
                justification=p.justification,
                indicators=list(p.indicators),
                cost_minor=cost.minor if cost else None,
                cost_currency=cost.currency if cost else None,
            )
        )
    return rows


def _plan_exists(other: LocalPlan) -> Conflict:
    return Conflict(
        _(
            "The community already has a plan for {period_from}–{period_to} ({plan_id}, "
            "{status}); a community has one plan per period. Change that plan, or revise it "
            "once it is adopted.",
            period_from=other.period_from,
            period_to=other.period_to,
            plan_id=other.id,
            status=other.status,
        ),
        title=_("Plan exists for this period"),
    )


async def create_plan(
    session: AsyncSession, registry: Registry, principal: Principal, data: PlanIn
) -> PlanOut:
    ensure_may_write(principal, data.community_id)
    await _check_references(registry, data)
    other = await _overlapping(session, data, (*OPEN, PlanStatus.adopted), but=set())
    if other is not None:
        raise _plan_exists(other)
    plan = LocalPlan(id=uuid.uuid4(), status=PlanStatus.draft, revision=1)
    _fill(plan, data)
    session.add(plan)
    await session.flush()
    session.add_all(_priority_rows(plan.id, data.priorities))
    return await PLANS.created(session, principal, plan)


def _ensure_open(plan: LocalPlan) -> None:
    if plan.status not in OPEN:
        raise Conflict(
            _(
                "The plan is {status}: the priorities of an adopted plan are fixed. "
                "Start a revision (POST /v1/plans/{plan_id}/revisions) to change them.",
                status=plan.status,
                plan_id=plan.id,
            ),
            title=_("Plan is fixed"),
        )


async def edit_plan(
    session: AsyncSession,
    registry: Registry,
    principal: Principal,
    plan: LocalPlan,
    before: PlanOut,
    patch: PlanPatch,
) -> PlanOut:
    _ensure_open(plan)
    data = merge_patch(PlanIn, before, patch, priorities=_priorities_in(before))
    await _check_references(registry, data)
    but = {plan.id} | ({plan.revises_id} if plan.revises_id else set())
    other = await _overlapping(session, data, (*OPEN, PlanStatus.adopted), but=but)
    if other is not None:
        raise _plan_exists(other)
    _fill(plan, data)
    if "priorities" in patch.model_fields_set:
        await session.execute(delete(PlanPriority).where(PlanPriority.plan_id == plan.id))
        session.add_all(_priority_rows(plan.id, data.priorities))
    return await PLANS.updated(session, principal, plan, before)


async def open_consultation(
    session: AsyncSession, principal: Principal, plan: LocalPlan, before: PlanOut
) -> PlanOut:
    if plan.status != PlanStatus.draft:
        raise Conflict(
            _("Only a draft goes to public consultation; the plan is {status}.",
              status=plan.status),
            title=_("Plan is not a draft"),
        )  # fmt: skip
    if not before.priorities:
        raise Conflict(
            _("A plan goes to public consultation with its priorities; it has none yet."),
            title=_("Plan has no priorities"),
        )
    plan.status = PlanStatus.consultation
    return await PLANS.updated(session, principal, plan, before, event="consultation_opened")


async def adopt(
    session: AsyncSession,
    principal: Principal,
    plan: LocalPlan,
    before: PlanOut,
    decision: Decision,
) -> PlanOut:
    if plan.status != PlanStatus.consultation:
        raise Conflict(
            _(
                "A plan is adopted after its public consultation; the plan is {status}.",
                status=plan.status,
            ),
            title=_("Plan not in consultation"),
        )
    if before.consultations == 0:
        raise Conflict(
            _(
                "A plan is drawn up with the community: "
                "record its consultations before adopting it."
            ),
            title=_("No consultation held"),
        )
    data = plan_in(before)
    other = await _overlapping(
        session, data, (PlanStatus.adopted,), but={plan.revises_id} if plan.revises_id else set()
    )
    if other is not None:
        raise Conflict(
            _(
                "The community already has an adopted plan for {period_from}–{period_to} "
                "({plan_id}); two adopted plans cannot cover one period. Revise that one.",
                period_from=other.period_from,
                period_to=other.period_to,
                plan_id=other.id,
            ),
            title=_("Adopted plan exists"),
        )
    if plan.revises_id is not None:
        previous = await get_plan(session, plan.revises_id)
        if previous.status == PlanStatus.adopted:
            previous_before = await PLANS.snapshot(session, previous)
            previous.status = PlanStatus.superseded
            await PLANS.updated(session, principal, previous, previous_before, event="superseded")
    plan.status = PlanStatus.adopted
    plan.decision_number, plan.decision_date = decision.number, decision.date
    try:
        return await PLANS.updated(session, principal, plan, before, event="adopted")
    except IntegrityError as exc:
        raise Conflict(
            _("Another plan of this community was just adopted for this period.")
        ) from exc


async def revise(
    session: AsyncSession, principal: Principal, plan: LocalPlan, before: PlanOut
) -> PlanOut:
    if plan.status != PlanStatus.adopted:
        raise Conflict(
            _("Only an adopted plan is revised; the plan is {status}: change it instead.",
              status=plan.status),
            title=_("Plan is not adopted"),
        )  # fmt: skip
    pending = await session.scalar(
        select(LocalPlan.id).where(LocalPlan.revises_id == plan.id, LocalPlan.status.in_(OPEN))
    )
    if pending is not None:
        raise Conflict(
            _("A revision of this plan is already being drawn up ({plan_id}).", plan_id=pending),
            title=_("Revision exists"),
        )
    revision = LocalPlan(
        id=uuid.uuid4(), status=PlanStatus.draft, revision=plan.revision + 1, revises_id=plan.id
    )
    _fill(revision, plan_in(before))
    session.add(revision)
    await session.flush()
    session.add_all(_priority_rows(revision.id, list(before.priorities)))
    return await PLANS.created(session, principal, revision)


async def add_consultation(
    session: AsyncSession, principal: Principal, plan: LocalPlan, data: ConsultationIn
) -> ConsultationOut:
    if plan.status not in OPEN:
        raise Conflict(
            _("Consultations are held on a plan being drawn up; the plan is {status}.",
              status=plan.status),
            title=_("Plan is fixed"),
        )  # fmt: skip
    row = Consultation(
        plan_id=plan.id,
        held_on=data.held_on,
        format=data.format,
        groups=[g.model_dump(mode="json") for g in data.groups],
        summary=data.summary,
    )
    session.add(row)
    return await CONSULTATIONS.created(session, principal, row)


def consultations_query(plan_id: uuid.UUID) -> Select[Any]:
    return select(Consultation).where(Consultation.plan_id == plan_id)


async def get_consultation(
    session: AsyncSession, plan_id: uuid.UUID, consultation_id: uuid.UUID
) -> Consultation:
    row = await session.get(Consultation, consultation_id)
    if row is None or row.plan_id != plan_id:
        raise NotFound(
            _(
                "Plan {plan_id} has no consultation {consultation_id}.",
                plan_id=plan_id,
                consultation_id=consultation_id,
            )
        )
    return row
