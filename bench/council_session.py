"""A hybrid session of 60 seats with 200 roll-call votes, followed live by 200 listeners.

    .venv/bin/python bench/council_session.py
    .venv/bin/python bench/council_session.py --listeners 50 --votes 100

Starts the councils service in a child process (uvicorn, one worker, a fresh SQLite file; the
registry is the tests' in-memory double, reached in that process), then through the API: a
municipal council of `--seats` members, a representative each, bylaws v1, a hybrid session
convened and opened with every seat checked in (every other one remotely). `--listeners` SSE
clients follow `/v1/sessions/{id}/stream`. Then `--votes` roll-call votes, one at a time, on
motions of `--seats` votes each (a motion decided when all have voted, then the next one).

Measures:
1. the time to record a vote (`POST .../votes`, its answer carrying the new record): p50, p95;
2. the delay from a vote's answer (its commit) until a listener receives the event whose tally
   counts it, over every vote and every listener: p50, p95, max.

Not a test: it prints figures and never fails on them. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from shared.auth import mint_token  # noqa: E402
from shared.settings import AuthSettings  # noqa: E402
from shared.testing import free_port  # noqa: E402


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def serve(port: int, database: str) -> None:
    import uvicorn

    from services.councils.app import create_app
    from services.councils.config import CouncilsSettings
    from services.councils.tests.conftest import FakeRegistry
    from shared.migrations import upgrade

    upgrade(ROOT / "services" / "councils", database)
    settings = CouncilsSettings(
        database_url=database, registry_url="http://registry", feed_catch_up=False
    )
    app = create_app(settings, registry_transport=FakeRegistry().transport())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def post(client: httpx.AsyncClient, url: str, **body: Any) -> dict[str, Any]:
    response = await client.post(url, json=body)
    if response.status_code not in (200, 201):
        raise SystemExit(f"{url}: {response.status_code} {response.text}")
    return dict(response.json())


async def listen(
    url: str, received: dict[int, float], ready: asyncio.Event, stop: asyncio.Event
) -> None:
    async with httpx.AsyncClient(timeout=None) as client, client.stream("GET", url) as stream:
        ready.set()
        async for line in stream.aiter_lines():
            if stop.is_set():
                return
            if not line.startswith("data:"):
                continue
            view = json.loads(line[5:])
            motion = view.get("motion")
            if motion:
                tally = motion["tally"]
                cast = tally["votes_for"] + tally["votes_against"] + tally["abstaining"]
                key = motion["number"] * 10_000 + cast
                received.setdefault(key, time.perf_counter())


async def run(args: argparse.Namespace, base: str) -> None:
    token = mint_token(AuthSettings(), subject="bench", roles=["admin"], ttl_seconds=7200)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        council = await post(
            client,
            "/v1/councils",
            kind="municipal",
            community_id="6b1c3a55-0000-4000-8000-00000000e1e1",
            founded_on="2024-01-10",
            name={"hy": "Բենչ խորհուրդ"},
        )
        c = f"/v1/councils/{council['id']}"
        reps = []
        for number in range(args.seats):
            member = await post(
                client,
                f"{c}/members",
                kind="organisation",
                name={"hy": f"Անդամ {number}"},
                joined_on="2024-01-10",
            )
            person = await post(client, f"{c}/persons", name={"hy": f"Ներկայացուցիչ {number}"})
            rep = await post(
                client,
                f"{c}/representatives",
                member_id=member["id"],
                person_id=person["id"],
                term_start="2024-01-10",
            )
            reps.append(rep["id"])
        from services.councils.schemas.bylaws import EXAMPLE_PARAMETERS

        draft = await post(
            client, f"{c}/bylaws", text_hy="Աշխատակարգ", parameters=EXAMPLE_PARAMETERS
        )
        await post(
            client,
            f"{c}/bylaws/{draft['id']}/adopt",
            adopted_on="2024-02-01",
            votes_for=args.seats,
            votes_against=0,
            abstaining=0,
            present=args.seats,
        )
        s = await post(
            client,
            f"{c}/sessions",
            format="hybrid",
            place="Սրահ",
            meeting_link="https://meet.example.am/b",
            starts_at="2024-06-20T15:00:00+04:00",
        )
        url = f"/v1/sessions/{s['id']}"
        await post(client, f"{url}/convene", by="secretary", convened_on="2024-06-01")
        items = []
        motions_needed = -(-args.votes // args.seats)
        for number in range(motions_needed):
            s = await post(
                client, f"{url}/agenda", title={"hy": f"Հարց {number + 1}"}, kind="decision"
            )
            items.append(s["agenda"][-1]["id"])
        for number, rep in enumerate(reps):
            await post(
                client,
                f"{url}/check-in",
                representative_id=rep,
                mode="remote" if number % 2 else "in_person",
            )
        await post(client, f"{url}/open")
        say(f"set up: {args.seats} seats present, {motions_needed} motions")

        received: list[dict[int, float]] = [{} for _ in range(args.listeners)]
        stop = asyncio.Event()
        readies = [asyncio.Event() for _ in range(args.listeners)]
        tasks = [
            asyncio.create_task(listen(f"{base}{url}/stream", received[i], readies[i], stop))
            for i in range(args.listeners)
        ]
        await asyncio.gather(*(r.wait() for r in readies))
        await asyncio.sleep(1.0)  # every listener has read the history
        say(f"{args.listeners} listeners connected")

        record: list[float] = []
        committed: dict[int, float] = {}
        done = 0
        for number, item in enumerate(items):
            s = await post(
                client,
                f"{url}/motions",
                item_id=item,
                decision_kind="ordinary",
                text={"hy": f"Որոշում {number + 1}"},
            )
            motion = s["motions"][-1]
            for cast, rep in enumerate(reps[: min(args.seats, args.votes - done)], start=1):
                started = time.perf_counter()
                await post(
                    client,
                    f"{url}/motions/{motion['id']}/votes",
                    representative_id=rep,
                    choice="yes" if cast % 3 else "no",
                )
                finished = time.perf_counter()
                record.append(finished - started)
                committed[motion["number"] * 10_000 + cast] = finished
                done += 1
            await post(client, f"{url}/motions/{motion['id']}/decide")
        await asyncio.sleep(2.0)
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    delays = [
        max(0.0, got[key] - at) for got in received for key, at in committed.items() if key in got
    ]
    missing = sum(1 for got in received for key in committed if key not in got)
    say(f"votes recorded: {len(record)}")
    say(
        f"record a vote: p50 {statistics.median(record) * 1000:.1f} ms, "
        f"p95 {pct(record, 0.95) * 1000:.1f} ms"
    )
    say(
        f"vote to tally at {args.listeners} listeners: p50 {statistics.median(delays) * 1000:.1f}"
        f" ms, p95 {pct(delays, 0.95) * 1000:.1f} ms, max {max(delays) * 1000:.1f} ms "
        f"({len(delays)} deliveries, {missing} missed)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seats", type=int, default=60)
    parser.add_argument("--votes", type=int, default=200)
    parser.add_argument("--listeners", type=int, default=200)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        database = f"sqlite:///{workdir}/councils.db"
        os.environ.setdefault("SPN_AUTH_SECRET", AuthSettings().secret)
        server = multiprocessing.Process(target=serve, args=(port, database), daemon=True)
        server.start()
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        try:
            asyncio.run(run(args, base))
        finally:
            server.terminate()
            server.join(5)


if __name__ == "__main__":
    main()
