from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.registry.dependencies import ProgrammeChange, Writer
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
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.inputs import Day
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/programmes", tags=["programmes"])


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
    programme_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    programme = await rules.get_programme(session, programme_id)
    return conditional.answer(await rules.PROGRAMMES.snapshot(session, programme))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProgrammeOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_programme(
    body: ProgrammeIn, session: SessionDep, principal: Writer, conditional: Creating
) -> Response:
    out = await rules.create_programme(session, principal, body)
    return conditional.answer(out, status=201, location=f"/v1/programmes/{out.id}")


@router.patch(
    "/{programme_id}",
    response_model=ProgrammeOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def edit_programme(
    body: ProgrammePatch,
    change: ProgrammeChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_programme(session, principal, change.row, change.before, body)
    return conditional.answer(out)


@router.delete(
    "/{programme_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 412),
)
async def delete_programme(change: ProgrammeChange, session: SessionDep, principal: Writer) -> None:
    await rules.delete_programme(session, principal, change.row, change.before)
