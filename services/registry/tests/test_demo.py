from collections.abc import Awaitable, Callable

from sqlalchemy import select

from services.registry.demo import load
from services.registry.models import Actor, Center, Network, NetworkMember, Service
from shared.database import Database


async def _demo_ids(url: str) -> list[str]:
    database = Database(url)
    try:
        async with database.sessionmaker() as session, session.begin():
            assert await load(session) is True
        async with database.sessionmaker() as session:
            ids = []
            for model in (Center, Actor, Service, Network, NetworkMember):
                ids += sorted(str(i) for i in await session.scalars(select(model.id)))
            return ids
    finally:
        await database.dispose()


async def test_demo_ids_are_the_same_in_every_load(
    fresh_database: Callable[[str], Awaitable[str]],
) -> None:
    """A token minted for a demo center still works once the demo is loaded again."""
    first = await _demo_ids(await fresh_database("registry"))
    second = await _demo_ids(await fresh_database("registry"))
    assert len(first) > 20
    assert first == second
