"""Async engine, sessions and the declarative building blocks every service uses.

PostgreSQL goes through asyncpg, the embedded default through aiosqlite (WAL, foreign keys on).
One transaction per writing request: `SessionDep` opens it and commits when the endpoint
returns; rules only `flush()`. Reading requests (GET, HEAD, OPTIONS) run each statement on its
own, without BEGIN and COMMIT/ROLLBACK round trips (see docs/decisions.md, "The read path").
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, Integer, MetaData, event, inspect, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator, Uuid

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> MetaData:
    """Each service's own MetaData, so Alembic autogenerate sees only that service's tables."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def async_url(url: str) -> str:
    """Accept the URLs people write (`postgresql://`, `sqlite:///`) and pick the async driver."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername != "postgresql+asyncpg":
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif backend == "sqlite" and parsed.drivername != "sqlite+aiosqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend not in ("postgresql", "sqlite"):
        raise ValueError(f"unsupported database {backend!r}: use PostgreSQL or SQLite")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


SQLITE_BEGIN = "spn_sqlite_begin"
# Execution options of a transaction that writes (PostgreSQL ignores them).
WRITING = {SQLITE_BEGIN: "IMMEDIATE"}
# Execution options of reads: each statement on its own. PostgreSQL's READ COMMITTED takes a
# snapshot per statement anyway, so a transaction around reads only adds BEGIN and ROLLBACK.
READING_POSTGRESQL = {"isolation_level": "AUTOCOMMIT"}
READING_SQLITE = {SQLITE_BEGIN: None}
# PostgreSQL connections per process (`SPN_DATABASE_POOL_SIZE`): workers x services x this
# must stay under the server's max_connections (100 by default).
POOL_SIZE = int(os.environ.get("SPN_DATABASE_POOL_SIZE", "10"))


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    # No pool_pre_ping: it costs a round trip (three on PostgreSQL: BEGIN, ping, ROLLBACK) on
    # every checkout. A connection the server dropped fails one request, and SQLAlchemy then
    # discards the whole pool (it recognises disconnects), so the next request reconnects.
    url = async_url(url)
    if not is_sqlite(url):
        # Connections are kept, not churned: with SQLAlchemy's default (5 kept, 10 more on
        # demand), every request beyond five at once opened a new connection and closed it
        # afterwards (TLS attempt, authentication, type codecs: a third of the CPU of a GET
        # under load). Requests beyond the pool wait for a connection instead.
        kwargs.setdefault("pool_size", POOL_SIZE)
        kwargs.setdefault("max_overflow", 0)
        return _create_async_engine(url, **kwargs)

    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = _create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINT and BEGIN semantics;
        # take it over, as SQLAlchemy's SQLite documentation recommends.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A transaction that will write takes the write lock at BEGIN (IMMEDIATE): SQLite then
        # queues writers with busy_timeout instead of failing one that read first.
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        if mode is not None:  # None: a read, each statement on its own
            connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """One service's engine and session factory; created in the lifespan, disposed at shutdown."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = async_url(url)
        self.engine = create_engine(self.url, **engine_kwargs)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        reading = READING_SQLITE if is_sqlite(self.url) else READING_POSTGRESQL
        # Reads share the pool; they never send BEGIN, COMMIT or ROLLBACK.
        self.read_engine = self.engine.execution_options(**reading)
        self.reader = async_sessionmaker(self.read_engine, expire_on_commit=False)

    def reading(self) -> AsyncConnection:
        """A connection for reads, no ORM session: `async with database.reading() as c:`."""
        return self.read_engine.connect()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """A connection in a transaction that is going to write."""
        async with self.engine.connect() as connection:
            await connection.execution_options(**WRITING)
            async with connection.begin():
                yield connection

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    if request.method in READ_METHODS:
        async with database.reader() as session:
            yield session
        return
    async with database.sessionmaker() as session, session.begin():
        await session.connection(execution_options=WRITING)
        yield session


# scope="function": the commit runs when the endpoint returns, before the response is sent,
# so a failed commit is an error answer and never a success that was not kept.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]


async def _read_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    async with request.app.state.database.reading() as connection:
        yield connection


# For a GET whose rule reads plain rows (Core statements): the connection without an ORM
# session around it (a session's begin, connection and close cost a tenth of such a GET).
# Returned to the pool when the endpoint returns.
ReadConnection = Annotated[AsyncConnection, Depends(_read_connection, scope="function")]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        # A cursor over a timestamp column is parsed back by this type (shared.pagination).
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; SPN stores timezone-aware UTC timestamps")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class TimestampMixin:
    """`created_at` and `updated_at`, set here and nowhere else: one clock reading on insert,
    and never an `updated_at` before `created_at`."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


_UPDATED = "spn_updated_rows"


@event.listens_for(TimestampMixin, "before_insert", propagate=True)
def _on_insert(_mapper: Any, _connection: Any, target: TimestampMixin) -> None:
    now = utcnow()
    target.created_at = target.created_at or now
    target.updated_at = max(target.updated_at or now, target.created_at)


@event.listens_for(TimestampMixin, "before_update", propagate=True)
def _on_update(_mapper: Any, _connection: Any, target: TimestampMixin) -> None:
    # Also fires for a row whose only change is a relationship; the UPDATE then moves the
    # version (VersionedMixin) as well.
    state = inspect(target)
    if not state.attrs.updated_at.history.added:
        target.updated_at = max(utcnow(), target.created_at)
    session = state.session
    if session is not None:
        session.info.setdefault(_UPDATED, set()).add(state.key)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_updates(session: Session) -> None:
    session.info.pop(_UPDATED, None)


def updated_in(session: AsyncSession, row: object) -> bool:
    """Whether this transaction has already written an UPDATE of `row` (and moved its version)."""
    key = inspect(row).key
    return key in session.sync_session.info.get(_UPDATED, set())


class VersionedMixin:
    """A row version for ETags: SQLAlchemy bumps it on every UPDATE and refuses a stale one."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
