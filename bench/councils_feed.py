"""Seats that follow the network: from the registry's commit to the seat visible in councils,
and the councils inbox's throughput.

    .venv/bin/python bench/councils_feed.py                  # 60 members, 500 changes
    .venv/bin/python bench/councils_feed.py --poll 1.0 --changes 100
    .venv/bin/python bench/councils_feed.py --postgres postgresql://postgres:postgres@127.0.0.1:5432/postgres

Starts the registry and councils as the Procfile does (`serve`, one worker each, the registry
pushing its change feed to the councils' inbox; `--poll`: the registry dispatcher's poll
interval, `SPN_REGISTRY_OUTBOX_POLL_SECONDS`), on fresh SQLite files (or fresh PostgreSQL
databases). Through the APIs: a center, a mixed network of `--members` members and a
coordinating council that seats them all. Then:

1. Latency: `--changes` membership changes, one at a time, alternately a new actor joining
   and the longest-standing member leaving. For each, the time from the registry's answer (its
   commit) until the council shows it (`GET /v1/councils/{id}`'s `current_members`, polled
   every 2 ms). Prints p50, p95 and max.
2. Throughput: every event of the registry's feed so far, pushed again to the inbox of a
   fresh councils database (the council formed there anew) in batches of 100, as the
   dispatcher sends them: events applied per second.
3. Catch-up: councils stopped, `--changes` more changes in the registry, councils started
   again: the time from its start until the seats match the registry's membership.

Not a test: it prints figures and never fails on them. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from shared.auth import mint_token  # noqa: E402
from shared.settings import AuthSettings  # noqa: E402
from shared.testing import free_port  # noqa: E402


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class Stack:
    def __init__(self, workdir: Path, poll: float, postgres: str | None) -> None:
        self.workdir = workdir
        self.ports = {"registry": free_port(), "councils": free_port()}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.postgres = postgres
        self.databases: list[str] = []
        self.env = {
            **os.environ,
            "SPN_DATA_DIR": str(workdir / "data"),
            "SPN_ENV": "local",
            "SPN_WORKERS": "1",
            "SPN_REGISTRY_LOG_LEVEL": "WARNING",
            "SPN_COUNCILS_LOG_LEVEL": "WARNING",
            "SPN_REGISTRY_OUTBOX_POLL_SECONDS": str(poll),
            "SPN_REGISTRY_SUBSCRIBERS": self.url("councils") + "/v1/inbox/registry",
            "SPN_COUNCILS_REGISTRY_URL": self.url("registry"),
        }
        for name in self.ports:
            self.env.pop(f"SPN_{name.upper()}_DATABASE_URL", None)
            if postgres:
                self.env[f"SPN_{name.upper()}_DATABASE_URL"] = self.database(name)
        token = mint_token(AuthSettings(), subject="bench", roles=["admin"], ttl_seconds=7200)
        self.headers = {"Authorization": f"Bearer {token}"}
        self.http = httpx.Client(timeout=60, headers=self.headers)

    def database(self, name: str) -> str:
        database = f"spn_bench_feed_{name}_{uuid.uuid4().hex[:8]}"
        self.psql(f"CREATE DATABASE {database}")
        self.databases.append(database)
        return (self.postgres or "").rsplit("/", 1)[0] + "/" + database

    def psql(self, sql: str) -> None:
        subprocess.run(["psql", "-q", self.postgres or "", "-c", sql], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def migrate(self) -> None:
        for name in self.ports:
            subprocess.run([sys.executable, "-m", f"services.{name}", "migrate"], cwd=ROOT,
                           env=self.env, check=True)  # fmt: skip

    def start(self, name: str) -> float:
        """Start a service; seconds until it is ready."""
        started = time.monotonic()
        log = (self.workdir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", f"services.{name}", "serve", "--port", str(self.ports[name])],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        while True:
            try:
                if httpx.get(self.url(name) + "/readyz", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.05)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

    def close(self) -> None:
        for name in list(self.processes):
            self.stop(name)
        for database in self.databases:
            self.psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")

    def post(self, name: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(self.url(name) + path, json=body)
        if response.status_code not in (200, 201):
            raise SystemExit(f"POST {path}: {response.status_code} {response.text}")
        return dict(response.json())

    def get(self, name: str, path: str, **params: Any) -> dict[str, Any]:
        response = self.http.get(self.url(name) + path, params=params)
        response.raise_for_status()
        return dict(response.json())


class Network:
    """The registry side: a center, a network, its members, and actors ready to join."""

    def __init__(self, stack: Stack, members: int, spare: int) -> None:
        self.stack = stack
        masis = stack.get("registry", "/v1/communities", q="Masis")["items"][0]["id"]
        center = stack.post("registry", "/v1/centers", {
            "name": {"hy": "Մասիսի կենտրոն"}, "region_code": "AM-AR", "territory": [masis],
        })  # fmt: skip
        self.actors = [
            stack.post("registry", "/v1/actors", {
                "kind": "legal_entity", "legal_form": "cso",
                "name": {"hy": f"Կազմակերպություն {n}"}, "located_in": [masis],
            })["id"]
            for n in range(members + spare)
        ]  # fmt: skip
        self.id = stack.post("registry", "/v1/networks", {
            "center_id": center["id"], "name": {"hy": "Մասիսի ցանց"}, "form": "mixed",
            "founded_on": "2024-01-01",
        })["id"]  # fmt: skip
        self.members: list[dict[str, Any]] = []
        self.next_actor = 0
        for _ in range(members):
            self.join()

    def join(self) -> None:
        actor = self.actors[self.next_actor]
        self.next_actor += 1
        path = f"/v1/networks/{self.id}/members"
        self.members.append(
            self.stack.post("registry", path, {"actor_id": actor, "joined_on": "2024-02-01"})
        )

    def leave(self) -> None:
        member = self.members.pop(0)
        path = f"/v1/networks/{self.id}/members/{member['id']}/leave"
        self.stack.post("registry", path, {"left_on": "2024-06-01", "reason": "bench"})

    def change(self, number: int) -> None:
        self.join() if number % 2 == 0 else self.leave()


def form_council(stack: Stack, network: Network) -> str:
    return str(stack.post("councils", "/v1/councils", {
        "kind": "coordinating", "network_id": network.id, "founded_on": "2024-02-01",
        "name": {"hy": "Համակարգող խորհուրդ"},
    })["id"])  # fmt: skip


def current_members(stack: Stack, council: str) -> int:
    return int(stack.get("councils", f"/v1/councils/{council}")["current_members"])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latency(stack: Stack, network: Network, council: str, changes: int) -> list[float]:
    delays = []
    for number in range(changes):
        network.change(number)
        committed = time.monotonic()
        wanted = len(network.members)
        while current_members(stack, council) != wanted:
            time.sleep(0.002)
        delays.append(time.monotonic() - committed)
    return delays


def throughput(stack: Stack, network: Network) -> tuple[int, float]:
    """Replay the whole feed into a fresh councils database's inbox; (events, seconds)."""
    events: list[dict[str, Any]] = []
    after = 0
    while True:
        page = stack.get("registry", "/v1/events", after=after, limit=500)["items"]
        if not page:
            break
        events += page
        after = page[-1]["seq"]
    stack.stop("councils")
    fresh = "councils-replay"
    original = stack.env.get("SPN_COUNCILS_DATABASE_URL", "")
    if stack.postgres:
        stack.env["SPN_COUNCILS_DATABASE_URL"] = stack.database("replay")
    else:
        stack.env["SPN_COUNCILS_DATABASE_URL"] = (
            f"sqlite+aiosqlite:///{stack.workdir / 'data' / fresh}.db"
        )
    # No catch-up from the registry: the replayed pushes alone feed the inbox.
    stack.env["SPN_COUNCILS_FEED_CATCH_UP"] = "false"
    subprocess.run([sys.executable, "-m", "services.councils", "migrate"], cwd=ROOT,
                   env=stack.env, check=True)  # fmt: skip
    stack.start("councils")
    form_council(stack, network)
    started = time.monotonic()
    for start in range(0, len(events), 100):
        response = stack.http.post(stack.url("councils") + "/v1/inbox/registry",
                                   json={"events": events[start : start + 100]})  # fmt: skip
        response.raise_for_status()
    seconds = time.monotonic() - started
    stack.stop("councils")
    stack.env.pop("SPN_COUNCILS_FEED_CATCH_UP")
    stack.env["SPN_COUNCILS_DATABASE_URL"] = original
    return len(events), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--changes", type=int, default=500)
    parser.add_argument("--poll", type=float, default=0.1,
                        help="the registry dispatcher's poll interval, seconds")  # fmt: skip
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite files)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="spn-bench-feed-") as directory:
        stack = Stack(Path(directory), args.poll, args.postgres)
        try:
            stack.migrate()
            stack.start("registry")
            stack.start("councils")
            network = Network(stack, args.members, args.changes + args.changes // 2 + 1)
            council = form_council(stack, network)
            assert current_members(stack, council) == args.members
            say(f"{'postgres' if args.postgres else 'sqlite'}, dispatcher poll {args.poll} s, "
                f"{args.members} members, {args.changes} changes")  # fmt: skip
            delays = latency(stack, network, council, args.changes)
            say(f"commit -> seat visible: p50 {percentile(delays, 0.5) * 1000:.0f} ms, "
                f"p95 {percentile(delays, 0.95) * 1000:.0f} ms, "
                f"max {max(delays) * 1000:.0f} ms, "
                f"mean {statistics.mean(delays) * 1000:.0f} ms")  # fmt: skip
            count, seconds = throughput(stack, network)
            say(f"inbox: {count} events pushed in batches of 100 applied in {seconds:.2f} s: "
                f"{count / seconds:.0f} events/s")  # fmt: skip
            for number in range(args.changes):
                network.change(number)
            started = time.monotonic()
            stack.start("councils")
            while current_members(stack, council) != len(network.members):
                time.sleep(0.01)
            say(f"catch-up: {args.changes} changes made while councils was down, seats match "
                f"{time.monotonic() - started:.2f} s after its start")  # fmt: skip
        finally:
            stack.close()


if __name__ == "__main__":
    main()
