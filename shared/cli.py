"""`python -m services.<name> migrate | serve`: the same commands locally, in images, in tests."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import uvicorn

from shared.migrations import upgrade
from shared.settings import DataServiceSettings, ServiceSettings


def run_service_cli(
    *,
    name: str,
    app_factory: str,
    default_port: int,
    settings_factory: Callable[[], ServiceSettings],
    service_dir: Path | None = None,
    extra_commands: dict[str, Callable[[argparse.Namespace], None]] | None = None,
    argv: Sequence[str] | None = None,
) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m services.{name}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default=os.environ.get("SPN_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=default_port)
    serve.add_argument("--workers", type=int, default=1)
    if service_dir is not None:
        commands.add_parser("migrate", help="upgrade the service's database to the newest schema")
    for command in extra_commands or {}:
        commands.add_parser(command)
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
        )
    elif args.command == "migrate":
        settings = settings_factory()
        assert isinstance(settings, DataServiceSettings)
        assert service_dir is not None
        upgrade(service_dir, settings.database_url)
    else:
        (extra_commands or {})[args.command](args)
