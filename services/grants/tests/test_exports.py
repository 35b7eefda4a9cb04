"""The 360Giving data package: every grant, exact money, places with their codes, tranches;
and without the registry a 503 before the first byte."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from xml.etree import ElementTree

import httpx

from services.grants.tests import test_awards
from services.grants.tests.conftest import Headers
from services.grants.tests.test_awards import World, grant_body
from services.grants.tests.test_finances import activate, pay, report

world, open_today = test_awards.world, test_awards.open_today


class Test360Giving:
    async def test_every_grant_with_its_places_and_tranches(
        self,
        client: httpx.AsyncClient,
        world: World,
        officer: Headers,
        registry_down: Callable[[], None],
    ) -> None:
        grant = (await client.post("/v1/grants", json=grant_body(world), headers=officer)).json()
        other = await client.post(
            "/v1/grants",
            headers=officer,
            json=grant_body(
                world,
                recipient_id=world.bridge["id"],
                amount={"amount": "0.1", "currency": "EUR"},
                cofunding=[],
            ),
        )
        assert other.status_code == 201, other.text
        await activate(client, grant, officer)
        assert (await pay(client, grant, officer, "1234.56")).status_code == 201

        response = await client.get("/v1/exports/360giving")
        assert response.status_code == 200
        package = json.loads(response.content, parse_float=Decimal)
        records = {g["id"]: g for g in package["grants"]}
        assert set(records) == {f"360G-SPN-{grant['id']}", f"360G-SPN-{other.json()['id']}"}
        record = records[f"360G-SPN-{grant['id']}"]
        assert record["amountAwarded"] == Decimal("4000000.00")
        assert record["currency"] == "AMD"
        assert record["recipientOrganization"][0]["name"] == "Հույս"
        assert record["fundingOrganization"][0]["name"] == "European Union"
        assert {(p["geoCode"], p["geoCodeType"]) for p in record["beneficiaryLocation"]} == {
            ("gyumri", "SPN-COMMUNITY"),
            ("AM-SH", "ISO3166-2"),
        }
        assert record["classifications"] == [
            {"vocabulary": "SPN-service-categories", "code": "home_care", "title": "home_care"}
        ]
        assert [(t["date"], t["amount"]) for t in record["disbursements"]] == [
            ("2021-04-10", Decimal("1234.56"))
        ]
        assert records[f"360G-SPN-{other.json()['id']}"]["amountAwarded"] == Decimal("0.10")

        registry_down()
        assert (await client.get("/v1/exports/360giving")).status_code == 503


class TestIati:
    async def test_a_programme_with_its_budget_and_typed_transactions(
        self, client: httpx.AsyncClient, world: World, officer: Headers
    ) -> None:
        grant = (await client.post("/v1/grants", json=grant_body(world), headers=officer)).json()
        await activate(client, grant, officer)
        assert (await pay(client, grant, officer, "1000.50")).status_code == 201
        body = report(("Աշխատավարձ", "700.25"), ("Նյութեր", "100"))
        made = await client.post(
            f"/v1/grants/{grant['id']}/expenditure-reports", json=body, headers=officer
        )
        assert made.status_code == 201

        response = await client.get(f"/v1/exports/iati/programmes/{world.programme['id']}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/xml")
        activity = ElementTree.fromstring(response.content).find("iati-activity")
        assert activity is not None
        assert activity.findtext("iati-identifier") == f"SPN-PROGRAMME-{world.programme['id']}"
        budgets = [
            (b.find("value").get("currency"), b.findtext("value"))  # type: ignore[union-attr]
            for b in activity.findall("budget")
        ]
        assert budgets == [("AMD", "30000000.00"), ("EUR", "50000.00")]
        transactions = sorted(
            (t.find("transaction-type").get("code"), t.findtext("value"))  # type: ignore[union-attr]
            for t in activity.findall("transaction")
        )
        assert transactions == [
            ("2", "4000000.00"),
            ("3", "1000.50"),
            ("4", "100.00"),
            ("4", "700.25"),
        ]
        missing = await client.get(f"/v1/exports/iati/programmes/{grant['id']}")
        assert missing.status_code == 404
