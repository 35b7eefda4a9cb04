"""Registry benchmark: search, a filtered list and get-by-id on a generated registry.

    .venv/bin/python bench/registry.py --actors 5000 50000

For each size it (re)creates the PostgreSQL database `spn_bench_registry`, builds it with the
real migrations, bulk-loads a generated registry (COPY), runs ANALYZE, and then measures the
real app in-process (httpx over ASGI): a warm-up, then `--requests` requests per operation.
It prints the median and p95 latency per operation and size, and how they changed from the
smallest to the largest size. Not a test: it prints figures and never fails on them.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from services.registry.app import create_app  # noqa: E402
from services.registry.config import RegistrySettings  # noqa: E402
from services.registry.reference import (  # noqa: E402
    REGIONS,
    SERVICE_CATEGORIES,
    TARGET_GROUPS,
    Term,
)
from shared.migrations import upgrade  # noqa: E402
from shared.text import fold, fold_all  # noqa: E402

DATABASE = "spn_bench_registry"
COMMUNITY_TOTAL = 500
SERVICES_PER_ACTOR = 3
ACTORS_PER_PROGRAMME = 50
TARGETS_MS = {"search": 50.0, "list actors": 20.0, "list services": 20.0}


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# ---------------------------------------------------------------------------------------------
# Names: Armenian syllables with their usual Latin spelling, so both forms of a name agree.

SYLLABLES = [
    ("ա", "a"), ("ար", "ar"), ("բա", "ba"), ("բեր", "ber"), ("գա", "ga"), ("գոր", "gor"),
    ("դա", "da"), ("դի", "di"), ("եր", "er"), ("զա", "za"), ("թա", "ta"), ("լի", "li"),
    ("լոր", "lor"), ("խա", "kha"), ("կա", "ka"), ("կար", "kar"), ("հա", "ha"), ("հայ", "hay"),
    ("ղա", "gha"), ("մա", "ma"), ("մար", "mar"), ("մի", "mi"), ("նա", "na"), ("նոր", "nor"),
    ("շա", "sha"), ("շեն", "shen"), ("պա", "pa"), ("ջա", "ja"), ("ռա", "ra"), ("սա", "sa"),
    ("սի", "si"), ("սեր", "ser"), ("վա", "va"), ("վան", "van"), ("տա", "ta"), ("տիկ", "tik"),
    ("րի", "ri"), ("րան", "ran"), ("ցա", "tsa"), ("քա", "ka"), ("օ", "o"), ("յան", "yan"),
    ("ձոր", "dzor"), ("գյուղ", "gyugh"), ("աշ", "ash"), ("ուն", "un"), ("ենի", "eni"),
    ("վարդ", "vard"), ("լուս", "lus"), ("ծաղ", "tsagh"),
]  # fmt: skip

GIVEN_NAMES = [
    ("Անի", "Ani"), ("Արամ", "Aram"), ("Նարեկ", "Narek"), ("Լիլիթ", "Lilit"), ("Գոռ", "Gor"),
    ("Մարիամ", "Mariam"), ("Դավիթ", "Davit"), ("Աննա", "Anna"), ("Տիգրան", "Tigran"),
    ("Սոնա", "Sona"), ("Հայկ", "Hayk"), ("Արմեն", "Armen"), ("Գայանե", "Gayane"),
    ("Կարեն", "Karen"), ("Նունե", "Nune"), ("Վահե", "Vahe"),
]  # fmt: skip

# (Armenian, English, legal form)
ORGANISATIONS = [
    ("հասարակական կազմակերպություն", "NGO", "cso"),
    ("կենտրոն", "Center", "cso"),
    ("միություն", "Union", "cso"),
    ("ասոցիացիա", "Association", "cso"),
    ("հիմնադրամ", "Foundation", "foundation"),
    ("ՍՊԸ", "LLC", "business"),
    ("ՓԲԸ", "CJSC", "business"),
    ("միջազգային առաքելություն", "International Mission", "international_organisation"),
    ("կոոպերատիվ", "Cooperative", "other"),
]

STATE_BODIES = [
    ("միասնական սոցիալական ծառայության տարածքային կենտրոն",
     "Unified Social Service territorial center"),
    ("զբաղվածության տարածքային կենտրոն", "Employment territorial center"),
    ("մարզպետարանի սոցիալական վարչություն", "Regional department of social affairs"),
    ("խնամակալության և հոգաբարձության հանձնաժողով", "Guardianship and trusteeship commission"),
]  # fmt: skip

PROGRAMME_THEMES = [
    ("Սոցիալական ներառում", "Social inclusion"),
    ("Ինքնաբավ ապրուստի խթանում", "Promoting self-sufficient livelihood"),
    ("Տեղական սոցիալական պլան", "Local social plan"),
    ("Դեպքի վարման ներդրում", "Introducing case management"),
    ("Համայնքային ծառայությունների զարգացում", "Developing community services"),
    ("Միասին սոցիալական համայնքների համար", "Together for social communities"),
]

KINDS = [  # (kind, weight)
    ("legal_entity", 55), ("individual_entrepreneur", 20), ("natural_person", 10),
    ("local_government", 10), ("state_body", 5),
]  # fmt: skip
SERVICE_STATUSES = [("active", 85), ("inactive", 8), ("temporarily_closed", 5), ("defunct", 2)]
CAPACITIES = ["premises", "transport", "volunteers", "expertise", "funding", "in_kind", "other"]


def weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def word(rng: random.Random, syllables: int | None = None) -> tuple[str, str]:
    parts = rng.choices(SYLLABLES, k=syllables or rng.randint(2, 3))
    return "".join(p[0] for p in parts).capitalize(), "".join(p[1] for p in parts).capitalize()


# ---------------------------------------------------------------------------------------------
# The generated registry, as rows for COPY.


@dataclass
class Place:
    id: uuid.UUID
    region: str
    hy: str
    en: str


@dataclass
class Registry:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    actor_ids: list[uuid.UUID] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)  # (hy, en) to draw queries from

    def add(self, table: str, **row: Any) -> None:
        self.rows.setdefault(table, []).append(row)


def generate(
    rng: random.Random, actors: int, shipped: list[Place], now: datetime
) -> tuple[Registry, list[Place]]:
    registry = Registry()
    stamp = {"version": 1, "created_at": now, "updated_at": now}
    regions = [r.code for r in REGIONS]

    places = list(shipped)
    codes: set[str] = set()
    while len(places) < COMMUNITY_TOTAL:
        hy, en = word(rng, rng.randint(2, 4))
        code = fold(en).replace(" ", "-")
        if code in codes:
            continue
        codes.add(code)
        place = Place(uuid.uuid4(), regions[len(places) % len(regions)], hy, en)
        places.append(place)
        registry.add(
            "communities", id=place.id, code=f"gen-{code}", region_code=place.region,
            parent_id=None, name_hy=hy, name_en=en, name_ru=None,
            search_name=fold_all(hy, en), **stamp,
        )  # fmt: skip

    for i in range(actors):
        actor_id = uuid.uuid4()
        registry.actor_ids.append(actor_id)
        kind = weighted(rng, KINDS)
        home = rng.choice(places)
        legal_form = None
        person = kind in ("individual_entrepreneur", "natural_person")
        if kind == "legal_entity":
            suffix_hy, suffix_en, legal_form = rng.choice(ORGANISATIONS)
            hy, en = word(rng)
            name_hy, name_en = f"«{hy}» {suffix_hy}", f"{en} {suffix_en}"
        elif person:
            given_hy, given_en = rng.choice(GIVEN_NAMES)
            sur_hy, sur_en = word(rng, 2)
            name_hy, name_en = f"{given_hy} {sur_hy}յան", f"{given_en} {sur_en}yan"
            if kind == "individual_entrepreneur":
                name_hy, name_en = f"{name_hy} ԱՁ", f"{name_en} IE"
        elif kind == "local_government":
            name_hy, name_en = f"{home.hy}ի համայնքապետարան", f"{home.en} municipality"
        else:
            body_hy, body_en = rng.choice(STATE_BODIES)
            name_hy, name_en = f"{home.hy}ի {body_hy}", f"{home.en} {body_en}"
        description = None
        if rng.random() < 0.5:
            category, group = rng.choice(SERVICE_CATEGORIES), rng.choice(TARGET_GROUPS)
            description = (
                f"{category.hy}։ Թիրախային խումբ՝ {group.hy.lower()}։ Գործում է {home.hy} "
                f"համայնքում։ {category.en} for {group.en.lower()} in {home.en}."
            )
        tax_number = f"{i:08d}" if kind in ("legal_entity", "individual_entrepreneur") else None
        registry.names.append((name_hy, name_en))
        registry.add(
            "actors", id=actor_id, kind=kind, legal_form=legal_form, description=description,
            tax_number=tax_number, registration_number=None, community_id=home.id,
            name_hy=name_hy, name_en=name_en, name_ru=None,
            search_name=fold_all(name_hy, name_en),
            search_text=fold_all(name_hy, name_en, None, description, tax_number),
            street=f"{word(rng)[0]} {rng.randint(1, 120)}",
            postal_code=f"{rng.randint(0, 4099):04d}",
            phone=f"+3749{rng.randint(1000000, 9999999)}",
            email=f"contact{i}@example.am", website=None if person else f"https://a{i}.example.am",
            **stamp,
        )  # fmt: skip
        where = [home, *rng.sample(places, rng.randint(0, 2))]
        for n, place_id in enumerate(dict.fromkeys(p.id for p in where)):
            relation = "located" if n == 0 else "operates"
            registry.add(
                "actor_places", actor_id=actor_id, community_id=place_id, relation=relation
            )
        if kind == "state_body":
            registry.add(
                "actor_jurisdictions", id=uuid.uuid4(), actor_id=actor_id,
                region_code=home.region, community_id=None,
            )  # fmt: skip
        elif kind == "local_government":
            registry.add(
                "actor_jurisdictions", id=uuid.uuid4(), actor_id=actor_id, region_code=None,
                community_id=home.id,
            )  # fmt: skip
        if rng.random() < 0.5:
            registry.add(
                "actor_capacities", id=uuid.uuid4(), actor_id=actor_id,
                kind=rng.choice(CAPACITIES), note=None,
            )  # fmt: skip

        for _ in range(SERVICES_PER_ACTOR):
            add_service(registry, rng, actor_id, name_en, where, stamp)

    for _ in range(max(1, actors // ACTORS_PER_PROGRAMME)):
        add_programme(registry, rng, places, stamp)
    return registry, places


def add_service(
    registry: Registry,
    rng: random.Random,
    provider_id: uuid.UUID,
    provider_en: str,
    where: list[Place],
    stamp: dict[str, Any],
) -> None:
    service_id = uuid.uuid4()
    category: Term = rng.choice(SERVICE_CATEGORIES)
    place = rng.choice(where)
    if rng.random() < 0.5:
        name_hy, name_en = f"{category.hy} {place.hy}ում", f"{category.en} in {place.en}"
    else:
        hy, en = word(rng)
        name_hy, name_en = f"«{hy}» {category.hy.lower()}", f"{en} {category.en.lower()}"
    description = None
    if rng.random() < 0.5:
        description = f"Մատուցում է {provider_en}։ {category.en} for the people of {place.en}."
    registry.names.append((name_hy, name_en))
    free = rng.random() < 0.7
    registry.add(
        "services", id=service_id, provider_id=provider_id, description=description,
        category_code=category.code, eligibility=None, is_free=free,
        price_amount=None if free else Decimal(rng.randint(1, 50) * 1000),
        price_currency=None if free else "AMD", capacity=rng.randint(5, 200),
        languages=json.dumps(["hy"]), schedule=None,
        status=weighted(rng, SERVICE_STATUSES), name_hy=name_hy, name_en=name_en, name_ru=None,
        search_name=fold_all(name_hy, name_en),
        search_text=fold_all(name_hy, name_en, None, description), **stamp,
    )  # fmt: skip
    for group in rng.sample(TARGET_GROUPS, rng.randint(1, 2)):
        registry.add("service_target_groups", service_id=service_id, code=group.code)
    for community_id in dict.fromkeys(p.id for p in [place, *rng.sample(where, 1)]):
        registry.add("service_communities", service_id=service_id, community_id=community_id)


def add_programme(
    registry: Registry, rng: random.Random, places: list[Place], stamp: dict[str, Any]
) -> None:
    programme_id = uuid.uuid4()
    theme_hy, theme_en = rng.choice(PROGRAMME_THEMES)
    region = rng.choice(REGIONS)
    name_hy, name_en = f"{theme_hy} {region.hy}ում", f"{theme_en} in {region.en}"
    starts_on = date(2018, 1, 1) + timedelta(days=rng.randint(0, 2500))
    ends_on = starts_on + timedelta(days=365 * rng.randint(1, 3)) if rng.random() < 0.8 else None
    description = f"Ծրագիր {region.hy} մարզի համայնքների համար։ A programme for {region.en}."
    registry.names.append((name_hy, name_en))
    registry.add(
        "programmes", id=programme_id, description=description, starts_on=starts_on,
        ends_on=ends_on, budget_amount=Decimal(rng.randint(5, 500) * 100000),
        budget_currency=rng.choice(["AMD", "EUR", "USD"]),
        status=rng.choice(["active", "active", "completed", "planned"]),
        name_hy=name_hy, name_en=name_en, name_ru=None,
        search_name=fold_all(name_hy, name_en),
        search_text=fold_all(name_hy, name_en, None, description), **stamp,
    )  # fmt: skip
    in_region = [p for p in places if p.region == region.code]
    for place in rng.sample(in_region, min(len(in_region), rng.randint(1, 10))):
        registry.add("programme_communities", programme_id=programme_id, community_id=place.id)
    for group in rng.sample(TARGET_GROUPS, rng.randint(1, 3)):
        registry.add("programme_target_groups", programme_id=programme_id, code=group.code)
    for role, actor_id in zip(
        ["lead", "partner", "funder"], rng.sample(registry.actor_ids, 3), strict=True
    ):
        registry.add("programme_actors", programme_id=programme_id, actor_id=actor_id, role=role)


# ---------------------------------------------------------------------------------------------
# The database: create, migrate, load.

LOAD_ORDER = [
    "communities", "actors", "actor_places", "actor_jurisdictions", "actor_capacities",
    "services", "service_target_groups", "service_communities", "programmes",
    "programme_communities", "programme_target_groups", "programme_actors",
]  # fmt: skip


def dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def recreate_database(
    admin_dsn: str, *, database: str = DATABASE, drop_only: bool = False
) -> None:
    """Drops the bench's database and (unless `drop_only`) creates it afresh."""
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if not drop_only:
            await connection.execute(f'CREATE DATABASE "{database}"')
    finally:
        await connection.close()


async def shipped_communities(connection: Any) -> list[Place]:
    rows = await connection.fetch("SELECT id, region_code, name_hy, name_en FROM communities")
    return [Place(r["id"], r["region_code"], r["name_hy"], r["name_en"]) for r in rows]


async def load(database_dsn: str, actors: int, seed: int) -> tuple[Registry, dict[str, int]]:
    connection = await asyncpg.connect(database_dsn)
    try:
        started = time.perf_counter()
        rng = random.Random(seed)
        shipped = await shipped_communities(connection)
        registry, _ = generate(rng, actors, shipped, datetime.now(UTC))
        generated = time.perf_counter()
        counts: dict[str, int] = {}
        # Indexes are built far faster once than row by row, and foreign keys checked row by
        # row cost more than the copy itself: drop the indexes that back no constraint for the
        # load and build them again from their own definitions (the schema stays the migrated
        # one), and copy as a replica, which skips the foreign key triggers (the generator
        # makes no dangling references).
        secondary = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        for index in secondary:
            await connection.execute(f'DROP INDEX "{index["indexname"]}"')
        await connection.execute("SET session_replication_role = replica")
        for table in LOAD_ORDER:
            rows = registry.rows.get(table, [])
            if not rows:
                continue
            columns = list(rows[0])
            await connection.copy_records_to_table(
                table, records=[tuple(r[c] for c in columns) for r in rows], columns=columns
            )
            counts[table] = len(rows)
        await connection.execute("RESET session_replication_role")
        copied = time.perf_counter()
        await connection.execute("SET maintenance_work_mem = '256MB'")
        for index in secondary:
            await connection.execute(index["indexdef"])
        # What autovacuum does soon after such a load: statistics and the visibility map; and
        # the load's dirty pages written now rather than by a checkpoint during the measuring.
        await connection.execute("VACUUM ANALYZE")
        await connection.execute("CHECKPOINT")
        say(f"   generated in {generated - started:.1f} s, copied in {copied - generated:.1f} s, "
            f"{len(secondary)} indexes built and vacuumed in "
            f"{time.perf_counter() - copied:.1f} s")  # fmt: skip
        counts["communities"] = len(shipped) + counts.get("communities", 0)
        return registry, counts
    finally:
        await connection.close()


# ---------------------------------------------------------------------------------------------
# Measuring.


def search_queries(rng: random.Random, names: list[tuple[str, str]], count: int) -> list[str]:
    """Fragments of 3–6 letters of real names, half Armenian and half Latin."""
    queries: list[str] = []
    while len(queries) < count:
        hy, en = rng.choice(names)
        text = hy if len(queries) % 2 == 0 else en
        words = [w.strip("«»") for w in text.split() if len(w.strip("«»")) >= 3]
        if not words:
            continue
        chosen = rng.choice(words)
        size = rng.randint(3, min(6, len(chosen)))
        start = rng.randint(0, len(chosen) - size)
        fragment = chosen[start : start + size]
        queries.append(fragment.upper() if rng.random() < 0.2 else fragment.lower())
    return queries


@dataclass
class Operation:
    name: str
    requests: list[tuple[str, dict[str, Any]]]  # (path, params), cycled through
    warmup: list[tuple[str, dict[str, Any]]]  # run first, not measured


def list_route_params(app: FastAPI, path: str) -> set[str] | None:
    """The query parameters of `GET path` as the app documents them; None if it has none."""
    operation = app.openapi()["paths"].get(path, {}).get("get")
    if operation is None:
        return None
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def operations(
    app: FastAPI, rng: random.Random, registry: Registry, args: argparse.Namespace
) -> list[Operation]:
    """What is measured. The warm-up reads each distinct search and list once (the steady
    state of a running service: statement and plan caches, hot pages), and other actors than
    the measured ones."""
    queries = search_queries(rng, registry.names, args.queries)
    searches = [("/v1/search", {"q": q}) for q in queries]
    result = [Operation("search", searches, searches)]
    lists = [("/v1/actors", {"region": "AM-AR", "kind": "legal_entity", "limit": 50})]
    service_params = list_route_params(app, "/v1/services")
    if service_params is not None:  # the services catalogue may not be there yet
        wanted = {"region": "AM-AR", "category": "home_care", "status": "active", "limit": 50}
        lists.append(("/v1/services", {k: v for k, v in wanted.items() if k in service_params}))
    for path, params in lists:
        result.append(Operation(f"list {path.rsplit('/', 1)[-1]}", [(path, params)],
                                [(path, params)] * args.warmup))  # fmt: skip
    ids = rng.sample(registry.actor_ids, min(args.requests + args.warmup, len(registry.actor_ids)))
    gets: list[tuple[str, dict[str, Any]]] = [(f"/v1/actors/{i}", {}) for i in ids]
    result.append(Operation("get actor", gets[args.warmup :], gets[: args.warmup]))
    return result


@dataclass
class Figures:
    median: float
    p95: float
    maximum: float
    hits: float  # mean items per answer (lists and search)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(client: httpx.AsyncClient, operation: Operation, count: int) -> Figures:
    for path, params in operation.warmup:
        (await client.get(path, params=params)).raise_for_status()
    timings: list[float] = []
    items: list[int] = []
    for i in range(count):
        path, params = operation.requests[i % len(operation.requests)]
        started = time.perf_counter()
        response = await client.get(path, params=params)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        body = response.json()
        items.append(len(body["items"]) if "items" in body else 1)
    return Figures(
        median=statistics.median(timings),
        p95=percentile(timings, 0.95),
        maximum=max(timings),
        hits=statistics.mean(items),
    )


@contextmanager
def captured_sql(app: FastAPI) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def before(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    engine = app.state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


async def explain(
    app: FastAPI, client: httpx.AsyncClient, database_dsn: str, operation: Operation
) -> None:
    """EXPLAIN ANALYZE each SELECT one request of `operation` runs (the first in its list)."""
    path, params = operation.requests[0]
    with captured_sql(app) as statements:
        (await client.get(path, params=params)).raise_for_status()
    connection = await asyncpg.connect(database_dsn)
    try:
        for statement, parameters in statements:
            plan = await connection.fetch(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement, *(parameters or ())
            )
            say(f"\n--- {operation.name}: {path} {params}")
            say(statement.strip().splitlines()[0][:160] + " ...")
            for row in plan:
                say("    " + row[0])
    finally:
        await connection.close()


async def run_app(
    url: str, registry: Registry, args: argparse.Namespace, size: int
) -> dict[str, Figures]:
    settings = RegistrySettings(database_url=url, log_level="WARNING")
    app = create_app(settings)
    rng = random.Random(args.seed + size)
    results: dict[str, Figures] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
            for operation in operations(app, rng, registry, args):
                results[operation.name] = await measure(client, operation, args.requests)
                if args.explain:
                    await explain(app, client, dsn(url), operation)
    return results


# ---------------------------------------------------------------------------------------------
# Reporting.


def report(results: dict[int, dict[str, Figures]], counts: dict[int, dict[str, int]]) -> None:
    sizes = sorted(results)
    say("\nRows loaded")
    tables = ["communities", "actors", "actor_places", "services", "service_communities",
              "service_target_groups", "programmes"]  # fmt: skip
    say(f"{'table':<24}" + "".join(f"{s:>12,}" for s in sizes))
    for table in tables:
        say(f"{table:<24}" + "".join(f"{counts[s].get(table, 0):>12,}" for s in sizes))

    say("\nLatency in ms (median / p95 / max; items = mean items per answer)")
    say(f"{'actors':>8}  {'operation':<14}{'median':>9}{'p95':>9}{'max':>9}{'items':>8}  target")
    for size in sizes:
        for name, f in results[size].items():
            target = TARGETS_MS.get(name)
            verdict = (
                ""
                if target is None
                else f"p95 < {target:g}: " + ("met" if f.p95 < target else "MISSED")
            )
            say(f"{size:>8,}  {name:<14}{f.median:>9.2f}{f.p95:>9.2f}{f.maximum:>9.2f}"
                f"{f.hits:>8.1f}  {verdict}")  # fmt: skip
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        say(f"\nChange from {small:,} to {large:,} actors ({large / small:g}x the data)")
        say(f"{'operation':<14}{'median':>22}{'p95':>22}")
        for name, f in results[large].items():
            before = results[small].get(name)
            if before is None:
                continue
            say(f"{name:<14}"
                f"{f'{before.median:.2f} → {f.median:.2f} ({f.median / before.median:.2f}x)':>22}"
                f"{f'{before.p95:.2f} → {f.p95:.2f} ({f.p95 / before.p95:.2f}x)':>22}")  # fmt: skip


def run(args: argparse.Namespace) -> None:
    os.chdir(ROOT)  # the migrations are found relative to the repository
    admin_dsn = dsn(args.database_url)
    url = dsn(args.database_url, DATABASE)
    results: dict[int, dict[str, Figures]] = {}
    counts: dict[int, dict[str, int]] = {}
    try:
        for size in sorted(args.actors):
            say(f"== {size:,} actors (load average {os.getloadavg()[0]:.2f})")
            started = time.perf_counter()
            gc.unfreeze()
            asyncio.run(recreate_database(admin_dsn))
            upgrade(Path("services/registry"), url)
            migrated = time.perf_counter()
            registry, counts[size] = asyncio.run(load(url, size, args.seed))
            # The rows are in the database now; what stays is kept out of the collector's way,
            # or its full passes over millions of objects would be measured as request time.
            registry.rows.clear()
            gc.collect()
            gc.freeze()
            loaded = time.perf_counter()
            say(f"   migrated in {migrated - started:.1f} s, loaded in {loaded - migrated:.1f} s")
            results[size] = asyncio.run(run_app(url, registry, args, size))
            say(f"   measured in {time.perf_counter() - loaded:.1f} s")
    finally:
        if not args.keep:
            asyncio.run(recreate_database(admin_dsn, drop_only=True))
    report(results, counts)


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
    parser.add_argument("--requests", type=int, default=200, help="measured requests per op")
    parser.add_argument("--warmup", type=int, default=30, help="unmeasured requests per op")
    parser.add_argument("--queries", type=int, default=60, help="distinct search queries")
    parser.add_argument("--seed", type=int, default=20211)
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of each operation's SQL"
    )
    parser.add_argument(
        "--keep", action="store_true", help=f"keep {DATABASE} (the last size) afterwards"
    )
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
