from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.grants.access import OFFICERS
from services.grants.clients import RegistryDep
from services.grants.dependencies import Applicant, ApplicationChange, Officer
from services.grants.models import GrantApplication, GrantCall
from services.grants.reference import ApplicationStatus, CallStatus
from services.grants.rules import applications as rules
from services.grants.rules import grants
from services.grants.schemas.applications import (
    AssessmentIn,
    AssessmentOut,
    GrantApplicationIn,
    GrantApplicationOut,
)
from services.grants.schemas.grants import AwardIn, GrantOut
from shared.auth import OptionalPrincipal
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, page_of, paginate

router = APIRouter(prefix="/v1/applications", tags=["applications"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)


@router.get(
    "",
    summary="Applications: those of decided calls for everyone; officers and applicants "
    "also read undecided ones they may",
)
async def list_applications(
    session: SessionDep,
    principal: OptionalPrincipal,
    page: PageDep,
    call_id: uuid.UUID | None = None,
    applicant_id: uuid.UUID | None = None,
    status: ApplicationStatus | None = None,
) -> Page[GrantApplicationOut]:
    statement = rules.applications_query(
        principal, call_id=call_id, applicant_id=applicant_id, status=status
    ).add_columns(GrantCall.status.label("call_status"))
    rows, cursor = await paginate(
        session, statement, keys=[GrantApplication.submitted_on, GrantApplication.id],
        page=page, scalars=False,
    )  # fmt: skip
    # Scores in a list only once the call is decided (officers read them in the ranking).
    decided = {r[0].id for r in rows if r[1] == CallStatus.decided}
    shown = await rules.application_views(session, [r[0] for r in rows], show_scores=True)
    items = [a if a.id in decided else a.model_copy(update={"score": None}) for a in shown]
    return Page(items=items, next_cursor=cursor)


@router.get("/{application_id}", response_model=GrantApplicationOut,
            responses=problem_responses(403, 404))  # fmt: skip
async def get_application(
    application_id: uuid.UUID,
    session: SessionDep,
    principal: OptionalPrincipal,
    conditional: Reading,
) -> Response:
    row = await rules.get_application(session, application_id)
    call = await rules.ensure_may_read(session, principal, row)
    show = call.status == CallStatus.decided or (
        principal is not None and principal.has_role(*OFFICERS)
    )
    (out,) = await rules.application_views(session, [row], show_scores=show)
    return conditional.answer(out, vary="Authorization")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GrantApplicationOut,
             responses=WRITE_ERRORS, summary="Apply to an open call")  # fmt: skip
async def submit_application(
    body: GrantApplicationIn,
    session: SessionDep,
    registry: RegistryDep,
    principal: Applicant,
    conditional: Creating,
) -> Response:
    out = await rules.submit(session, registry, principal, body)
    out = out.model_copy(update={"score": None})
    return conditional.answer(out, status=201, location=f"/v1/applications/{out.id}")


@router.get("/{application_id}/assessments", responses=problem_responses(403, 404),
            summary="The scores and reasons of an application (public once decided)")  # fmt: skip
async def list_assessments(
    application_id: uuid.UUID, session: SessionDep, principal: OptionalPrincipal, page: PageDep
) -> Page[AssessmentOut]:
    row = await rules.get_application(session, application_id)
    call = await rules.ensure_may_read(session, principal, row)
    rules.ensure_may_read_ranking(principal, call)
    return page_of(await rules.assessments_of(session, row, call), lambda a: str(a.id), page)


@router.post("/{application_id}/assessments", status_code=status.HTTP_201_CREATED,
             response_model=AssessmentOut, responses=WRITE_ERRORS,
             summary="Score every criterion of the call, with reasons")  # fmt: skip
async def assess_application(
    application_id: uuid.UUID,
    body: AssessmentIn,
    session: SessionDep,
    principal: Officer,
    conditional: Creating,
) -> Response:
    row = await rules.get_application(session, application_id)
    out = await rules.assess(session, principal, row, body)
    return conditional.answer(out, status=201)


@router.post(
    "/{application_id}/award",
    status_code=status.HTTP_201_CREATED,
    response_model=GrantOut,
    responses=WRITE_ERRORS,
    summary="Award a grant from an assessed application, within the call's budget",
)
async def award_application(
    body: AwardIn,
    change: ApplicationChange,
    session: SessionDep,
    registry: RegistryDep,
    principal: Officer,
    conditional: Changing,
) -> Response:
    out = await grants.award(session, registry, principal, change.row, body)
    return conditional.answer(out, status=201, location=f"/v1/grants/{out.id}")
