"""Money after the award: amendments, tranches, co-funding receipts, expenditure and reclaims;
each refusal writes nothing (the client fixture checks the journal on every refused write)."""

from __future__ import annotations

from typing import Any

import httpx

from services.grants.tests import test_awards
from services.grants.tests.conftest import Headers
from services.grants.tests.test_awards import World, apply, assess, grant_body

# The fixtures of test_awards: a call, an adopted Gyumri plan, two CSOs; "today" in the call.
world, open_today = test_awards.world, test_awards.open_today


def amd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "AMD"}


async def direct_grant(
    client: httpx.AsyncClient, world: World, officer: Headers, **fields: Any
) -> dict[str, Any]:
    created = await client.post("/v1/grants", json=grant_body(world, **fields), headers=officer)
    assert created.status_code == 201, created.text
    return dict(created.json())


async def activate(client: httpx.AsyncClient, grant: dict[str, Any], officer: Headers) -> None:
    response = await client.patch(
        f"/v1/grants/{grant['id']}", json={"status": "active"}, headers=officer
    )
    assert response.status_code == 200, response.text


async def pay(
    client: httpx.AsyncClient,
    grant: dict[str, Any],
    headers: Headers,
    amount: str,
    on: str = "2021-04-10",
    currency: str = "AMD",
) -> httpx.Response:
    return await client.post(
        f"/v1/grants/{grant['id']}/disbursements",
        json={"paid_on": on, "amount": {"amount": amount, "currency": currency}},
        headers=headers,
    )


class TestDisbursements:
    async def test_paid_total_stays_within_the_award_until_an_amendment(
        self,
        client: httpx.AsyncClient,
        world: World,
        officer: Headers,
        gyumri_official: Headers,
    ) -> None:
        grant = await direct_grant(client, world, officer)
        assert (await pay(client, grant, officer, "2500000")).status_code == 201
        over = await pay(client, grant, officer, "1500000.01")
        assert over.status_code == 409, over.text
        assert over.headers["content-type"].startswith("application/problem+json")
        assert "2500000.00 AMD" in over.json()["detail"]
        assert (await pay(client, grant, officer, "100", currency="EUR")).status_code == 422
        assert (await pay(client, grant, officer, "0")).status_code == 422
        assert (await pay(client, grant, officer, "10", on="2021-02-01")).status_code == 422
        assert (await pay(client, grant, gyumri_official, "10")).status_code == 403
        assert (await pay(client, grant, {}, "10")).status_code == 401

        url = f"/v1/grants/{grant['id']}"
        etag = (await client.get(url)).headers["etag"]
        decision = {"number": "45-Ա", "date": "2021-09-01"}
        below = await client.post(
            f"{url}/amendments",
            headers=officer,
            json={"amount": amd("2000000"), "reason": "Կրճատում", "decision": decision},
        )
        assert below.status_code == 409
        no_reason = await client.post(
            f"{url}/amendments",
            headers=officer,
            json={"amount": amd("5000000"), "decision": decision},
        )
        assert no_reason.status_code == 422
        amended = await client.post(
            f"{url}/amendments",
            headers=officer | {"If-Match": etag},
            json={"amount": amd("5000000"), "reason": "Ընդլայնում", "decision": decision},
        )
        assert amended.status_code == 200, amended.text
        assert amended.json()["amount"] == amd("5000000.00")
        [amendment] = amended.json()["amendments"]
        assert amendment["previous"] == amd("4000000.00")
        assert amendment["decision"] == decision
        stale = await client.post(
            f"{url}/amendments",
            headers=officer | {"If-Match": etag},
            json={"amount": amd("6000000"), "reason": "Կրկին", "decision": decision},
        )
        assert stale.status_code == 412
        assert (await pay(client, grant, officer, "2500000")).status_code == 201
        assert (await pay(client, grant, officer, "0.01")).status_code == 409

        listed = await client.get(f"{url}/disbursements")
        assert [d["amount"]["amount"] for d in listed.json()["items"]] == ["2500000.00"] * 2
        one = await client.get(f"{url}/disbursements/{listed.json()['items'][0]['id']}")
        again = await client.get(one.request.url, headers={"If-None-Match": one.headers["etag"]})
        assert again.status_code == 304
        finances = (await client.get(f"{url}/finances")).json()
        assert finances["disbursed"] == amd("5000000.00")
        assert finances["undisbursed"] == amd("0.00")

    async def test_a_terminated_grant_is_not_paid(
        self, client: httpx.AsyncClient, world: World, officer: Headers
    ) -> None:
        grant = await direct_grant(client, world, officer)
        ended = await client.patch(
            f"/v1/grants/{grant['id']}", json={"status": "terminated"}, headers=officer
        )
        assert ended.status_code == 200
        assert (await pay(client, grant, officer, "10")).status_code == 409

    async def test_cofunding_received_against_pledges(
        self, client: httpx.AsyncClient, world: World, officer: Headers
    ) -> None:
        grant = await direct_grant(client, world, officer)
        url = f"/v1/grants/{grant['id']}/cofunding-receipts"
        for source, amount in (
            ("community", "300000"),
            ("community", "50000"),
            ("recipient", "100000"),
        ):
            body = {"source": source, "received_on": "2021-05-01", "amount": amd(amount)}
            assert (await client.post(url, json=body, headers=officer)).status_code == 201
        unpledged = {
            "source": "other",
            "name": "ՄԱԶԾ",
            "received_on": "2021-05-01",
            "amount": amd("1"),
        }
        assert (await client.post(url, json=unpledged, headers=officer)).status_code == 422
        finances = (await client.get(f"/v1/grants/{grant['id']}/finances")).json()
        assert [
            (c["source"], c["pledged"]["amount"], c["received"]["amount"])
            for c in finances["cofunding"]
        ] == [("community", "400000.00", "350000.00"), ("recipient", "100000.00", "100000.00")]


def report(
    *lines: tuple[str, str], period: tuple[str, str] = ("2021-05-01", "2021-06-30")
) -> dict[str, Any]:
    return {
        "period_from": period[0],
        "period_to": period[1],
        "lines": [
            {
                "budget_line": item,
                "amount": amd(amount),
                "documents": ["https://example.am/receipts/1.pdf"],
            }
            for item, amount in lines
        ],
    }


class TestExpenditure:
    async def test_budget_against_actual_from_the_applications_lines(
        self, client: httpx.AsyncClient, world: World, officer: Headers
    ) -> None:
        application = (await apply(client, world)).json()
        assert (await assess(client, application["id"], officer, 8, 8)).status_code == 201
        awarded = await client.post(
            f"/v1/applications/{application['id']}/award",
            headers=officer,
            json={"awarded_on": "2021-04-15", "starts_on": "2021-05-01", "ends_on": "2021-12-31"},
        )
        grant = awarded.json()
        url = f"/v1/grants/{grant['id']}/expenditure-reports"
        early = await client.post(url, json=report(("Աշխատավարձ", "100")), headers=officer)
        assert early.status_code == 409  # awarded, not yet active
        await activate(client, grant, officer)
        unknown = await client.post(url, json=report(("Ճաշ", "100")), headers=officer)
        assert unknown.status_code == 422
        outside = report(("Աշխատավարձ", "100"), period=("2021-01-01", "2021-02-01"))
        assert (await client.post(url, json=outside, headers=officer)).status_code == 422
        backwards = report(("Աշխատավարձ", "100"), period=("2021-06-01", "2021-05-01"))
        assert (await client.post(url, json=backwards, headers=officer)).status_code == 422
        made = await client.post(
            url,
            json=report(("Աշխատավարձ", "1200000"), ("Աշխատավարձ", "300000.50")),
            headers=officer,
        )
        assert made.status_code == 201, made.text
        assert made.json()["total"] == amd("1500000.50")
        assert (await pay(client, grant, officer, "2000000", on="2021-05-02")).status_code == 201

        reclaims = f"/v1/grants/{grant['id']}/reclaims"

        def reclaim(kind: str, amount: str) -> dict[str, Any]:
            return {
                "kind": kind,
                "decided_on": "2022-01-10",
                "amount": amd(amount),
                "reason": "Ստուգում",
            }

        # paid 2 000 000.00, spent 1 500 000.50: 499 999.50 unspent
        assert (
            await client.post(reclaims, json=reclaim("unspent", "499999.51"), headers=officer)
        ).status_code == 409
        assert (
            await client.post(reclaims, json=reclaim("unspent", "499999.50"), headers=officer)
        ).status_code == 201
        assert (
            await client.post(reclaims, json=reclaim("ineligible", "1500000.51"), headers=officer)
        ).status_code == 409
        assert (
            await client.post(reclaims, json=reclaim("ineligible", "300000.50"), headers=officer)
        ).status_code == 201

        finances = (await client.get(f"/v1/grants/{grant['id']}/finances")).json()
        assert finances["spent"] == amd("1500000.50")
        assert finances["reclaimed_unspent"] == amd("499999.50")
        assert finances["reclaimed_ineligible"] == amd("300000.50")
        assert finances["lines"] == [
            {
                "budget_line": "Աշխատավարձ",
                "budget": amd("5000000.00"),
                "spent": amd("1500000.50"),
                "remaining": amd("3499999.50"),
            }
        ]
        reports = (await client.get(url)).json()["items"]
        assert [len(r["lines"]) for r in reports] == [2]

        trail = await client.get(f"/v1/grants/{grant['id']}/trail")
        assert trail.status_code == 200, trail.text
        followed = trail.json()
        assert followed["programme"]["id"] == world.programme["id"]
        assert followed["call"]["id"] == world.call["id"]
        assert followed["application"] is None  # the call is not decided yet
        assert [d["amount"]["amount"] for d in followed["disbursements"]] == ["2000000.00"]
        assert followed["expenditure"] == reports
        assert followed["finances"] == finances
        decided = await client.post(
            f"/v1/calls/{world.call['id']}/decision",
            json={"decided_on": "2021-04-20"},
            headers=officer,
        )
        assert decided.status_code == 200, decided.text
        followed = (await client.get(f"/v1/grants/{grant['id']}/trail")).json()
        assert followed["application"]["application"]["id"] == application["id"]
        assert [a["reasons"] for a in followed["application"]["assessments"]] == ["Հիմնավորված"]

    async def test_a_completed_grant_takes_no_expenditure(
        self, client: httpx.AsyncClient, world: World, officer: Headers
    ) -> None:
        grant = await direct_grant(client, world, officer)
        await activate(client, grant, officer)
        url = f"/v1/grants/{grant['id']}"
        assert (
            await client.post(
                f"{url}/expenditure-reports", json=report(("Ինչ-որ բան", "10")), headers=officer
            )
        ).status_code == 201
        done = await client.patch(url, json={"status": "completed"}, headers=officer)
        assert done.status_code == 200
        late = await client.post(
            f"{url}/expenditure-reports", json=report(("Այլ", "10")), headers=officer
        )
        assert late.status_code == 409
