import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from shared.http import ServiceClient, UpstreamUnavailable
from shared.logs import request_id_var


@pytest.fixture
async def trickle_server() -> AsyncIterator[str]:
    """A loopback server that answers with one byte every 0.1 s, for 5 s."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n")
        try:
            for _ in range(50):
                writer.write(b"x")
                await writer.drain()
                await asyncio.sleep(0.1)
        except ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}"


async def test_a_slow_trickle_is_cut_at_the_deadline(trickle_server: str) -> None:
    # Each byte comes well within the read timeout; only the total deadline stops it.
    client = ServiceClient(trickle_server, caller="test", timeout=1.0, deadline=0.8, retries=0)
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable, match=r"within 0\.8 s"):
        await client.get("/")
    assert time.monotonic() - started < 2.0
    await client.aclose()


def _counting(statuses: list[int]) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(statuses[min(len(seen), len(statuses)) - 1])

    return httpx.MockTransport(handler), seen


async def test_idempotent_calls_are_retried() -> None:
    transport, seen = _counting([503, 502, 200])
    client = ServiceClient("http://svc", caller="test", backoff=0, transport=transport)
    assert (await client.get("/x")).status_code == 200
    assert len(seen) == 3


async def test_post_is_not_retried_unless_it_carries_an_idempotency_key() -> None:
    transport, seen = _counting([503, 200])
    client = ServiceClient("http://svc", caller="test", backoff=0, transport=transport)
    assert (await client.request("POST", "/x", json={})).status_code == 503
    assert len(seen) == 1
    response = await client.request("POST", "/x", json={}, headers={"Idempotency-Key": "k"})
    assert response.status_code == 200


async def test_connection_refused_becomes_upstream_unavailable() -> None:
    client = ServiceClient("http://127.0.0.1:9", caller="test", retries=1, backoff=0)
    with pytest.raises(UpstreamUnavailable) as info:
        await client.get("/readyz")
    assert info.value.status == 503
    await client.aclose()


async def test_request_id_and_caller_are_forwarded() -> None:
    transport, seen = _counting([200])
    client = ServiceClient("http://svc", caller="gateway", transport=transport)
    token = request_id_var.set("req-7")
    try:
        await client.get("/x", token="user-token")
    finally:
        request_id_var.reset(token)
    headers = seen[0].headers
    assert headers["x-request-id"] == "req-7"
    assert headers["x-spn-caller"] == "gateway"
    assert headers["authorization"] == "Bearer user-token"
