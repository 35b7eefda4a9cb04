"""Local social plans: every rule of the issue, each refusal writing nothing (the client
fixture checks the journal on every refused write)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
from fastapi import FastAPI

from services.grants.rules import plans as rules
from services.grants.tests.conftest import (
    CONSULTATION,
    GORIS,
    GYUMRI,
    Headers,
    adopted_plan,
    bearer,
    community,
    create_plan,
    plan_body,
)
from shared.concurrency import representation_bytes
from shared.testing import StatementLog


async def plans_of(client: httpx.AsyncClient, community_id: str) -> list[dict[str, Any]]:
    response = await client.get("/v1/plans", params={"community_id": community_id})
    assert response.status_code == 200
    return list(response.json()["items"])


class TestCreate:
    async def test_a_plan_keeps_its_priorities_in_rank_order(
        self, client: httpx.AsyncClient, gyumri_official: Headers
    ) -> None:
        plan = await create_plan(client, gyumri_official)
        assert plan["status"] == "draft"
        assert plan["revision"] == 1
        assert [p["rank"] for p in plan["priorities"]] == [1, 2]
        assert plan["priorities"][0]["estimated_cost"] == {"amount": "12000000.00",
                                                           "currency": "AMD"}  # fmt: skip
        read = await client.get(f"/v1/plans/{plan['id']}")
        assert read.json() == plan

    async def test_an_unknown_community_is_refused(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        unknown = community("atlantis")
        response = await client.post("/v1/plans", json=plan_body(community_id=unknown),
                                     headers=admin)  # fmt: skip
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "community_id"
        assert await plans_of(client, unknown) == []

    async def test_a_priority_outside_the_code_lists_is_refused(
        self, client: httpx.AsyncClient, gyumri_official: Headers
    ) -> None:
        body = plan_body()
        body["priorities"][1]["service_categories"] = ["space_travel"]
        response = await client.post("/v1/plans", json=body, headers=gyumri_official)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "priorities.1.service_categories"
        body = plan_body()
        body["priorities"][0]["target_groups"] = ["martians"]
        response = await client.post("/v1/plans", json=body, headers=gyumri_official)
        assert response.status_code == 422
        assert "martians" in response.json()["detail"]
        assert await plans_of(client, GYUMRI) == []

    async def test_an_unknown_network_is_refused(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        body = plan_body(network_id=community("no-such-network"))
        response = await client.post("/v1/plans", json=body, headers=admin)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "network_id"

    async def test_without_the_registry_nothing_is_written(
        self, client: httpx.AsyncClient, gyumri_official: Headers,
        registry_down: Callable[[], None],
    ) -> None:  # fmt: skip
        registry_down()
        response = await client.post("/v1/plans", json=plan_body(), headers=gyumri_official)
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert await plans_of(client, GYUMRI) == []

    async def test_one_plan_per_community_and_period(
        self, client: httpx.AsyncClient, gyumri_official: Headers
    ) -> None:
        await create_plan(client, gyumri_official)
        overlapping = await client.post(
            "/v1/plans", json=plan_body(period_from=2022, period_to=2024), headers=gyumri_official
        )
        assert overlapping.status_code == 409
        assert len(await plans_of(client, GYUMRI)) == 1
        later = await create_plan(client, gyumri_official, period_from=2023, period_to=2025)
        assert later["period_from"] == 2023

    async def test_a_period_that_ends_before_it_starts_is_refused(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        response = await client.post(
            "/v1/plans", json=plan_body(period_from=2022, period_to=2020), headers=admin
        )
        assert response.status_code == 422

    async def test_money_with_more_decimals_than_its_currency_is_refused(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        for cost in ({"amount": "100.005", "currency": "AMD"},
                     {"amount": "100.5", "currency": "JPY"},
                     {"amount": "100"},
                     {"amount": "100", "currency": "XXX"}):  # fmt: skip
            body = plan_body()
            body["priorities"][0]["estimated_cost"] = cost
            response = await client.post("/v1/plans", json=body, headers=admin)
            assert response.status_code == 422, cost
        assert await plans_of(client, GYUMRI) == []


class TestWhoWrites:
    async def test_an_official_writes_only_the_plans_of_their_community(
        self, client: httpx.AsyncClient, token_for: Callable[..., str],
        gyumri_official: Headers,
    ) -> None:  # fmt: skip
        goris_official = bearer(token_for("community_official", communities=[GORIS]))
        response = await client.post("/v1/plans", json=plan_body(), headers=goris_official)
        assert response.status_code == 403
        plan = await create_plan(client, gyumri_official)
        response = await client.patch(
            f"/v1/plans/{plan['id']}", json={"needs_assessment": "x"}, headers=goris_official
        )
        assert response.status_code == 403

    async def test_other_roles_and_anonymous_callers_write_no_plan(
        self, client: httpx.AsyncClient, officer: Headers, token_for: Callable[..., str]
    ) -> None:
        assert (await client.post("/v1/plans", json=plan_body())).status_code == 401
        assert (
            await client.post("/v1/plans", json=plan_body(), headers=officer)
        ).status_code == 403
        applicant = bearer(token_for("applicant", actors=[GYUMRI]))
        response = await client.post("/v1/plans", json=plan_body(), headers=applicant)
        assert response.status_code == 403


class TestLifecycle:
    async def test_draft_consultation_adopted(
        self, client: httpx.AsyncClient, gyumri_official: Headers
    ) -> None:
        plan = await adopted_plan(client, gyumri_official)
        assert plan["status"] == "adopted"
        assert plan["decision"] == {"number": "12-Ն", "date": "2020-12-25"}
        assert plan["consultations"] == 1

    async def test_a_plan_is_adopted_only_after_consulting_the_community(
        self, client: httpx.AsyncClient, gyumri_official: Headers
    ) -> None:
        plan = await create_plan(client, gyumri_official)
        url = f"/v1/plans/{plan['id']}"
        decision = {"number": "1", "date": "2020-12-25"}
        refused = await client.post(f"{url}/adoption", json=decision, headers=gyumri_official)
        assert refused.status_code == 409
        await client.post(f"{url}/consultation", headers=gyumri_official)
        refused = await client.post(f"{url}/adoption", json=decision, headers=gyumri_official)
        assert refused.status_code == 409
        assert (await client.get(url)).json()["status"] == "consultation"

    async def test_a_plan_without_priorities_is_not_put_to_consultation(
        self, client: httpx.AsyncClient, gyumri_official: Headers
    ) -> None:
        plan = await create_plan(client, gyumri_official, priorities=[])
        response = await client.post(
            f"/v1/plans/{plan['id']}/consultation", headers=gyumri_official
        )
        assert response.status_code == 409

    async def test_an_adopted_plans_priorities_are_fixed(
        self, client: httpx.AsyncClient, gyumri_official: Headers
    ) -> None:
        plan = await adopted_plan(client, gyumri_official)
        url = f"/v1/plans/{plan['id']}"
        response = await client.patch(url, json={"priorities": []}, headers=gyumri_official)
        assert response.status_code == 409
        consulted = await client.post(f"{url}/consultations", json=CONSULTATION,
                                      headers=gyumri_official)  # fmt: skip
        assert consulted.status_code == 409
        assert (await client.get(url)).json() == plan

    async def test_a_revision_is_a_new_version_that_supersedes_the_adopted_one(
        self, client: httpx.AsyncClient, gyumri_official: Headers
    ) -> None:
        first = await adopted_plan(client, gyumri_official)
        created = await client.post(f"/v1/plans/{first['id']}/revisions", headers=gyumri_official)
        assert created.status_code == 201
        revision = created.json()
        assert (revision["revision"], revision["revises_id"]) == (2, first["id"])
        assert revision["status"] == "draft"
        assert [p["title"] for p in revision["priorities"]] == [
            p["title"] for p in first["priorities"]
        ]
        again = await client.post(f"/v1/plans/{first['id']}/revisions", headers=gyumri_official)
        assert again.status_code == 409
        url = f"/v1/plans/{revision['id']}"
        changed = await client.patch(
            url,
            json={"priorities": [first["priorities"][1] | {"id": None, "rank": None}]},
            headers=gyumri_official,
        )  # the output shape is not an input: 422
        assert changed.status_code == 422
        priority = {k: first["priorities"][1][k] for k in ("title", "target_groups")}
        changed = await client.patch(url, json={"priorities": [priority]}, headers=gyumri_official)
        assert changed.status_code == 200, changed.text
        await client.post(f"{url}/consultation", headers=gyumri_official)
        await client.post(f"{url}/consultations", json=CONSULTATION, headers=gyumri_official)
        adopted = await client.post(f"{url}/adoption", json={"number": "7", "date": "2021-06-01"},
                                    headers=gyumri_official)  # fmt: skip
        assert adopted.status_code == 200, adopted.text
        assert len(adopted.json()["priorities"]) == 1
        old = (await client.get(f"/v1/plans/{first['id']}")).json()
        assert old["status"] == "superseded"
        assert old["priorities"] == first["priorities"]
        adopted_now = await client.get("/v1/plans", params={"community_id": GYUMRI,
                                                              "status": "adopted"})  # fmt: skip
        assert [p["id"] for p in adopted_now.json()["items"]] == [revision["id"]]

    async def test_a_second_plan_for_an_adopted_period_is_refused(
        self, client: httpx.AsyncClient, gyumri_official: Headers
    ) -> None:
        await adopted_plan(client, gyumri_official)
        response = await client.post("/v1/plans", json=plan_body(), headers=gyumri_official)
        assert response.status_code == 409


class TestConsultations:
    async def test_groups_and_counts_never_persons(
        self, client: httpx.AsyncClient, gyumri_official: Headers
    ) -> None:
        plan = await create_plan(client, gyumri_official)
        url = f"/v1/plans/{plan['id']}/consultations"
        created = await client.post(url, json=CONSULTATION, headers=gyumri_official)
        assert created.status_code == 201
        assert created.json()["participants"] == 30
        named = CONSULTATION | {"participants_names": ["Աննա Պետրոսյան"]}
        assert (await client.post(url, json=named, headers=gyumri_official)).status_code == 422
        person = dict(CONSULTATION)
        person["groups"] = [{"group": "Տարեցներ", "participants": 1, "phone": "+37491000000"}]
        assert (await client.post(url, json=person, headers=gyumri_official)).status_code == 422
        listed = await client.get(url)
        assert [c["id"] for c in listed.json()["items"]] == [created.json()["id"]]
        one = await client.get(created.headers["location"])
        assert one.json() == created.json()


class TestConditionalRequests:
    async def test_if_none_match_and_if_match(
        self, client: httpx.AsyncClient, gyumri_official: Headers
    ) -> None:
        plan = await create_plan(client, gyumri_official)
        url = f"/v1/plans/{plan['id']}"
        read = await client.get(url)
        unchanged = await client.get(url, headers={"If-None-Match": read.headers["etag"]})
        assert unchanged.status_code == 304
        first = await client.patch(
            url,
            json={"needs_assessment": "Նոր"},
            headers=gyumri_official | {"If-Match": read.headers["etag"]},
        )
        assert first.status_code == 200
        stale = await client.patch(
            url,
            json={"needs_assessment": "Այլ"},
            headers=gyumri_official | {"If-Match": read.headers["etag"]},
        )
        assert stale.status_code == 412
        assert (await client.get(url)).json()["needs_assessment"] == "Նոր"

    async def test_a_consultation_changes_the_plans_etag(
        self, client: httpx.AsyncClient, gyumri_official: Headers
    ) -> None:
        plan = await create_plan(client, gyumri_official)
        url = f"/v1/plans/{plan['id']}"
        etag = (await client.get(url)).headers["etag"]
        await client.post(f"{url}/consultations", json=CONSULTATION, headers=gyumri_official)
        again = await client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 200
        assert again.json()["consultations"] == 1


class TestReadPath:
    async def test_a_plan_is_read_in_one_statement_as_the_journal_represents_it(
        self, app: FastAPI, client: httpx.AsyncClient, gyumri_official: Headers
    ) -> None:
        plan = await adopted_plan(client, gyumri_official)
        log = StatementLog(app.state.database.engine)
        try:
            await log.taken()
            response = await client.get(f"/v1/plans/{plan['id']}")
            assert response.status_code == 200
            sent = await log.taken()
        finally:
            log.close()
        assert len(sent) == 1, sent
        assert sent[0].startswith("SELECT")
        async with app.state.database.sessionmaker() as session:
            row = await rules.get_plan(session, uuid.UUID(plan["id"]))
            journaled = await rules.PLANS.snapshot(session, row)
        assert response.content == representation_bytes(journaled)
