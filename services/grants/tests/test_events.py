"""The grants service's change feed and audit trail: events in commit order after each write,
never an application or an assessment (they hold applicants' data); the audit trail for
administrators only."""

from __future__ import annotations

import json
from typing import Any

import httpx

from services.grants.tests.conftest import Headers, adopted_plan
from services.grants.tests.test_awards import (  # noqa: F401 (fixtures)
    PROGRAMME,
    World,
    apply,
    call_body,
    open_today,
    world,
)


async def feed(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    """The whole feed, read page by page as a subscriber would."""
    events: list[dict[str, Any]] = []
    params = {"limit": 2} | params
    while True:
        response = await client.get("/v1/grant-events", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        if not page["items"]:
            return events
        events += page["items"]
        params = {"limit": 2, "cursor": page["next_cursor"]}


async def test_events_appear_in_commit_order_after_writes(
    client: httpx.AsyncClient, officer: Headers, gyumri_official: Headers
) -> None:
    assert await feed(client) == []
    programme = await client.post("/v1/grant-programmes", json=PROGRAMME, headers=officer)
    assert programme.status_code == 201, programme.text
    call = await client.post("/v1/calls", json=call_body(programme.json()["id"]), headers=officer)
    assert call.status_code == 201, call.text
    plan = await adopted_plan(client, gyumri_official)

    events = await feed(client)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert [(e["type"], e["resource_id"]) for e in events[:2]] == [
        ("programme.created", programme.json()["id"]),
        ("call.created", call.json()["id"]),
    ]
    assert events[2]["type"] == "plan.created"
    assert {e["resource_id"] for e in events[2:]} >= {plan["id"]}
    # A subscriber that has seen the programme reads on from there, filtered by type.
    after = await client.get(
        "/v1/grant-events", params={"after": events[0]["seq"], "type": "call.created"}
    )
    assert [e["resource_id"] for e in after.json()["items"]] == [call.json()["id"]]


async def test_applications_and_assessments_never_reach_the_feed(
    client: httpx.AsyncClient,
    world: World,  # noqa: F811 (the fixture)
) -> None:
    before = await feed(client)
    application = await apply(client, world)
    assert application.status_code == 201, application.text
    assert await feed(client) == before
    text = json.dumps(await feed(client), ensure_ascii=False)
    assert application.json()["id"] not in text
    assert world.hope["id"] not in text
    refused = await client.get("/v1/grant-events", params={"type": "grant_application.created"})
    assert refused.status_code == 422


async def test_the_audit_trail_is_for_administrators(
    client: httpx.AsyncClient, admin: Headers, officer: Headers
) -> None:
    programme = await client.post("/v1/grant-programmes", json=PROGRAMME, headers=officer)
    assert programme.status_code == 201, programme.text
    changed = await client.patch(
        f"/v1/grant-programmes/{programme.json()['id']}",
        json={"name": {"hy": "Նոր անուն"}},
        headers=officer | {"If-Match": programme.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    params = {"resource_type": "grant_programme", "resource_id": programme.json()["id"]}

    entries = await client.get("/v1/grant-audit", params=params, headers=admin)
    assert entries.status_code == 200, entries.text
    items = entries.json()["items"]
    assert [e["action"] for e in items] == ["create", "update"]
    assert {e["subject"] for e in items} == {"officer-gohar"}
    assert items[1]["changes"]["name"]

    assert (await client.get("/v1/grant-audit", params=params)).status_code == 401
    assert (await client.get("/v1/grant-audit", params=params, headers=officer)).status_code == 403
    unknown = params | {"resource_type": "network"}
    assert (await client.get("/v1/grant-audit", params=unknown, headers=admin)).status_code == 422
