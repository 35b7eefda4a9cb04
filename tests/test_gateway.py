"""The gateway in front of real processes: the registry, councils and grants (demo data), and
a trial backend that answers slowly, in streams, or with errors on demand
(tests/trial_backend.py), added as a fourth backend by configuration alone."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import mint_token
from shared.settings import AuthSettings
from shared.testing import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.e2e
OTHER_KEY = AuthSettings(secret="another-secret-that-is-long-enough-for-hs256")
MASIS = "3d651a3d-13df-5220-9d32-03ebfc8e6575"


class Processes:
    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str, command: list[str], ready: str, **env: str) -> None:
        self.ports.setdefault(name, free_port())
        log = (self.workdir / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(
            [sys.executable, *command, "--port", str(self.ports[name])],
            cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url(name) + ready, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError((self.workdir / f"{name}.log").read_text()[-3000:])

    def stop(self, name: str) -> None:
        process = self.running.pop(name)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


TRIALS = ["-m", "uvicorn", "tests.trial_backend:app", "--log-level", "warning"]
SERVICES = ("registry", "councils", "grants")
GATEWAY = ["-m", "services.gateway", "serve"]


def serve(name: str) -> list[str]:
    return ["-m", f"services.{name}", "serve"]


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Processes]:
    workdir = tmp_path_factory.mktemp("gateway")
    env = {
        **os.environ,
        "SPN_DATA_DIR": str(workdir / "data"),
        "SPN_ENV": "local",
        "SPN_WORKERS": "1",
        **{f"SPN_{name.upper()}_LOG_LEVEL": "WARNING" for name in (*SERVICES, "gateway")},
    }
    processes = Processes(workdir, env)
    processes.ports.update({name: free_port() for name in SERVICES})
    for name in SERVICES:
        env.pop(f"SPN_{name.upper()}_DATABASE_URL", None)
        env[f"SPN_{name.upper()}_REGISTRY_URL"] = processes.url("registry")
    for name in SERVICES:
        for command in ("migrate", "demo"):
            subprocess.run([sys.executable, "-m", f"services.{name}", command], cwd=ROOT,
                           env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        for name in SERVICES:
            processes.start(name, serve(name), "/readyz")
        processes.start("trials", TRIALS, "/readyz")
        processes.start("gateway", GATEWAY, "/readyz", **gateway_env(processes))
        yield processes
    finally:
        processes.stop_all()


def gateway_env(processes: Processes, **settings: str) -> dict[str, str]:
    return {
        "SPN_GATEWAY_REGISTRY_URL": processes.url("registry"),
        "SPN_GATEWAY_COUNCILS_URL": processes.url("councils"),
        "SPN_GATEWAY_GRANTS_URL": processes.url("grants"),
        "SPN_GATEWAY_EXTRA_BACKENDS": f"trials={processes.url('trials')}",
        "SPN_GATEWAY_DEADLINE_SECONDS": "1",
        "SPN_GATEWAY_VIEW_DEADLINE_SECONDS": "1",
        "SPN_GATEWAY_CIRCUIT_COOL_OFF_SECONDS": "1",
        "SPN_GATEWAY_SPEC_RETRY_SECONDS": "0.2",
        "SPN_GATEWAY_CORS_ORIGINS": "https://app.example.am",
        **settings,
    }


@pytest.fixture
async def gateway(system: Processes) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=10) as client:
        yield client


def token(subject: str = "tester", roles: tuple[str, ...] = ("admin",), **kw: Any) -> str:
    return mint_token(AuthSettings(), subject=subject, roles=list(roles), **kw)


class TestOneOrigin:
    async def test_a_registry_read_is_the_registrys_answer(
        self, gateway: httpx.AsyncClient, system: Processes
    ) -> None:
        path = f"/v1/centers/{MASIS}"
        async with httpx.AsyncClient() as client:
            direct = await client.get(system.url("registry") + path)
        through = await gateway.get(path, headers={"X-Request-ID": "trace-1"})
        assert through.status_code == 200
        assert through.content == direct.content
        assert through.headers["etag"] == direct.headers["etag"]
        assert through.headers["x-request-id"] == "trace-1"
        again = await gateway.get(path, headers={"If-None-Match": through.headers["etag"]})
        assert again.status_code == 304

    async def test_headers_pass_both_ways_and_the_address_is_forwarded(
        self, gateway: httpx.AsyncClient
    ) -> None:
        sent = {
            "If-Match": '"v6"', "If-None-Match": '"v5"', "Idempotency-Key": "k-1",
            "Last-Event-ID": "41", "X-Request-ID": "trace-2", "Accept-Language": "hy",
        }  # fmt: skip
        answer = await gateway.post("/v1/trials/echo?a=1&b=%D5%A1", json={"x": 1}, headers=sent)
        assert answer.status_code == 200
        seen = answer.json()
        assert seen["query"] == "a=1&b=%D5%A1"
        for name, value in sent.items():
            assert seen["headers"][name.lower()] == value
        assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"
        assert answer.headers["etag"] == '"v7"'
        assert answer.headers["location"] == "/v1/trials/7"
        assert answer.headers["retry-after"] == "3"
        assert answer.headers["x-request-id"] == "trace-2"

    async def test_an_upload_streams_to_the_backend(self, gateway: httpx.AsyncClient) -> None:
        async def parts() -> AsyncIterator[bytes]:
            yield b"a" * 100_000
            await asyncio.sleep(0.6)
            yield b"b" * 100_000

        answer = await gateway.post("/v1/trials/echo", content=parts())
        seen = answer.json()
        assert seen["size"] == 200_000
        # The first part reached the backend before the second was sent.
        assert seen["arrivals"][-1] - seen["arrivals"][0] >= 0.4

    async def test_a_large_answer_streams_back(self, gateway: httpx.AsyncClient) -> None:
        started = time.monotonic()
        async with gateway.stream("GET", "/v1/trials/stream", params={"gap": "0.6"}) as answer:
            chunks = answer.aiter_bytes()
            await chunks.__anext__()
            first = time.monotonic() - started
            rest = b"".join([part async for part in chunks])
        assert first < 1.0, "the first part came only with the rest"
        assert time.monotonic() - started >= 1.5
        assert rest.endswith(b"end")

    async def test_events_stream_live_and_uncompressed(self, gateway: httpx.AsyncClient) -> None:
        headers = {"Last-Event-ID": "4", "Accept-Encoding": "gzip"}
        started = time.monotonic()
        async with gateway.stream("GET", "/v1/trials/events", headers=headers) as answer:
            assert "content-encoding" not in answer.headers
            lines = answer.aiter_lines()
            assert await lines.__anext__() == "id: 5"
            assert time.monotonic() - started < 0.45
            rest = [line async for line in lines]
        assert "id: 7" in rest

    async def test_answers_are_compressed_when_accepted(self, gateway: httpx.AsyncClient) -> None:
        answer = await gateway.get("/v1/communities", headers={"Accept-Encoding": "gzip"})
        assert answer.headers["content-encoding"] == "gzip"
        assert answer.json()["items"]

    async def test_cors_for_configured_origins_only(self, gateway: httpx.AsyncClient) -> None:
        allowed = await gateway.get("/v1/regions", headers={"Origin": "https://app.example.am"})
        assert allowed.headers["access-control-allow-origin"] == "https://app.example.am"
        assert "etag" in allowed.headers["access-control-expose-headers"].lower()
        other = await gateway.get("/v1/regions", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers

    async def test_one_openapi_and_its_docs(self, gateway: httpx.AsyncClient) -> None:
        spec = (await gateway.get("/openapi.json")).json()
        assert "/v1/centers/{center_id}" in spec["paths"]
        assert "/v1/views/actors/{actor_id}" in spec["paths"]
        assert spec["paths"]["/v1/centers/{center_id}"]["get"]["operationId"] == "get_center"
        assert "swagger-ui" in (await gateway.get("/docs")).text

    async def test_every_backend_path_is_served_at_the_gateway(
        self, gateway: httpx.AsyncClient, system: Processes
    ) -> None:
        merged = (await gateway.get("/openapi.json")).json()["paths"]
        for name in ("registry", "councils", "grants"):
            own = (await gateway.get(system.url(name) + "/openapi.json")).json()["paths"]
            # No two services publish one path: each change feed and audit has its own.
            assert {p for p in own if p.startswith("/v1/")} <= set(merged), name
        for feed in ("/v1/events", "/v1/council-events", "/v1/grant-events"):
            answer = await gateway.get(feed, params={"limit": 1})
            assert answer.status_code == 200, feed
            assert answer.json()["items"], feed


class TestAuthAtTheEdge:
    @pytest.mark.parametrize(
        "bad",
        [
            "not-a-jwt",
            token(ttl_seconds=-60),
            mint_token(OTHER_KEY, subject="x", roles=["admin"]),
            # alg: none, unsigned
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4Iiwicm9sZXMiOlsiYWRtaW4iXX0.",
        ],
    )
    async def test_a_bad_token_is_a_401_and_never_reaches_a_backend(
        self, gateway: httpx.AsyncClient, bad: str
    ) -> None:
        answer = await gateway.get("/v1/trials/echo", headers={"Authorization": f"Bearer {bad}"})
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"] == "Bearer"
        assert "method" not in answer.json()

    async def test_a_good_token_is_forwarded(self, gateway: httpx.AsyncClient) -> None:
        good = token()
        answer = await gateway.get("/v1/trials/echo", headers={"Authorization": f"Bearer {good}"})
        assert answer.json()["headers"]["authorization"] == f"Bearer {good}"


class TestFailure:
    async def test_a_slow_backend_costs_at_most_the_deadline(
        self, gateway: httpx.AsyncClient
    ) -> None:
        started = time.monotonic()
        answer = await gateway.get("/v1/trials/slow", params={"seconds": "5"})
        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/problem+json"
        assert time.monotonic() - started < 1.5

    async def test_the_circuit_opens_after_five_failures_and_closes_after_recovery(
        self, gateway: httpx.AsyncClient
    ) -> None:
        assert (await gateway.get("/v1/trials/echo")).status_code == 200  # no failure counted
        for _ in range(6):  # busy, with Retry-After: alive, no failure
            busy = await gateway.get("/v1/trials/echo", params={"status": "503"})
            assert busy.status_code == 503
            assert busy.headers["retry-after"] == "3"
        for _ in range(5):
            assert (await gateway.get("/v1/trials/fail")).status_code == 500
        started = time.monotonic()
        refused = await gateway.get("/v1/trials/echo")
        assert refused.status_code == 503
        assert refused.json()["type"].endswith("/circuit-open")
        assert int(refused.headers["retry-after"]) >= 1
        assert time.monotonic() - started < 0.2
        status = (await gateway.get("/v1/status")).json()["services"]["trials"]
        assert status["circuit"] == "open"
        metrics = (await gateway.get("/metrics")).text
        assert 'spn_gateway_circuit_state{backend="trials"} 2.0' in metrics
        assert 'spn_gateway_backend_duration_seconds_count{backend="trials"}' in metrics
        await asyncio.sleep(1.1)
        probe = await gateway.get("/v1/trials/echo")
        assert probe.status_code == 200
        status = (await gateway.get("/v1/status")).json()["services"]["trials"]
        assert status["circuit"] == "closed"

    async def test_a_stopped_backend_is_a_503_then_a_partial_view_then_whole_again(
        self, gateway: httpx.AsyncClient, system: Processes
    ) -> None:
        view = f"/v1/views/centers/{MASIS}"
        whole = await gateway.get(view)
        assert whole.status_code == 200
        assert whole.json()["partial"] is False
        assert "x-spn-partial" not in whole.headers
        system.stop("registry")
        try:
            proxied = await gateway.get(f"/v1/centers/{MASIS}")
            assert proxied.status_code == 503
            assert proxied.headers["content-type"] == "application/problem+json"
            partial = await gateway.get(view)
            assert partial.status_code == 200
            body = partial.json()
            assert body["partial"] is True
            assert {"center", "networks", "gaps"} <= set(body["missing"])
            assert "gaps" in partial.headers["x-spn-partial"]
            status = (await gateway.get("/v1/status")).json()
            assert status["services"]["registry"]["status"] == "down"
        finally:
            system.start("registry", serve("registry"), "/readyz")
        restarted = time.monotonic()
        while True:
            again = await gateway.get(view)
            if again.status_code == 200 and again.json()["partial"] is False:
                break
            assert time.monotonic() - restarted < 2.0, again.text
            await asyncio.sleep(0.1)

    async def test_a_view_of_nothing_is_a_404(self, gateway: httpx.AsyncClient) -> None:
        answer = await gateway.get("/v1/views/actors/00000000-0000-0000-0000-000000000000")
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("storage", ["", "redis://127.0.0.1:6379/15"])
def test_the_rate_limit_answers_429_then_recovers(system: Processes, storage: str) -> None:
    if storage:
        try:
            import socket

            socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        except OSError:
            pytest.skip("no Redis on 127.0.0.1:6379")
    name = "limited" + ("-redis" if storage else "")
    settings = gateway_env(system, SPN_GATEWAY_RATE_LIMIT_READ="5/2second",
                           SPN_GATEWAY_RATE_LIMIT_STORAGE=storage)  # fmt: skip
    system.start(name, GATEWAY, "/readyz", **settings)
    try:
        url = system.url(name) + "/v1/regions"
        first = token(subject=f"limited-{time.time()}")
        with httpx.Client() as client:
            answers = [client.get(url, headers={"Authorization": f"Bearer {first}"})
                       for _ in range(7)]  # fmt: skip
            assert [a.status_code for a in answers[:5]] == [200] * 5
            refused = answers[5]
            assert refused.status_code == 429
            assert refused.headers["content-type"] == "application/problem+json"
            assert 1 <= int(refused.headers["retry-after"]) <= 2
            # Another client (another subject) has counts of its own.
            other = token(subject=f"other-{time.time()}")
            assert client.get(url, headers={"Authorization": f"Bearer {other}"}).status_code == 200
            time.sleep(int(refused.headers["retry-after"]) + 0.1)
            recovered = client.get(url, headers={"Authorization": f"Bearer {first}"})
            assert recovered.status_code == 200
    finally:
        system.stop(name)


def test_a_backend_that_starts_late_is_routed_without_restarting_the_gateway(
    system: Processes,
) -> None:
    system.ports["late"] = free_port()
    settings = gateway_env(system, SPN_GATEWAY_EXTRA_BACKENDS=f"trials={system.url('late')}")
    system.start("late-gateway", GATEWAY, "/readyz", **settings)
    try:
        url = system.url("late-gateway") + "/v1/trials/echo"
        before = httpx.get(url)
        assert before.status_code == 503
        assert before.json()["type"].endswith("/owner-unknown")
        assert httpx.get(system.url("late-gateway") + "/v1/regions").status_code == 200
        system.start("late", TRIALS, "/readyz")
        assert httpx.get(url).status_code == 200
        spec = httpx.get(system.url("late-gateway") + "/openapi.json").json()
        assert "/v1/trials/echo" in spec["paths"]
    finally:
        system.stop("late-gateway")
        if "late" in system.running:
            system.stop("late")


class TestViews:
    """Each view assembled from the three services' demo data, in one answer."""

    async def _demo(self, gateway: httpx.AsyncClient) -> dict[str, Any]:
        grants = (await gateway.get("/v1/grants", params={"limit": 200})).json()["items"]
        grant = next(g for g in grants if g.get("priority_id"))
        plans = await gateway.get("/v1/plans", params={"community_id": grant["community_id"]})
        return {"grant": grant, "plan": plans.json()["items"][0]}

    async def test_a_center_with_its_network_council_and_gaps(
        self, gateway: httpx.AsyncClient
    ) -> None:
        answer = await gateway.get(f"/v1/views/centers/{MASIS}")
        view = answer.json()
        assert answer.status_code == 200
        assert view["partial"] is False, view["missing"]
        assert view["center"]["id"] == MASIS
        assert {c["id"] for c in view["territory"]} == set(view["center"]["territory"])
        assert view["networks"]
        assert view["members"]
        assert view["gaps"]
        network_ids = {n["id"] for n in view["networks"]}
        assert view["councils"]
        assert {c["network_id"] for c in view["councils"]} <= network_ids

    async def test_a_community_with_its_plan_grants_and_funding(
        self, gateway: httpx.AsyncClient
    ) -> None:
        demo = await self._demo(gateway)
        community = demo["grant"]["community_id"]
        view = (await gateway.get(f"/v1/views/communities/{community}")).json()
        assert view["partial"] is False, view["missing"]
        assert view["community"]["id"] == community
        assert view["region"]["code"] == view["community"]["region_code"]
        assert demo["grant"]["id"] in {g["id"] for g in view["grants"]}
        assert [p["id"] for p in view["plans"]] == [demo["plan"]["id"]]
        assert view["plans"][0]["priorities"]
        currencies = {g["amount"]["currency"] for g in view["grants"]}
        assert {f["currency"] for f in view["funding"]} == currencies

    async def test_an_actor_with_the_grants_it_received(self, gateway: httpx.AsyncClient) -> None:
        demo = await self._demo(gateway)
        actor = demo["grant"]["recipient_id"]
        view = (await gateway.get(f"/v1/views/actors/{actor}")).json()
        assert view["partial"] is False, view["missing"]
        assert view["actor"]["id"] == actor
        assert demo["grant"]["id"] in {g["id"] for g in view["grants"]}
        assert isinstance(view["networks"], list)

    async def test_a_plans_coverage(self, gateway: httpx.AsyncClient) -> None:
        demo = await self._demo(gateway)
        view = (await gateway.get(f"/v1/views/plans/{demo['plan']['id']}/coverage")).json()
        assert view["partial"] is False, view["missing"]
        priorities = {p["priority"]["id"]: p for p in view["priorities"]}
        assert set(priorities) == {p["id"] for p in demo["plan"]["priorities"]}
        piloted = priorities[demo["grant"]["priority_id"]]
        assert demo["grant"]["id"] in {g["id"] for g in piloted["grants"]}
        assert set(view["unserved"]) == {i for i, p in priorities.items() if not p["served"]}

    async def test_grants_stopped_leaves_their_parts_missing_then_whole_again(
        self, gateway: httpx.AsyncClient, system: Processes
    ) -> None:
        demo = await self._demo(gateway)
        view = f"/v1/views/communities/{demo['grant']['community_id']}"
        system.stop("grants")
        try:
            answer = await gateway.get(view)
            assert answer.status_code == 200
            partial = answer.json()
            assert partial["partial"] is True
            assert set(partial["missing"]) == {"grants", "plans"}
            assert partial["grants"] is None
            assert partial["funding"] is None
            assert partial["community"]
            assert partial["actors"] is not None
            assert set(answer.headers["x-spn-partial"].split(", ")) == {"grants", "plans"}
        finally:
            system.start("grants", serve("grants"), "/readyz")
        restarted = time.monotonic()
        while (again := (await gateway.get(view)).json())["partial"]:
            assert time.monotonic() - restarted < 2.0, again["missing"]
            await asyncio.sleep(0.1)

    async def test_an_actor_with_its_networks_and_council_seats(
        self, gateway: httpx.AsyncClient
    ) -> None:
        center = (await gateway.get(f"/v1/views/centers/{MASIS}")).json()
        council = center["councils"][0]
        members = (await gateway.get(f"/v1/councils/{council['id']}/members")).json()["items"]
        member = next(m for m in members if m["actor_id"])
        view = (await gateway.get(f"/v1/views/actors/{member['actor_id']}")).json()
        assert view["partial"] is False, view["missing"]
        assert council["network_id"] in {n["id"] for n in view["networks"]}
        seats = {s["id"]: s for s in view["council_seats"]}
        assert seats[member["id"]]["seats"] == member["seats"]
        assert {s["actor_id"] for s in seats.values()} == {member["actor_id"]}

    async def test_a_center_grants_in_its_territory_and_next_sessions(
        self, gateway: httpx.AsyncClient
    ) -> None:
        before = (await gateway.get(f"/v1/views/centers/{MASIS}")).json()
        territory = set(before["center"]["territory"])
        every = (await gateway.get("/v1/grants", params={"limit": 200})).json()["items"]
        there = {g["id"] for g in every if g["community_id"] in territory}
        assert {g["id"] for g in before["grants"]} == there
        council = before["councils"][0]
        body = {"kind": "ordinary", "format": "in_person", "place": "Մասիս",
                "starts_at": "2099-06-20T15:00:00+04:00"}  # fmt: skip
        created = await gateway.post(f"/v1/councils/{council['id']}/sessions", json=body,
                                     headers={"Authorization": f"Bearer {token()}"})  # fmt: skip
        assert created.status_code == 201, created.text
        view = (await gateway.get(f"/v1/views/centers/{MASIS}")).json()
        assert view["partial"] is False, view["missing"]
        assert created.json()["id"] in {s["id"] for s in view["next_sessions"]}
        assert all(s["starts_at"] >= "2026" for s in view["next_sessions"])
        community = before["center"]["territory"][0]
        of_community = (await gateway.get(f"/v1/views/communities/{community}")).json()
        assert of_community["partial"] is False, of_community["missing"]
        councils = {c["id"] for c in of_community["councils"]}
        assert {s["council_id"] for s in of_community["next_sessions"]} <= councils
        if council["id"] in councils:
            assert created.json()["id"] in {s["id"] for s in of_community["next_sessions"]}

    async def test_a_council_session_with_every_actor_named(
        self, gateway: httpx.AsyncClient
    ) -> None:
        of_kind: dict[str, str | int] = {"kind": "coordinating", "limit": 200}
        councils = (await gateway.get("/v1/councils", params=of_kind)).json()["items"]
        of_councils: dict[str, list[str] | int] = {
            "council_ids": [c["id"] for c in councils],
            "limit": 200,
        }
        sessions = (await gateway.get("/v1/sessions", params=of_councils)).json()["items"]
        held = next(s for s in sessions if s["attendance"] and s["motions"])
        answer = await gateway.get(f"/v1/views/sessions/{held['id']}")
        view = answer.json()
        assert answer.status_code == 200
        assert view["partial"] is False, view["missing"]
        assert view["session"]["id"] == held["id"]
        assert view["session"]["motions"] == held["motions"]
        assert view["council"]["id"] == held["council_id"]
        members = {m["id"]: m for m in view["members"]}
        assert {a["member_id"] for a in held["attendance"] if a["member_id"]} <= set(members)
        named = {a["id"]: a for a in view["actors"]}
        wanted = {m["actor_id"] for m in members.values() if m["actor_id"]}
        assert wanted
        assert set(named) == wanted
        assert all(a["name"]["hy"] for a in named.values())
        missing = await gateway.get(f"/v1/views/sessions/{'0' * 8}-0000-4000-8000-{'0' * 12}")
        assert missing.status_code == 404
