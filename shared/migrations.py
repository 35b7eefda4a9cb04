"""Alembic per service: one `env.py` body for all, and a way to upgrade from code."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, make_url

from shared.database import async_url, create_engine, is_sqlite


def alembic_config(service_dir: Path, database_url: str) -> Config:
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(service_dir: Path, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(service_dir, database_url), revision)


def _skip_empty(context: MigrationContext, revision: Any, directives: list[Any]) -> None:
    """Autogenerate writes no revision when nothing changed."""
    script = directives[0]
    if isinstance(script, ops.MigrationScript) and all(
        u.is_empty() for u in script.upgrade_ops_list
    ):
        directives[:] = []


def _for_dialect(dialect: str) -> Any:
    """Autogenerate compares only what exists on this database: an index made for one dialect
    (`Index(...).ddl_if(dialect="postgresql")`) is not missing from another."""

    def include(obj: Any, _name: Any, kind: str, _reflected: bool, _compare_to: Any) -> bool:
        condition = getattr(obj, "_ddl_if", None) if kind == "index" else None
        wanted = getattr(condition, "dialect", None)
        if wanted is None:
            return True
        return dialect == wanted or (isinstance(wanted, tuple | list) and dialect in wanted)

    return include


def run_env(metadata: MetaData, *, version_table: str, default_url: str) -> None:
    """The body of every service's `migrations/env.py`."""
    from alembic import context

    url = async_url(context.config.attributes.get("database_url") or default_url)
    options: dict[str, Any] = {
        "target_metadata": metadata,
        "version_table": version_table,
        "render_as_batch": is_sqlite(url),  # SQLite alters tables by copying them
        "compare_type": True,
        "include_object": _for_dialect(make_url(url).get_backend_name()),
    }
    # Only for `alembic revision --autogenerate`: `alembic check` needs the directives it gets.
    if getattr(context.config.cmd_opts, "autogenerate", False):
        options["process_revision_directives"] = _skip_empty

    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: Connection) -> None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(main())
