"""Recipients through the registry's change feed: a renamed recipient is renamed and flagged,
a deleted one flagged and never dropped; each event applied once, pushed or read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.grants.app import INBOX_PATH
from services.grants.tests.conftest import GYUMRI, Headers, bearer


@pytest.fixture
def publisher(token_for: Callable[..., str]) -> Headers:
    return bearer(token_for("feed_publisher", subject="registry"))


async def a_grant_to_a_new_actor(
    client: httpx.AsyncClient, registry: httpx.AsyncClient, admin: Headers, officer: Headers
) -> tuple[dict[str, Any], dict[str, Any]]:
    actor = await registry.post("/v1/actors", headers=admin, json={
        "kind": "legal_entity", "legal_form": "cso", "name": {"hy": "Հույս"},
        "located_in": [GYUMRI]})  # fmt: skip
    assert actor.status_code == 201, actor.text
    programme = await client.post("/v1/grant-programmes", headers=officer, json={
        "name": {"hy": "Ծրագիր"}, "funders": [{"name": {"hy": "ԵՄ"}, "country": "BE"}],
        "budget": [{"amount": "1000", "currency": "AMD"}], "starts_on": "2021-01-01",
        "ends_on": "2021-12-31"})  # fmt: skip
    grant = await client.post("/v1/grants", headers=officer, json={
        "programme_id": programme.json()["id"], "recipient_id": actor.json()["id"],
        "community_id": GYUMRI, "title": {"hy": "Դրամաշնորհ"},
        "amount": {"amount": "1000", "currency": "AMD"}, "awarded_on": "2021-02-01",
        "starts_on": "2021-03-01", "ends_on": "2021-12-31"})  # fmt: skip
    assert grant.status_code == 201, grant.text
    return actor.json(), grant.json()


async def registry_events(registry: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await registry.get("/v1/events", params={"limit": 500})
    return list(response.json()["items"])


async def test_read_from_the_feed_a_recipient_renamed_then_deleted(
    app: FastAPI, client: httpx.AsyncClient, registry: httpx.AsyncClient, admin: Headers,
    officer: Headers,
) -> None:  # fmt: skip
    actor, grant = await a_grant_to_a_new_actor(client, registry, admin, officer)
    url = f"/v1/grants/{grant['id']}"
    renamed = await registry.patch(f"/v1/actors/{actor['id']}", headers=admin,
                                   json={"name": {"hy": "Նոր հույս"}})  # fmt: skip
    assert renamed.status_code == 200, renamed.text
    await app.state.inbox.catch_up(app.state.database)
    recipient = (await client.get(url)).json()["recipient"]
    assert (recipient["name"], recipient["flag"]) == ("Նոր հույս", "changed")

    deleted = await registry.delete(f"/v1/actors/{actor['id']}", headers=admin)
    assert deleted.status_code == 204, deleted.text
    await app.state.inbox.catch_up(app.state.database)
    kept = (await client.get(url)).json()
    assert kept["recipient"]["flag"] == "deleted"
    assert kept["recipient"]["flagged_at"] is not None
    assert kept["amount"] == grant["amount"]
    listed = await client.get("/v1/grants", params={"recipient_id": actor["id"]})
    assert [g["id"] for g in listed.json()["items"]] == [grant["id"]]


async def test_pushed_events_are_applied_once(
    client: httpx.AsyncClient, registry: httpx.AsyncClient, admin: Headers, officer: Headers,
    publisher: Headers,
) -> None:  # fmt: skip
    actor, grant = await a_grant_to_a_new_actor(client, registry, admin, officer)
    assert (await registry.delete(f"/v1/actors/{actor['id']}", headers=admin)).status_code == 204
    events = await registry_events(registry)
    first = await client.post(INBOX_PATH, json={"events": events}, headers=publisher)
    assert first.status_code == 200, first.text
    # (the inbox's own catch-up at start may have read the first event already)
    assert first.json()["applied"] + first.json()["skipped"] == len(events)
    assert first.json()["position"] == events[-1]["seq"]
    version = (await client.get(f"/v1/grants/{grant['id']}")).json()["version"]
    again = await client.post(INBOX_PATH, json={"events": events}, headers=publisher)
    assert (again.json()["applied"], again.json()["skipped"]) == (0, len(events))
    after = (await client.get(f"/v1/grants/{grant['id']}")).json()
    assert (after["recipient"]["flag"], after["version"]) == ("deleted", version)


async def test_only_the_publisher_pushes(client: httpx.AsyncClient, officer: Headers) -> None:
    assert (await client.post(INBOX_PATH, json={"events": []})).status_code == 401
    refused = await client.post(INBOX_PATH, json={"events": []}, headers=officer)
    assert refused.status_code == 403
