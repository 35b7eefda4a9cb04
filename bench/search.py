"""Search benchmark: /v1/search at several registry sizes served side by side.

    .venv/bin/python bench/search.py                      # 5,000, 50,000 and 250,000 actors
    .venv/bin/python bench/search.py --baseline /tmp/spn-main   # also the code of another tree

Each size has its own PostgreSQL database (`spn_bench_search_<actors>`), generated and loaded
once by bench/registry.py's generator and reused by later runs (`--reload` to build it again);
every run migrates it to the newest schema. Each size is served by its own uvicorn process (and
each `--baseline` tree by one more per size), and the measured requests go round-robin across
all of them, query by query: the same query is asked of every server within a few
milliseconds, so that whatever else the machine does lands on all sizes alike. It prints
median, p95 and max per server, the growth from the smallest size to the largest, and the
slowest queries. Not a test: it prints figures and never fails on them. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "bench"):  # run as a script from anywhere; the generator is a sibling
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from registry import dsn, load, percentile, say, search_queries  # noqa: E402

from shared.migrations import upgrade  # noqa: E402

DATABASE = "spn_bench_search_{actors}"
TARGET_P95_MS = 50.0
TARGET_GROWTH = 2.0


# ---------------------------------------------------------------------------------------------
# The databases: loaded once, reused.


def marker(actors: int, seed: int) -> str:
    return f"spn bench search: {actors} actors, seed {seed}, loaded"


async def loaded(admin_dsn: str, database: str, expected: str) -> bool:
    connection = await asyncpg.connect(admin_dsn)
    try:
        comment = await connection.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            database,
        )
    finally:
        await connection.close()
    return bool(comment == expected)


async def create(admin_dsn: str, database: str) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{database}"')
    finally:
        await connection.close()


async def mark(admin_dsn: str, database: str, comment: str) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f"COMMENT ON DATABASE \"{database}\" IS '{comment}'")
    finally:
        await connection.close()


def prepare(args: argparse.Namespace, actors: int) -> str:
    """The URL of a database of `actors` actors at the newest schema, loading it if needed."""
    admin_dsn = dsn(args.database_url)
    database = DATABASE.format(actors=actors)
    url = dsn(args.database_url, database)
    expected = marker(actors, args.seed)
    if args.reload or not asyncio.run(loaded(admin_dsn, database, expected)):
        say(f"== loading {actors:,} actors into {database}")
        started = time.perf_counter()
        asyncio.run(create(admin_dsn, database))
        upgrade(ROOT / "services/registry", url)
        registry, counts = asyncio.run(load(url, actors, args.seed))
        del registry
        gc.collect()
        asyncio.run(mark(admin_dsn, database, expected))
        rows = ", ".join(f"{table} {n:,}" for table, n in counts.items() if n)
        say(f"   {rows}")
        say(f"   loaded in {time.perf_counter() - started:.0f} s")
    else:
        say(f"== {database}: reused")
    started = time.perf_counter()
    upgrade(ROOT / "services/registry", url)  # new indexes of the code under test, if any
    if time.perf_counter() - started > 2:
        asyncio.run(analyze(url))
        say(f"   migrated and analyzed in {time.perf_counter() - started:.0f} s")
    return url


async def analyze(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def query_source(url: str) -> list[tuple[str, str]]:
    """Every (hy, en) name of the smallest registry, in a stable order, to draw queries from."""
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT name_hy, name_en FROM actors UNION ALL "
            "SELECT name_hy, name_en FROM services UNION ALL "
            "SELECT name_hy, name_en FROM programmes ORDER BY 1, 2"
        )
    finally:
        await connection.close()
    return [(r["name_hy"], r["name_en"] or r["name_hy"]) for r in rows]


# ---------------------------------------------------------------------------------------------
# The servers.


@dataclass
class Server:
    label: str  # "after 250,000"
    actors: int
    code: str  # "after" or "before"
    port: int
    process: subprocess.Popen[bytes] | None = None
    timings: list[float] = field(default_factory=list)
    by_query: dict[str, list[float]] = field(default_factory=dict)
    items: list[int] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(server: Server, tree: Path, url: str) -> None:
    env = os.environ | {
        "SPN_REGISTRY_DATABASE_URL": url,
        "SPN_REGISTRY_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(tree),
    }
    server.process = subprocess.Popen(
        [sys.executable, "-m", "services.registry", "serve", "--port", str(server.port)],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
    )


async def wait_ready(client: httpx.AsyncClient, server: Server) -> None:
    for _ in range(1800):
        try:
            response = await client.get(f"http://127.0.0.1:{server.port}/readyz")
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.process is not None and server.process.poll() is not None:
            raise SystemExit(f"{server.label}: the server exited")
        await asyncio.sleep(0.1)
    raise SystemExit(f"{server.label}: not ready after 180 s")


async def ask(client: httpx.AsyncClient, server: Server, q: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = await client.get(f"http://127.0.0.1:{server.port}/v1/search", params={"q": q})
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, len(response.json()["items"])


async def measure(servers: list[Server], queries: list[str], args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    # Idle connections are dropped before uvicorn's keep-alive of 5 s closes them under us.
    limits = httpx.Limits(keepalive_expiry=2)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        for server in servers:
            await wait_ready(client, server)
        # Warm-up: every query once on every server (statement and plan caches, hot pages).
        for q in queries:
            for server in servers:
                await ask(client, server, q)
        for i in range(args.requests):
            if i % 50 == 0:
                say(f"   {i} of {args.requests} (load average {os.getloadavg()[0]:.2f})")
            q = queries[i % len(queries)]
            order = list(servers)
            rng.shuffle(order)  # no server always first after the client's pause
            for server in order:
                elapsed, items = await ask(client, server, q)
                server.timings.append(elapsed)
                server.by_query.setdefault(q, []).append(elapsed)
                server.items.append(items)


# ---------------------------------------------------------------------------------------------
# Reporting.


def report(servers: list[Server]) -> None:
    say("\nGET /v1/search latency in ms, requests alternated across servers")
    say(f"{'code':<8}{'actors':>9}{'median':>9}{'p95':>9}{'max':>9}{'items':>7}")
    for s in servers:
        say(f"{s.code:<8}{s.actors:>9,}{statistics.median(s.timings):>9.2f}"
            f"{percentile(s.timings, 0.95):>9.2f}{max(s.timings):>9.2f}"
            f"{statistics.mean(s.items):>7.1f}")  # fmt: skip
    for code in dict.fromkeys(s.code for s in servers):
        mine = sorted((s for s in servers if s.code == code), key=lambda s: s.actors)
        small, large = mine[0], mine[-1]
        p95_small, p95_large = percentile(small.timings, 0.95), percentile(large.timings, 0.95)
        growth = p95_large / p95_small
        say(f"{code}: p95 {p95_small:.1f} ms at {small.actors:,} → {p95_large:.1f} ms at "
            f"{large.actors:,} ({growth:.2f}x); targets p95 < {TARGET_P95_MS:g} ms: "
            f"{'met' if p95_large < TARGET_P95_MS else 'MISSED'}, growth ≤ {TARGET_GROWTH:g}x: "
            f"{'met' if growth <= TARGET_GROWTH else 'MISSED'}")  # fmt: skip
    say("\nSlowest queries (median ms over their repeats)")
    for s in servers:
        slow = sorted(s.by_query.items(), key=lambda kv: -statistics.median(kv[1]))[:5]
        listed = ", ".join(f"{q!r} {statistics.median(t):.0f}" for q, t in slow)
        say(f"{s.code:<8}{s.actors:>9,}  {listed}")


def run(args: argparse.Namespace) -> None:
    os.chdir(ROOT)
    # A kill stops the servers too (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sizes = sorted(args.actors)
    urls = {size: prepare(args, size) for size in sizes}
    rng = random.Random(args.seed)
    queries = search_queries(rng, asyncio.run(query_source(urls[sizes[0]])), args.queries)
    trees = {"after": ROOT} | ({"before": Path(args.baseline)} if args.baseline else {})
    servers = [
        Server(f"{code} {size:,}", size, code, free_port())
        for code in trees
        for size in sizes
    ]  # fmt: skip
    say(f"== measuring {len(servers)} servers, {args.requests} requests each "
        f"(load average {os.getloadavg()[0]:.2f})")  # fmt: skip
    try:
        for server in servers:
            start(server, trees[server.code], urls[server.actors])
        started = time.perf_counter()
        asyncio.run(measure(servers, queries, args))
        say(f"   measured in {time.perf_counter() - started:.0f} s "
            f"(load average {os.getloadavg()[0]:.2f})")  # fmt: skip
    finally:
        for server in servers:
            if server.process is not None:
                server.process.terminate()
                server.process.wait(timeout=30)
    report(servers)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--actors", type=int, nargs="+", default=[5000, 50000, 250000], help="registry sizes"
    )
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server; the benchmark keeps one database per size on it",
    )
    parser.add_argument("--requests", type=int, default=300, help="measured requests per server")
    parser.add_argument("--queries", type=int, default=60, help="distinct search queries")
    parser.add_argument("--seed", type=int, default=20211)
    parser.add_argument("--reload", action="store_true", help="generate and load again")
    parser.add_argument(
        "--baseline",
        metavar="TREE",
        help="a checkout of other code (e.g. `git archive main`) served beside this one",
    )
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
