from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.registry.dependencies import Admin, CenterChange
from services.registry.models import Center
from services.registry.reference import CenterStatus
from services.registry.rules import centers as rules
from services.registry.schemas.centers import CenterIn, CenterOut, CenterPatch
from services.registry.schemas.common import RegionCode
from shared.concurrency import (
    Changing,
    Creating,
    Reading,
)
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/centers", tags=["centers"])


@router.get("", summary="Integrated social services territorial centers")
async def list_centers(
    session: SessionDep,
    page: PageDep,
    region: Annotated[RegionCode, Query(description="ISO 3166-2:AM code")] = None,
    status: CenterStatus | None = None,
    community_id: Annotated[
        uuid.UUID | None, Query(description="centers whose territory has this community")
    ] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[CenterOut]:
    statement = rules.centers_query(region=region, status=status, community_id=community_id, q=q)
    items, cursor = await paginate(session, statement, keys=[Center.name_hy, Center.id], page=page)
    return Page(items=[rules.center_out(c) for c in items], next_cursor=cursor)


@router.get("/{center_id}", response_model=CenterOut, responses=problem_responses(404))
async def get_center(center_id: uuid.UUID, session: SessionDep, conditional: Reading) -> Response:
    center = await rules.get_center(session, center_id)
    return conditional.answer(await rules.CENTERS.snapshot(session, center))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CenterOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_center(
    body: CenterIn, session: SessionDep, principal: Admin, conditional: Creating
) -> Response:
    out = await rules.create_center(session, principal, body)
    return conditional.answer(out, status=201, location=f"/v1/centers/{out.id}")


@router.patch(
    "/{center_id}",
    response_model=CenterOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def edit_center(
    body: CenterPatch,
    change: CenterChange,
    session: SessionDep,
    principal: Admin,
    conditional: Changing,
) -> Response:
    out = await rules.edit_center(session, principal, change.row, change.before, body)
    return conditional.answer(out)
