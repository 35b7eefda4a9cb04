from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.registry.dependencies import ServiceChange, Writer
from services.registry.models import Service
from services.registry.reference import CATEGORY_CODES, TARGET_GROUP_CODES, ServiceStatus
from services.registry.rules import services as rules
from services.registry.schemas.common import RegionCode
from services.registry.schemas.services import (
    CATEGORIES_URL,
    TARGET_GROUPS_URL,
    ServiceIn,
    ServiceOut,
    ServicePatch,
)
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/services", tags=["services"])


@router.get(
    "", summary="Social services: what actors offer, to whom and where",
    responses=problem_responses(422),
)  # fmt: skip
async def list_services(
    session: SessionDep,
    page: PageDep,
    provider_id: Annotated[uuid.UUID | None, Query(description="offered by this actor")] = None,
    category: Annotated[
        str | None, Query(max_length=40, description=f"a category code, see {CATEGORIES_URL}")
    ] = None,
    target_group: Annotated[
        str | None,
        Query(max_length=40, description=f"a target group code, see {TARGET_GROUPS_URL}"),
    ] = None,
    community_id: Annotated[
        uuid.UUID | None, Query(description="delivered in this community")
    ] = None,
    region: Annotated[
        RegionCode, Query(description="delivered in a community of this region (ISO 3166-2:AM)")
    ] = None,
    status: ServiceStatus | None = None,
    q: Annotated[
        str | None, Query(max_length=200, description="words of a name or description")
    ] = None,
) -> Page[ServiceOut]:
    rules.check_code(category, CATEGORY_CODES, field="category", listed_at=CATEGORIES_URL)
    rules.check_code(
        target_group, TARGET_GROUP_CODES, field="target_group", listed_at=TARGET_GROUPS_URL
    )
    statement = rules.services_query(
        provider_id=provider_id, category=category, target_group=target_group,
        community_id=community_id, region=region, status=status, q=q,
    )  # fmt: skip
    rows, cursor = await paginate(
        session, statement, keys=[Service.name_hy, Service.id], page=page, scalars=False
    )
    return Page(items=[rules.out_of_row(row) for row in rows], next_cursor=cursor)


@router.get("/{service_id}", response_model=ServiceOut, responses=problem_responses(404))
async def get_service(service_id: uuid.UUID, session: SessionDep, conditional: Reading) -> Response:
    _, out = await rules.get_service(session, service_id)
    return conditional.answer(out)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ServiceOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_service(
    body: ServiceIn, session: SessionDep, principal: Writer, conditional: Creating
) -> Response:
    out = await rules.create_service(session, principal, body)
    return conditional.answer(out, status=201, location=f"/v1/services/{out.id}")


@router.patch(
    "/{service_id}",
    response_model=ServiceOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def edit_service(
    body: ServicePatch,
    change: ServiceChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_service(session, principal, change.row, change.before, body)
    return conditional.answer(out)


@router.delete(
    "/{service_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 412),
)
async def delete_service(change: ServiceChange, session: SessionDep, principal: Writer) -> None:
    await rules.delete_service(session, principal, change.row, change.before)
