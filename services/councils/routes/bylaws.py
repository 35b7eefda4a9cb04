from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.councils.dependencies import BylawsChange, ManagedCouncil, Writer
from services.councils.models import BylawsVersion
from services.councils.rules import bylaws as rules
from services.councils.rules.common import get_council, today
from services.councils.schemas.bylaws import (
    Adoption,
    BylawsIn,
    BylawsOut,
    BylawsPatch,
    BylawsStatus,
)
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.inputs import Day
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/councils/{council_id}/bylaws", tags=["bylaws"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)
# Beside the versions, not among them: `/bylaws/in-force` would be taken for a version id.
in_force_router = APIRouter(prefix="/v1/councils/{council_id}", tags=["bylaws"])


@in_force_router.get(
    "/bylaws-in-force",
    response_model=BylawsOut,
    responses=problem_responses(404),
    summary="The bylaws in force on a date (today when not given)",
)
async def get_bylaws_in_force(
    council_id: uuid.UUID,
    session: SessionDep,
    conditional: Reading,
    on: Annotated[Day | None, Query(description="the date; today when not given")] = None,
) -> Response:
    council = await get_council(session, council_id)
    version = await rules.in_force(session, council, on or today())
    return conditional.answer(rules.bylaws_out(version))


@router.get("", summary="Every version of the council's bylaws, drafts and adopted")
async def list_bylaws(
    council_id: uuid.UUID,
    session: SessionDep,
    page: PageDep,
    status: BylawsStatus | None = None,
) -> Page[BylawsOut]:
    await get_council(session, council_id)
    items, cursor = await paginate(
        session, rules.versions_query(council_id, status), keys=[BylawsVersion.number],
        page=page,
    )  # fmt: skip
    return Page(items=[rules.bylaws_out(v) for v in items], next_cursor=cursor)


@router.get("/{version_id}", response_model=BylawsOut, responses=problem_responses(404))
async def get_bylaws(
    council_id: uuid.UUID, version_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    version = await rules.get_version(session, council_id, version_id)
    return conditional.answer(rules.bylaws_out(version))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=BylawsOut,
             responses=WRITE_ERRORS, summary="Draft a new version")  # fmt: skip
async def draft_bylaws(
    body: BylawsIn,
    council: ManagedCouncil,
    session: SessionDep,
    principal: Writer,
    conditional: Creating,
) -> Response:
    out = await rules.draft(session, principal, council, body)
    return conditional.answer(
        out, status=201, location=f"/v1/councils/{council.id}/bylaws/{out.id}"
    )


@router.patch("/{version_id}", response_model=BylawsOut, responses=WRITE_ERRORS,
              summary="Change a draft (adopted versions are immutable: 409)")  # fmt: skip
async def edit_bylaws(
    body: BylawsPatch,
    change: BylawsChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_draft(session, principal, change.row, change.before, body)
    return conditional.answer(out)


@router.post(
    "/{version_id}/adopt",
    response_model=BylawsOut,
    responses=WRITE_ERRORS,
    summary="Record the council's decision adopting a draft",
    description=(
        "The votes are checked against the quorum and the `bylaws_amendment` threshold of the "
        "version in force on `adopted_on`; the first version by the founding rule: more than "
        "half of all seats. A change of `seats_per_member` opens or closes seats that day."
    ),
)
async def adopt_bylaws(
    body: Adoption,
    council: ManagedCouncil,
    change: BylawsChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.adopt(session, principal, council, change.row, change.before, body)
    return conditional.answer(out)
