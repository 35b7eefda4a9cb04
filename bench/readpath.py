"""Read-path benchmark: the registry's GET-by-id and /healthz next to a bare Starlette app.

    .venv/bin/python bench/readpath.py                   # 50,000 actors, 3 rounds of 10 s
    .venv/bin/python bench/readpath.py --reuse --rounds 5 --duration 15
    .venv/bin/python bench/readpath.py --registry-dir /tmp/spn-before   # another checkout

It loads a generated registry into the PostgreSQL database `spn_bench_readpath` (the data
generator of bench/registry.py; `--reuse` keeps a database already loaded with that many actors),
starts the registry (`python -m services.registry serve --workers 1`, logging as it does in
production) and a bare Starlette + asyncpg app (one uvicorn worker each) that answers the same
`GET /v1/actors/{id}` with the same SELECT and byte-identical JSON (checked before measuring),
and a bare `/healthz`. Then it runs `wrk` (installed from Debian's package when absent) against
them interleaved, round after round, and prints requests per second, p50, p99, the server
process's CPU milliseconds per request (from /proc/<pid>/stat) and the registry/bare ratios.
Not a test: it prints figures and never fails on them. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

DATABASE = "spn_bench_readpath"
PERSONAL_KINDS = frozenset({"natural_person", "individual_entrepreneur"})
# The statement the registry sends for GET /v1/actors/{id} (services.registry.rules.actors.
# read_actor), as PostgreSQL receives it; printed at start-up so the two can be compared.
ACTOR_SQL = """
SELECT actors.*,
  (SELECT json_agg(json_build_array(p.community_id, p.relation)) FROM actor_places p
    WHERE p.actor_id = actors.id) AS places_json,
  (SELECT json_agg(json_build_array(j.id, j.region_code, j.community_id))
    FROM actor_jurisdictions j WHERE j.actor_id = actors.id) AS jurisdictions_json,
  (SELECT json_agg(json_build_array(c.position, c.kind, c.note)) FROM actor_capacities c
    WHERE c.actor_id = actors.id) AS capacities_json
FROM actors WHERE actors.id = $1
"""


# ---------------------------------------------------------------------------------------------
# The bare app: `uvicorn --app-dir bench readpath:bare_app --factory`.


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _actor_json(row: Any, show_personal: bool) -> bytes:
    hide = not show_personal and row["kind"] in PERSONAL_KINDS
    places = sorted(json.loads(row["places_json"] or "[]"))
    jurisdictions = sorted(json.loads(row["jurisdictions_json"] or "[]"))
    capacities = sorted(json.loads(row["capacities_json"] or "[]"), key=lambda c: c[0])
    community = row["community_id"]
    document = {
        "id": str(row["id"]),
        "version": row["version"],
        "created_at": _timestamp(row["created_at"]),
        "updated_at": _timestamp(row["updated_at"]),
        "kind": row["kind"],
        "legal_form": row["legal_form"],
        "name": {"hy": row["name_hy"], "en": row["name_en"], "ru": row["name_ru"]},
        "description": row["description"],
        "tax_number": row["tax_number"],
        "registration_number": row["registration_number"],
        "address": {
            "street": None if hide else row["street"],
            "community_id": None if community is None else str(community),
            "postal_code": row["postal_code"],
        },
        "contacts": {
            "phone": None if hide else row["phone"],
            "email": None if hide else row["email"],
            "website": row["website"],
        },
        "located_in": [c for c, relation in places if relation == "located"],
        "operates_in": [c for c, relation in places if relation == "operates"],
        "jurisdiction": {
            "regions": sorted(r for _, r, _ in jurisdictions if r),
            "communities": [c for _, _, c in jurisdictions if c],
        },
        "capacities": [{"kind": kind, "note": note} for _, kind, note in capacities],
        "personal_data_hidden": hide and bool(row["phone"] or row["email"] or row["street"]),
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def bare_app() -> Any:
    import asyncpg
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(os.environ["BARE_DSN"], min_size=5, max_size=15)
        yield
        await app.state.pool.close()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def get_actor(request: Request) -> Response:
        try:
            actor_id = uuid.UUID(request.path_params["actor_id"])
        except ValueError:
            return JSONResponse({"status": 422}, status_code=422)
        async with request.app.state.pool.acquire() as connection:
            row = await connection.fetchrow(ACTOR_SQL, actor_id)
        if row is None:
            return JSONResponse({"status": 404}, status_code=404)
        show_personal = "authorization" in request.headers
        body = _actor_json(row, show_personal)
        # The registry's ETag: a hash of the bytes sent (shared.concurrency).
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        return Response(
            body, media_type="application/json", headers={"etag": etag, "vary": "Authorization"}
        )

    routes = [Route("/healthz", healthz), Route("/v1/actors/{actor_id}", get_actor)]
    return Starlette(routes=routes, lifespan=lifespan)


# ---------------------------------------------------------------------------------------------
# Data.


def dsn(url: str, database: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def loaded_actors(database_dsn: str) -> int:
    import asyncpg

    try:
        connection = await asyncpg.connect(database_dsn)
    except asyncpg.InvalidCatalogNameError:
        return 0
    try:
        return int(await connection.fetchval("SELECT count(*) FROM actors"))
    except asyncpg.UndefinedTableError:
        return 0
    finally:
        await connection.close()


async def recreate_database(admin_dsn: str, *, drop_only: bool = False) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        if not drop_only:
            await connection.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await connection.close()


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def prepare(args: argparse.Namespace) -> None:
    from shared.migrations import upgrade

    # The data generator of bench/registry.py (a script beside this one, not a package).
    sys.path.insert(0, str(ROOT / "bench"))
    load = importlib.import_module("registry").load

    url = dsn(args.database_url, DATABASE)
    have = asyncio.run(loaded_actors(url))
    if args.reuse and have == args.actors:
        say(f"reusing {DATABASE} ({have:,} actors)")
        return
    say(f"loading {args.actors:,} actors into {DATABASE} ...")
    asyncio.run(recreate_database(dsn(args.database_url)))
    upgrade(ROOT / "services" / "registry", url)
    asyncio.run(load(url, args.actors, args.seed))


async def sample_ids(database_dsn: str, count: int, seed: int) -> list[str]:
    import asyncpg

    connection = await asyncpg.connect(database_dsn)
    try:
        ids = [str(r["id"]) for r in await connection.fetch("SELECT id FROM actors")]
    finally:
        await connection.close()
    return random.Random(seed).sample(ids, min(count, len(ids)))


# ---------------------------------------------------------------------------------------------
# Servers and wrk.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """utime + stime of the server process (the only worker: --workers 1)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(name: str, command: list[str], cwd: Path, env: dict[str, str], port: int) -> Server:
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    server = Server(name, port, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise SystemExit(f"{name} did not start")


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    say("installing wrk from Debian (apt-get install -y wrk) ...")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], env=env).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update"], env=env, check=True)
        subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], env=env, check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed and could not be installed")
    return found


def lua_script(directory: Path, ids: Sequence[str]) -> Path:
    """A wrk script asking for a different actor each request."""
    path = directory / "actors.lua"
    listed = ",".join(f'"{i}"' for i in ids)
    path.write_text(
        f"local ids = {{{listed}}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        '  return wrk.format("GET", "/v1/actors/" .. ids[(n % #ids) + 1])\n'
        "end\n"
    )
    return path


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


@dataclass
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    cpu_ms_per_request: float


@dataclass
class Series:
    runs: list[Run] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return float(statistics.median(getattr(r, attribute) for r in self.runs))

    def cpu_ms(self) -> float:
        requests = sum(r.requests for r in self.runs)
        return sum(r.cpu_ms_per_request * r.requests for r in self.runs) / max(requests, 1)


def run_wrk(
    wrk: str, server: Server, path: str, script: Path | None, args: argparse.Namespace
) -> Run:
    command = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
               "--latency"]  # fmt: skip
    if script is not None:
        command += ["-s", str(script)]
    cpu_before = server.cpu_seconds()
    output = subprocess.run(
        [*command, server.url + path], capture_output=True, text=True, check=True
    ).stdout
    cpu = server.cpu_seconds() - cpu_before
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        say(f"   {server.name} {path}: {errors.group(1)} non-2xx answers")
    return Run(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(re.search(r"\s50%\s+(\S+)", output).group(1)),  # type: ignore[union-attr]
        p99_ms=_ms(re.search(r"\s99%\s+(\S+)", output).group(1)),  # type: ignore[union-attr]
        requests=requests,
        cpu_ms_per_request=cpu * 1000 / max(requests, 1),
    )


def check_identical(registry: Server, bare: Server, ids: Sequence[str]) -> None:
    import httpx

    different = 0
    for actor_id in ids:
        ours = httpx.get(f"{registry.url}/v1/actors/{actor_id}")
        theirs = httpx.get(f"{bare.url}/v1/actors/{actor_id}")
        if ours.status_code != 200 or ours.content != theirs.content:
            different += 1
            if different == 1:
                say(f"   differs for {actor_id}:\n   {ours.content[:300]!r}\n"
                      f"   {theirs.content[:300]!r}")  # fmt: skip
    say(f"same JSON from both for {len(ids) - different} of {len(ids)} actors")


# ---------------------------------------------------------------------------------------------


def measure(args: argparse.Namespace) -> None:
    wrk = ensure_wrk()
    url = dsn(args.database_url, DATABASE)
    ids = asyncio.run(sample_ids(url, args.ids, args.seed))
    registry_dir = Path(args.registry_dir).resolve() if args.registry_dir else ROOT
    env = os.environ | {
        "SPN_REGISTRY_DATABASE_URL": url,
        "BARE_DSN": url,
        "SPN_ENV": "local",
        "PYTHONPATH": str(registry_dir),
    }
    registry_port, bare_port = free_port(), free_port()
    registry = start(
        "registry",
        [sys.executable, "-m", "services.registry", "serve", "--port", str(registry_port),
         "--workers", "1"],
        registry_dir, env, registry_port,
    )  # fmt: skip
    bare = start(
        "bare",
        [sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "bench"), "readpath:bare_app",
         "--factory", "--port", str(bare_port), "--workers", "1", "--log-level", "warning",
         "--no-access-log"],
        ROOT, env, bare_port,
    )  # fmt: skip
    results: dict[tuple[str, str], Series] = {}
    try:
        check_identical(registry, bare, ids[:50])
        with tempfile.TemporaryDirectory() as directory:
            script = lua_script(Path(directory), ids)
            plan = [("GET /v1/actors/{id}", "/", script), ("GET /healthz", "/healthz", None)]
            for _, path, lua in plan:  # warm-up: connections, prepared statements, caches
                for server in (registry, bare):
                    run_wrk(wrk, server, path, lua, args | {"duration": 2})  # type: ignore[operator]
            for round_number in range(1, args.rounds + 1):
                say(f"round {round_number} of {args.rounds} "
                      f"(load average {os.getloadavg()[0]:.2f})")  # fmt: skip
                for what, path, lua in plan:
                    order = (registry, bare) if round_number % 2 else (bare, registry)
                    for server in order:
                        run = run_wrk(wrk, server, path, lua, args)
                        results.setdefault((what, server.name), Series()).runs.append(run)
    finally:
        registry.stop()
        bare.stop()
    report(results, args)


def report(results: dict[tuple[str, str], Series], args: argparse.Namespace) -> None:
    say()
    say(
        f"wrk -t{args.threads} -c{args.connections}, {args.rounds} rounds of {args.duration} s "
        "each, interleaved; medians of the rounds; CPU of the server process per request"
    )
    say()
    say("| request | app | req/s | p50 ms | p99 ms | CPU ms/req |")
    say("|---|---|---:|---:|---:|---:|")
    for what in ("GET /v1/actors/{id}", "GET /healthz"):
        for name in ("registry", "bare"):
            series = results[(what, name)]
            say(f"| `{what}` | {name} | {series.median('requests_per_second'):,.0f} | "
                  f"{series.median('p50_ms'):.2f} | {series.median('p99_ms'):.2f} | "
                  f"{series.cpu_ms():.3f} |")  # fmt: skip
    say()
    targets = {"GET /v1/actors/{id}": 0.4, "GET /healthz": 0.5}
    for what, target in targets.items():
        ours, bare = results[(what, "registry")], results[(what, "bare")]
        ratio = ours.median("requests_per_second") / bare.median("requests_per_second")
        cpu = ours.cpu_ms() / bare.cpu_ms()
        met = "met" if ratio >= target else "not met"
        say(
            f"{what}: registry/bare req/s {ratio:.2f}x (target >= {target}x: {met}), "
            f"CPU per request {cpu:.1f}x"
        )


class Args(argparse.Namespace):
    def __or__(self, other: dict[str, Any]) -> Args:
        merged = Args(**vars(self))
        for key, value in other.items():
            setattr(merged, key, value)
        return merged


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--actors", type=int, default=50_000)
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help=f"a PostgreSQL server; the benchmark creates {DATABASE} on it",
    )
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    parser.add_argument("--drop", action="store_true", help=f"drop {DATABASE} afterwards")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--ids", type=int, default=5000, help="distinct actors requested")
    parser.add_argument("--seed", type=int, default=20211)
    parser.add_argument(
        "--registry-dir", help="run the registry from this checkout (e.g. an older commit)"
    )
    args = parser.parse_args(argv, namespace=Args())
    os.chdir(ROOT)
    prepare(args)
    try:
        measure(args)
    finally:
        if args.drop:
            asyncio.run(recreate_database(dsn(args.database_url), drop_only=True))


if __name__ == "__main__":
    main()
