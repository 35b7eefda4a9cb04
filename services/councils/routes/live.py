"""Sessions in members' calendars (iCalendar) and live for remote participants (SSE)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from icalendar import Calendar, Event
from sqlalchemy import select
from sse_starlette import EventSourceResponse

from services.councils.live import SessionStreams
from services.councils.models import Council, CouncilSession
from services.councils.rules import popolo
from services.councils.rules.common import get_council
from services.councils.rules.sessions import get_session
from shared.database import SessionDep
from shared.errors import problem_responses

router = APIRouter(tags=["sessions"])
CALENDAR = {
    200: {
        "content": {"text/calendar": {"schema": {"type": "string"}}},
        "description": "An iCalendar (RFC 5545) feed",
    },
    **problem_responses(404),
}
HIDDEN = ("draft",)  # a draft is not announced
STATUS = {"cancelled": "CANCELLED", "postponed": "CONFIRMED", "adjourned": "CONFIRMED"}
KIND_HY = {"ordinary": "հերթական նիստ", "extraordinary": "արտահերթ նիստ"}


def _event(council: Council, s: CouncilSession) -> Event:
    event = Event()
    event.add("uid", f"{s.id}@councils.spn")
    event.add("dtstamp", s.updated_at)
    event.add("dtstart", s.starts_at)
    event.add("dtend", s.starts_at + timedelta(hours=2))
    event.add("summary", f"{council.name_hy}: {KIND_HY[s.kind]}")
    where = [p for p in (s.place, s.meeting_link) if p]
    if where:
        event.add("location", ", ".join(where))
    if s.meeting_link:
        event.add("url", s.meeting_link)
    event.add("status", STATUS.get(s.status, "CONFIRMED"))
    event.add("sequence", len(s.history))
    return event


def _calendar(name: str, council: Council, sessions: list[CouncilSession]) -> Response:
    calendar = Calendar()
    calendar.add("prodid", "-//SPN//councils//HY")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for s in sessions:
        calendar.add_component(_event(council, s))
    return Response(calendar.to_ical(), media_type="text/calendar; charset=utf-8")


@router.get(
    "/v1/councils/{council_id}/calendar.ics",
    response_class=Response,
    responses=CALENDAR,
    summary="The council's sessions as an iCalendar feed (drafts left out)",
)
async def council_calendar(council_id: uuid.UUID, session: SessionDep) -> Response:
    council = await get_council(session, council_id)
    sessions = list(
        await session.scalars(
            select(CouncilSession)
            .where(CouncilSession.council_id == council.id, CouncilSession.status.not_in(HIDDEN))
            .order_by(CouncilSession.starts_at)
        )
    )
    return _calendar(council.name_hy, council, sessions)


@router.get(
    "/v1/sessions/{session_id}/calendar.ics",
    response_class=Response,
    responses=CALENDAR,
    summary="One session as an iCalendar event",
)
async def session_calendar(session_id: uuid.UUID, session: SessionDep) -> Response:
    row = await get_session(session, session_id)
    council = await get_council(session, row.council_id)
    return _calendar(council.name_hy, council, [row])


@router.get(
    "/v1/sessions/{session_id}/stream",
    response_class=EventSourceResponse,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
            "description": "Server-sent events `session`: status, present, quorum, motion",
        },
        **problem_responses(404),
    },
    summary="The session live: attendance, quorum, the current motion and its tally",
    description="Each event's id is its place in the service's ordered log; reconnect with "
    "`Last-Event-ID` to resume without losing an event. Without it the stream starts with "
    "the session's whole history of changes.",
)
async def session_stream(
    session_id: uuid.UUID,
    request: Request,
    last_event_id: Annotated[int | None, Header(ge=0, le=2**63 - 1)] = None,
) -> EventSourceResponse:
    streams: SessionStreams = request.app.state.session_streams
    # Not the request's session: that one would stay open for as long as the stream lasts.
    async with streams.database.sessionmaker() as session:
        await get_session(session, session_id)

    async def events() -> AsyncIterator[dict[str, Any]]:
        async for seq, view in streams.events(session_id, last_event_id or 0):
            yield {"id": str(seq), "event": "session", "data": json.dumps(view, ensure_ascii=False)}

    return EventSourceResponse(events(), ping=15)


@router.get(
    "/v1/councils/{council_id}/popolo",
    response_model=dict[str, Any],
    responses=problem_responses(404),
    tags=["open data"],
    summary="The council as Popolo open data (no contacts); fields: docs/popolo.md",
)
async def council_popolo(council_id: uuid.UUID, session: SessionDep) -> dict[str, Any]:
    council = await get_council(session, council_id)
    return await popolo.export(session, council)
