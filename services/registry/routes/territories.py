from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy import select

from services.registry.audit import record
from services.registry.models import Community, Region
from services.registry.rules import territories as rules
from services.registry.schemas.common import RegionCode
from services.registry.schemas.territories import (
    CommunityIn,
    CommunityOut,
    CommunityPatch,
    RegionOut,
)
from shared.auth import ADMIN, Principal, require_roles
from shared.concurrency import check_if_match, etag_of, merge_patch, not_modified, set_etag
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1", tags=["territories"])
AdminDep = Annotated[Principal, require_roles(ADMIN)]


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
) -> Page[CommunityOut]:
    statement = rules.communities_query(region=region, q=q, parent_id=parent_id)
    items, cursor = await paginate(
        session, statement, keys=[Community.name_hy, Community.id], page=page
    )
    return Page(items=[rules.community_out(c) for c in items], next_cursor=cursor)


@router.get(
    "/communities/{community_id}", response_model=CommunityOut, responses=problem_responses(404)
)
async def get_community(
    community_id: uuid.UUID, session: SessionDep, request: Request, response: Response
) -> Any:
    community = await rules.get_community(session, community_id)
    if not_modified(request, etag_of(community.version)):
        return Response(status_code=304)
    set_etag(response, community.version)
    return rules.community_out(community)


@router.post(
    "/communities",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_community(
    body: CommunityIn, session: SessionDep, principal: AdminDep, response: Response
) -> CommunityOut:
    community = await rules.save_community(session, body)
    out = rules.community_out(community)
    record(session, principal, action="create", resource_type="community",
           resource_id=community.id, after=out.model_dump(mode="json"))  # fmt: skip
    set_etag(response, community.version)
    response.headers["Location"] = f"/v1/communities/{community.id}"
    return out


@router.patch(
    "/communities/{community_id}", responses=problem_responses(401, 403, 404, 409, 412, 422)
)
async def edit_community(
    community_id: uuid.UUID,
    body: CommunityPatch,
    session: SessionDep,
    principal: AdminDep,
    request: Request,
    response: Response,
) -> CommunityOut:
    community = await rules.get_community(session, community_id)
    check_if_match(request, etag_of(community.version))
    before = rules.community_out(community)
    merged = merge_patch(CommunityIn, before, body)
    community = await rules.save_community(session, merged, community)
    after = rules.community_out(community)
    record(session, principal, action="update", resource_type="community",
           resource_id=community.id, before=before.model_dump(mode="json"),
           after=after.model_dump(mode="json"))  # fmt: skip
    set_etag(response, community.version)
    return after
