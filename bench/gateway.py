"""One hop: the same registry endpoint called directly, through nginx and through the gateway.

    .venv/bin/python bench/gateway.py                    # 2 rounds of 5 s per target and load
    .venv/bin/python bench/gateway.py --rounds 3 --duration 10 --connections 32
    .venv/bin/python bench/gateway.py --view             # a view over three backends

Starts the registry (SQLite, demo data, one worker), nginx as a plain reverse proxy in front
of it (one worker, keep-alive to the upstream; `apt-get install -y nginx` when absent), and the
gateway (one worker) twice: with its aiohttp client, and with httpx's pooled client put in its
place (`httpx_gateway` below, for the comparison only). Every target answers
`GET /v1/centers/{id}` with the same bytes (checked first). Then `wrk`, target after target,
round after round: throughput under load (`--connections`) and latency one request at a time
(one connection). Prints requests per second, p50 and p99 and the ratios to nginx.
Not a test: it prints figures and never fails on them. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "bench"):  # run as a script from anywhere; readpath is a sibling
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from readpath import Run, Series, Server, ensure_wrk, free_port, run_wrk, say, start  # noqa: E402

MASIS = "3d651a3d-13df-5220-9d32-03ebfc8e6575"
PATH = f"/v1/centers/{MASIS}"

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    upstream registry {{ server 127.0.0.1:{upstream}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://registry;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_buffering off;
        }}
    }}
}}
"""


def httpx_gateway() -> Any:
    """The gateway with httpx's pooled client in the place of aiohttp (the comparison only)."""
    import httpx
    from starlette.types import Receive, Scope, Send

    from services.gateway import edge
    from services.gateway.app import create_app
    from services.gateway.backends import Backend

    clients: dict[str, httpx.AsyncClient] = {}

    async def proxy(
        backend: Backend, deadline: float, scope: Scope, receive: Receive, send: Send
    ) -> None:
        client = clients.get(backend.url)
        if client is None:
            client = clients[backend.url] = httpx.AsyncClient(
                base_url=backend.url,
                limits=httpx.Limits(max_connections=256, max_keepalive_connections=256),
                timeout=deadline,
            )
        headers = list(edge._forwarded_headers(scope).items())
        path = scope["raw_path"].decode("latin-1")
        if scope.get("query_string"):
            path += "?" + scope["query_string"].decode("latin-1")
        started = time.perf_counter()
        request = client.build_request(scope["method"], path, headers=headers)
        response = await client.send(request, stream=True)
        try:
            backend.answered(response.status_code, started)
            answer = [(k, v) for k, v in response.headers.raw if k.lower() not in edge.NOT_RETURNED]
            await send({"type": "http.response.start", "status": response.status_code,
                        "headers": answer})  # fmt: skip
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await response.aclose()

    edge.proxy = proxy
    return create_app()


def measure(args: argparse.Namespace) -> None:
    wrk = ensure_wrk()
    nginx = shutil.which("nginx")
    if nginx is None and os.geteuid() == 0:
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "nginx"], env=env, check=False)
        nginx = shutil.which("nginx")
    with tempfile.TemporaryDirectory(prefix="spn-bench-gateway-") as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "SPN_DATA_DIR": str(work / "data"),
            "SPN_ENV": "local",
            "SPN_REGISTRY_LOG_LEVEL": "WARNING",
            "SPN_GATEWAY_LOG_LEVEL": "WARNING",
            # The limiter runs, and never refuses the benchmark.
            "SPN_GATEWAY_RATE_LIMIT_READ": "1000000/second",
        }
        env.pop("SPN_REGISTRY_DATABASE_URL", None)
        python = sys.executable
        for command in ("migrate", "demo"):
            subprocess.run([python, "-m", "services.registry", command], cwd=ROOT, env=env,
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        servers: list[Server] = []
        try:
            port = free_port()
            serve = [python, "-m", "services.registry", "serve", "--workers", "1"]
            registry = start("direct", [*serve, "--port", str(port)], ROOT, env, port)
            servers.append(registry)
            if nginx is not None:
                for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
                    (work / folder).mkdir()
                port = free_port()
                conf = work / "nginx.conf"
                conf.write_text(NGINX_CONF.format(work=work, upstream=registry.port, port=port))
                servers.append(start("nginx", [nginx, "-c", str(conf), "-p", str(work)],
                                     ROOT, env, port))  # fmt: skip
            else:
                say("nginx is not installed (and could not be): measured without it")
            backends = {
                "SPN_GATEWAY_REGISTRY_URL": registry.url,
                "SPN_GATEWAY_COUNCILS_URL": "http://127.0.0.1:9",
                "SPN_GATEWAY_GRANTS_URL": "http://127.0.0.1:9",
            }
            for name, target in (("gateway", "services.gateway.app:create_app"),
                                 ("gateway-httpx", "bench.gateway:httpx_gateway")):  # fmt: skip
                port = free_port()
                servers.append(start(name, [python, "-m", "uvicorn", target, "--factory",
                                            "--port", str(port), "--log-level", "warning",
                                            "--no-access-log"],
                                     ROOT, env | backends, port))  # fmt: skip
            time.sleep(2)
            import httpx

            expected = httpx.get(registry.url + PATH).content
            for server in servers:
                assert httpx.get(server.url + PATH).content == expected, server.name
            loads = {"load": args.connections, "one": 1}
            series: dict[tuple[str, str], Series] = {}
            for load, connections in loads.items():
                options = argparse.Namespace(
                    threads=min(2, connections), connections=connections, duration=args.duration
                )
                for server in servers:  # warm up
                    run_wrk(wrk, server, PATH, None, argparse.Namespace(
                        threads=1, connections=connections, duration=1))  # fmt: skip
                for _ in range(args.rounds):
                    for server in servers:
                        run: Run = run_wrk(wrk, server, PATH, None, options)
                        series.setdefault((server.name, load), Series()).runs.append(run)
            report(servers, series, args)
        finally:
            for server in reversed(servers):
                server.stop()


def report(servers: list[Server], series: dict[tuple[str, str], Series], args: Any) -> None:
    say(f"GET {PATH}, {args.rounds} rounds of {args.duration} s, medians of the rounds")
    say(f"{'target':<14} {'req/s (' + str(args.connections) + ' conn)':>18} {'p50':>8} "
        f"{'p99':>8} {'req/s (1 conn)':>15} {'p50':>8} {'p99':>8}")  # fmt: skip
    for server in servers:
        load, one = series[(server.name, "load")], series[(server.name, "one")]
        say(f"{server.name:<14} {load.median('requests_per_second'):>18.0f} "
            f"{load.median('p50_ms'):>6.2f}ms {load.median('p99_ms'):>6.2f}ms "
            f"{one.median('requests_per_second'):>15.0f} {one.median('p50_ms'):>6.2f}ms "
            f"{one.median('p99_ms'):>6.2f}ms")  # fmt: skip
    names = [s.name for s in servers]
    direct = series[("direct", "one")].median("p50_ms")
    for name in ("gateway", "gateway-httpx"):
        added = series[(name, "one")].median("p50_ms") - direct
        line = f"{name}: added median latency {added:.2f} ms (one connection)"
        if "nginx" in names:
            ratio = series[(name, "load")].median("requests_per_second") / series[
                ("nginx", "load")
            ].median("requests_per_second")
            line += f"; throughput {ratio:.2f} of nginx's"
        say(line)


def measure_view(args: argparse.Namespace) -> None:
    """A view over three backends next to the backend calls it makes, one at a time."""
    import httpx

    wrk = ensure_wrk()
    services = ("registry", "councils", "grants")
    with tempfile.TemporaryDirectory(prefix="spn-bench-view-") as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "SPN_DATA_DIR": str(work / "data"),
            "SPN_ENV": "local",
            "SPN_GATEWAY_RATE_LIMIT_VIEW": "1000000/second",
            **{f"SPN_{name.upper()}_LOG_LEVEL": "WARNING" for name in (*services, "gateway")},
        }
        ports = {name: free_port() for name in (*services, "gateway")}
        for name in services:
            env.pop(f"SPN_{name.upper()}_DATABASE_URL", None)
            env[f"SPN_{name.upper()}_REGISTRY_URL"] = f"http://127.0.0.1:{ports['registry']}"
            env[f"SPN_GATEWAY_{name.upper()}_URL"] = f"http://127.0.0.1:{ports[name]}"
        python = sys.executable
        for name in services:
            for command in ("migrate", "demo"):
                subprocess.run([python, "-m", f"services.{name}", command], cwd=ROOT, env=env,
                               check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        servers: dict[str, Server] = {}
        try:
            for name in (*services, "gateway"):
                servers[name] = start(name, [python, "-m", f"services.{name}", "serve",
                                             "--workers", "1", "--port", str(ports[name])],
                                      ROOT, env, ports[name])  # fmt: skip
            time.sleep(3)
            gateway = servers["gateway"].url
            grant = next(g for g in httpx.get(gateway + "/v1/grants?limit=200").json()["items"]
                         if g.get("priority_id"))  # fmt: skip
            community = grant["community_id"]
            region = httpx.get(f"{gateway}/v1/communities/{community}").json()["region_code"]
            view = f"/v1/views/communities/{community}"
            whole_view = httpx.get(gateway + view).json()
            assert whole_view["partial"] is False
            council_ids = "&".join(f"council_ids={c['id']}" for c in whole_view["councils"])
            calls = [
                ("registry", f"/v1/communities/{community}"),
                ("registry", f"/v1/centers?community_id={community}&limit=200"),
                ("registry", f"/v1/actors?community_id={community}&limit=200"),
                ("registry", f"/v1/services?community_id={community}&limit=200"),
                ("registry", f"/v1/regions/{region}"),
                ("grants", f"/v1/plans?community_id={community}&limit=200"),
                ("grants", f"/v1/grants?community_id={community}&limit=200"),
                ("councils", f"/v1/councils?community_id={community}&limit=200"),
                ("councils", f"/v1/sessions?{council_ids}&from=2026-01-01T00:00:00Z&limit=200"),
            ]
            one = argparse.Namespace(threads=1, connections=1, duration=args.duration)
            medians: dict[tuple[str, str], list[float]] = {}
            for _ in range(args.rounds):
                for name, path in [("gateway", view), *calls]:
                    run = run_wrk(wrk, servers[name], path, None, one)
                    medians.setdefault((name, path), []).append(run.p50_ms)
            say(f"GET {view} and the backend calls it makes, one connection, {args.rounds} "
                f"rounds of {args.duration} s (median p50 of the rounds)")  # fmt: skip
            for (name, path), values in medians.items():
                say(f"{name:<9} {sorted(values)[len(values) // 2]:>7.2f} ms  {path}")
            slowest = max(sorted(v)[len(v) // 2] for (n, _p), v in medians.items()
                          if n != "gateway")  # fmt: skip
            whole = sorted(medians[("gateway", view)])[args.rounds // 2]
            say(
                f"view {whole:.2f} ms = {whole / slowest:.2f} x the slowest call ({slowest:.2f} ms)"
            )
            # One worker per backend serves the view's calls to it one after the other.
            per_backend: dict[str, float] = {}
            for (name, _path), values in medians.items():
                if name != "gateway":
                    per_backend[name] = per_backend.get(name, 0) + sorted(values)[len(values) // 2]
            busiest = max(per_backend, key=per_backend.__getitem__)
            total = per_backend[busiest]
            say(f"view = {whole / total:.2f} x the sum of the {busiest}'s calls ({total:.2f} ms; "
                "its gaps and networks per center not counted)")  # fmt: skip
        finally:
            for server in servers.values():
                server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--view", action="store_true", help="a view over three backends")
    args = parser.parse_args()
    if args.view:
        measure_view(args)
    else:
        measure(args)


if __name__ == "__main__":
    main()
