"""A server killed in the middle of a keyed request: the retry after the restart does the work,
once; a retry while the request still runs gets 409."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.registry.models import Actor, idempotency_keys
from shared.database import Database
from shared.testing import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.e2e

HEADER = "kind,legal_form,name_hy,name_en,community\n"
ROWS = 1000  # an import long enough to be killed in the middle (seconds)


def _tail(log: Path) -> str:
    return log.read_text()[-2000:]


@asynccontextmanager
async def registry_process(
    database_url: str, log: Path, workers: int = 1
) -> AsyncIterator[tuple[str, int]]:
    """`python -m services.registry serve` on a free port; yields its URL and process id."""
    port = free_port()
    env = os.environ | {"SPN_REGISTRY_DATABASE_URL": database_url, "SPN_WORKERS": str(workers)}
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.registry", "serve", "--port", str(port),
            cwd=ROOT, env=env, stdout=output, stderr=output,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(900):  # up to 90 s: a loaded machine starts Python slowly
                try:
                    if (await client.get(f"{url}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"the registry did not start: {_tail(log)}")
        yield url, process.pid
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await process.wait()


async def _count(database_url: str, statement: Any) -> int:
    database = Database(database_url)
    try:
        async with database.reader() as session:
            return int(await session.scalar(statement) or 0)
    finally:
        await database.dispose()


ACTORS = select(func.count()).select_from(Actor)
CLAIMS = select(func.count()).select_from(idempotency_keys)


async def test_a_retry_after_a_crash_does_the_import_once(
    fresh_database: Callable[[str], Awaitable[str]],
    token_for: Callable[..., str],
    tmp_path: Path,
) -> None:
    database_url = await fresh_database("registry")
    log = tmp_path / "registry.log"
    body = HEADER + "".join(
        f"legal_entity,cso,Կազմակերպություն {i},Organisation {i},masis\n" for i in range(ROWS)
    )
    headers = {
        "Authorization": f"Bearer {token_for('admin')}",
        "Content-Type": "text/csv",
        "Idempotency-Key": "import-after-crash",
    }

    async def send(client: httpx.AsyncClient, url: str) -> httpx.Response:
        return await client.post(f"{url}/v1/imports/actors", content=body.encode(),
                                 headers=headers)  # fmt: skip

    async with (
        registry_process(database_url, log) as (url, pid),
        httpx.AsyncClient(timeout=120) as client,
    ):
        first = asyncio.create_task(send(client, url))
        while await _count(database_url, CLAIMS) == 0:  # until the server has claimed the key
            assert not first.done(), first.result().text
            await asyncio.sleep(0.05)
        retry = await send(client, url)
        assert retry.status_code == 409  # during the long request, the claim holds
        assert "still being processed" in retry.json()["detail"]
        assert not first.done()
        os.kill(pid, signal.SIGKILL)  # the crash, in the middle of the import
        with pytest.raises(httpx.TransportError):
            await first

    assert await _count(database_url, ACTORS) == 0  # killed before its commit: nothing written

    async with (
        registry_process(database_url, log) as (url, _),
        httpx.AsyncClient(timeout=120) as client,
    ):
        done = await send(client, url)
        assert done.status_code == 201, done.text  # not a 409 for a day: the claim was released
        assert done.json()["actors"] == ROWS
        replayed = await send(client, url)
        assert replayed.status_code == 201
        assert replayed.headers["idempotent-replayed"] == "true"
        assert replayed.json() == done.json()

    assert await _count(database_url, ACTORS) == ROWS  # the work was done once
