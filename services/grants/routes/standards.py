"""Minimum service standards, compliance assessments, and the share compliant per community."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy import select

from services.grants.clients import RegistryDep
from services.grants.dependencies import Officer
from services.grants.models import ComplianceAssessment, ServiceStandard
from services.grants.rules import standards as rules
from services.grants.schemas.common import Code
from services.grants.schemas.standards import (
    CommunityCompliance,
    ComplianceAssessmentIn,
    ComplianceAssessmentOut,
    ServiceStandardIn,
    ServiceStandardOut,
    StandardRetirementIn,
)
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.journal import Change
from shared.pagination import Page, PageDep, paginate

router = APIRouter(tags=["service standards"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)


async def _standard(
    standard_id: uuid.UUID, session: SessionDep, _: Officer, conditional: Changing
) -> Change[ServiceStandard, ServiceStandardOut]:
    row = await rules.get_standard(session, standard_id)
    before = await rules.STANDARDS.snapshot(session, row)
    conditional.check(before)
    return Change(row, before)


StandardChange = Annotated[Change[ServiceStandard, ServiceStandardOut], Depends(_standard)]


@router.get("/v1/service-standards", summary="Minimum service standards, every version")
async def list_service_standards(
    session: SessionDep, page: PageDep, category: Code | None = None
) -> Page[ServiceStandardOut]:
    statement = select(ServiceStandard)
    if category:
        statement = statement.where(ServiceStandard.category == category)
    items, cursor = await paginate(session, statement, keys=[ServiceStandard.id], page=page)
    return Page(items=[rules.standard_out(r) for r in items], next_cursor=cursor)


@router.get(
    "/v1/service-standards/{standard_id}",
    response_model=ServiceStandardOut,
    responses=problem_responses(404),
)
async def get_service_standard(
    standard_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    return conditional.answer(rules.standard_out(await rules.get_standard(session, standard_id)))


@router.post(
    "/v1/service-standards",
    status_code=status.HTTP_201_CREATED,
    response_model=ServiceStandardOut,
    responses=WRITE_ERRORS,
    summary="A new version of a category's standard",
)
async def create_service_standard(
    body: ServiceStandardIn,
    session: SessionDep,
    registry: RegistryDep,
    principal: Officer,
    conditional: Creating,
) -> Response:
    out = await rules.create_standard(session, registry, principal, body)
    return conditional.answer(out, status=201, location=f"/v1/service-standards/{out.id}")


@router.post(
    "/v1/service-standards/{standard_id}/retirement",
    response_model=ServiceStandardOut,
    responses=WRITE_ERRORS,
    summary="Retire a version: it takes no new assessment",
)
async def retire_service_standard(
    body: StandardRetirementIn,
    change: StandardChange,
    session: SessionDep,
    principal: Officer,
    conditional: Changing,
) -> Response:
    out = await rules.retire(session, principal, change.row, change.before, body)
    return conditional.answer(out)


@router.post(
    "/v1/compliance-assessments",
    status_code=status.HTTP_201_CREATED,
    response_model=ComplianceAssessmentOut,
    responses=WRITE_ERRORS,
    summary="Assess a registry service or a grant's pilot against a standard",
)
async def create_compliance_assessment(
    body: ComplianceAssessmentIn,
    session: SessionDep,
    registry: RegistryDep,
    principal: Officer,
    conditional: Creating,
) -> Response:
    out = await rules.assess(session, registry, principal, body)
    return conditional.answer(out, status=201)


@router.get("/v1/compliance-assessments", summary="Compliance assessments")
async def list_compliance_assessments(
    session: SessionDep,
    page: PageDep,
    standard_id: uuid.UUID | None = None,
    community_id: uuid.UUID | None = None,
) -> Page[ComplianceAssessmentOut]:
    statement = select(ComplianceAssessment)
    if standard_id:
        statement = statement.where(ComplianceAssessment.standard_id == standard_id)
    if community_id:
        statement = statement.where(ComplianceAssessment.community_id == community_id)
    items, cursor = await paginate(
        session,
        statement,
        keys=[ComplianceAssessment.assessed_on, ComplianceAssessment.id],
        page=page,
    )
    return Page(items=[rules.assessment_out(r) for r in items], next_cursor=cursor)


@router.get(
    "/v1/compliance/communities",
    response_model=Page[CommunityCompliance],
    summary="The share of compliant services and pilots per community",
)
async def compliance_by_community(
    session: SessionDep,
    conditional: Reading,
    community_id: uuid.UUID | None = None,
    category: Code | None = None,
) -> Response:
    rows = await rules.compliance_by_community(session, community_id, category)
    return conditional.answer(Page(items=rows, next_cursor=None))
