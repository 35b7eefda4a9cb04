"""Results: indicators per grant and plan priority, beneficiaries as counts that add up, and a
programme's beneficiary selection; refusals write nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from services.grants.tests import test_awards
from services.grants.tests.conftest import Headers
from services.grants.tests.test_awards import World, grant_body

world, open_today = test_awards.world, test_awards.open_today


def cell(group: str, sex: str, age: str, count: int) -> dict[str, Any]:
    return {"target_group": group, "sex": sex, "age_band": age, "count": count}


class TestResults:
    async def test_indicators_of_a_grant_and_of_a_priority(
        self, client: httpx.AsyncClient, world: World, officer: Headers, gyumri_official: Headers
    ) -> None:
        grant = (await client.post("/v1/grants", json=grant_body(world), headers=officer)).json()
        body = {
            "grant_id": grant["id"],
            "name": {"hy": "Խնամք ստացող տարեցներ"},
            "unit": "persons",
            "baseline": "0",
            "periods": [{"period": "2021", "target": "40"}],
        }
        made = await client.post("/v1/indicators", json=body, headers=officer)
        assert made.status_code == 201, made.text
        for bad in (
            {"priority_id": world.priority},
            {"grant_id": None},
            {"periods": [{"period": "2021"}, {"period": "2021"}]},
            {"periods": [{"period": "last year"}]},
            {"baseline": "NaN"},
        ):
            response = await client.post("/v1/indicators", json=body | bad, headers=officer)
            assert response.status_code == 422, bad
        assert (
            await client.post("/v1/indicators", json=body, headers=gyumri_official)
        ).status_code == 403
        url = made.headers["location"]
        etag = made.headers["etag"]
        changed = await client.patch(
            url,
            json={"periods": [{"period": "2021", "target": "40", "actual": "37"}]},
            headers=officer | {"If-Match": etag},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["periods"][0]["actual"] == "37"
        stale = await client.patch(
            url, json={"unit": "families"}, headers=officer | {"If-Match": etag}
        )
        assert stale.status_code == 412
        of_priority = await client.post(
            "/v1/indicators",
            headers=officer,
            json={
                "priority_id": world.priority,
                "name": {"hy": "Ծածկույթ"},
                "unit": "%",
                "baseline": "12.5",
                "periods": [{"period": "2022", "target": "30"}],
            },
        )
        assert of_priority.status_code == 201, of_priority.text
        listed = await client.get("/v1/indicators", params={"priority_id": world.priority})
        assert [i["id"] for i in listed.json()["items"]] == [of_priority.json()["id"]]

    async def test_beneficiaries_are_counts_that_add_up(
        self,
        client: httpx.AsyncClient,
        world: World,
        officer: Headers,
        registry_down: Callable[[], None],
    ) -> None:
        grant = (await client.post("/v1/grants", json=grant_body(world), headers=officer)).json()
        url = f"/v1/grants/{grant['id']}/beneficiaries"
        counts = [cell("elderly", "female", "65+", 25), cell("elderly", "male", "65+", 12)]
        wrong = await client.post(
            url, json={"period": "2021", "total": 38, "counts": counts}, headers=officer
        )
        assert wrong.status_code == 422
        assert "37" in str(wrong.json()["errors"])
        twice = [counts[0], counts[0]]
        assert (
            await client.post(
                url, json={"period": "2021", "total": 50, "counts": twice}, headers=officer
            )
        ).status_code == 422
        unknown = [cell("dragons", "male", "65+", 1)]
        assert (
            await client.post(
                url, json={"period": "2021", "total": 1, "counts": unknown}, headers=officer
            )
        ).status_code == 422
        person = [cell("elderly", "male", "65+", 1) | {"name": "Արամ"}]
        assert (
            await client.post(
                url, json={"period": "2021", "total": 1, "counts": person}, headers=officer
            )
        ).status_code == 422
        made = await client.post(
            url, json={"period": "2021", "total": 37, "counts": counts}, headers=officer
        )
        assert made.status_code == 201, made.text
        again = await client.post(
            url, json={"period": "2021", "total": 37, "counts": counts}, headers=officer
        )
        assert again.status_code == 409
        listed = (await client.get(url)).json()["items"]
        assert [c["total"] for c in listed] == [37]
        indicator = await client.post(
            "/v1/indicators",
            headers=officer,
            json={
                "grant_id": grant["id"],
                "name": {"hy": "Խնամք ստացող տարեցներ"},
                "unit": "persons",
                "baseline": "0",
                "periods": [{"period": "2021", "target": "40"}],
            },
        )
        assert indicator.status_code == 201, indicator.text
        # The grant's trail ends with its results.
        trail = (await client.get(f"/v1/grants/{grant['id']}/trail")).json()
        assert trail["beneficiaries"] == listed
        assert [i["id"] for i in trail["indicators"]] == [indicator.json()["id"]]
        registry_down()
        down = await client.post(
            url, json={"period": "2022", "total": 37, "counts": counts}, headers=officer
        )
        assert down.status_code == 503

    async def test_a_programmes_selection_counts_per_criterion(
        self, client: httpx.AsyncClient, world: World, officer: Headers
    ) -> None:
        url = f"/v1/grant-programmes/{world.programme['id']}/selections"
        body = {
            "selected_on": "2023-03-01",
            "total": 120,
            "criteria": [
                {"criterion": "Ընտանեկան նպաստի համակարգում", "selected": 80},
                {"criterion": "Ընտանեկան նպաստի համակարգից դուրս", "selected": 40},
            ],
        }
        made = await client.post(url, json=body, headers=officer)
        assert made.status_code == 201, made.text
        over = body | {"total": 70}
        assert (await client.post(url, json=over, headers=officer)).status_code == 422
        listed = (await client.get(url)).json()["items"]
        assert [s["criteria"][1]["selected"] for s in listed] == [40]
