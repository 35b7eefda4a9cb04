from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.grants.clients import RegistryDep
from services.grants.dependencies import Officer, ProgrammeChange
from services.grants.models import GrantProgramme
from services.grants.rules import programmes as rules
from services.grants.schemas.programmes import (
    GrantProgrammeIn,
    GrantProgrammeOut,
    GrantProgrammePatch,
)
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/grant-programmes", tags=["grant programmes"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)


@router.get("", summary="Grant programmes")
async def list_grant_programmes(session: SessionDep, page: PageDep) -> Page[GrantProgrammeOut]:
    items, cursor = await paginate(
        session, rules.programmes_query(), keys=[GrantProgramme.starts_on, GrantProgramme.id],
        page=page,
    )  # fmt: skip
    return Page(items=await rules.programme_views(session, items), next_cursor=cursor)


@router.get("/{programme_id}", response_model=GrantProgrammeOut, responses=problem_responses(404))
async def get_grant_programme(
    programme_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    row = await rules.get_programme(session, programme_id)
    return conditional.answer(await rules.PROGRAMMES.snapshot(session, row))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GrantProgrammeOut,
             responses=WRITE_ERRORS)  # fmt: skip
async def create_grant_programme(
    body: GrantProgrammeIn,
    session: SessionDep,
    registry: RegistryDep,
    principal: Officer,
    conditional: Creating,
) -> Response:
    out = await rules.create_programme(session, registry, principal, body)
    return conditional.answer(out, status=201, location=f"/v1/grant-programmes/{out.id}")


@router.patch("/{programme_id}", response_model=GrantProgrammeOut, responses=WRITE_ERRORS)
async def edit_grant_programme(
    body: GrantProgrammePatch,
    change: ProgrammeChange,
    session: SessionDep,
    registry: RegistryDep,
    principal: Officer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_programme(session, registry, principal, change.row, change.before, body)
    return conditional.answer(out)
