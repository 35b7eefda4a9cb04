"""Test set-up shared by every service's tests.

Each test gets its own databases, copied from a template that the real Alembic migrations built
once per run: a file copy on SQLite (the default), `CREATE DATABASE ... TEMPLATE` on PostgreSQL
when `SPN_TEST_POSTGRES_URL` names a server (e.g. postgresql://postgres@127.0.0.1:5432/postgres).
Copies rather than rolled-back transactions, so that tests may commit, run concurrent requests
and start real processes against the same data.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from shared.auth import mint_token
from shared.migrations import upgrade
from shared.settings import AuthSettings

ROOT = Path(__file__).parent
SERVICES = ("registry", "councils", "grants")
POSTGRES_URL = os.environ.get("SPN_TEST_POSTGRES_URL", "")

os.environ.setdefault("SPN_ENV", "test")


def _pg_admin_dsn() -> str:
    url = make_url(POSTGRES_URL).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _pg_url(database: str) -> str:
    url = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg", database=database)
    return url.render_as_string(hide_password=False)


async def _pg_execute(*statements: str) -> None:
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
        self._created: list[str] = []

    def template(self, service: str) -> str:
        if service not in self._templates:
            if POSTGRES_URL:
                name = f"spn_tpl_{service}_{self.run_id}"
                asyncio.run(_pg_execute(f'CREATE DATABASE "{name}"'))
                self._created.append(name)
                upgrade(ROOT / "services" / service, _pg_url(name))
                self._templates[service] = name
            else:
                path = self.workdir / f"{service}-template.db"
                upgrade(ROOT / "services" / service, f"sqlite+aiosqlite:///{path}")
                self._templates[service] = str(path)
        return self._templates[service]

    async def fresh(self, service: str) -> str:
        template = self._templates[service]
        if POSTGRES_URL:
            name = f"spn_t_{service}_{uuid.uuid4().hex[:12]}"
            await _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            self._created.append(name)
            return _pg_url(name)
        path = self.workdir / f"{service}-{uuid.uuid4().hex[:12]}.db"
        await asyncio.to_thread(shutil.copyfile, template, path)
        return f"sqlite+aiosqlite:///{path}"

    async def drop(self, url: str) -> None:
        if POSTGRES_URL:
            name = make_url(url).database
            await _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._created.remove(str(name))
        else:
            await asyncio.to_thread(_remove_sqlite_files, str(make_url(url).database))

    def close(self) -> None:
        if POSTGRES_URL and self._created:
            asyncio.run(
                _pg_execute(*(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in self._created))
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
    """`await fresh_database("registry")` gives the URL of a new, migrated database."""
    urls: list[str] = []

    async def make(service: str) -> str:
        url = await database_factory.fresh(service)
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
