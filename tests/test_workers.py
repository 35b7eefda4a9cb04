"""The registry served by several worker processes on its embedded default (SQLite): writes from
all of them keep the idempotency store, the audit and the change feed whole."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from services.registry.models import Actor, audit_log, outbox
from services.registry.reference import community_id
from tests.test_crash import _count, registry_process

pytestmark = pytest.mark.e2e


def _actor(name: str) -> dict[str, object]:
    return {
        "kind": "legal_entity",
        "legal_form": "cso",
        "name": {"hy": name},
        "located_in": [str(community_id("masis"))],
    }


async def test_two_workers_share_one_store(
    fresh_database: Callable[[str], Awaitable[str]],
    token_for: Callable[..., str],
    tmp_path: Path,
) -> None:
    url = await fresh_database("registry")
    admin = {"Authorization": f"Bearer {token_for('admin')}"}
    async with (
        registry_process(url, tmp_path / "registry.log", workers=2) as (base, _),
        httpx.AsyncClient(base_url=base, headers=admin, timeout=30) as client,
    ):
        distinct = [
            client.post("/v1/actors", json=_actor(f"Կազմակերպություն {i}")) for i in range(20)
        ]
        keyed = [
            client.post("/v1/actors", json=_actor("Մեկ անգամ"), headers={"Idempotency-Key": "k1"})
            for _ in range(10)
        ]
        answers = await asyncio.gather(*distinct, *keyed)
        assert all(a.status_code == 201 for a in answers[:20]), [a.text for a in answers[:20]]
        # The same key: done once, every other try a replay of that answer or "still running".
        statuses = sorted(a.status_code for a in answers[20:])
        assert set(statuses) <= {201, 409}
        done = {a.json()["id"] for a in answers[20:] if a.status_code == 201}
        assert len(done) == 1
        feed = (await client.get("/v1/events", params={"limit": 500})).json()["items"]
    assert await _count(url, select(func.count()).select_from(Actor)) == 21
    assert await _count(url, select(func.count()).select_from(audit_log)) == 21
    assert [e["seq"] for e in feed] == list(range(1, 22))
    assert await _count(url, select(func.count()).select_from(outbox.events)) == 21
