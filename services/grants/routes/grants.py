from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.grants.clients import RegistryDep
from services.grants.dependencies import GrantChange, Officer
from services.grants.models import Grant
from services.grants.reference import GrantStatus
from services.grants.rules import grants as rules
from services.grants.schemas.grants import GrantIn, GrantOut, GrantPatch
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import MAX_LIMIT, Page, PageDep, paginate

router = APIRouter(prefix="/v1/grants", tags=["grants"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)


@router.get("", summary="Grants, filtered; `ids` reads a batch by id")
async def list_grants(
    session: SessionDep,
    page: PageDep,
    ids: Annotated[
        list[uuid.UUID] | None, Query(max_length=MAX_LIMIT, description="a batch of grant ids")
    ] = None,
    community_id: Annotated[
        list[uuid.UUID] | None,
        Query(max_length=MAX_LIMIT, description="in any of these communities (repeat it)"),
    ] = None,
    year: Annotated[int | None, Query(ge=1990, le=2100, description="the year awarded")] = None,
    recipient_id: uuid.UUID | None = None,
    programme_id: uuid.UUID | None = None,
    call_id: uuid.UUID | None = None,
    plan_id: Annotated[
        uuid.UUID | None, Query(description="grants piloting a priority of this plan")
    ] = None,
    status: GrantStatus | None = None,
) -> Page[GrantOut]:
    statement = rules.grants_query(
        ids=ids, community_id=community_id, year=year, recipient_id=recipient_id,
        programme_id=programme_id, call_id=call_id, plan_id=plan_id, status=status,
    )  # fmt: skip
    items, cursor = await paginate(session, statement, keys=[Grant.awarded_on, Grant.id], page=page)
    return Page(items=[rules.grant_out(g) for g in items], next_cursor=cursor)


@router.get("/{grant_id}", response_model=GrantOut, responses=problem_responses(404))
async def get_grant(grant_id: uuid.UUID, session: SessionDep, conditional: Reading) -> Response:
    row = await rules.get_grant(session, grant_id)
    return conditional.answer(rules.grant_out(row))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GrantOut,
             responses=WRITE_ERRORS, summary="Award a grant directly")  # fmt: skip
async def create_grant(
    body: GrantIn,
    session: SessionDep,
    registry: RegistryDep,
    principal: Officer,
    conditional: Creating,
) -> Response:
    out = await rules.create_grant(session, registry, principal, body)
    return conditional.answer(out, status=201, location=f"/v1/grants/{out.id}")


@router.patch("/{grant_id}", response_model=GrantOut, responses=WRITE_ERRORS,
              summary="Change a grant's status, dates, co-funding or milestones")  # fmt: skip
async def edit_grant(
    body: GrantPatch,
    change: GrantChange,
    session: SessionDep,
    principal: Officer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_grant(session, principal, change.row, change.before, body)
    return conditional.answer(out)
