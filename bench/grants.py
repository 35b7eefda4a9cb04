"""Grants benchmark: the grants list filtered by community and year, and a plan with its
priorities and grants, on PostgreSQL, from a real grants process.

    .venv/bin/python bench/grants.py
    # --database-url postgresql://postgres:postgres@127.0.0.1:5432/postgres  --requests 300
    # --communities 60 --programmes 20 --grants 2000 --keep

It drops and creates the database `spn_bench_grants`, builds it with the real migrations, and
loads generated data in bulk (SQLAlchemy Core inserts): N communities, each with an adopted
local social plan for 2020–2022 of 5 priorities and a consultation; P programmes with a budget
in AMD and in EUR, two calls each; G grants spread evenly over the communities, the years
2019–2024 and the programmes, each piloting a priority of its community's plan, with
co-funding and two milestones. Then `ANALYZE`, and it starts the service as its own process
(`python -m services.grants serve --workers 1`, logs at WARNING) and times, after a warm-up,
`--requests` requests of each operation one after the other over one keep-alive connection:

- grants by community and year: `GET /v1/grants?community_id=…&year=…` (a different pair
  each time);
- a plan with its priorities and grants: `GET /v1/plans/{id}` then
  `GET /v1/grants?plan_id={id}`, timed together (and each alone).

It prints the median, p95 and max. Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from registry import dsn, recreate_database, say  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from services.grants.models import (  # noqa: E402
    Consultation,
    Grant,
    GrantCall,
    GrantProgramme,
    LocalPlan,
    PlanPriority,
    ProgrammeBudget,
)
from shared.database import create_engine, utcnow  # noqa: E402
from shared.migrations import upgrade  # noqa: E402

DATABASE = "spn_bench_grants"
TARGET_GROUPS = ["elderly", "children", "youth", "persons_with_disabilities",
                 "low_income_families", "unemployed"]  # fmt: skip
CATEGORIES = ["home_care", "day_care", "case_management", "employment", "psychological"]
YEARS = list(range(2019, 2025))


def stamped(row: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    return {"id": uuid.uuid4(), "version": 1, "created_at": now, "updated_at": now} | row


async def generate(url: str, communities: int, programmes: int, grants: int) -> dict[str, Any]:
    rng = random.Random(11)
    community_ids = [
        uuid.uuid5(uuid.NAMESPACE_URL, f"bench-community-{i}") for i in range(communities)
    ]
    plans, priorities, consultations = [], [], []
    priorities_of: dict[uuid.UUID, list[uuid.UUID]] = {}
    for n, community_id in enumerate(community_ids):
        plan = stamped({
            "community_id": community_id, "period_from": 2020, "period_to": 2022, "revision": 1,
            "status": "adopted", "title_hy": f"Համայնք {n}-ի տեղական սոցիալական պլան",
            "title_en": f"Community {n} local social plan", "needs_assessment": "Կարիքներ",
            "decision_number": f"{n}-Ն", "decision_date": date(2020, 12, 24),
            "amounts_illustrative": True,
        })  # fmt: skip
        plans.append(plan)
        consultations.append(stamped({
            "plan_id": plan["id"], "held_on": date(2020, 10, 1), "format": "public_hearing",
            "groups": [{"group": "Տարեցներ", "participants": 10}], "summary": "Քննարկում",
        }))  # fmt: skip
        for rank in range(1, 6):
            priority = {
                "id": uuid.uuid4(), "plan_id": plan["id"], "rank": rank,
                "title_hy": f"Առաջնահերթություն {rank}", "title_en": f"Priority {rank}",
                "target_groups": rng.sample(TARGET_GROUPS, 2),
                "service_categories": rng.sample(CATEGORIES, 2), "justification": "Հիմնավորում",
                "indicators": ["Շահառուների թիվը"], "cost_minor": rng.randrange(10**8, 10**9),
                "cost_currency": "AMD",
            }  # fmt: skip
            priorities.append(priority)
            priorities_of.setdefault(community_id, []).append(priority["id"])
    programme_rows, budgets, calls = [], [], []
    for n in range(programmes):
        programme = stamped({
            "name_hy": f"Ծրագիր {n}", "name_en": f"Programme {n}",
            "funders": [{"name": {"hy": "Եվրոպական միություն"}, "country": "BE",
                         "actor_id": None}],
            "starts_on": date(2019, 1, 1), "ends_on": date(2024, 12, 31), "components": [],
            "goals": ["Ներառում"], "selection_criteria": [], "amounts_illustrative": True,
        })  # fmt: skip
        programme_rows.append(programme)
        budgets += [
            {"id": uuid.uuid4(), "programme_id": programme["id"], "currency": "AMD",
             "amount_minor": 10**13},
            {"id": uuid.uuid4(), "programme_id": programme["id"], "currency": "EUR",
             "amount_minor": 10**9},
        ]  # fmt: skip
        for c in range(2):
            calls.append(stamped({
                "programme_id": programme["id"], "component": None, "title_hy": f"Մրցույթ {n}.{c}",
                "title_en": None, "opens_on": date(2019 + c, 1, 1),
                "closes_on": date(2019 + c, 3, 31),
                "eligible_communities": [], "eligible_regions": [], "applicant_kinds": ["cso"],
                "criteria": [{"code": "need", "name": {"hy": "Կարիք"}, "weight": 1}],
                "score_scale": 10, "currency": "AMD", "budget_minor": 10**12,
                "max_grant_minor": 10**10, "cofunding_share_bp": 1000, "status": "decided",
                "decided_on": date(2019 + c, 4, 30), "amounts_illustrative": True,
            }))  # fmt: skip
    grant_rows = []
    for n in range(grants):
        community_id = community_ids[n % communities]
        year = YEARS[(n // communities) % len(YEARS)]
        programme = programme_rows[n % programmes]
        amount = rng.randrange(10**8, 10**9)
        grant_rows.append(stamped({
            "programme_id": programme["id"], "call_id": None, "application_id": None,
            "recipient_id": uuid.uuid5(uuid.NAMESPACE_URL, f"bench-recipient-{n % 400}"),
            "recipient_name": f"Կազմակերպություն {n % 400}", "recipient_flag": None,
            "recipient_flagged_at": None, "community_id": community_id,
            "priority_id": rng.choice(priorities_of[community_id]),
            "title_hy": f"Դրամաշնորհ {n}", "title_en": f"Grant {n}", "currency": "AMD",
            "amount_minor": amount,
            "cofunding": [{"source": "community", "name": None,
                           "amount": {"amount": str(amount // 1000), "currency": "AMD"}}],
            "awarded_on": date(year, 1 + n % 12, 1 + n % 28), "starts_on": date(year, 1, 1),
            "ends_on": date(year, 12, 31), "status": "completed",
            "milestones": [{"title": "Մեկնարկ", "due_on": f"{year}-02-01", "done_on": None},
                           {"title": "Հաշվետվություն", "due_on": f"{year}-12-01",
                            "done_on": None}],
            "amounts_illustrative": True,
        }))  # fmt: skip
    engine = create_engine(url)
    async with engine.begin() as connection:
        tables = (
            (LocalPlan, plans), (PlanPriority, priorities), (Consultation, consultations),
            (GrantProgramme, programme_rows), (ProgrammeBudget, budgets), (GrantCall, calls),
            (Grant, grant_rows),
        )  # fmt: skip
        for model, rows in tables:
            await connection.execute(insert(model.__table__), rows)  # type: ignore[arg-type]
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("ANALYZE"))
    await engine.dispose()
    return {"communities": community_ids, "plans": [p["id"] for p in plans]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_service(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SPN_GRANTS_DATABASE_URL": url, "SPN_GRANTS_LOG_LEVEL": "WARNING",
           "SPN_ENV": "local"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "services.grants", "serve", "--workers", "1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the grants service did not start")


def answered(response: httpx.Response, items: bool = True) -> dict[str, Any]:
    if response.status_code != 200:
        raise SystemExit(f"{response.request.url}: {response.status_code} {response.text}")
    body: dict[str, Any] = response.json()
    if items and not body.get("items"):
        raise SystemExit(f"{response.request.url}: nothing found")
    return body


def timed(requests: int, warmup: int, operation: Callable[[int], None]) -> list[float]:
    for i in range(warmup):
        operation(i)
    times = []
    for i in range(requests):
        started = time.perf_counter()
        operation(warmup + i)
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    say(f"| {name} | {statistics.median(ordered):.1f} | {p95:.1f} | {ordered[-1]:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgresql://postgres:postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--communities", type=int, default=60)
    parser.add_argument("--programmes", type=int, default=20)
    parser.add_argument("--grants", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="leave the database")
    args = parser.parse_args()

    admin = dsn(args.database_url)
    url = make_url(args.database_url).set(drivername="postgresql+asyncpg", database=DATABASE)
    database_url = url.render_as_string(hide_password=False)
    asyncio.run(recreate_database(admin, database=DATABASE))
    started = time.perf_counter()
    upgrade(ROOT / "services" / "grants", database_url)
    data = asyncio.run(generate(database_url, args.communities, args.programmes, args.grants))
    say(f"built {args.communities} plans, {args.programmes} programmes, {args.grants} grants "
        f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    port = free_port()
    process = start_service(database_url, port)
    rng = random.Random(5)
    pairs = [(rng.choice(data["communities"]), rng.choice(YEARS)) for _ in range(997)]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:

            def by_community_and_year(i: int) -> None:
                community_id, year = pairs[i % len(pairs)]
                response = client.get("/v1/grants", params={"community_id": str(community_id),
                                                             "year": year})  # fmt: skip
                answered(response)

            def plan(i: int) -> None:
                response = client.get(f"/v1/plans/{data['plans'][i % len(data['plans'])]}")
                answered(response, items=False)

            def plan_grants(i: int) -> None:
                plan_id = data["plans"][i % len(data["plans"])]
                answered(client.get("/v1/grants", params={"plan_id": str(plan_id)}))

            def plan_with_grants(i: int) -> None:
                plan(i)
                plan_grants(i)

            say("| operation | median ms | p95 ms | max ms |")
            say("|---|---|---|---|")
            for name, operation in (
                ("grants by community and year", by_community_and_year),
                ("a plan with its priorities and grants (two GETs)", plan_with_grants),
                ("… the plan with its priorities", plan),
                ("… the plan's grants", plan_grants),
            ):
                report(name, timed(args.requests, args.warmup, operation))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        if not args.keep:
            asyncio.run(recreate_database(admin, database=DATABASE, drop_only=True))


if __name__ == "__main__":
    main()
