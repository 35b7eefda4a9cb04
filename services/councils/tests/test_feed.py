"""Seats follow the network: the registry's events through the inbox (idempotent, in order,
gaps filled from the feed), and the reconciliation with the registry's membership."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.councils import reconciliation
from services.councils.clients import Registry
from services.councils.tests.conftest import (
    FakeRegistry,
    Headers,
    bearer,
    create_council,
    members_of,
    post,
)
from shared.http import ServiceClient

INBOX = "/v1/inbox/registry"


@pytest.fixture
def publisher(token_for: Callable[..., str]) -> Headers:
    return bearer(token_for("feed_publisher", subject="registry"))


async def push(
    client: httpx.AsyncClient, headers: Headers, events: list[dict[str, Any]]
) -> dict[str, Any]:
    response = await client.post(INBOX, json={"events": events}, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestInbox:
    async def test_a_member_who_joins_gets_its_seats_once(
        self, client: httpx.AsyncClient, admin: Headers, publisher: Headers,
        registry: FakeRegistry,
    ) -> None:  # fmt: skip
        network = registry.add_network()
        council = await create_council(client, admin, network)
        registry.join(network, "Նոր անդամ", joined_on="2024-07-01")
        receipt = await push(client, publisher, registry.events)
        assert receipt == {"applied": 1, "skipped": 0, "position": 1}
        assert (await push(client, publisher, registry.events))["skipped"] == 1
        (member,) = await members_of(client, council["id"])
        assert member["name"]["hy"] == "Նոր անդամ"
        assert [s["opened_on"] for s in member["seats"]] == ["2024-07-01"]

    async def test_a_gap_is_filled_from_the_feed(
        self, client: httpx.AsyncClient, admin: Headers, publisher: Headers,
        registry: FakeRegistry,
    ) -> None:  # fmt: skip
        network = registry.add_network()
        council = await create_council(client, admin, network)
        for name in ("Ա", "Բ", "Գ"):
            registry.join(network, name, joined_on="2024-07-01")
        # the push of events 1 and 2 was lost; 3 arrives alone
        receipt = await push(client, publisher, registry.events[2:])
        assert receipt["position"] == 3
        assert receipt["applied"] == 3
        assert len(await members_of(client, council["id"])) == 3

    async def test_events_out_of_order_in_a_batch_are_applied_in_order(
        self, client: httpx.AsyncClient, admin: Headers, publisher: Headers,
        registry: FakeRegistry,
    ) -> None:  # fmt: skip
        network = registry.add_network()
        council = await create_council(client, admin, network)
        member = registry.join(network, "Ա", joined_on="2024-07-01")
        registry.leave(network, member, "2024-08-01")
        await push(client, publisher, list(reversed(registry.events)))
        (seated,) = await members_of(client, council["id"], include_past=True)
        assert seated["left_on"] == "2024-08-01"
        assert seated["seats"][0]["closed_on"] == "2024-08-01"

    async def test_leaving_ends_the_representatives_terms(
        self, client: httpx.AsyncClient, admin: Headers, publisher: Headers,
        registry: FakeRegistry,
    ) -> None:  # fmt: skip
        network = registry.add_network()
        member = registry.join(network, "Ա")
        council = await create_council(client, admin, network)
        base = f"/v1/councils/{council['id']}"
        (seated,) = await members_of(client, council["id"])
        person = await post(client, f"{base}/persons", admin, name={"hy": "Անի"})
        rep = await post(client, f"{base}/representatives", admin, member_id=seated["id"],
                         person_id=person["id"], term_start="2024-05-01")  # fmt: skip
        registry.leave(network, member, "2024-10-01")
        await push(client, publisher, registry.events)
        ended = (await client.get(f"{base}/representatives/{rep['id']}")).json()
        assert ended["term_end"] == "2024-10-01"
        assert (await client.get(base)).json()["current_members"] == 0

    async def test_a_dissolved_network_suspends_its_council(
        self, client: httpx.AsyncClient, admin: Headers, publisher: Headers,
        registry: FakeRegistry,
    ) -> None:  # fmt: skip
        network = registry.add_network()
        council = await create_council(client, admin, network)
        registry.dissolve(network, "2025-01-31")
        await push(client, publisher, registry.events)
        suspended = (await client.get(f"/v1/councils/{council['id']}")).json()
        assert suspended["status"] == "suspended"
        assert "2025-01-31" in suspended["status_reason"]

    async def test_only_a_publisher_pushes(
        self, client: httpx.AsyncClient, token_for: Callable[..., str]
    ) -> None:
        assert (await client.post(INBOX, json={"events": []})).status_code == 401
        official = bearer(token_for("center_official", centers=["x"]))
        response = await client.post(INBOX, json={"events": []}, headers=official)
        assert response.status_code == 403

    async def test_the_inbox_is_not_in_the_public_api(self, client: httpx.AsyncClient) -> None:
        paths = (await client.get("/openapi.json")).json()["paths"]
        assert INBOX not in paths


class TestReconciliation:
    async def test_differences_are_reported_and_repaired(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        network = registry.add_network()
        stays = registry.join(network, "Մնում է")
        goes = registry.join(network, "Գնում է")
        council = await create_council(client, admin, network)
        # events the council never received
        registry.join(network, "Նոր", joined_on="2024-08-01")
        registry.leave(network, goes, "2024-08-15")
        url = f"/v1/councils/{council['id']}/reconciliation"
        report = await post(client, url, admin, on="2024-09-01", repair=False)
        assert {(d["name"], d["difference"]) for d in report["differences"]} == {
            ("Նոր", "missing_in_council"), ("Գնում է", "not_in_network"),
        }  # fmt: skip
        assert report["repaired"] is False
        assert len(await members_of(client, council["id"])) == 2
        repaired = await post(client, url, admin, on="2024-09-01")
        assert repaired["repaired"] is True
        names = {m["name"]["hy"] for m in await members_of(client, council["id"])}
        assert names == {"Մնում է", "Նոր"}
        again = await post(client, url, admin, on="2024-09-01")
        assert again["differences"] == []
        assert stays["id"] in {
            m["network_member_id"] for m in await members_of(client, council["id"])
        }

    async def test_the_registry_down_is_a_503(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council = await create_council(client, admin, registry.add_network())
        registry.down = True
        response = await client.post(f"/v1/councils/{council['id']}/reconciliation",
                                     json={"on": "2024-09-01"}, headers=admin)  # fmt: skip
        assert response.status_code == 503


async def test_the_reconcile_command_repairs_every_coordinating_council(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
) -> None:
    network = registry.add_network()
    council = await create_council(client, admin, network)
    registry.join(network, "Չհասած", joined_on="2024-08-01")  # its event never arrived
    service = ServiceClient("http://registry", caller="test", transport=registry.transport())
    try:
        (report,) = await reconciliation.reconcile_all(
            app.state.database, Registry(service), council=None, on=date(2024, 9, 1), repair=True
        )
    finally:
        await service.aclose()
    assert report.repaired is True
    assert [m["name"]["hy"] for m in await members_of(client, council["id"])] == ["Չհասած"]
