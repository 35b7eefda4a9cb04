"""Sessions: convened, opened, held and closed; agenda, attendance, motions and votes. Every
change answers the session's full record (and its new ETag)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.types import DecoratedCallable

from services.councils.dependencies import (
    ManagedCouncil,
    Participant,
    ProposalDep,
    SessionChangeDep,
    Writer,
)
from services.councils.models import CouncilSession
from services.councils.rules import sessions as rules
from services.councils.rules.common import get_council
from services.councils.schemas.sessions import (
    AgendaItemIn,
    CheckIn,
    CheckOut,
    Closing,
    Convening,
    CouncilSessionIn,
    CouncilSessionOut,
    MotionIn,
    Postponement,
    Recusal,
    SessionStatus,
    StatusChange,
    Totals,
    VoteIn,
)
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.inputs import Moment
from shared.pagination import Page, PageDep, paginate

council_router = APIRouter(prefix="/v1/councils/{council_id}/sessions", tags=["sessions"])
router = APIRouter(prefix="/v1/sessions", tags=["sessions"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)


@council_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CouncilSessionOut,
    responses=WRITE_ERRORS,
    summary="Plan a session (a draft until convened)",
)
async def create_session(
    body: CouncilSessionIn,
    council: ManagedCouncil,
    session: SessionDep,
    principal: Writer,
    conditional: Creating,
) -> Response:
    out = await rules.create_session(session, principal, council, body)
    return conditional.answer(out, status=201, location=f"/v1/sessions/{out.id}")


@router.get(
    "",
    summary="Sessions of one or several councils, by start time",
    description="`council_ids` lets a caller ask for the sessions of several councils in one "
    "request; `from` keeps those starting then or later (upcoming sessions).",
)
async def list_sessions(
    session: SessionDep,
    page: PageDep,
    council_id: uuid.UUID | None = None,
    council_ids: Annotated[list[uuid.UUID] | None, Query(max_length=100)] = None,
    from_: Annotated[Moment | None, Query(alias="from")] = None,
    status: SessionStatus | None = None,
) -> Page[CouncilSessionOut]:
    ids = list(council_ids or []) + ([council_id] if council_id else [])
    after: datetime | None = from_
    items, cursor = await paginate(
        session,
        rules.sessions_query(ids, after, status),
        keys=[CouncilSession.starts_at, CouncilSession.id],
        page=page,
    )
    return Page(items=[await rules.session_out(session, s) for s in items], next_cursor=cursor)


@router.get(
    "/{session_id}",
    response_model=CouncilSessionOut,
    responses=problem_responses(404),
    summary="A session's full record: agenda, attendance, live quorum, motions, results",
)
async def get_session(session_id: uuid.UUID, session: SessionDep, conditional: Reading) -> Response:
    row = await rules.get_session(session, session_id)
    await get_council(session, row.council_id)
    return conditional.answer(await rules.session_out(session, row))


def _post(
    path: str, summary: str, description: str | None = None
) -> Callable[[DecoratedCallable], DecoratedCallable]:
    return router.post(
        path,
        response_model=CouncilSessionOut,
        responses=WRITE_ERRORS,
        summary=summary,
        description=description,
    )


@_post(
    "/{session_id}/convene",
    "Convene: checked against the bylaws in force",
    "Who may convene, the format allowed and the notice period (422 naming the rule and "
    "the earliest allowed date); invitations go to every representative and the session's "
    "guests.",
)
async def convene_session(
    body: Convening,
    change: SessionChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.convene(session, principal, change.council, change.row, change.before, body)
    return conditional.answer(out)


@_post("/{session_id}/postpone", "Postpone to a new start (the notice is checked again)")
async def postpone_session(
    body: Postponement,
    change: SessionChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    return conditional.answer(
        await rules.postpone(session, principal, change.row, change.before, body)
    )


@_post("/{session_id}/cancel", "Cancel a session that has not opened")
async def cancel_session(
    body: StatusChange,
    change: SessionChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    return conditional.answer(
        await rules.cancel(session, principal, change.row, change.before, body)
    )


@_post("/{session_id}/open", "Open: with a quorum by the bylaws in force; adopts the agenda")
async def open_session(
    body: StatusChange,
    change: SessionChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    return conditional.answer(
        await rules.open_session(session, principal, change.row, change.before, body)
    )


@_post("/{session_id}/adjourn", "Adjourn for lack of quorum")
async def adjourn_session(
    body: StatusChange,
    change: SessionChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    return conditional.answer(
        await rules.adjourn(session, principal, change.row, change.before, body)
    )


@_post("/{session_id}/close", "Close the session (every motion decided)")
async def close_session(
    body: StatusChange,
    change: SessionChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    return conditional.answer(
        await rules.close(session, principal, change.row, change.before, body)
    )


@router.post(
    "/{session_id}/agenda",
    response_model=CouncilSessionOut,
    responses=WRITE_ERRORS,
    summary="Propose an agenda item (members too); adopted at opening, or by a vote during it",
)
async def propose_item(
    body: AgendaItemIn,
    change: ProposalDep,
    session: SessionDep,
    principal: Participant,
    conditional: Changing,
) -> Response:
    return conditional.answer(
        await rules.propose_item(session, principal, change.row, change.before, body)
    )


@_post(
    "/{session_id}/agenda/{item_id}/adopt",
    "Put an item proposed during the session on the agenda by a show of hands",
)
async def adopt_item(
    item_id: uuid.UUID,
    body: Totals,
    change: SessionChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    item = await rules.get_item(session, change.row, item_id)
    return conditional.answer(
        await rules.adopt_item(session, principal, change.row, change.before, item, body)
    )


@_post("/{session_id}/agenda/{item_id}/recusals", "Recuse a person from an item's vote")
async def recuse(
    item_id: uuid.UUID,
    body: Recusal,
    change: SessionChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    item = await rules.get_item(session, change.row, item_id)
    return conditional.answer(
        await rules.recuse(session, principal, change.row, change.before, item, body)
    )


@_post("/{session_id}/check-in", "A person arrives (in person or remotely)")
async def check_in(
    body: CheckIn,
    change: SessionChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    return conditional.answer(
        await rules.check_in(session, principal, change.row, change.before, body)
    )


@_post("/{session_id}/check-out", "A person leaves")
async def check_out(
    body: CheckOut,
    change: SessionChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    return conditional.answer(
        await rules.check_out(session, principal, change.row, change.before, body)
    )


@_post("/{session_id}/motions", "Put a motion on a decision item to the vote")
async def move(
    body: MotionIn,
    change: SessionChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    return conditional.answer(await rules.move(session, principal, change.row, change.before, body))


@_post("/{session_id}/motions/{motion_id}/votes", "Record one person's roll-call vote")
async def vote(
    motion_id: uuid.UUID,
    body: VoteIn,
    change: SessionChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    motion = await rules.get_motion(session, change.row, motion_id)
    return conditional.answer(
        await rules.vote(session, principal, change.row, change.before, motion, body)
    )


@_post("/{session_id}/motions/{motion_id}/count", "Enter the totals of a show of hands")
async def count(
    motion_id: uuid.UUID,
    body: Totals,
    change: SessionChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    motion = await rules.get_motion(session, change.row, motion_id)
    return conditional.answer(
        await rules.count(session, principal, change.row, change.before, motion, body)
    )


@_post(
    "/{session_id}/motions/{motion_id}/decide",
    "Decide the motion by the bylaws in force: result, explanation, decision number",
)
async def decide(
    motion_id: uuid.UUID,
    body: Closing,
    change: SessionChangeDep,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    motion = await rules.get_motion(session, change.row, motion_id)
    out = await rules.decide_motion(
        session, principal, change.council, change.row, change.before, motion, body
    )
    return conditional.answer(out)
