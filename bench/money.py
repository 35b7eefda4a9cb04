"""Money benchmark: public totals by community and year, and the 360Giving export, on
PostgreSQL with 2,000 grants, 20,000 disbursements and 40,000 expenditure lines.

    .venv/bin/python bench/money.py
    # --database-url postgresql://postgres:postgres@127.0.0.1:5432/postgres  --requests 300

It builds the database `spn_bench_money` with the real migrations and the plans, programmes
and grants of bench/grants.py (60 communities, 20 programmes, 2,000 grants over 2019–2024),
makes every tenth grant a grant in EUR (with a rate for every day of those years), and adds 10
tranches per grant, 20 expenditure lines per grant (5 reports of 4 lines) and one co-funding
receipt per grant. Then `ANALYZE`, the service as its own process, and after a warm-up:

- totals of one community and year: `GET /v1/funding/totals?group_by=community&group_by=year
  &community_id=…&year=…` (a different pair each time);
- totals of every community in a year: `GET /v1/funding/totals?group_by=community&year=…`;

median, p95 and max. The 360Giving export is timed in this process on the same database (the
generator the route streams, with the registry's places left out since no registry runs here):
its time, its size, and the peak of memory Python allocated while it ran (tracemalloc).
Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import time
import tracemalloc
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import grants as base  # noqa: E402  (bench/grants.py, beside this script)
import httpx  # noqa: E402
from registry import dsn, recreate_database, say  # noqa: E402  (bench/registry.py)
from sqlalchemy import insert, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from services.grants.models import (  # noqa: E402
    CofundingReceipt,
    Disbursement,
    ExchangeRate,
    ExpenditureLine,
    ExpenditureReport,
    Grant,
)
from services.grants.rules.exports import three_sixty_giving  # noqa: E402
from shared.database import Database, create_engine  # noqa: E402
from shared.migrations import upgrade  # noqa: E402

base.DATABASE = "spn_bench_money"


async def add_money(url: str, tranches: int, lines: int) -> None:
    rng = random.Random(17)
    engine = create_engine(url)
    async with engine.begin() as connection:
        grants = (
            await connection.execute(
                select(Grant.id, Grant.starts_on, Grant.amount_minor).order_by(Grant.id)
            )
        ).all()
        euro = {g.id for n, g in enumerate(grants) if n % 10 == 0}
        await connection.execute(
            update(Grant)
            .where(Grant.id.in_(euro))
            .values(currency="EUR", amount_minor=Grant.amount_minor / 400)
        )
        day, rates = date(2019, 1, 1), []
        while day <= date(2024, 12, 31):
            rates.append(
                base.stamped(
                    {
                        "currency": "EUR",
                        "rate_on": day,
                        "source": "cba",
                        "rate_micro": rng.randrange(380, 450) * 10**6 + rng.randrange(10**6),
                    }
                )
            )
            day += timedelta(days=1)
        await connection.execute(insert(ExchangeRate.__table__), rates)  # type: ignore[arg-type]
        paid, reports, spent, received = [], [], [], []
        for g in grants:
            currency = "EUR" if g.id in euro else "AMD"
            amount = g.amount_minor // 400 if g.id in euro else g.amount_minor
            for t in range(tranches):
                paid.append(
                    base.stamped(
                        {
                            "grant_id": g.id,
                            "paid_on": g.starts_on + timedelta(days=30 * t),
                            "currency": currency,
                            "amount_minor": amount // (tranches + 1),
                            "reference": f"PO-{t}",
                        }
                    )
                )
            for r in range(lines // 4):
                end = g.starts_on + timedelta(days=60 * (r + 1))
                report = base.stamped(
                    {
                        "grant_id": g.id,
                        "period_from": end - timedelta(days=59),
                        "period_to": end,
                        "currency": currency,
                    }
                )
                reports.append(report)
                for i in range(4):
                    spent.append(
                        {
                            "id": uuid.uuid4(),
                            "report_id": report["id"],
                            "grant_id": g.id,
                            "position": i,
                            "budget_line": f"Տող {i}",
                            "spent_on": end,
                            "currency": currency,
                            "amount_minor": rng.randrange(1, amount // 50 + 2),
                            "documents": [f"https://example.am/{g.id}/{r}/{i}.pdf"],
                        }
                    )
            received.append(
                base.stamped(
                    {
                        "grant_id": g.id,
                        "source": "community",
                        "name": None,
                        "received_on": g.starts_on + timedelta(days=10),
                        "currency": currency,
                        "amount_minor": amount // 1000,
                    }
                )
            )
        for model, rows in (
            (Disbursement, paid),
            (ExpenditureReport, reports),
            (ExpenditureLine, spent),
            (CofundingReceipt, received),
        ):
            for start in range(0, len(rows), 5000):
                await connection.execute(insert(model.__table__), rows[start : start + 5000])  # type: ignore[arg-type]
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("ANALYZE"))
    await engine.dispose()
    say(
        f"added {len(paid)} tranches, {len(spent)} expenditure lines in {len(reports)} reports, "
        f"{len(received)} co-funding receipts, {len(rates)} EUR rates"
    )


async def export_360giving(url: str) -> tuple[float, int, int]:
    """The export's time (a run without tracemalloc, which slows allocation), then its peak
    Python memory (a second run, traced)."""
    database = Database(url)
    try:
        started, size = time.perf_counter(), 0
        async for chunk in three_sixty_giving(database, {}):
            size += len(chunk)
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        async for _chunk in three_sixty_giving(database, {}):
            pass
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        await database.dispose()
    return elapsed, size, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgresql://postgres:postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--grants", type=int, default=2000)
    parser.add_argument("--tranches", type=int, default=10, help="per grant")
    parser.add_argument("--lines", type=int, default=20, help="expenditure lines per grant")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="leave the database")
    args = parser.parse_args()

    admin = dsn(args.database_url)
    url = make_url(args.database_url).set(drivername="postgresql+asyncpg", database=base.DATABASE)
    database_url = url.render_as_string(hide_password=False)
    asyncio.run(recreate_database(admin, database=base.DATABASE))
    started = time.perf_counter()
    upgrade(ROOT / "services" / "grants", database_url)
    data = asyncio.run(base.generate(database_url, 60, 20, args.grants))
    asyncio.run(add_money(database_url, args.tranches, args.lines))
    say(f"built in {time.perf_counter() - started:.1f} s")
    port = base.free_port()
    process = base.start_service(database_url, port)
    rng = random.Random(5)
    pairs = [(rng.choice(data["communities"]), rng.choice(base.YEARS)) for _ in range(997)]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:

            def totals(params: dict[str, Any]) -> None:
                response = client.get("/v1/funding/totals", params=params)
                body = base.answered(response, items=False)
                if not body["groups"]:
                    raise SystemExit(f"{response.request.url}: nothing found")

            def one_community_and_year(i: int) -> None:
                community_id, year = pairs[i % len(pairs)]
                totals(
                    {
                        "group_by": ["community", "year"],
                        "community_id": str(community_id),
                        "year": year,
                    }
                )

            def every_community_in_a_year(i: int) -> None:
                totals({"group_by": "community", "year": base.YEARS[i % len(base.YEARS)]})

            say("| operation | median ms | p95 ms | max ms |")
            say("|---|---|---|---|")
            base.report(
                "totals of one community and year",
                base.timed(args.requests, args.warmup, one_community_and_year),
            )
            base.report(
                "totals of every community in a year",
                base.timed(max(args.requests // 10, 20), 5, every_community_in_a_year),
            )
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    try:
        elapsed, size, peak = asyncio.run(export_360giving(database_url))
        say(
            f"360Giving export of {args.grants} grants: {elapsed:.2f} s, {size / 1e6:.1f} MB, "
            f"peak Python memory {peak / 1e6:.1f} MB (tracemalloc)"
        )
    finally:
        if not args.keep:
            asyncio.run(recreate_database(admin, database=base.DATABASE, drop_only=True))


if __name__ == "__main__":
    main()
