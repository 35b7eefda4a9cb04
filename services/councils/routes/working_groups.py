from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.councils.dependencies import ManagedCouncil, WorkingGroupChange, Writer
from services.councils.models import WorkingGroup
from services.councils.rules import working_groups as rules
from services.councils.rules.common import get_council
from services.councils.schemas.councils import (
    WorkingGroupIn,
    WorkingGroupOut,
    WorkingGroupPatch,
    WorkingGroupStatus,
)
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/councils/{council_id}/working-groups", tags=["working groups"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)


@router.get("", summary="Working groups and commissions of the council")
async def list_working_groups(
    council_id: uuid.UUID,
    session: SessionDep,
    page: PageDep,
    status: WorkingGroupStatus | None = None,
) -> Page[WorkingGroupOut]:
    await get_council(session, council_id)
    items, cursor = await paginate(
        session, rules.working_groups_query(council_id, status),
        keys=[WorkingGroup.formed_on, WorkingGroup.id], page=page,
    )  # fmt: skip
    return Page(items=[rules.working_group_out(g) for g in items], next_cursor=cursor)


@router.get("/{group_id}", response_model=WorkingGroupOut, responses=problem_responses(404))
async def get_working_group(
    council_id: uuid.UUID, group_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    group = await rules.get_working_group(session, council_id, group_id)
    return conditional.answer(rules.working_group_out(group))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=WorkingGroupOut,
             responses=WRITE_ERRORS)  # fmt: skip
async def form_working_group(
    body: WorkingGroupIn,
    council: ManagedCouncil,
    session: SessionDep,
    principal: Writer,
    conditional: Creating,
) -> Response:
    out = await rules.form_group(session, principal, council, body)
    location = f"/v1/councils/{council.id}/working-groups/{out.id}"
    return conditional.answer(out, status=201, location=location)


@router.patch("/{group_id}", response_model=WorkingGroupOut, responses=WRITE_ERRORS)
async def edit_working_group(
    body: WorkingGroupPatch,
    council: ManagedCouncil,
    change: WorkingGroupChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_group(session, principal, council, change.row, change.before, body)
    return conditional.answer(out)
