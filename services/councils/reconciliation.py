"""`python -m services.councils reconcile`: the reconciliation of every coordinating council
(or one) with the registry, from the command line; prints one JSON report per council."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date

from sqlalchemy import select

from services.councils.clients import Registry
from services.councils.config import CouncilsSettings
from services.councils.models import Council
from services.councils.rules import councils as rules
from services.councils.rules.common import FEED, today
from services.councils.schemas.councils import CouncilKind, CouncilStatus, Reconciliation
from shared.database import WRITING, Database
from shared.http import ServiceClient


async def reconcile_all(
    database: Database, registry: Registry, *, council: uuid.UUID | None, on: date, repair: bool
) -> list[Reconciliation]:
    async with database.reader() as session:
        statement = select(Council.id).where(
            Council.kind == CouncilKind.coordinating, Council.status != CouncilStatus.dissolved
        )
        if council is not None:
            statement = statement.where(Council.id == council)
        ids = list(await session.scalars(statement))
    reports = []
    for council_id in ids:  # one transaction per council
        async with database.sessionmaker() as session, session.begin():
            await session.connection(execution_options=WRITING)
            row = await session.get(Council, council_id)
            assert row is not None
            reports.append(await rules.reconcile(session, FEED, row, registry, on, repair=repair))
    return reports


async def main(
    registry_url: str, council: str | None, on: str | None, repair: bool
) -> list[Reconciliation]:
    database = Database(CouncilsSettings().database_url)
    client = ServiceClient(registry_url, caller="councils-reconcile")
    try:
        return await reconcile_all(
            database, Registry(client),
            council=uuid.UUID(council) if council else None,
            on=date.fromisoformat(on) if on else today(), repair=repair,
        )  # fmt: skip
    finally:
        await client.aclose()
        await database.dispose()


def run(*, council: str | None, on: str | None, repair: bool) -> None:
    from services.councils.demo import reachable_registry

    with reachable_registry(CouncilsSettings().registry_url) as url:
        reports = asyncio.run(main(url, council, on, repair))
    for report in reports:
        print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False))  # noqa: T201
