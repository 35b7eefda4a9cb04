"""Minutes of a session: JSON and a printable PDF."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.councils.dependencies import MinutesChangeDep, SessionChangeDep, Writer
from services.councils.rules import minutes as rules
from services.councils.rules.sessions import get_session
from services.councils.schemas.minutes import MinutesOut, MinutesPatch
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses

router = APIRouter(prefix="/v1/sessions/{session_id}/minutes", tags=["minutes"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=MinutesOut,
    responses=WRITE_ERRORS,
    summary="Draft the minutes from the session's record (closed or adjourned sessions)",
)
async def draft_minutes(
    change: SessionChangeDep, session: SessionDep, principal: Writer, conditional: Creating
) -> Response:
    out = await rules.draft_minutes(session, principal, change.council, change.row, change.before)
    return conditional.answer(out, status=201, location=f"/v1/sessions/{change.row.id}/minutes")


@router.get("", response_model=MinutesOut, responses=problem_responses(404))
async def get_minutes(session_id: uuid.UUID, session: SessionDep, conditional: Reading) -> Response:
    await get_session(session, session_id)
    return conditional.answer(rules.minutes_out(await rules.minutes_of(session, session_id)))


@router.get(
    ".pdf",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The minutes, printable",
        },
        **problem_responses(404),
    },
    summary="The minutes as a printable PDF (Armenian, then English)",
)
async def get_minutes_pdf(session_id: uuid.UUID, session: SessionDep) -> Response:
    await get_session(session, session_id)
    out = rules.minutes_out(await rules.minutes_of(session, session_id))
    return Response(
        rules.pdf_of(out),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="minutes-{session_id}.pdf"'},
    )


@router.patch(
    "",
    response_model=MinutesOut,
    responses=WRITE_ERRORS,
    summary="Edit the draft (approved minutes are immutable: 409)",
)
async def edit_minutes(
    body: MinutesPatch,
    change: MinutesChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_minutes(session, principal, change.row, change.before, body)
    return conditional.answer(out)
