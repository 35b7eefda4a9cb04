"""The inbox: each event applied once, in the source's order; gaps filled from the feed; a
failed handler leaves the position where it was."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from shared.database import Database, make_metadata
from shared.errors import AppError
from shared.http import ServiceClient
from shared.inbox import Inbox, inbox_table
from shared.outbox import Event
from shared.testing import POSTGRES_URL, pg_execute, pg_url


class Base(DeclarativeBase):
    metadata = make_metadata()


POSITIONS = inbox_table(Base.metadata)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    name = f"spn_t_inbox_{uuid.uuid4().hex[:12]}"
    if POSTGRES_URL:
        await pg_execute(f'CREATE DATABASE "{name}"')
        database = Database(pg_url(name))
    else:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'inbox.db'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield database
    await database.dispose()
    if POSTGRES_URL:
        await pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def event(seq: int) -> Event:
    return Event(seq=seq, id=uuid.uuid4(), type="thing.changed", occurred_at=datetime.now(UTC),
                 resource_type="thing", resource_id=uuid.uuid4(), data={"n": seq})  # fmt: skip


class Source:
    """A feed of `count` events, and a handler recording what it applied."""

    def __init__(self, count: int) -> None:
        self.events = [event(seq) for seq in range(1, count + 1)]
        self.applied: list[int] = []
        self.failing: int | None = None
        feed = FastAPI()

        @feed.get("/v1/events")
        async def read(after: int = 0, limit: int = 100) -> dict[str, Any]:
            items = [e.model_dump(mode="json") for e in self.events if e.seq > after][:limit]
            return {"items": items, "next_cursor": "x"}

        self.client = ServiceClient(
            "http://source", caller="test", transport=httpx.ASGITransport(app=feed)
        )

    async def handle(self, session: AsyncSession, event: Event) -> None:
        if event.seq == self.failing:
            raise RuntimeError("cannot apply this one now")
        self.applied.append(event.seq)

    def inbox(self) -> Inbox:
        return Inbox(source="source", table=POSITIONS, handle=self.handle, feed=self.client,
                     page_size=2)  # fmt: skip


async def test_pushed_twice_applied_once(database: Database) -> None:
    source = Source(3)
    inbox = source.inbox()
    first = await inbox.receive(database, source.events)
    again = await inbox.receive(database, source.events)
    assert (first.applied, first.position) == (3, 3)
    assert (again.applied, again.skipped) == (0, 3)
    assert source.applied == [1, 2, 3]


async def test_out_of_order_in_a_batch_is_applied_in_order(database: Database) -> None:
    source = Source(3)
    await source.inbox().receive(database, list(reversed(source.events)))
    assert source.applied == [1, 2, 3]


async def test_a_gap_is_filled_from_the_feed(database: Database) -> None:
    source = Source(5)
    receipt = await source.inbox().receive(database, source.events[3:])
    assert receipt.position == 5
    assert source.applied == [1, 2, 3, 4, 5]


async def test_a_failing_event_stops_the_batch_and_keeps_the_position(
    database: Database,
) -> None:
    source = Source(3)
    inbox = source.inbox()
    source.failing = 2
    with pytest.raises(AppError):
        await inbox.receive(database, source.events)
    assert await inbox.position(database) == 0  # the batch's transaction rolled back
    source.failing, source.applied = None, []
    assert (await inbox.receive(database, source.events)).position == 3
    assert source.applied == [1, 2, 3]


async def test_catch_up_reads_the_feed_from_the_position(database: Database) -> None:
    source = Source(5)
    inbox = source.inbox()
    await inbox.receive(database, source.events[:2])
    assert await inbox.catch_up(database) == 3
    assert source.applied == [1, 2, 3, 4, 5]
    assert await inbox.catch_up(database) == 0
