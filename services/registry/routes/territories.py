from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select

from services.registry.dependencies import Admin, CommunityChange
from services.registry.models import Community, Region
from services.registry.rules import territories as rules
from services.registry.schemas.common import RegionCode
from services.registry.schemas.territories import (
    CommunityIn,
    CommunityOut,
    CommunityPatch,
    RegionOut,
)
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1", tags=["territories"])


@router.get("/regions", summary="The 11 regions (marzer) with ISO 3166-2:AM codes")
async def list_regions(session: SessionDep, page: PageDep) -> Page[RegionOut]:
    regions, cursor = await paginate(session, select(Region), keys=[Region.code], page=page)
    return Page(items=[rules.region_out(r) for r in regions], next_cursor=cursor)


@router.get("/regions/{code}", responses=problem_responses(404))
async def get_region(code: str, session: SessionDep) -> RegionOut:
    return rules.region_out(await rules.get_region(session, code))


@router.get("/communities", summary="Communities, filtered by region, parent or name")
async def list_communities(
    session: SessionDep,
    page: PageDep,
    region: Annotated[RegionCode, Query(description="ISO 3166-2:AM code")] = None,
    parent_id: uuid.UUID | None = None,
    q: Annotated[str | None, Query(max_length=200, description="part of a name")] = None,
    ids: Annotated[
        list[uuid.UUID] | None,
        Query(max_length=200, description="only these communities (a batch read)"),
    ] = None,
) -> Page[CommunityOut]:
    statement = rules.communities_query(region=region, q=q, parent_id=parent_id, ids=ids)
    items, cursor = await paginate(
        session, statement, keys=[Community.name_hy, Community.id], page=page
    )
    return Page(items=[rules.community_out(c) for c in items], next_cursor=cursor)


@router.get(
    "/communities/{community_id}", response_model=CommunityOut, responses=problem_responses(404)
)
async def get_community(
    community_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    community = await rules.get_community(session, community_id)
    return conditional.answer(await rules.COMMUNITIES.snapshot(session, community))


@router.post(
    "/communities",
    status_code=status.HTTP_201_CREATED,
    response_model=CommunityOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_community(
    body: CommunityIn, session: SessionDep, principal: Admin, conditional: Creating
) -> Response:
    out = await rules.create_community(session, principal, body)
    return conditional.answer(out, status=201, location=f"/v1/communities/{out.id}")


@router.patch(
    "/communities/{community_id}",
    response_model=CommunityOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def edit_community(
    body: CommunityPatch,
    change: CommunityChange,
    session: SessionDep,
    principal: Admin,
    conditional: Changing,
) -> Response:
    out = await rules.edit_community(session, principal, change.row, change.before, body)
    return conditional.answer(out)
