"""An inbox for another service's change feed (see shared.outbox): events pushed to an
endpoint or read from the feed, each applied once and in order.

A source numbers its events 1, 2, 3, ... without gaps (the outbox's counter). The inbox keeps
per source the `seq` of the last event it applied (`inbox_positions`) and moves it in the
transaction that applies the event, so:

- an event at or below the position was applied already and is skipped (a push repeated, a
  page read twice): applying is idempotent by event;
- the next one is applied; events are applied in the source's order, so in order per stream;
- one beyond the next reveals a gap (a lost push, pushes missed while this service was down),
  which the inbox fills by reading the feed from its position (`catch_up`).

The catch-up also runs at start and every `poll_seconds`, so nothing is missed even when no
push comes. A handler gets the transaction's session and the event; it must accept any event
the source publishes (doing nothing with those that do not concern it) and raise only when
the event cannot be applied now: the transaction then rolls back, the position stays, and the
event is tried again later (a push is answered 503, so its sender retries).

    inbox = Inbox(source="registry", table=inbox_positions, handle=apply_event, feed=client)
    app.include_router(inbox.router("/v1/inbox/registry", dependencies=[...]))
    await inbox.start(database)  # in the lifespan; `await inbox.stop()` at shutdown
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.database import WRITING, Database, UTCDateTime, utcnow
from shared.errors import AppError
from shared.http import ServiceClient
from shared.i18n import _
from shared.outbox import Event

logger = logging.getLogger("spn.inbox")

Handler = Callable[[AsyncSession, Event], Awaitable[None]]


def inbox_table(metadata: MetaData) -> Table:
    """Add the inbox positions to a service's MetaData (and so to its migrations)."""
    return Table(
        "inbox_positions",
        metadata,
        Column("source", String(100), primary_key=True),
        Column("position", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
    )


class Pushed(BaseModel):
    """What a source pushes: a batch of its events, in order."""

    events: list[Event] = Field(max_length=1000)


class Receipt(BaseModel):
    """What the inbox did with a batch."""

    applied: int = Field(description="events applied now")
    skipped: int = Field(description="events applied before (repeated or out of date)")
    position: int = Field(description="seq of the last event applied from this source")


class EventNotApplied(AppError):
    status, title, slug = 503, _("Event not applied"), "event-not-applied"


@dataclass
class _Applied:
    applied: int
    skipped: int
    position: int
    gap: bool


class Inbox:
    """One source's events, applied once each and in order (see the module's doc)."""

    def __init__(
        self,
        *,
        source: str,
        table: Table,
        handle: Handler,
        feed: ServiceClient | None = None,
        feed_path: str = "/v1/events",
        page_size: int = 500,
        poll_seconds: float = 30.0,
    ) -> None:
        self.source = source
        self.table = table
        self.handle = handle
        self.feed = feed
        self.feed_path = feed_path
        self.page_size = page_size
        self.poll_seconds = poll_seconds
        self._database: Database | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self.caught_up = asyncio.Event()  # set after the first complete catch-up

    async def position(self, database: Database) -> int:
        async with database.reader() as session:
            value = await session.scalar(
                select(self.table.c.position).where(self.table.c.source == self.source)
            )
        return int(value or 0)

    async def _apply(self, database: Database, events: Sequence[Event]) -> _Applied:
        """Apply the events that follow the position, in one transaction with moving it."""
        table = self.table
        mine = table.c.source == self.source
        async with database.sessionmaker() as session, session.begin():
            await session.connection(execution_options=WRITING)
            position = await session.scalar(select(table.c.position).where(mine).with_for_update())
            if position is None:
                dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
                await session.execute(
                    dialect.insert(table)
                    .values(source=self.source, position=0, updated_at=utcnow())
                    .on_conflict_do_nothing()
                )
                position = await session.scalar(
                    select(table.c.position).where(mine).with_for_update()
                )
            position = int(position or 0)
            applied = skipped = 0
            gap = False
            for event in sorted(events, key=lambda e: e.seq):
                if event.seq <= position:
                    skipped += 1
                    continue
                if event.seq > position + 1:
                    gap = True
                    break
                try:
                    await self.handle(session, event)
                except Exception as exc:
                    logger.exception("%s event %s (%s) not applied", self.source, event.seq,
                                     event.type)  # fmt: skip
                    raise EventNotApplied(
                        _(
                            "Event {seq} ({type}) could not be applied now; it will be tried "
                            "again.",
                            seq=event.seq,
                            type=event.type,
                        )
                    ) from exc
                position = event.seq
                applied += 1
            if applied:
                await session.execute(
                    update(table).where(mine).values(position=position, updated_at=utcnow())
                )
        return _Applied(applied, skipped, position, gap)

    async def receive(self, database: Database, events: Sequence[Event]) -> Receipt:
        """Apply pushed events; a gap before them is filled from the feed first."""
        result = await self._apply(database, events)
        applied, skipped = result.applied, result.skipped
        if result.gap:
            try:
                applied += await self.catch_up(database)
            except AppError:
                logger.warning("%s feed not readable to fill a gap; trying later", self.source)
                self._wake.set()
            # What the catch-up applied includes the rest of this batch.
            return Receipt(applied=applied, skipped=skipped, position=await self.position(database))
        return Receipt(applied=applied, skipped=skipped, position=result.position)

    async def catch_up(self, database: Database) -> int:
        """Read the feed from the position until it is exhausted; returns events applied."""
        if self.feed is None:
            return 0
        total = 0
        while True:
            position = await self.position(database)
            response = await self.feed.get(
                self.feed_path, params={"after": position, "limit": self.page_size}
            )
            if response.status_code != 200:
                raise EventNotApplied(
                    _(
                        "The feed of {source} answered {status}.",
                        source=self.source,
                        status=response.status_code,
                    )
                )
            items: list[dict[str, Any]] = response.json()["items"]
            if not items:
                return total
            result = await self._apply(database, [Event.model_validate(i) for i in items])
            total += result.applied
            if result.applied == 0 and result.gap:
                # The feed itself has a hole (never the case for an outbox): do not spin.
                logger.error("%s feed has a gap after %s", self.source, position)
                return total

    def wake(self) -> None:
        self._wake.set()

    async def start(self, database: Database) -> None:
        """Catch up now and then every `poll_seconds`, in the background."""
        self._database = database
        if self.feed is not None:
            self._task = asyncio.create_task(self._run(database), name=f"inbox-{self.source}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self, database: Database) -> None:
        delay = 0.5
        while True:
            try:
                await self.catch_up(database)
                self.caught_up.set()
                delay = self.poll_seconds
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("%s feed not readable; trying again in %.1f s", self.source, delay)
                delay = min(self.poll_seconds, delay * 2)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    def router(self, path: str, **route: Any) -> APIRouter:
        """An APIRouter with `POST path` taking `{"events": [...]}` (extra keyword arguments go
        to the route: `dependencies`, `include_in_schema`, `tags`, ...)."""
        router = APIRouter()

        async def receive_events(body: Pushed, request: Request) -> Receipt:
            return await self.receive(request.app.state.database, body.events)

        router.add_api_route(
            path, receive_events, methods=["POST"], name=f"receive_{self.source}_events", **route
        )
        return router
