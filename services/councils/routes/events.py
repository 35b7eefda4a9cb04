from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.councils.journal import registered
from services.councils.messages import _
from services.councils.models import outbox
from shared.database import SessionDep
from shared.errors import RuleViolation
from shared.outbox import Event, read_feed
from shared.pagination import Page, decode_cursor, encode_cursor

router = APIRouter(prefix="/v1/events", tags=["events"])

EVENT_TYPES = registered().event_types
EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]
# Sequence numbers are 64-bit on PostgreSQL.
MAX_SEQ = 2**63 - 1


@router.get(
    "",
    summary="The change feed: every change the councils service makes, in order",
    description=(
        "Events in the order they were committed, as a page like every list: "
        "`{items, next_cursor}`. Read on with `cursor` = the `next_cursor` you were given, or "
        "with `after` = the `seq` of the last event you applied. The feed never ends, so "
        "`next_cursor` is always given; an empty page means you are up to date (keep the "
        "cursor and ask again later). Event data never carries personal contacts."
    ),
)
async def read_council_events(
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ, description="the last seq you have")] = 0,
    cursor: Annotated[
        str | None, Query(max_length=1024, description="`next_cursor` of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    type: Annotated[list[EventType] | None, Query(max_length=len(EVENT_TYPES))] = None,
    stream_id: Annotated[uuid.UUID | None, Query(description="only one council's events")] = None,
) -> Page[Event]:
    if cursor is not None:
        (after,) = decode_cursor(cursor, [outbox.events.c.seq])
        if not 0 <= after <= MAX_SEQ:
            raise RuleViolation(
                _("The cursor is not one this list gave out; start again without it.")
            )
    items = await read_feed(
        session, outbox, after=after, limit=limit, types=type or (), stream_id=stream_id
    )
    return Page(items=items, next_cursor=encode_cursor([items[-1].seq if items else after]))
