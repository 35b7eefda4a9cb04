from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.registry.journal import registered
from services.registry.models import outbox
from shared.database import SessionDep
from shared.outbox import Event, read_feed

router = APIRouter(prefix="/v1/events", tags=["events"])

EventType = Literal[registered().event_types]  # type: ignore[valid-type]


class EventPage(BaseModel):
    items: list[Event]
    next_after: int = Field(description="pass as `after` to read on")


@router.get(
    "",
    summary="The change feed: every change the registry makes, in order",
    description=(
        "Events in the order they were committed. Read on with `after` = the `seq` of the last "
        "event you applied; an empty page means you are up to date. Event data never carries "
        "personal contacts."
    ),
)
async def read_events(
    session: SessionDep,
    after: Annotated[int, Query(ge=0, description="the last seq you have")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    type: Annotated[list[EventType] | None, Query()] = None,  # type: ignore[valid-type]
    stream_id: Annotated[
        uuid.UUID | None, Query(description="only one network's (or actor's) events")
    ] = None,
) -> EventPage:
    items = await read_feed(
        session, outbox, after=after, limit=limit, types=type or (), stream_id=stream_id
    )
    return EventPage(items=items, next_after=items[-1].seq if items else after)
