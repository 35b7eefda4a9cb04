"""The pytest plugin every service's tests use (registered by the root conftest.py).

- Databases: each test gets its own, copied from a template that the real Alembic migrations
  built once per run: a file copy on SQLite (the default), `CREATE DATABASE ... TEMPLATE` on
  PostgreSQL when `SPN_TEST_POSTGRES_URL` names a server. Copies rather than rolled-back
  transactions, so that tests may commit, run concurrent requests and start real processes.
  Read-only tests seed a template once per module (`DatabaseFactory.seeded`) and copy that.
- Tokens (`token_for`), round trips to the database (`StatementLog`), free ports (`free_port`) and a
  loopback test subscriber for pushed events (`Subscriber`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Table, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_

from shared.auth import mint_token
from shared.migrations import upgrade
from shared.outbox import OutboxTables
from shared.settings import AuthSettings

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("registry", "councils", "grants")
POSTGRES_URL = os.environ.get("SPN_TEST_POSTGRES_URL", "")

os.environ.setdefault("SPN_ENV", "test")
Seed = Callable[[str], Awaitable[Any]]


@dataclass(frozen=True)
class Seeded:
    """A template database holding seeded data, and what the seed returned about it."""

    template: str
    data: Any


def _pg_admin_dsn() -> str:
    url = make_url(POSTGRES_URL).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def pg_url(database: str) -> str:
    url = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg", database=database)
    return url.render_as_string(hide_password=False)


async def pg_execute(*statements: str) -> None:
    connection = await asyncpg.connect(_pg_admin_dsn())
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def _remove_sqlite_files(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


class DatabaseFactory:
    """Fresh, migrated databases for one test session."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.run_id = uuid.uuid4().hex[:8]
        self._templates: dict[str, str] = {}
        self._seeded: dict[str, Seeded] = {}
        self._created: list[str] = []

    def template(self, service: str) -> str:
        if service not in self._templates:
            if POSTGRES_URL:
                name = f"spn_tpl_{service}_{self.run_id}"
                asyncio.run(pg_execute(f'CREATE DATABASE "{name}"'))
                self._created.append(name)
                upgrade(ROOT / "services" / service, pg_url(name))
                self._templates[service] = name
            else:
                path = self.workdir / f"{service}-template.db"
                upgrade(ROOT / "services" / service, f"sqlite+aiosqlite:///{path}")
                self._templates[service] = str(path)
        return self._templates[service]

    def seeded(self, service: str, key: str, seed: Seed) -> Seeded:
        """A template of `service` with the data `await seed(url)` writes, made once per key
        (a module, say); tests then get copies of it from `fresh(service, template=...)`."""
        if key not in self._seeded:

            async def make() -> Seeded:
                url = await self.fresh(service)
                data = await seed(url)
                name = make_url(url).database
                return Seeded(template=str(name), data=data)

            self._seeded[key] = asyncio.run(make())
        return self._seeded[key]

    async def fresh(self, service: str, template: str | None = None) -> str:
        template = template or self._templates[service]
        if POSTGRES_URL:
            name = f"spn_t_{service}_{uuid.uuid4().hex[:12]}"
            await pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            self._created.append(name)
            return pg_url(name)
        path = self.workdir / f"{service}-{uuid.uuid4().hex[:12]}.db"
        await asyncio.to_thread(shutil.copyfile, template, path)
        return f"sqlite+aiosqlite:///{path}"

    async def drop(self, url: str) -> None:
        if POSTGRES_URL:
            name = make_url(url).database
            await pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._created.remove(str(name))
        else:
            await asyncio.to_thread(_remove_sqlite_files, str(make_url(url).database))

    def close(self) -> None:
        if POSTGRES_URL and self._created:
            asyncio.run(
                pg_execute(*(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in self._created))
            )


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    for service in SERVICES:
        factory.template(service)
    yield factory
    factory.close()


@pytest.fixture
async def fresh_database(
    database_factory: DatabaseFactory,
) -> AsyncIterator[Callable[[str], Awaitable[str]]]:
    """`await fresh_database("registry")` gives the URL of a new, migrated database
    (`template=` a seeded one's, to start from its data)."""
    urls: list[str] = []

    async def make(service: str, template: str | None = None) -> str:
        url = await database_factory.fresh(service, template)
        urls.append(url)
        return url

    yield make
    for url in urls:
        await database_factory.drop(url)


@pytest.fixture(scope="session")
def auth_settings() -> AuthSettings:
    return AuthSettings()


@pytest.fixture(scope="session")
def token_for(auth_settings: AuthSettings) -> Callable[..., str]:
    """`token_for("admin")` or `token_for("center_official", centers=[id])`: a bearer token;
    keyword arguments other than `subject` are scope claims."""

    def make(*roles: str, subject: str = "tester", **scopes: list[str]) -> str:
        return mint_token(auth_settings, subject=subject, roles=list(roles), scopes=scopes)

    return make


class StatementLog:
    """Records every statement the engine's connections send from now on."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._statements: list[str] = []
        self._instrumented: set[int] = set()
        self._postgresql = engine.dialect.name == "postgresql"
        event.listen(engine.sync_engine.pool, "checkout", self._instrument)
        if self._postgresql:
            # asyncpg logs only what it runs as plain queries (BEGIN, COMMIT, ROLLBACK, pings);
            # SQLAlchemy's statements go through prepared statements, seen here instead.
            event.listen(engine.sync_engine, "before_cursor_execute", self._on_execute)

    def _instrument(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        driver = dbapi_connection.driver_connection
        if id(driver) in self._instrumented:
            return
        self._instrumented.add(id(driver))
        if self._postgresql:
            driver.add_query_logger(lambda record: self._statements.append(record.query))
        else:  # aiosqlite: sqlite3's trace callback sees every statement, BEGIN and COMMIT too
            await_(driver.set_trace_callback(self._statements.append))

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self._statements.append(statement)

    async def taken(self) -> list[str]:
        """The statements sent since the last call (asyncpg reports its own a moment late)."""
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        taken, self._statements[:] = list(self._statements), []
        return [" ".join(s.split()) for s in taken]

    def close(self) -> None:
        event.remove(self.engine.sync_engine.pool, "checkout", self._instrument)
        if self._postgresql:
            event.remove(self.engine.sync_engine, "before_cursor_execute", self._on_execute)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Subscriber:
    """A loopback HTTP endpoint that answers 503 for its first `failures` requests."""

    def __init__(self, port: int, failures: int) -> None:
        self.port = port
        self.failures = failures
        self.received: list[dict[str, object]] = []
        self.requests = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1]) for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )  # fmt: skip
        body = await reader.readexactly(length)
        self.requests += 1
        if self.requests <= self.failures:
            writer.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
        else:
            self.received += json.loads(body)["events"]
            writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        await writer.drain()
        writer.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The answers that refuse a write: none of them may leave an audit entry or an event behind.
REFUSALS = frozenset({401, 403, 404, 409, 412, 413, 415, 422, 503})


async def journal_counts(app: FastAPI, audit_log: Table, outbox: OutboxTables) -> tuple[int, int]:
    """How many audit entries and events the app's database holds."""
    async with app.state.database.sessionmaker() as session:
        audits = await session.scalar(select(func.count()).select_from(audit_log))
        events = await session.scalar(select(func.count()).select_from(outbox.events))
    return int(audits or 0), int(events or 0)


@contextlib.asynccontextmanager
async def journal_checking_client(
    app: FastAPI, base_url: str, audit_log: Table, outbox: OutboxTables
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `app` that checks, on every refused write that ran alone, that nothing was
    journaled (no audit entry, no event) while it ran."""
    in_flight: list[httpx.Request] = []
    counts: dict[int, tuple[int, int]] = {}

    async def before(request: httpx.Request) -> None:
        if request.method in WRITES:
            in_flight.append(request)
            counts[id(request)] = await journal_counts(app, audit_log, outbox)

    async def after(response: httpx.Response) -> None:
        request = response.request
        if request.method not in WRITES:
            return
        alone = in_flight == [request]
        in_flight.remove(request)
        before_counts = counts.pop(id(request))
        if alone and response.status_code in REFUSALS:
            assert await journal_counts(app, audit_log, outbox) == before_counts, (
                f"{request.method} {request.url} was refused with {response.status_code} "
                "but wrote to the journal"
            )

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=base_url,
        event_hooks={"request": [before], "response": [after]},
    ) as client:
        yield client
