"""Transactional outbox: events written with the change that caused them, read as an ordered
feed, and pushed to subscribers until they acknowledge.

- `emit()` adds an event in the caller's transaction. Its sequence number comes from a counter
  row updated in the same transaction, so events become visible in sequence order: a reader
  that has seen event N never later finds an N-1 that committed after it.
- `read_feed()` serves `GET /v1/events?after=N`.
- `Dispatcher` pushes batches, in order, to each subscriber URL (`POST {"events": [...]}`),
  advancing the subscriber's position only on a 2xx, retrying with capped exponential backoff:
  at least once, in order. Consumers skip event ids they have already applied.
- One dispatcher delivers to a subscriber at a time, however many workers and replicas run
  one: it holds a lease on the subscriber's row (`leased_by`, `lease_until`), renewed at each
  round; another takes over only once the lease has run out (its holder stopped or died).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import BaseModel
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.types import Uuid

from shared.database import Database, UTCDateTime, utcnow

logger = logging.getLogger("spn.outbox")


@dataclass(frozen=True)
class OutboxTables:
    events: Table
    counter: Table
    deliveries: Table


def outbox_tables(metadata: MetaData) -> OutboxTables:
    """Add the outbox to a service's MetaData (and so to its migrations)."""
    events = Table(
        "outbox_events",
        metadata,
        Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
               autoincrement=False),
        Column("id", Uuid, nullable=False, unique=True),
        Column("type", String(60), nullable=False),
        Column("occurred_at", UTCDateTime, nullable=False),
        Column("resource_type", String(40), nullable=False),
        Column("resource_id", Uuid, nullable=False),
        Column("stream_id", Uuid, nullable=True, index=True),
        Column("data", JSON, nullable=True),
    )  # fmt: skip
    counter = Table(
        "outbox_counter",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("last_seq", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    )
    deliveries = Table(
        "outbox_deliveries",
        metadata,
        Column("subscriber", String(500), primary_key=True),
        Column("delivered_seq", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
        Column("failures", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
        Column("next_attempt_at", UTCDateTime, nullable=True),
        Column("leased_by", String(200), nullable=True),
        Column("lease_until", UTCDateTime, nullable=True),
    )
    return OutboxTables(events, counter, deliveries)


class Event(BaseModel):
    """What subscribers and feed readers get."""

    seq: int
    id: uuid.UUID
    type: str
    occurred_at: datetime
    resource_type: str
    resource_id: uuid.UUID
    stream_id: uuid.UUID | None = None
    data: dict[str, Any] | None = None


async def emit(
    session: AsyncSession,
    tables: OutboxTables,
    *,
    type: str,
    resource_type: str,
    resource_id: uuid.UUID,
    data: dict[str, Any] | None,
    stream_id: uuid.UUID | None = None,
) -> int:
    """Record an event in the caller's transaction; returns its sequence number.

    `stream_id` groups events whose order matters to consumers (e.g. one network).
    """
    counter = tables.counter
    take_next = (
        update(counter)
        .where(counter.c.id == 1)
        .values(last_seq=counter.c.last_seq + 1)
        .returning(counter.c.last_seq)
    )
    seq = await session.scalar(take_next)
    if seq is None:  # first event ever: the counter row does not exist yet
        # Two first events at once (two workers) both find no row: the second insert does
        # nothing (it waits for the first on PostgreSQL), and both then take a number.
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        await session.execute(
            dialect.insert(counter).values(id=1, last_seq=0).on_conflict_do_nothing()
        )
        seq = await session.scalar(take_next)
    await session.execute(
        insert(tables.events).values(
            seq=seq,
            id=uuid.uuid4(),
            type=type,
            occurred_at=utcnow(),
            resource_type=resource_type,
            resource_id=resource_id,
            stream_id=stream_id,
            data=data,
        )
    )
    session.info.setdefault(_EMITTED, set()).add(id(tables.events))
    return int(seq)


# Dispatchers of this process, by the id of the events table they deliver from: woken as soon
# as a transaction that emitted into it commits (dispatchers of other processes still poll).
_EMITTED = "outbox_emitted"
_dispatchers: dict[int, set[Dispatcher]] = {}


@event.listens_for(Session, "after_commit")
def _wake_dispatchers(session: Session) -> None:
    for table in session.info.pop(_EMITTED, ()):
        for dispatcher in _dispatchers.get(table, ()):
            dispatcher.wake()


@event.listens_for(Session, "after_rollback")
def _forget_emitted(session: Session) -> None:
    session.info.pop(_EMITTED, None)


async def read_feed(
    session: AsyncSession,
    tables: OutboxTables,
    *,
    after: int = 0,
    limit: int = 100,
    types: Sequence[str] = (),
    stream_id: uuid.UUID | None = None,
) -> list[Event]:
    events = tables.events
    statement = select(events).where(events.c.seq > after).order_by(events.c.seq).limit(limit)
    if types:
        statement = statement.where(events.c.type.in_(types))
    if stream_id:
        statement = statement.where(events.c.stream_id == stream_id)
    rows = (await session.execute(statement)).mappings().all()
    return [Event.model_validate(dict(row)) for row in rows]


class Dispatcher:
    """Pushes new events to each subscriber in order, retrying until it acknowledges."""

    def __init__(
        self,
        database: Database,
        tables: OutboxTables,
        subscribers: Sequence[str],
        *,
        caller: str,
        batch_size: int = 100,
        poll_interval: float = 0.5,
        max_backoff: float = 60.0,
        timeout: float = 5.0,
        lease_seconds: float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        credentials: Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        """`credentials`: headers sent with each push (e.g. a fresh bearer token), asked for
        at every delivery so that a token never expires in a long-running dispatcher."""
        self.database = database
        self.credentials = credentials
        # Who holds a lease: unique per dispatcher, readable by whoever looks at the table.
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # Longer than a delivery can take, so a lease never runs out under a live holder.
        self.lease = timedelta(seconds=lease_seconds or max(30.0, 3 * timeout))
        self.tables = tables
        self.subscribers = list(subscribers)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self._http = httpx.AsyncClient(
            timeout=timeout, transport=transport, headers={"User-Agent": f"spn-{caller}"}
        )
        self._wake = asyncio.Event()
        self._stopping = False
        self._grace = timeout + 1.0
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Deliver soon rather than at the next poll (call after a commit that emitted)."""
        self._wake.set()

    async def start(self) -> None:
        if self.subscribers:
            _dispatchers.setdefault(id(self.tables.events), set()).add(self)
            self._task = asyncio.create_task(self._run(), name="outbox-dispatcher")

    async def stop(self) -> None:
        _dispatchers.get(id(self.tables.events), set()).discard(self)
        if self._task is not None:
            # A batch being delivered is finished and acknowledged first: cancelled between
            # sending and recording it, it would be sent again by the next holder.
            self._stopping = True
            self._wake.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), self._grace)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            await self._release()
        await self._http.aclose()

    async def _release(self) -> None:
        """Hand the leases over at once rather than when they run out."""
        deliveries = self.tables.deliveries
        try:
            async with self.database.writing() as connection:
                await connection.execute(
                    update(deliveries)
                    .where(deliveries.c.leased_by == self.holder)
                    .values(leased_by=None, lease_until=None)
                )
        except Exception:
            logger.warning("could not release the outbox leases of %s", self.holder)

    async def _run(self) -> None:
        while not self._stopping:
            # Cleared before looking, so a wake() during a round is not lost.
            self._wake.clear()
            try:
                busy = False
                for subscriber in self.subscribers:
                    busy |= await self.deliver_once(subscriber)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("outbox dispatch failed; trying again")
                busy = False
            if not busy and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    async def _lease(self, subscriber: str) -> Any | None:
        """Take or renew the lease on the subscriber's delivery row; None if another
        dispatcher holds it. The row (with the position) when this one does."""
        deliveries = self.tables.deliveries
        mine = deliveries.c.subscriber == subscriber
        now = utcnow()
        try:
            async with self.database.writing() as connection:
                row = (await connection.execute(select(deliveries).where(mine))).first()
                if row is None:
                    await connection.execute(
                        insert(deliveries).values(
                            subscriber=subscriber, delivered_seq=0, failures=0,
                            leased_by=self.holder, lease_until=now + self.lease,
                        )
                    )  # fmt: skip
                else:
                    # The condition is in the UPDATE itself: PostgreSQL re-checks it after
                    # waiting for a concurrent taker, so only one of two ever gets the row.
                    taken = await connection.execute(
                        update(deliveries)
                        .where(mine)
                        .where(
                            (deliveries.c.leased_by.is_(None))
                            | (deliveries.c.leased_by == self.holder)
                            | (deliveries.c.lease_until < now)
                        )
                        .values(leased_by=self.holder, lease_until=now + self.lease)
                    )
                    if taken.rowcount != 1:
                        return None
                return (await connection.execute(select(deliveries).where(mine))).first()
        except IntegrityError:  # another dispatcher created the row at the same moment
            return None

    async def deliver_once(self, subscriber: str) -> bool:
        """Send the next batch to one subscriber; True when it took a full batch (more wait)."""
        position = await self._lease(subscriber)
        if position is None:  # another dispatcher delivers to this subscriber
            return False
        if position.next_attempt_at is not None and position.next_attempt_at > utcnow():
            return False
        async with self.database.sessionmaker() as session:
            events = await read_feed(
                session, self.tables, after=position.delivered_seq, limit=self.batch_size
            )
        if not events:
            return False
        payload = {"events": [e.model_dump(mode="json") for e in events]}
        deliveries = self.tables.deliveries
        try:
            headers = dict(self.credentials()) if self.credentials else None
            response = await self._http.post(subscriber, json=payload, headers=headers)
            ok = 200 <= response.status_code < 300
            error = None if ok else f"answered {response.status_code}"
        except httpx.HTTPError as exc:
            ok, error = False, f"{exc.__class__.__name__}: {exc}"
        held = (deliveries.c.subscriber == subscriber) & (deliveries.c.leased_by == self.holder)
        async with self.database.writing() as connection:
            if ok:
                await connection.execute(
                    update(deliveries)
                    .where(held)
                    .values(delivered_seq=events[-1].seq, failures=0, last_error=None,
                            next_attempt_at=None)
                )  # fmt: skip
            else:
                failures = position.failures + 1
                backoff = min(self.max_backoff, self.poll_interval * 2 ** min(failures, 16))
                await connection.execute(
                    update(deliveries)
                    .where(held)
                    .values(failures=failures, last_error=error,
                            next_attempt_at=utcnow() + timedelta(seconds=backoff))
                )  # fmt: skip
                logger.warning("subscriber %s refused events: %s", subscriber, error)
        return ok and len(events) == self.batch_size
