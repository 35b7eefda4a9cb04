"""Grant programmes, calls, applications, their assessment, awards and grants: every rule,
each refusal writing nothing (the client fixture checks the journal on every refused write)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest

from services.grants.rules import calls as calls_rules
from services.grants.tests.conftest import (
    GORIS,
    GYUMRI,
    Headers,
    adopted_plan,
    bearer,
    create_plan,
)


async def registry_actor(
    registry: httpx.AsyncClient, admin: Headers, name: str, **fields: Any
) -> dict[str, Any]:
    body = {"kind": "legal_entity", "legal_form": "cso", "name": {"hy": name},
            "located_in": [GYUMRI]} | fields  # fmt: skip
    response = await registry.post("/v1/actors", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


PROGRAMME = {
    "name": {"hy": "Միասին հանուն սոցիալական համայնքների"},
    "funders": [{"name": {"hy": "Եվրոպական միություն", "en": "European Union"}, "country": "BE"}],
    "budget": [{"amount": "30000000", "currency": "AMD"}, {"amount": "50000", "currency": "EUR"}],
    "starts_on": "2020-01-01",
    "ends_on": "2022-12-31",
    "components": [{"code": "services", "name": {"hy": "Ծառայություններ"}}],
}


def call_body(programme_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "programme_id": programme_id,
        "component": "services",
        "title": {"hy": "Համայնքային ծառայությունների փորձարկում"},
        "opens_on": "2021-01-01",
        "closes_on": "2021-03-31",
        "eligible_regions": ["AM-SH"],
        "applicant_kinds": ["cso", "local_government"],
        "criteria": [{"code": "need", "name": {"hy": "Կարիք"}, "weight": 60},
                     {"code": "cost", "name": {"hy": "Արժեք"}, "weight": 40}],
        "budget": {"amount": "10000000", "currency": "AMD"},
        "max_grant": {"amount": "6000000", "currency": "AMD"},
        "cofunding_share": "10",
    } | fields  # fmt: skip


def application_body(call: dict[str, Any], applicant_id: str, priority_id: str,
                     amount: str = "5000000", **fields: Any) -> dict[str, Any]:  # fmt: skip
    return {
        "call_id": call["id"],
        "applicant_id": applicant_id,
        "community_id": GYUMRI,
        "priority_id": priority_id,
        "title": "Տարեցների տնային խնամք",
        "requested": {"amount": amount, "currency": "AMD"},
        "budget_lines": [{"item": "Աշխատավարձ", "amount": {"amount": amount, "currency": "AMD"}}],
        "cofunding": [{"source": "community", "amount": {"amount": "600000", "currency": "AMD"}}],
    } | fields


@pytest.fixture
def open_today(monkeypatch: pytest.MonkeyPatch) -> Callable[[date], None]:
    """Sets the day the service takes as today (calls open and close by the Armenian date)."""

    def set_day(day: date) -> None:
        monkeypatch.setattr(calls_rules, "today", lambda: day)

    set_day(date(2021, 2, 1))
    return set_day


class World:
    """A call under a programme, an adopted Gyumri plan, two CSOs and their tokens."""

    def __init__(self, **parts: Any) -> None:
        self.__dict__.update(parts)
        self.programme: dict[str, Any]
        self.call: dict[str, Any]
        self.plan: dict[str, Any]
        self.priority: str
        self.hope: dict[str, Any]
        self.bridge: dict[str, Any]
        self.hope_token: Headers
        self.bridge_token: Headers


@pytest.fixture
async def world(
    client: httpx.AsyncClient, registry: httpx.AsyncClient, admin: Headers, officer: Headers,
    gyumri_official: Headers, token_for: Callable[..., str], open_today: Callable[[date], None],
) -> World:  # fmt: skip
    programme = await client.post("/v1/grant-programmes", json=PROGRAMME, headers=officer)
    assert programme.status_code == 201, programme.text
    call = await client.post("/v1/calls", json=call_body(programme.json()["id"]), headers=officer)
    assert call.status_code == 201, call.text
    plan = await adopted_plan(client, gyumri_official)
    hope = await registry_actor(registry, admin, "Հույս")
    bridge = await registry_actor(registry, admin, "Կամուրջ")
    return World(
        programme=programme.json(), call=call.json(), plan=plan,
        priority=plan["priorities"][0]["id"], hope=hope, bridge=bridge,
        hope_token=bearer(token_for("applicant", subject="hope", actors=[hope["id"]])),
        bridge_token=bearer(token_for("applicant", subject="bridge", actors=[bridge["id"]])),
    )  # fmt: skip


async def apply(client: httpx.AsyncClient, world: World, who: str = "hope",
                **fields: Any) -> httpx.Response:  # fmt: skip
    actor = world.hope if who == "hope" else world.bridge
    token = world.hope_token if who == "hope" else world.bridge_token
    priority = fields.pop("priority_id", world.priority)
    body = application_body(world.call, actor["id"], priority, **fields)
    return await client.post("/v1/applications", json=body, headers=token)


async def assess(client: httpx.AsyncClient, application_id: str, headers: Headers,
                 need: int, cost: int) -> httpx.Response:  # fmt: skip
    return await client.post(
        f"/v1/applications/{application_id}/assessments",
        json={"scores": {"need": need, "cost": cost}, "reasons": "Հիմնավորված"},
        headers=headers,
    )


class TestProgrammes:
    async def test_budget_in_several_currencies_and_outside_funders(
        self, client: httpx.AsyncClient, officer: Headers
    ) -> None:
        created = await client.post("/v1/grant-programmes", json=PROGRAMME, headers=officer)
        assert created.status_code == 201
        assert created.json()["budget"] == [{"amount": "30000000.00", "currency": "AMD"},
                                            {"amount": "50000.00", "currency": "EUR"}]  # fmt: skip
        url = created.headers["location"]
        etag = created.headers["etag"]
        assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 304

    async def test_bad_funders_and_budgets_are_refused(
        self, client: httpx.AsyncClient, officer: Headers, gyumri_official: Headers
    ) -> None:
        for change in (
            {"funders": [{"name": {"hy": "ԵՄ"}}]},
            {"funders": [{"actor_id": GYUMRI}]},
            {"budget": [{"amount": "1", "currency": "AMD"}, {"amount": "2", "currency": "AMD"}]},
            {"budget": [{"amount": "1.5", "currency": "JPY"}]},
            {"ends_on": "2019-01-01"},
        ):
            response = await client.post("/v1/grant-programmes", json=PROGRAMME | change,
                                         headers=officer)  # fmt: skip
            assert response.status_code == 422, change
        refused = await client.post("/v1/grant-programmes", json=PROGRAMME,
                                    headers=gyumri_official)  # fmt: skip
        assert refused.status_code == 403
        assert (await client.get("/v1/grant-programmes")).json()["items"] == []


class TestCalls:
    async def test_a_call_stays_within_its_programme(
        self, client: httpx.AsyncClient, officer: Headers, world: World
    ) -> None:
        pid = world.programme["id"]
        for change, status in (
            ({"budget": {"amount": "100", "currency": "USD"},
              "max_grant": {"amount": "100", "currency": "USD"}}, 422),
            ({"component": "nothing"}, 422),
            ({"max_grant": {"amount": "20000000", "currency": "AMD"}}, 422),
            ({"budget": {"amount": "25000000", "currency": "AMD"}}, 409),
            ({"eligible_communities": [GYUMRI.replace("a", "b", 1)]}, 422),
        ):  # fmt: skip
            response = await client.post("/v1/calls", json=call_body(pid, **change),
                                         headers=officer)  # fmt: skip
            assert response.status_code == status, (change, response.text)
        calls = (await client.get("/v1/calls", params={"programme_id": pid})).json()["items"]
        assert [c["id"] for c in calls] == [world.call["id"]]
        url = f"/v1/grant-programmes/{pid}"
        for budget in ([{"amount": "9999999.99", "currency": "AMD"}],
                       [{"amount": "50000", "currency": "EUR"}]):  # fmt: skip
            response = await client.patch(url, json={"budget": budget}, headers=officer)
            assert response.status_code == 409, budget
        kept = await client.patch(url, json={"budget": [{"amount": "10000000", "currency": "AMD"}]},
                                  headers=officer)  # fmt: skip
        assert kept.status_code == 200


class TestApplications:
    async def test_an_application_for_a_priority_of_the_adopted_plan(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await apply(client, world)
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "submitted"
        assert response.json()["applicant_name"] == "Հույս"

    async def test_any_other_priority_is_refused(
        self, client: httpx.AsyncClient, world: World, gyumri_official: Headers, admin: Headers
    ) -> None:
        draft = await create_plan(client, gyumri_official, period_from=2023, period_to=2025)
        response = await apply(client, world, priority_id=draft["priorities"][0]["id"])
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "priority_id"
        goris = await adopted_plan(client, admin, community_id=GORIS)
        response = await apply(client, world, priority_id=goris["priorities"][0]["id"])
        assert response.status_code == 422

    async def test_after_the_call_closes_it_is_refused(
        self, client: httpx.AsyncClient, world: World, open_today: Callable[[date], None]
    ) -> None:
        open_today(date(2021, 3, 31))
        assert (await apply(client, world)).status_code == 201
        open_today(date(2021, 4, 1))
        response = await apply(client, world, "bridge")
        assert response.status_code == 422
        assert "2021-03-31" in response.json()["detail"]

    async def test_amounts_the_call_does_not_allow(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        assert (await apply(client, world, amount="6000000.01")).status_code == 422
        low = [{"source": "community", "amount": {"amount": "499999.99", "currency": "AMD"}}]
        assert (await apply(client, world, cofunding=low)).status_code == 422
        second = [
            {"source": "other", "name": "Բարերար", "amount": {"amount": "1", "currency": "AMD"}},
            {"source": "community", "amount": {"amount": "600000", "currency": "AMD"}},
        ]
        assert (await apply(client, world, cofunding=second)).status_code == 422
        lines = [{"item": "Աշխատավարձ", "amount": {"amount": "1", "currency": "AMD"}}]
        assert (await apply(client, world, budget_lines=lines)).status_code == 422
        euros = {"amount": "5000000", "currency": "EUR"}
        assert (await apply(client, world, requested=euros)).status_code == 422
        no_currency = {"amount": "5000000"}
        assert (await apply(client, world, requested=no_currency)).status_code == 422

    async def test_who_may_apply(
        self, client: httpx.AsyncClient, world: World, registry: httpx.AsyncClient,
        admin: Headers, token_for: Callable[..., str],
    ) -> None:  # fmt: skip
        body = application_body(world.call, world.bridge["id"], world.priority)
        assert (await client.post("/v1/applications", json=body,
                                  headers=world.hope_token)).status_code == 403  # fmt: skip
        business = await registry_actor(registry, admin, "ՍՊԸ", legal_form="business")
        token = bearer(token_for("applicant", actors=[business["id"]]))
        body = application_body(world.call, business["id"], world.priority)
        response = await client.post("/v1/applications", json=body, headers=token)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "applicant_id"
        body = application_body(world.call, world.hope["id"], world.priority,
                                community_id=GORIS)  # fmt: skip
        response = await client.post("/v1/applications", json=body, headers=world.hope_token)
        assert response.status_code == 422

    async def test_without_the_registry_nothing_is_written(
        self, client: httpx.AsyncClient, world: World, officer: Headers,
        registry_down: Callable[[], None],
    ) -> None:  # fmt: skip
        registry_down()
        assert (await apply(client, world)).status_code == 503
        listed = await client.get("/v1/applications", headers=officer)
        assert listed.json()["items"] == []

    async def test_undecided_applications_are_read_by_officers_and_the_applicant(
        self, client: httpx.AsyncClient, world: World, officer: Headers
    ) -> None:
        url = (await apply(client, world)).headers["location"]
        assert (await client.get(url)).status_code == 403
        assert (await client.get(url, headers=world.bridge_token)).status_code == 403
        assert (await client.get(url, headers=world.hope_token)).status_code == 200
        assert (await client.get(url, headers=officer)).status_code == 200
        assert (await client.get("/v1/applications")).json()["items"] == []
        mine = await client.get("/v1/applications", headers=world.hope_token)
        assert len(mine.json()["items"]) == 1
        assert (await client.get("/v1/applications", headers=world.bridge_token)).json()[
            "items"
        ] == []


class TestAssessmentAndAwards:
    async def test_a_call_from_applications_to_awards(
        self, client: httpx.AsyncClient, world: World, officer: Headers, admin: Headers,
        token_for: Callable[..., str],
    ) -> None:  # fmt: skip
        hope = (await apply(client, world)).json()
        bridge = (await apply(client, world, "bridge", amount="4000000")).json()
        second = bearer(token_for("grants_officer", subject="officer-aram"))
        assert (await assess(client, hope["id"], officer, 9, 8)).status_code == 201
        assert (await assess(client, hope["id"], second, 7, 8)).status_code == 201
        scored = await assess(client, bridge["id"], officer, 5, 5)
        assert scored.json()["weighted_score"] == "50.00"
        ranking = await client.get(f"/v1/calls/{world.call['id']}/ranking", headers=officer)
        ranked = ranking.json()["items"]
        assert [r["application_id"] for r in ranked] == [hope["id"], bridge["id"]]
        # (0.6×9 + 0.4×8)/10 = 86 %, (0.6×7 + 0.4×8)/10 = 74 %: 80 on average
        assert [r["score"] for r in ranked] == ["80.00", "50.00"]
        assert (await client.get(f"/v1/calls/{world.call['id']}/ranking")).status_code == 403

        awarded = await client.post(
            f"/v1/applications/{hope['id']}/award", headers=officer,
            json={"awarded_on": "2021-04-15", "starts_on": "2021-05-01", "ends_on": "2021-12-31",
                  "milestones": [{"title": "Առաջին հաշվետվություն", "due_on": "2021-08-01"}]},
        )  # fmt: skip
        assert awarded.status_code == 201, awarded.text
        grant = awarded.json()
        assert grant["amount"] == {"amount": "5000000.00", "currency": "AMD"}
        assert grant["cofunding"][0]["source"] == "community"
        assert grant["priority_id"] == world.priority
        again = await client.post(
            f"/v1/applications/{hope['id']}/award", headers=officer,
            json={"awarded_on": "2021-04-15", "starts_on": "2021-05-01", "ends_on": "2021-12-31"},
        )  # fmt: skip
        assert again.status_code == 409
        over = await client.post(
            f"/v1/applications/{bridge['id']}/award", headers=officer,
            json={"amount": {"amount": "5000000.01", "currency": "AMD"}, "awarded_on":
                  "2021-04-15", "starts_on": "2021-05-01", "ends_on": "2021-12-31"},
        )  # fmt: skip
        assert over.status_code == 409
        call = (await client.get(f"/v1/calls/{world.call['id']}")).json()
        assert call["awarded"] == {"amount": "5000000.00", "currency": "AMD"}

        early = await client.post(f"/v1/calls/{world.call['id']}/decision",
                                  json={"decided_on": "2021-03-30"}, headers=officer)  # fmt: skip
        assert early.status_code == 422
        decided = await client.post(f"/v1/calls/{world.call['id']}/decision",
                                    json={"decided_on": "2021-04-20"}, headers=officer)  # fmt: skip
        assert decided.status_code == 200
        assert decided.json()["status"] == "decided"
        public = await client.get(f"/v1/applications/{bridge['id']}")
        assert public.status_code == 200
        assert (public.json()["status"], public.json()["score"]) == ("rejected", "50.00")
        reasons = await client.get(f"/v1/applications/{hope['id']}/assessments")
        assert [a["reasons"] for a in reasons.json()["items"]] == ["Հիմնավորված"] * 2
        ranking = await client.get(f"/v1/calls/{world.call['id']}/ranking")
        assert ranking.status_code == 200
        late = await assess(client, bridge["id"], admin, 9, 9)
        assert late.status_code == 409

    async def test_scores_within_the_scale_for_every_criterion(
        self, client: httpx.AsyncClient, world: World, officer: Headers
    ) -> None:
        application = (await apply(client, world)).json()
        assert (await assess(client, application["id"], officer, 11, 5)).status_code == 422
        assert (await assess(client, application["id"], officer, -1, 5)).status_code == 422
        partial = await client.post(
            f"/v1/applications/{application['id']}/assessments", headers=officer,
            json={"scores": {"need": 5}, "reasons": "x"},
        )  # fmt: skip
        assert partial.status_code == 422
        assert (await assess(client, application["id"], officer, 10, 0)).status_code == 201
        assert (await assess(client, application["id"], officer, 9, 0)).status_code == 409

    async def test_an_assessor_tied_to_the_applicant_is_recused(
        self, client: httpx.AsyncClient, world: World, token_for: Callable[..., str]
    ) -> None:
        application = (await apply(client, world)).json()
        tied = bearer(token_for("grants_officer", actors=[world.hope["id"]]))
        response = await assess(client, application["id"], tied, 10, 10)
        assert response.status_code == 409
        assert "recused" in response.json()["detail"]

    async def test_an_unassessed_application_is_not_awarded(
        self, client: httpx.AsyncClient, world: World, officer: Headers
    ) -> None:
        application = (await apply(client, world)).json()
        response = await client.post(
            f"/v1/applications/{application['id']}/award", headers=officer,
            json={"awarded_on": "2021-04-15", "starts_on": "2021-05-01", "ends_on": "2021-12-31"},
        )  # fmt: skip
        assert response.status_code == 409


def grant_body(world: World, **fields: Any) -> dict[str, Any]:
    return {
        "programme_id": world.programme["id"],
        "recipient_id": world.hope["id"],
        "community_id": GYUMRI,
        "priority_id": world.priority,
        "title": {"hy": "Տնային խնամքի փորձարկում"},
        "amount": {"amount": "4000000", "currency": "AMD"},
        "cofunding": [{"source": "community", "amount": {"amount": "400000", "currency": "AMD"}},
                      {"source": "recipient", "amount": {"amount": "100000", "currency": "AMD"}}],
        "awarded_on": "2021-03-01",
        "starts_on": "2021-04-01",
        "ends_on": "2021-12-31",
    } | fields  # fmt: skip


class TestGrants:
    async def test_direct_grants_and_their_filters(
        self, client: httpx.AsyncClient, world: World, officer: Headers
    ) -> None:
        first = await client.post("/v1/grants", json=grant_body(world), headers=officer)
        assert first.status_code == 201, first.text
        later = await client.post(
            "/v1/grants", headers=officer,
            json=grant_body(world, recipient_id=world.bridge["id"], awarded_on="2022-02-01",
                            starts_on="2022-03-01", ends_on="2022-12-31"),
        )  # fmt: skip
        assert later.status_code == 201
        ids = [first.json()["id"], later.json()["id"]]

        async def listed(**params: Any) -> list[str]:
            response = await client.get("/v1/grants", params=params)
            assert response.status_code == 200
            return [g["id"] for g in response.json()["items"]]

        assert await listed(community_id=GYUMRI, year=2021) == ids[:1]
        assert await listed(year=2022) == ids[1:]
        assert await listed(recipient_id=world.bridge["id"]) == ids[1:]
        assert await listed(programme_id=world.programme["id"]) == ids
        assert await listed(plan_id=world.plan["id"]) == ids
        assert await listed(ids=ids[1:]) == ids[1:]
        assert await listed(community_id=GORIS) == []
        goris = await client.post(
            "/v1/grants", headers=officer,
            json=grant_body(world, community_id=GORIS, priority_id=None, awarded_on="2023-02-01",
                            starts_on="2023-03-01", ends_on="2023-12-31"),
        )  # fmt: skip
        assert goris.status_code == 201, goris.text
        ids.append(goris.json()["id"])
        assert await listed(community_id=GORIS) == ids[2:]
        assert await listed(community_id=[GYUMRI, GORIS]) == ids
        too_many = await client.get("/v1/grants", params={"community_id": [GORIS] * 201})
        assert too_many.status_code == 422

    async def test_refused_grants(
        self, client: httpx.AsyncClient, world: World, officer: Headers,
        registry: httpx.AsyncClient, admin: Headers, gyumri_official: Headers,
    ) -> None:  # fmt: skip
        person = await registry_actor(registry, admin, "Անի", kind="natural_person",
                                      legal_form=None)  # fmt: skip
        community_second = [
            {"source": "recipient", "amount": {"amount": "1", "currency": "AMD"}},
            {"source": "community", "amount": {"amount": "1", "currency": "AMD"}},
        ]
        for change, status in (
            ({"recipient_id": person["id"]}, 422),
            ({"cofunding": community_second}, 422),
            ({"priority_id": world.plan["id"]}, 422),
            ({"call_id": world.call["id"], "amount": {"amount": "7000000", "currency": "AMD"}},
             422),
            ({"amount": {"amount": "1.001", "currency": "EUR"}}, 422),
        ):  # fmt: skip
            response = await client.post("/v1/grants", json=grant_body(world, **change),
                                         headers=officer)  # fmt: skip
            assert response.status_code == status, (change, response.text)
        refused = await client.post("/v1/grants", json=grant_body(world), headers=gyumri_official)
        assert refused.status_code == 403
        for amount in ("6000000", "4000000"):
            response = await client.post(
                "/v1/grants", headers=officer, json=grant_body(
                    world, call_id=world.call["id"],
                    amount={"amount": amount, "currency": "AMD"}),
            )  # fmt: skip
            assert response.status_code in (201, 409)
        assert response.status_code == 201  # 6 + 4 = the call's 10 million
        over = await client.post(
            "/v1/grants", headers=officer,
            json=grant_body(world, call_id=world.call["id"],
                            amount={"amount": "0.01", "currency": "AMD"}),
        )  # fmt: skip
        assert over.status_code == 409

    async def test_status_moves_forward_and_if_match_guards_it(
        self, client: httpx.AsyncClient, world: World, officer: Headers
    ) -> None:
        created = await client.post("/v1/grants", json=grant_body(world), headers=officer)
        url, etag = created.headers["location"], created.headers["etag"]
        active = await client.patch(url, json={"status": "active"},
                                    headers=officer | {"If-Match": etag})  # fmt: skip
        assert active.status_code == 200
        stale = await client.patch(url, json={"status": "terminated"},
                                   headers=officer | {"If-Match": etag})  # fmt: skip
        assert stale.status_code == 412
        done = await client.patch(url, json={"status": "completed"}, headers=officer)
        assert done.status_code == 200
        back = await client.patch(url, json={"status": "active"}, headers=officer)
        assert back.status_code == 409
        fixed = await client.patch(url, json={"amount": {"amount": "1", "currency": "AMD"}},
                                   headers=officer)  # fmt: skip
        assert fixed.status_code == 422
        assert (await client.get(url)).json()["status"] == "completed"
