"""HSDS export benchmark: the full export of a generated registry from a real registry process.

    .venv/bin/python bench/export.py --actors 5000 50000

For each size it builds the PostgreSQL database `spn_bench_export` with the generator of
bench/registry.py (real migrations, COPY), starts the registry as its own process
(`python -m services.registry serve`, one worker, logs at WARNING), and then:

- reads the process's idle RSS (after one small warm-up request of each kind);
- downloads `GET /v1/exports/hsds` (and with `--formats`, other export paths) while another
  connection polls `/healthz` every 20 ms and a sampler reads the server's RSS every 20 ms;
- prints the total time, time to first byte, size, peak RSS growth over idle, `/healthz`
  p50 / p99 / max during the export, and the RSS two seconds after the export vs idle.

`--repos` runs the server from each of several checkouts in turn on the same database (e.g. an
export of `main` and this one: before and after, measured minutes apart rather than hours).
Not a test: it prints figures and never fails on them. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "bench"):  # run as a script from anywhere; the generator is a sibling
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import httpx  # noqa: E402
from registry import dsn, load, recreate_database, say  # noqa: E402

from shared.migrations import upgrade  # noqa: E402

# Its own database, so that it can run beside bench/registry.py.
DATABASE = "spn_bench_export"


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Figures:
    path: str
    repo: str
    total_s: float
    first_byte_s: float
    megabytes: float
    idle_mb: float
    peak_growth_mb: float
    health_p50_ms: float
    health_p99_ms: float
    health_max_ms: float
    health_polls: int
    idle_health_p99_ms: float  # the control: no export running
    after_mb: float


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(600):
            if process.poll() is not None:
                raise RuntimeError("the registry exited before it was ready")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get("/readyz")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError("the registry did not become ready")


# In a process of its own, so that receiving the export cannot delay the polls: GET /healthz
# every 20 ms until SIGTERM, then print the latencies (ms) as JSON.
POLLER = """
import json, signal, sys, time
import httpx
stopped = False
def stop(*_):
    global stopped
    stopped = True
signal.signal(signal.SIGTERM, stop)
latencies = []
with httpx.Client(base_url=sys.argv[1], timeout=600) as client:
    while not stopped:
        started = time.perf_counter()
        client.get("/healthz").raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
        if len(latencies) == 1:
            print("ready", flush=True)
        time.sleep(0.02)
print(json.dumps(latencies[1:]), flush=True)
"""


class HealthPoller:
    def __init__(self, base: str) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", POLLER, base], stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        self._process.stdout.readline()  # "ready": polling has begun

    def stop(self) -> list[float]:
        self._process.send_signal(signal.SIGTERM)
        out, _ = self._process.communicate()
        latencies: list[float] = json.loads(out.strip().splitlines()[-1])
        return latencies


async def measure(base: str, pid: int, path: str, repo: str, read_timeout: float) -> Figures:
    peak = 0.0
    done = asyncio.Event()

    async def sample_rss() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_mb(pid))
            await asyncio.sleep(0.02)

    async with httpx.AsyncClient(base_url=base, timeout=read_timeout) as client:
        # Warm-up: one small answer of each kind, so imports and caches are not counted.
        (await client.get("/healthz")).raise_for_status()
        (await client.get(path, params={"region": "AM-VD"})).raise_for_status()
        # The control: /healthz of the same process with no export running, on this machine
        # as loaded as it is now.
        control = HealthPoller(base)
        await asyncio.sleep(5.0)
        idle_health = control.stop()
        idle = rss_mb(pid)
        poller = HealthPoller(base)
        sampler = asyncio.create_task(sample_rss())
        await asyncio.sleep(1.0)
        started = time.perf_counter()
        first_byte = None
        size = 0
        async with client.stream("GET", path) as response:
            response.raise_for_status()
            async for chunk in response.aiter_raw():
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                size += len(chunk)
        total = time.perf_counter() - started
        done.set()
        health = poller.stop()
        await sampler
        await asyncio.sleep(2.0)
        after = rss_mb(pid)
    return Figures(
        path=path,
        repo=repo,
        total_s=total,
        first_byte_s=first_byte or total,
        megabytes=size / 1e6,
        idle_mb=idle,
        peak_growth_mb=max(peak, idle) - idle,
        health_p50_ms=statistics.median(health) if health else 0.0,
        health_p99_ms=percentile(health, 0.99) if health else 0.0,
        health_max_ms=max(health) if health else 0.0,
        health_polls=len(health),
        idle_health_p99_ms=percentile(idle_health, 0.99) if idle_health else 0.0,
        after_mb=after - idle,
    )


def serve(repo: Path, url: str, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "SPN_REGISTRY_DATABASE_URL": url,
        "SPN_REGISTRY_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(repo),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "services.registry", "serve", "--port", str(port)],
        cwd=repo,
        env=env,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def report(results: list[tuple[int, Figures]]) -> None:
    say(
        f"\n{'actors':>8}  {'server':<14}{'path':<24}{'total s':>9}{'1st byte s':>11}{'MB':>8}"
        f"{'idle MB':>9}{'peak +MB':>9}{'hz p50':>8}{'hz p99':>8}{'hz max':>8}{'polls':>7}"
        f"{'idle p99':>9}{'after +MB':>10}"
    )
    for size, f in results:
        say(
            f"{size:>8,}  {f.repo[-14:]:<14}{f.path:<24}{f.total_s:>9.1f}{f.first_byte_s:>11.2f}"
            f"{f.megabytes:>8.1f}{f.idle_mb:>9.0f}{f.peak_growth_mb:>9.0f}{f.health_p50_ms:>8.1f}"
            f"{f.health_p99_ms:>8.1f}{f.health_max_ms:>8.0f}{f.health_polls:>7}"
            f"{f.idle_health_p99_ms:>9.1f}{f.after_mb:>10.0f}"
        )
    say(
        "\ntargets: first byte < 1 s, peak growth < 200 MB, /healthz p99 < 50 ms, "
        "after within 50 MB of idle"
    )


def run(args: argparse.Namespace) -> None:
    os.chdir(ROOT)  # the migrations are found relative to the repository
    admin_dsn = dsn(args.database_url)
    url = dsn(args.database_url, DATABASE)
    repos = [Path(r).resolve() for r in args.repos]
    results: list[tuple[int, Figures]] = []
    try:
        for size in sorted(args.actors):
            say(f"== {size:,} actors (load average {os.getloadavg()[0]:.2f})")
            asyncio.run(recreate_database(admin_dsn, database=DATABASE))
            upgrade(Path("services/registry"), url)
            registry, _ = asyncio.run(load(url, size, args.seed))
            del registry
            for repo in repos:
                port = free_port()
                process = serve(repo, url, port)
                try:
                    base = f"http://127.0.0.1:{port}"
                    asyncio.run(wait_ready(base, process))
                    for path in args.paths:
                        try:
                            figures = asyncio.run(
                                measure(base, process.pid, path, repo.name, args.timeout)
                            )
                        except httpx.HTTPStatusError as error:  # a path this checkout lacks
                            say(f"   {repo.name} {path}: {error.response.status_code}")
                            continue
                        results.append((size, figures))
                        load_now = os.getloadavg()[0]
                        say(f"   {repo.name} {path}: {figures.total_s:.1f} s, "
                            f"{figures.megabytes:.1f} MB, load {load_now:.2f}")  # fmt: skip
                finally:
                    stop(process)
    finally:
        if not args.keep:
            asyncio.run(recreate_database(admin_dsn, database=DATABASE, drop_only=True))
    report(results)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--actors", type=int, nargs="+", default=[5000, 50000], help="registry sizes"
    )
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help=f"a PostgreSQL server; the benchmark creates and drops {DATABASE} on it",
    )
    parser.add_argument(
        "--paths", nargs="+", default=["/v1/exports/hsds"], help="export paths to download"
    )
    parser.add_argument(
        "--repos", nargs="+", default=[str(ROOT)], help="the checkouts the server runs from"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per request")
    parser.add_argument("--seed", type=int, default=20211)
    parser.add_argument("--keep", action="store_true", help=f"keep {DATABASE} afterwards")
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
