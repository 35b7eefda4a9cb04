from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from services.registry.access import WRITERS
from services.registry.audit import record
from services.registry.models import Programme
from services.registry.reference import TARGET_GROUP_CODES, ProgrammeRole, ProgrammeStatus
from services.registry.rules import programmes as rules
from services.registry.rules.services import check_code
from services.registry.schemas.common import RegionCode
from services.registry.schemas.programmes import (
    ProgrammeIn,
    ProgrammeOut,
    ProgrammePatch,
)
from services.registry.schemas.services import TARGET_GROUPS_URL
from shared.auth import Principal, require_roles
from shared.concurrency import check_if_match, etag_of, not_modified, set_etag
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.inputs import Day
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/programmes", tags=["programmes"])
WriterDep = Annotated[Principal, require_roles(*WRITERS)]


@router.get(
    "", summary="Programmes run in a territory, with their actors",
    responses=problem_responses(422),
)  # fmt: skip
async def list_programmes(
    session: SessionDep,
    page: PageDep,
    actor_id: Annotated[uuid.UUID | None, Query(description="taking part in it")] = None,
    role: Annotated[
        ProgrammeRole | None, Query(description="with actor_id: the role that actor holds")
    ] = None,
    target_group: Annotated[
        str | None,
        Query(max_length=40, description=f"a target group code, see {TARGET_GROUPS_URL}"),
    ] = None,
    community_id: Annotated[uuid.UUID | None, Query(description="run in this community")] = None,
    region: Annotated[
        RegionCode, Query(description="run in a community of this region (ISO 3166-2:AM)")
    ] = None,
    status: ProgrammeStatus | None = None,
    q: Annotated[
        str | None, Query(max_length=200, description="words of a name or description")
    ] = None,
    active_on: Annotated[
        Day | None, Query(description="running on this day: the day is within its period")
    ] = None,
) -> Page[ProgrammeOut]:
    check_code(target_group, TARGET_GROUP_CODES, field="target_group", listed_at=TARGET_GROUPS_URL)
    statement = rules.programmes_query(
        actor_id=actor_id, role=role, target_group=target_group, community_id=community_id,
        region=region, status=status, q=q, active_on=active_on,
    )  # fmt: skip
    items, cursor = await paginate(
        session, statement, keys=[Programme.name_hy, Programme.id], page=page
    )
    return Page(items=await rules.programmes_out(session, items), next_cursor=cursor)


@router.get("/{programme_id}", response_model=ProgrammeOut, responses=problem_responses(404))
async def get_programme(
    programme_id: uuid.UUID, session: SessionDep, request: Request, response: Response
) -> Any:
    programme = await rules.get_programme(session, programme_id)
    if not_modified(request, etag_of(programme.version)):
        return Response(status_code=304)
    set_etag(response, programme.version)
    [out] = await rules.programmes_out(session, [programme])
    return out


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses=problem_responses(401, 403, 409, 422)
)
async def create_programme(
    body: ProgrammeIn, session: SessionDep, principal: WriterDep, response: Response
) -> ProgrammeOut:
    await rules.ensure_may_write(session, principal, None, body)
    programme = await rules.save_programme(session, body)
    [out] = await rules.programmes_out(session, [programme])
    record(session, principal, action="create", resource_type="programme",
           resource_id=programme.id, after=out.model_dump(mode="json"))  # fmt: skip
    set_etag(response, programme.version)
    response.headers["Location"] = f"/v1/programmes/{programme.id}"
    return out


@router.patch("/{programme_id}", responses=problem_responses(401, 403, 404, 409, 412, 422))
async def edit_programme(
    programme_id: uuid.UUID,
    body: ProgrammePatch,
    session: SessionDep,
    principal: WriterDep,
    request: Request,
    response: Response,
) -> ProgrammeOut:
    programme = await rules.get_programme(session, programme_id)
    check_if_match(request, etag_of(programme.version))
    [before] = await rules.programmes_out(session, [programme])
    merged = rules.merge(before, body)
    await rules.ensure_may_write(session, principal, programme, merged)
    programme = await rules.save_programme(session, merged, programme)
    [after] = await rules.programmes_out(session, [programme])
    record(session, principal, action="update", resource_type="programme",
           resource_id=programme.id, before=before.model_dump(mode="json"),
           after=after.model_dump(mode="json"))  # fmt: skip
    set_etag(response, programme.version)
    return after


@router.delete(
    "/{programme_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 412),
)
async def delete_programme(
    programme_id: uuid.UUID, session: SessionDep, principal: WriterDep, request: Request
) -> None:
    programme = await rules.get_programme(session, programme_id)
    check_if_match(request, etag_of(programme.version))
    await rules.ensure_may_write(session, principal, programme, None)
    [before] = await rules.programmes_out(session, [programme])
    await rules.delete_programme(session, programme)
    record(session, principal, action="delete", resource_type="programme",
           resource_id=programme_id, before=before.model_dump(mode="json"))  # fmt: skip
