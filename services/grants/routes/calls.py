from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.grants.clients import RegistryDep
from services.grants.dependencies import CallChange, Officer
from services.grants.models import GrantCall
from services.grants.reference import CallStatus
from services.grants.rules import applications
from services.grants.rules import calls as rules
from services.grants.schemas.applications import RankedApplication
from services.grants.schemas.calls import CallDecision, GrantCallIn, GrantCallOut, GrantCallPatch
from shared.auth import OptionalPrincipal
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, page_of, paginate

router = APIRouter(prefix="/v1/calls", tags=["calls"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)


@router.get("", summary="Calls for applications, by programme or status")
async def list_calls(
    session: SessionDep,
    page: PageDep,
    programme_id: uuid.UUID | None = None,
    status: CallStatus | None = None,
) -> Page[GrantCallOut]:
    statement = rules.calls_query(programme_id=programme_id, status=status)
    items, cursor = await paginate(
        session, statement, keys=[GrantCall.closes_on, GrantCall.id], page=page
    )
    return Page(items=await rules.call_views(session, items), next_cursor=cursor)


@router.get("/{call_id}", response_model=GrantCallOut, responses=problem_responses(404))
async def get_call(call_id: uuid.UUID, session: SessionDep, conditional: Reading) -> Response:
    row = await rules.get_call(session, call_id)
    return conditional.answer(await rules.CALLS.snapshot(session, row))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GrantCallOut,
             responses=WRITE_ERRORS)  # fmt: skip
async def create_call(
    body: GrantCallIn,
    session: SessionDep,
    registry: RegistryDep,
    principal: Officer,
    conditional: Creating,
) -> Response:
    out = await rules.create_call(session, registry, principal, body)
    return conditional.answer(out, status=201, location=f"/v1/calls/{out.id}")


@router.patch("/{call_id}", response_model=GrantCallOut, responses=WRITE_ERRORS)
async def edit_call(
    body: GrantCallPatch,
    change: CallChange,
    session: SessionDep,
    registry: RegistryDep,
    principal: Officer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_call(session, registry, principal, change.row, change.before, body)
    return conditional.answer(out)


@router.post(
    "/{call_id}/decision",
    response_model=GrantCallOut,
    responses=WRITE_ERRORS,
    summary="Decide the call: applications not awarded are rejected, scores go public",
)
async def decide_call(
    body: CallDecision,
    change: CallChange,
    session: SessionDep,
    principal: Officer,
    conditional: Changing,
) -> Response:
    out = await applications.decide(session, principal, change.row, change.before, body)
    return conditional.answer(out)


@router.get(
    "/{call_id}/ranking",
    responses=problem_responses(403, 404),
    summary="The call's applications ranked by their scores (public once decided)",
)
async def rank_applications(
    call_id: uuid.UUID, session: SessionDep, principal: OptionalPrincipal, page: PageDep
) -> Page[RankedApplication]:
    call = await rules.get_call(session, call_id)
    applications.ensure_may_read_ranking(principal, call)
    ranked = await applications.ranking(session, call)
    return page_of(ranked, lambda r: str(r.application_id), page)
