import asyncio
import sys
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import insert, update

from shared.database import utcnow
from shared.idempotency import _holder_of, _sha256
from shared.tests.conftest import gate, idempotency_keys


async def _count(client: httpx.AsyncClient) -> int:
    return len((await client.get("/v1/notes")).json()["items"])


class TestIdempotencyKey:
    async def test_a_retry_gets_the_first_answer(self, client: httpx.AsyncClient) -> None:
        headers = {"Idempotency-Key": "k-1"}
        first = await client.post("/v1/notes", json={"text": "a"}, headers=headers)
        retry = await client.post("/v1/notes", json={"text": "a"}, headers=headers)
        assert first.status_code == retry.status_code == 201
        assert retry.json() == first.json()
        assert retry.headers["idempotent-replayed"] == "true"
        assert await _count(client) == 1

    async def test_same_key_other_body_is_422(self, client: httpx.AsyncClient) -> None:
        headers = {"Idempotency-Key": "k-2"}
        await client.post("/v1/notes", json={"text": "a"}, headers=headers)
        other = await client.post("/v1/notes", json={"text": "b"}, headers=headers)
        assert other.status_code == 422
        assert "different request" in other.json()["detail"]
        assert await _count(client) == 1

    async def test_keys_are_per_caller(self, client: httpx.AsyncClient, token_for) -> None:  # type: ignore[no-untyped-def]
        headers = {"Idempotency-Key": "k-3"}
        await client.post("/v1/notes", json={"text": "a"}, headers=headers)
        other_caller = headers | {"Authorization": f"Bearer {token_for('admin')}"}
        second = await client.post("/v1/notes", json={"text": "a"}, headers=other_caller)
        assert "idempotent-replayed" not in second.headers
        assert await _count(client) == 2

    async def test_concurrent_duplicate_is_409(self, client: httpx.AsyncClient) -> None:
        gate["slow"] = asyncio.Event()
        headers = {"Idempotency-Key": "k-4"}
        try:
            first = asyncio.create_task(
                client.post("/v1/notes", json={"text": "slow"}, headers=headers)
            )
            await asyncio.sleep(0.2)
            duplicate = await client.post("/v1/notes", json={"text": "slow"}, headers=headers)
            assert duplicate.status_code == 409
            gate["slow"].set()
            assert (await first).status_code == 201
        finally:
            gate.pop("slow").set()
        assert await _count(client) == 1

    async def test_a_refused_request_does_not_use_up_the_key(
        self, client: httpx.AsyncClient
    ) -> None:
        headers = {"Idempotency-Key": "k-5"}
        bad = await client.post("/v1/notes", json={"text": ""}, headers=headers)
        assert bad.status_code == 422
        good = await client.post("/v1/notes", json={"text": "fixed"}, headers=headers)
        assert good.status_code == 201

    async def test_an_overlong_key_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v1/notes", json={"text": "a"}, headers={"Idempotency-Key": "x" * 300}
        )
        assert response.status_code == 422
        assert await _count(client) == 0


class TestAClaimWhoseRequestDied:
    """A claim left "in progress" by a process that is gone is released: the retry runs once."""

    BODY = b'{"text":"after a crash"}'

    async def _plant_claim(self, app: FastAPI, *, holder: str | None, lease_seconds: float) -> None:
        """What a process that died in the middle of this request left in the key store."""
        fingerprint = _sha256(b"/v1/notes", b"", self.BODY)
        async with app.state.database.writing() as connection:
            await connection.execute(
                insert(idempotency_keys).values(
                    caller=_sha256(b""), key="k-crash", fingerprint=fingerprint,
                    created_at=utcnow(), holder=holder,
                    lease_until=utcnow() + timedelta(seconds=lease_seconds),
                )
            )  # fmt: skip

    async def _retry(self, client: httpx.AsyncClient) -> httpx.Response:
        return await client.post(
            "/v1/notes", content=self.BODY,
            headers={"Idempotency-Key": "k-crash", "Content-Type": "application/json"},
        )  # fmt: skip

    async def test_a_dead_process_on_this_machine_releases_its_claim_at_once(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        dead = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
        await dead.wait()
        await self._plant_claim(app, holder=_holder_of(dead.pid), lease_seconds=600)
        retry = await self._retry(client)
        assert retry.status_code == 201
        again = await self._retry(client)
        assert again.headers["idempotent-replayed"] == "true"
        assert await _count(client) == 1

    async def test_a_live_process_keeps_its_claim_even_past_its_lease(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        # Another process of this machine, still running, whose renewals could not be written.
        alive = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "import time; time.sleep(60)"
        )
        try:
            await self._plant_claim(app, holder=_holder_of(alive.pid), lease_seconds=-60)
            assert (await self._retry(client)).status_code == 409
        finally:
            alive.kill()
            await alive.wait()
        assert await _count(client) == 0

    async def test_on_another_machine_the_lease_decides(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        elsewhere = "other-pod/boot/pid:[1]|7|123"
        await self._plant_claim(app, holder=elsewhere, lease_seconds=600)
        assert (await self._retry(client)).status_code == 409  # its lease still runs
        async with app.state.database.writing() as connection:
            await connection.execute(
                update(idempotency_keys).values(lease_until=utcnow() - timedelta(seconds=1))
            )
        assert (await self._retry(client)).status_code == 201  # run out: its pod is gone
        assert await _count(client) == 1
