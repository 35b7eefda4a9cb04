from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.grants.clients import RegistryDep
from services.grants.dependencies import PlanChange, PlanWriter, WritablePlan
from services.grants.models import Consultation, LocalPlan
from services.grants.reference import PlanStatus
from services.grants.rules import plans as rules
from services.grants.schemas.plans import (
    ConsultationIn,
    ConsultationOut,
    Decision,
    PlanIn,
    PlanOut,
    PlanPatch,
)
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/plans", tags=["local social plans"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)


@router.get("", summary="Local social plans, by community, status or a year they cover")
async def list_plans(
    session: SessionDep,
    page: PageDep,
    community_id: uuid.UUID | None = None,
    status: PlanStatus | None = None,
    year: Annotated[
        int | None, Query(ge=1990, le=2100, description="a year the plan covers")
    ] = None,
) -> Page[PlanOut]:
    statement = rules.plans_query(community_id=community_id, status=status, year=year)
    items, cursor = await paginate(
        session, statement, keys=[LocalPlan.period_from, LocalPlan.id], page=page
    )
    return Page(items=await rules.plan_views(session, items), next_cursor=cursor)


@router.get("/{plan_id}", response_model=PlanOut, responses=problem_responses(404))
async def get_plan(plan_id: uuid.UUID, session: SessionDep, conditional: Reading) -> Response:
    return conditional.answer(await rules.read_plan(session, plan_id))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PlanOut,
             responses=WRITE_ERRORS)  # fmt: skip
async def create_plan(
    body: PlanIn,
    session: SessionDep,
    registry: RegistryDep,
    principal: PlanWriter,
    conditional: Creating,
) -> Response:
    out = await rules.create_plan(session, registry, principal, body)
    return conditional.answer(out, status=201, location=f"/v1/plans/{out.id}")


@router.patch("/{plan_id}", response_model=PlanOut, responses=WRITE_ERRORS,
              summary="Change a plan being drawn up (draft or in consultation)")  # fmt: skip
async def edit_plan(
    body: PlanPatch,
    change: PlanChange,
    session: SessionDep,
    registry: RegistryDep,
    principal: PlanWriter,
    conditional: Changing,
) -> Response:
    out = await rules.edit_plan(session, registry, principal, change.row, change.before, body)
    return conditional.answer(out)


@router.post("/{plan_id}/consultation", response_model=PlanOut, responses=WRITE_ERRORS,
             summary="Put a draft plan to public consultation")  # fmt: skip
async def open_consultation(
    change: PlanChange, session: SessionDep, principal: PlanWriter, conditional: Changing
) -> Response:
    out = await rules.open_consultation(session, principal, change.row, change.before)
    return conditional.answer(out)


@router.post("/{plan_id}/adoption", response_model=PlanOut, responses=WRITE_ERRORS,
             summary="Record the community council's decision adopting the plan")  # fmt: skip
async def adopt_plan(
    body: Decision,
    change: PlanChange,
    session: SessionDep,
    principal: PlanWriter,
    conditional: Changing,
) -> Response:
    out = await rules.adopt(session, principal, change.row, change.before, body)
    return conditional.answer(out)


@router.post("/{plan_id}/revisions", status_code=status.HTTP_201_CREATED,
             response_model=PlanOut, responses=WRITE_ERRORS,
             summary="Start a revision of an adopted plan: a new draft version")  # fmt: skip
async def revise_plan(
    change: PlanChange, session: SessionDep, principal: PlanWriter, conditional: Changing
) -> Response:
    out = await rules.revise(session, principal, change.row, change.before)
    return conditional.answer(out, status=201, location=f"/v1/plans/{out.id}")


@router.get("/{plan_id}/consultations", summary="Consultations held on a plan",
            responses=problem_responses(404))  # fmt: skip
async def list_consultations(
    plan_id: uuid.UUID, session: SessionDep, page: PageDep
) -> Page[ConsultationOut]:
    await rules.get_plan(session, plan_id)
    statement = rules.consultations_query(plan_id)
    items, cursor = await paginate(
        session, statement, keys=[Consultation.held_on, Consultation.id], page=page
    )
    return Page(items=[rules.consultation_out(c) for c in items], next_cursor=cursor)


@router.get("/{plan_id}/consultations/{consultation_id}", response_model=ConsultationOut,
            responses=problem_responses(404))  # fmt: skip
async def get_consultation(
    plan_id: uuid.UUID, consultation_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    row = await rules.get_consultation(session, plan_id, consultation_id)
    return conditional.answer(rules.consultation_out(row))


@router.post("/{plan_id}/consultations", status_code=status.HTTP_201_CREATED,
             response_model=ConsultationOut, responses=WRITE_ERRORS)  # fmt: skip
async def add_consultation(
    body: ConsultationIn,
    plan: WritablePlan,
    session: SessionDep,
    principal: PlanWriter,
    conditional: Creating,
) -> Response:
    out = await rules.add_consultation(session, principal, plan, body)
    return conditional.answer(
        out, status=201, location=f"/v1/plans/{plan.id}/consultations/{out.id}"
    )
