"""`python -m services.<name> migrate | serve`: the same commands locally, in images, in tests."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import uvicorn

from shared.migrations import upgrade
from shared.settings import DataServiceSettings, ServiceSettings


def default_workers() -> int:
    """`SPN_WORKERS`, else one worker per core this process may use: the cores it may run on,
    fewer when a container's CPU limit (cgroup v2 `cpu.max`) allows less."""
    configured = os.environ.get("SPN_WORKERS", "").strip()
    if configured:
        return max(1, int(configured))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cores = min(cores or 1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    return max(1, cores or 1)


def run_service_cli(
    *,
    name: str,
    app_factory: str,
    default_port: int,
    settings_factory: Callable[[], ServiceSettings],
    service_dir: Path | None = None,
    extra_commands: dict[str, Callable[[argparse.Namespace], None]] | None = None,
    command_arguments: dict[str, Callable[[argparse.ArgumentParser], None]] | None = None,
    argv: Sequence[str] | None = None,
) -> None:
    """`command_arguments`: for an extra command that takes options, a function adding them."""
    parser = argparse.ArgumentParser(prog=f"python -m services.{name}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default=os.environ.get("SPN_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=default_port)
    serve.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="processes serving requests (default: SPN_WORKERS, else one per core)",
    )
    if service_dir is not None:
        commands.add_parser("migrate", help="upgrade the service's database to the newest schema")
    for command in extra_commands or {}:
        options = commands.add_parser(command)
        if command in (command_arguments or {}):
            (command_arguments or {})[command](options)
    args = parser.parse_args(argv)

    if args.command == "serve":
        uvicorn.run(
            app_factory,
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=None,
            proxy_headers=True,
            # A worker that does not answer the supervisor in time is killed and started
            # again; 5 s (uvicorn's default) is less than a start-up takes on a busy machine,
            # and the workers were then restarted for ever.
            timeout_worker_healthcheck=60,
        )
    elif args.command == "migrate":
        settings = settings_factory()
        assert isinstance(settings, DataServiceSettings)
        assert service_dir is not None
        upgrade(service_dir, settings.database_url)
    else:
        (extra_commands or {})[args.command](args)
