from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from services.registry.audit import record
from services.registry.models import Center
from services.registry.reference import CenterStatus
from services.registry.rules import centers as rules
from services.registry.schemas.centers import CenterIn, CenterOut, CenterPatch
from services.registry.schemas.common import RegionCode
from shared.auth import ADMIN, Principal, require_roles
from shared.concurrency import check_if_match, etag_of, merge_patch, not_modified, set_etag
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/centers", tags=["centers"])
AdminDep = Annotated[Principal, require_roles(ADMIN)]


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
async def get_center(
    center_id: uuid.UUID, session: SessionDep, request: Request, response: Response
) -> Any:
    center = await rules.get_center(session, center_id)
    if not_modified(request, etag_of(center.version)):
        return Response(status_code=304)
    set_etag(response, center.version)
    return rules.center_out(center)


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses=problem_responses(401, 403, 409, 422)
)
async def create_center(
    body: CenterIn, session: SessionDep, principal: AdminDep, response: Response
) -> CenterOut:
    center = await rules.save_center(session, body)
    out = rules.center_out(center)
    record(session, principal, action="create", resource_type="center",
           resource_id=center.id, after=out.model_dump(mode="json"))  # fmt: skip
    set_etag(response, center.version)
    response.headers["Location"] = f"/v1/centers/{center.id}"
    return out


@router.patch("/{center_id}", responses=problem_responses(401, 403, 404, 409, 412, 422))
async def edit_center(
    center_id: uuid.UUID,
    body: CenterPatch,
    session: SessionDep,
    principal: AdminDep,
    request: Request,
    response: Response,
) -> CenterOut:
    center = await rules.get_center(session, center_id)
    check_if_match(request, etag_of(center.version))
    before = rules.center_out(center)
    merged = merge_patch(CenterIn, before, body)
    center = await rules.save_center(session, merged, center)
    after = rules.center_out(center)
    record(session, principal, action="update", resource_type="center", resource_id=center.id,
           before=before.model_dump(mode="json"), after=after.model_dump(mode="json"))  # fmt: skip
    set_etag(response, center.version)
    return after
