"""Minimum service standards: versions, assessments per criterion with evidence, a retired
version refused (409), and the share of compliant services per community."""

from __future__ import annotations

from typing import Any

import httpx

from services.grants.tests import test_awards
from services.grants.tests.conftest import GYUMRI, Headers
from services.grants.tests.test_awards import World, grant_body

world, open_today = test_awards.world, test_awards.open_today

STANDARD = {
    "category": "home_care",
    "title": {"hy": "Տնային խնամքի նվազագույն չափորոշիչ"},
    "criteria": [
        {
            "code": "staff",
            "name": {"hy": "Աշխատակազմ"},
            "measure": "staff per 10 clients",
            "comparison": "at_least",
            "threshold": "1",
        },
        {
            "code": "response",
            "name": {"hy": "Արձագանք"},
            "measure": "hours to first visit",
            "comparison": "at_most",
            "threshold": "48",
        },
    ],
}


def results(staff: str, response: str) -> list[dict[str, Any]]:
    return [
        {"code": "staff", "value": staff, "evidence": ["https://example.am/staff.pdf"]},
        {"code": "response", "value": response, "evidence": ["Այցերի մատյան"]},
    ]


class TestStandards:
    async def test_versions_assessments_and_shares(
        self,
        client: httpx.AsyncClient,
        registry: httpx.AsyncClient,
        world: World,
        officer: Headers,
        admin: Headers,
    ) -> None:
        first = await client.post("/v1/service-standards", json=STANDARD, headers=officer)
        assert first.status_code == 201, first.text
        assert first.json()["edition"] == 1
        assert (
            await client.post(
                "/v1/service-standards", json=STANDARD | {"category": "nope"}, headers=officer
            )
        ).status_code == 422
        service = await registry.post(
            "/v1/services",
            headers=admin,
            json={
                "provider_id": world.hope["id"],
                "name": {"hy": "Տնային խնամք"},
                "category_code": "home_care",
                "target_groups": ["elderly"],
                "communities": [GYUMRI],
                "cost": {"free": True},
            },
        )
        assert service.status_code == 201, service.text
        grant = (await client.post("/v1/grants", json=grant_body(world), headers=officer)).json()

        def assessment(**fields: Any) -> dict[str, Any]:
            return {
                "standard_id": first.json()["id"],
                "service_id": service.json()["id"],
                "community_id": GYUMRI,
                "assessed_on": "2022-02-01",
                "results": results("1.2", "24"),
            } | fields

        met = await client.post("/v1/compliance-assessments", json=assessment(), headers=officer)
        assert met.status_code == 201, met.text
        assert met.json()["compliant"] is True
        pilot = await client.post(
            "/v1/compliance-assessments",
            headers=officer,
            json=assessment(
                service_id=None,
                community_id=None,
                grant_id=grant["id"],
                results=results("0.8", "24"),
            ),
        )
        assert pilot.status_code == 201, pilot.text
        assert [r["met"] for r in pilot.json()["results"]] == [False, True]
        for bad in (
            {"results": results("1", "2")[:1]},
            {"community_id": None},
            {"grant_id": grant["id"]},
            {"results": [{"code": "staff", "value": "1", "evidence": []}]},
        ):
            refused = await client.post(
                "/v1/compliance-assessments", json=assessment(**bad), headers=officer
            )
            assert refused.status_code == 422, bad

        shares = (await client.get("/v1/compliance/communities")).json()["items"]
        assert shares == [{"community_id": GYUMRI, "assessed": 2, "compliant": 1, "share": "50.00"}]

        second = await client.post("/v1/service-standards", json=STANDARD, headers=officer)
        assert second.json()["edition"] == 2
        url = f"/v1/service-standards/{first.json()['id']}/retirement"
        retired = await client.post(
            url,
            json={"retired_on": "2022-06-01"},
            headers=officer | {"If-Match": first.headers["etag"]},
        )
        assert retired.status_code == 200, retired.text
        late = await client.post("/v1/compliance-assessments", json=assessment(), headers=officer)
        assert late.status_code == 409
        again = await client.post(url, json={"retired_on": "2022-06-02"}, headers=officer)
        assert again.status_code == 409
        current = await client.post(
            "/v1/compliance-assessments",
            headers=officer,
            json=assessment(
                standard_id=second.json()["id"],
                assessed_on="2022-07-01",
                results=results("0.5", "72"),
            ),
        )
        assert current.status_code == 201
        shares = (await client.get("/v1/compliance/communities")).json()["items"]
        assert shares[0]["share"] == "0.00"  # the service's latest assessment fails
