import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.orm import DeclarativeBase

from shared.database import Database, make_metadata
from shared.outbox import Dispatcher, OutboxTables, emit, outbox_tables, read_feed
from shared.testing import POSTGRES_URL, Subscriber, free_port, pg_execute, pg_url


class Base(DeclarativeBase):
    metadata = make_metadata()


TABLES = outbox_tables(Base.metadata)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """SQLite, or a new PostgreSQL database when the suite runs on PostgreSQL."""
    name = f"spn_t_outbox_{uuid.uuid4().hex[:12]}"
    if POSTGRES_URL:
        await pg_execute(f'CREATE DATABASE "{name}"')
        database = Database(pg_url(name))
    else:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield database
    await database.dispose()
    if POSTGRES_URL:
        await pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _emit(database: Database, tables: OutboxTables, n: int, stream: uuid.UUID) -> None:
    for i in range(n):
        async with database.sessionmaker() as session, session.begin():
            await emit(session, tables, type="thing.changed", resource_type="thing",
                       resource_id=uuid.uuid4(), stream_id=stream, data={"n": i})  # fmt: skip


async def test_events_are_numbered_in_commit_order_and_read_as_a_feed(
    database: Database,
) -> None:
    stream = uuid.uuid4()
    await _emit(database, TABLES, 5, stream)
    async with database.sessionmaker() as session:
        first = await read_feed(session, TABLES, after=0, limit=3)
        rest = await read_feed(session, TABLES, after=first[-1].seq)
    assert [e.seq for e in first + rest] == [1, 2, 3, 4, 5]
    assert [e.data for e in first + rest] == [{"n": i} for i in range(5)]


async def test_a_subscriber_that_is_down_gets_every_event_in_order_when_back(
    database: Database,
) -> None:
    port = free_port()
    stream = uuid.uuid4()
    subscriber = Subscriber(port, failures=2)
    dispatcher = Dispatcher(
        database,
        TABLES,
        [f"http://127.0.0.1:{port}/events"],
        caller="test",
        batch_size=3,
        poll_interval=0.05,
        max_backoff=0.2,
    )
    await dispatcher.start()
    try:
        await _emit(database, TABLES, 4, stream)
        await asyncio.sleep(0.4)  # nothing listens: connections are refused
        assert subscriber.received == []
        await subscriber.start()  # back, but answers 503 twice first
        await _emit(database, TABLES, 3, stream)
        for _ in range(100):
            if len(subscriber.received) >= 7:
                break
            await asyncio.sleep(0.05)
    finally:
        await dispatcher.stop()
        await subscriber.stop()
    assert [e["data"] for e in subscriber.received] == [{"n": i} for i in [0, 1, 2, 3, 0, 1, 2]]
    assert [e["seq"] for e in subscriber.received] == list(range(1, 8))
    assert subscriber.requests >= 2 + 3  # the refusals, then three batches


async def test_two_dispatchers_on_one_database_deliver_each_event_once_in_order(
    database: Database,
) -> None:
    """Two workers or replicas each run a dispatcher: one delivers at a time (it holds the
    lease), so the subscriber sees every event once and in order."""
    port = free_port()
    subscriber = Subscriber(port, failures=0)
    await subscriber.start()
    url = f"http://127.0.0.1:{port}/events"
    dispatchers = [
        Dispatcher(database, TABLES, [url], caller=f"worker-{i}", batch_size=5, poll_interval=0.01)
        for i in (1, 2)
    ]
    try:
        await _emit(database, TABLES, 10, uuid.uuid4())
        for dispatcher in dispatchers:
            await dispatcher.start()
        await _emit(database, TABLES, 50, uuid.uuid4())
        for _ in range(200):
            if len(subscriber.received) >= 60:
                break
            await asyncio.sleep(0.05)
        await dispatchers[0].stop()  # the other takes over at once: the lease is handed back
        await _emit(database, TABLES, 10, uuid.uuid4())
        for _ in range(200):
            if len(subscriber.received) >= 70:
                break
            await asyncio.sleep(0.05)
    finally:
        for dispatcher in dispatchers:
            await dispatcher.stop()
        await subscriber.stop()
    assert [e["seq"] for e in subscriber.received] == list(range(1, 71))


async def test_a_commit_that_emitted_wakes_the_dispatcher_of_the_process(
    database: Database,
) -> None:
    port = free_port()
    subscriber = Subscriber(port, failures=0)
    await subscriber.start()
    # It would poll only once a minute: the event arrives because the commit woke it.
    dispatcher = Dispatcher(database, TABLES, [f"http://127.0.0.1:{port}/events"],
                            caller="test", poll_interval=60)  # fmt: skip
    await dispatcher.start()
    try:
        await asyncio.sleep(0.3)  # its first round found nothing; it is waiting
        await _emit(database, TABLES, 1, uuid.uuid4())
        for _ in range(100):
            if subscriber.received:
                break
            await asyncio.sleep(0.02)
    finally:
        await dispatcher.stop()
        await subscriber.stop()
    assert [e["seq"] for e in subscriber.received] == [1]
