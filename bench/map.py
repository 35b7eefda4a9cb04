"""Map benchmark: the territory map, gap view and candidates of one busy center.

    .venv/bin/python bench/map.py [--actors 5000] [--requests 200]

(Re)creates the PostgreSQL database `spn_bench_map` with the real migrations, generates one
center of region AM-AR with 20 communities, `--actors` actors in its territory (3 services
each, delivered in 1–3 of its communities), as many actors elsewhere, 100 bodies, programmes
and a network of 300 members, runs ANALYZE, then measures the app in-process (httpx over
ASGI) after a warm-up. Prints median and p95 per operation; the target is p95 < 150 ms for
the map and the gap view at 5,000 actors and 15,000 services. Not a test: it never fails.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from services.registry import models  # noqa: E402
from services.registry.app import create_app  # noqa: E402
from services.registry.config import RegistrySettings  # noqa: E402
from services.registry.reference import (  # noqa: E402
    CATEGORY_CODES,
    TARGET_GROUP_CODES,
    ActorKind,
    CapacityKind,
)
from shared.database import Database  # noqa: E402
from shared.migrations import upgrade  # noqa: E402
from shared.text import fold_all  # noqa: E402

DATABASE = "spn_bench_map"
TARGET_MS = 150.0
ANALYZED = ("actors", "actor_places", "services", "service_communities", "service_target_groups",
            "actor_jurisdictions", "network_members")  # fmt: skip


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def recreate(server: str) -> str:
    admin = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await connection.close()
    return make_url(server).set(database=DATABASE).render_as_string(hide_password=False)


def _names(i: int, what: str) -> dict[str, Any]:
    hy, en = f"{what} {i} ՀԿ", f"{what} {i} NGO"
    return {"name_hy": hy, "name_en": en, "search_name": fold_all(hy, en),
            "search_text": fold_all(hy, en)}  # fmt: skip


async def generate(url: str, actors_in: int) -> uuid.UUID:
    rng = random.Random(7)
    now = datetime.now(UTC)
    stamp = {"version": 1, "created_at": now, "updated_at": now}
    categories, groups = sorted(CATEGORY_CODES), sorted(TARGET_GROUP_CODES)
    database = Database(url)
    async with database.engine.begin() as connection:
        territory = [uuid.uuid4() for _ in range(20)]
        elsewhere = [uuid.uuid4() for _ in range(20)]
        await connection.execute(
            insert(models.Community),
            [{"id": c, "code": f"bench-{i}", "region_code": "AM-AR" if c in territory else "AM-SH",
              "name_hy": f"Համայնք {i}", "search_name": f"համայնք {i}", **stamp}
             for i, c in enumerate(territory + elsewhere)],
        )  # fmt: skip
        center_id = uuid.uuid4()
        await connection.execute(insert(models.Center), [{
            "id": center_id, "region_code": "AM-AR", "status": "active",
            **_names(0, "Կենտրոն"), **stamp}])  # fmt: skip
        await connection.execute(
            insert(models.CenterTerritory),
            [{"center_id": center_id, "community_id": c, "active": True} for c in territory],
        )
        actors, places, capacities, services, delivered, targets = [], [], [], [], [], []
        kinds = [ActorKind.legal_entity, ActorKind.individual_entrepreneur]
        for i in range(actors_in * 2):
            actor_id = uuid.uuid4()
            home = territory if i < actors_in else elsewhere
            kind = rng.choice(kinds)
            actors.append({"id": actor_id, "kind": kind,
                           "legal_form": "cso" if kind == ActorKind.legal_entity else None,
                           **_names(i, "Կազմակերպություն"), **stamp})  # fmt: skip
            places.append({"actor_id": actor_id, "community_id": rng.choice(home),
                           "relation": "located"})  # fmt: skip
            capacities.append({"id": uuid.uuid4(), "actor_id": actor_id, "position": 0,
                               "kind": rng.choice(list(CapacityKind)), "note": None})  # fmt: skip
            for j in range(3):
                service_id = uuid.uuid4()
                services.append({
                    "id": service_id, "provider_id": actor_id,
                    "category_code": rng.choice(categories),
                    "status": "active" if rng.random() < 0.9 else "inactive", "is_free": True,
                    "languages": ["hy"], **_names(i * 3 + j, "Ծառայություն"), **stamp})  # fmt: skip
                for community in rng.sample(home, rng.randint(1, 3)):
                    delivered.append({"service_id": service_id, "community_id": community})
                for group in rng.sample(groups, rng.randint(1, 2)):
                    targets.append({"service_id": service_id, "code": group})
        bodies = []
        for i in range(100):
            body_id = uuid.uuid4()
            actors.append({"id": body_id, "kind": ActorKind.local_government,
                           **_names(i, "Մարմին"), **stamp})  # fmt: skip
            bodies.append({"id": uuid.uuid4(), "actor_id": body_id,
                           "community_id": rng.choice(territory + elsewhere)})  # fmt: skip
        for table, rows in ((models.Actor, actors), (models.ActorPlace, places),
                            (models.ActorCapacity, capacities), (models.Service, services),
                            (models.ServiceCommunity, delivered),
                            (models.ServiceTargetGroup, targets),
                            (models.ActorJurisdiction, bodies)):  # fmt: skip
            for start in range(0, len(rows), 5000):
                await connection.execute(insert(table), rows[start : start + 5000])
        programmes = [{"id": uuid.uuid4(), "status": "active", **_names(i, "Ծրագիր"), **stamp}
                      for i in range(50)]  # fmt: skip
        await connection.execute(insert(models.Programme), programmes)
        await connection.execute(
            insert(models.ProgrammeCommunity),
            [{"programme_id": p["id"], "community_id": rng.choice(territory)} for p in programmes],
        )
        network_id = uuid.uuid4()
        await connection.execute(insert(models.Network), [{
            "id": network_id, "center_id": center_id, "name_hy": "Ցանց", "form": "mixed",
            "goals": [], "founded_on": date(2024, 1, 1), "status": "active", **stamp}])  # fmt: skip
        await connection.execute(insert(models.NetworkMember), [
            {"id": uuid.uuid4(), "network_id": network_id, "actor_id": a["id"], "role": "member",
             "joined_on": date(2024, 2, 1), "areas": [], "capacities": [], **stamp}
            for a in actors[:300]])  # fmt: skip
        for name in ANALYZED:
            await connection.exec_driver_sql(f"ANALYZE {name}")
    await database.dispose()
    say(f"generated: {len(actors)} actors ({actors_in} in the territory), {len(services)} "
        f"services, {len(delivered)} deliveries")  # fmt: skip
    return center_id


async def measure(url: str, center_id: uuid.UUID, requests: int) -> None:
    app = create_app(RegistrySettings(database_url=url, log_level="WARNING"))
    operations = {
        "map": f"/v1/centers/{center_id}/map",
        "map, one category": f"/v1/centers/{center_id}/map?category=day_care",
        "gap view": f"/v1/centers/{center_id}/gaps",
        "candidates page": f"/v1/centers/{center_id}/candidates?limit=50",
        "territory actors page": f"/v1/centers/{center_id}/map/actors?limit=50",
    }
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            say(f"{'operation':<24}{'median ms':>12}{'p95 ms':>10}")
            for name, path in operations.items():
                for _ in range(10):
                    (await client.get(path)).raise_for_status()
                timings = []
                for _ in range(requests):
                    started = time.perf_counter()
                    (await client.get(path)).raise_for_status()
                    timings.append((time.perf_counter() - started) * 1000)
                p95 = statistics.quantiles(timings, n=20)[18]
                flag = "" if p95 < TARGET_MS or "page" in name else "  (over the target)"
                say(f"{name:<24}{statistics.median(timings):>12.1f}{p95:>10.1f}{flag}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actors", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--reuse", action="store_true", help="measure the last generated data")
    args = parser.parse_args()
    if args.reuse:
        url = make_url(args.database_url).set(database=DATABASE).render_as_string(False)
        database = Database(url)
        async with database.sessionmaker() as session:
            center_id = (await session.scalars(select(models.Center.id))).one()
        await database.dispose()
    else:
        url = await recreate(args.database_url)
        await asyncio.to_thread(upgrade, ROOT / "services" / "registry", url)
        center_id = await generate(url, args.actors)
    await measure(url, center_id, args.requests)


if __name__ == "__main__":
    asyncio.run(main())
