import asyncio

import httpx

from shared.tests.conftest import gate


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
