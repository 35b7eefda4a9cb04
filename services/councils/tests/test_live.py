"""Sessions in calendars (iCalendar) and live (the stream resumes without losing an event)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from fastapi import FastAPI
from icalendar import Calendar

from services.councils.live import SessionStreams
from services.councils.tests.conftest import FakeRegistry, Headers, post
from services.councils.tests.test_sessions import convened, seated


async def test_calendar_feeds_of_a_council_and_a_session(
    client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
) -> None:
    council = await seated(client, admin, registry, size=2)
    s = await convened(client, admin, council)
    await post(
        client,
        f"/v1/councils/{council.id}/sessions",
        admin,
        format="remote",
        starts_at="2024-09-01T10:00:00+04:00",
        meeting_link="https://meet.example.am/d",
    )
    feed = await client.get(f"/v1/councils/{council.id}/calendar.ics")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"{s['id']}@councils.spn"]  # the draft is left out
    assert "Մասիս" in str(events[0]["location"])
    one = Calendar.from_ical((await client.get(f"/v1/sessions/{s['id']}/calendar.ics")).content)
    assert one.walk("VEVENT")[0].decoded("dtstart").isoformat() == "2024-06-20T11:00:00+00:00"
    assert (await client.get(f"/v1/sessions/{uuid.uuid4()}/calendar.ics")).status_code == 404


async def test_the_stream_resumes_from_last_event_id_and_follows(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
) -> None:
    council = await seated(client, admin, registry, size=3)
    s = await convened(client, admin, council)
    url = f"/v1/sessions/{s['id']}"
    for rep in council.principals[:2]:
        await post(client, f"{url}/check-in", admin, representative_id=rep, mode="in_person")
    streams = SessionStreams(app.state.database, poll_seconds=0.01)
    session_id = uuid.UUID(s["id"])
    try:
        history = [e async for e in streams.events(session_id, 0, follow=False)]
        assert len(history) == 4  # created, convened, two check-ins
        seqs = [seq for seq, _view in history]
        assert seqs == sorted(seqs)
        assert [len(view["present"]) for _seq, view in history] == [0, 0, 1, 2]
        quorum = history[-1][1]["quorum"]
        assert quorum["explanation"] == "quorum: 2 of 3 seats present, 2 needed"
        resumed = [e async for e in streams.events(session_id, seqs[1], follow=False)]
        assert resumed == history[2:]

        async def next_event() -> tuple[int, dict[str, object]]:
            async for event in streams.events(session_id, seqs[-1]):
                return event
            raise AssertionError("the stream ended")

        listener = asyncio.create_task(next_event())
        await asyncio.sleep(0.05)
        await post(
            client,
            f"{url}/check-in",
            admin,
            representative_id=council.principals[2],
            mode="in_person",
        )
        seq, view = await asyncio.wait_for(listener, timeout=5)
        assert seq > seqs[-1]
        assert len(view["present"]) == 3  # type: ignore[arg-type]
    finally:
        await streams.stop()


async def test_popolo_export_names_votes_and_never_contacts(
    client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
) -> None:
    from services.councils.tests.test_minutes import held

    council = await seated(client, admin, registry, size=3)
    person = council.principals[0]
    contacts = {"phone": "+37491000000", "email": "a@b.am"}
    rep = (await client.get(f"/v1/councils/{council.id}/representatives/{person}")).json()
    response = await client.patch(
        f"/v1/councils/{council.id}/persons/{rep['person_id']}",
        json={"contacts": contacts},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    s = await held(
        client,
        admin,
        council,
        "2024-06-20T15:00:00+04:00",
        "2024-06-10",
        {"decision_kind": "ordinary", "text": {"hy": "Հաստատել ծրագիրը"}},
    )
    exported = await client.get(f"/v1/councils/{council.id}/popolo")
    assert exported.status_code == 200
    assert "a@b.am" not in exported.text
    assert "+37491000000" not in exported.text
    data = exported.json()
    assert len(data["organizations"]) == 4  # the council and its three members
    assert len(data["posts"]) == 3
    principals = [m for m in data["memberships"] if m["role"] == "representative"]
    assert {m["on_behalf_of_id"] for m in principals} == {m["id"] for m in council.members}
    (event,) = data["events"]
    assert event["id"] == s["id"]
    (motion,) = data["motions"]
    assert motion["identifier"] == "1/2024"
    assert motion["result"] == "pass"
    (vote,) = data["vote_events"]
    assert vote["counts"][0] == {"option": "yes", "value": 3}
    assert {v["voter_id"] for v in vote["votes"]} == {m["person_id"] for m in principals}
