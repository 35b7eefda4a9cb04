"""Loading a service's demo data: one transaction, once (`python -m services.<name> demo`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from shared.database import Database

Loader = Callable[[AsyncSession], Awaitable[bool]]


async def load_demo(database_url: str, load: Loader) -> bool:
    """Runs `load` in one transaction; whether it loaded anything (False: already there)."""
    database = Database(database_url)
    try:
        async with database.sessionmaker() as session, session.begin():
            return await load(session)
    finally:
        await database.dispose()


def run_demo(database_url: str, load: Loader) -> None:
    loaded = asyncio.run(load_demo(database_url, load))
    print("demo data loaded" if loaded else "demo data already there")  # noqa: T201
