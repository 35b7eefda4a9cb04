import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.registry.app import create_app
from services.registry.config import RegistrySettings
from services.registry.tests.conftest import (
    community,
    create_actor,
    create_center,
    create_network,
    create_service,
    join,
    official_of,
)
from shared.testing import Subscriber, free_port

Headers = dict[str, str]


class TestNetworks:
    async def test_an_official_forms_the_network_of_their_center(
        self, client: httpx.AsyncClient, center: dict[str, Any], official: Headers
    ) -> None:
        network = await create_network(client, official, center["id"])
        assert network["may_form_council"] is True
        assert network["current_members"] == 0
        informal = await client.patch(
            f"/v1/networks/{network['id']}", json={"form": "informal"}, headers=official
        )
        assert informal.json()["may_form_council"] is False

    async def test_one_active_network_per_center(
        self, client: httpx.AsyncClient, center: dict[str, Any], official: Headers
    ) -> None:
        first = await create_network(client, official, center["id"])
        second = await client.post(
            "/v1/networks",
            json={"center_id": center["id"], "name": {"hy": "Երկրորդ"}, "form": "informal",
                  "founded_on": "2025-01-01"},
            headers=official,
        )  # fmt: skip
        assert second.status_code == 409
        assert first["id"] in second.json()["detail"]
        dissolved = await client.patch(
            f"/v1/networks/{first['id']}",
            json={"status": "dissolved", "dissolved_on": "2024-12-31"},
            headers=official,
        )
        assert dissolved.status_code == 200
        assert dissolved.json()["may_form_council"] is False
        await create_network(client, official, center["id"], founded_on="2025-01-01")

    async def test_who_may_form_it(
        self,
        client: httpx.AsyncClient,
        admin: Headers,
        center: dict[str, Any],
        token_for: Callable[..., str],
    ) -> None:
        other = await create_center(client, admin, name={"hy": "Այլ"}, territory=[])
        stranger = official_of(token_for, other["id"])
        body = {"center_id": center["id"], "name": {"hy": "Ց"}, "form": "informal",
                "founded_on": "2024-01-01"}  # fmt: skip
        assert (await client.post("/v1/networks", json=body, headers=stranger)).status_code == 403
        assert (await client.post("/v1/networks", json=body)).status_code == 401
        assert (await client.get("/v1/networks")).json()["items"] == []

    async def test_bad_input(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any]
    ) -> None:
        unknown = {"center_id": "00000000-0000-0000-0000-000000000001", "name": {"hy": "Ց"},
                   "form": "informal", "founded_on": "2024-01-01"}  # fmt: skip
        response = await client.post("/v1/networks", json=unknown, headers=admin)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "center_id"
        bad_goal = unknown | {"center_id": center["id"], "goals": ["world_peace"]}
        response = await client.post("/v1/networks", json=bad_goal, headers=admin)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "goals"
        bad_form = bad_goal | {"goals": [], "form": "secret"}
        assert (await client.post("/v1/networks", json=bad_form, headers=admin)).status_code == 422


class TestMembers:
    async def test_actors_of_the_territory_join_and_leave_with_history(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any], official: Headers
    ) -> None:
        network = await create_network(client, official, center["id"])
        actor = await create_actor(client, admin)
        joined = await join(
            client, official, network["id"], actor["id"], role="coordinator",
            areas=["poverty_reduction"], capacities=[{"kind": "volunteers"}],
        )  # fmt: skip
        assert joined.status_code == 201, joined.text
        member = joined.json()
        assert member["actor"]["name"]["hy"] == actor["name"]["hy"]
        assert (await client.get(f"/v1/networks/{network['id']}")).json()["current_members"] == 1

        too_early = await client.post(
            f"/v1/networks/{network['id']}/members/{member['id']}/leave",
            json={"left_on": "2024-03-15", "reason": "x"},
            headers=official,
        )
        assert too_early.status_code == 422
        assert too_early.json()["errors"][0]["field"] == "left_on"
        left = await client.post(
            f"/v1/networks/{network['id']}/members/{member['id']}/leave",
            json={"left_on": "2024-09-01", "reason": "Ծրագիրն ավարտվեց"},
            headers=official,
        )
        assert left.status_code == 200
        members_url = f"/v1/networks/{network['id']}/members"
        assert (await client.get(members_url)).json()["items"] == []
        in_summer = (await client.get(members_url, params={"on": "2024-06-01"})).json()["items"]
        assert [m["id"] for m in in_summer] == [member["id"]]
        before = (await client.get(members_url, params={"on": "2024-03-31"})).json()["items"]
        assert before == []
        everyone = (await client.get(members_url, params={"include_past": True})).json()
        assert everyone["items"][0]["leave_reason"] == "Ծրագիրն ավարտվեց"
        rejoined = await join(client, official, network["id"], actor["id"], joined_on="2025-01-10")
        assert rejoined.status_code == 201

    async def test_the_networks_an_actor_is_a_member_of_now(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any], official: Headers
    ) -> None:
        network = await create_network(client, official, center["id"])
        member, outsider = await create_actor(client, admin), await create_actor(client, admin)
        joined = await join(client, official, network["id"], member["id"])
        assert joined.status_code == 201, joined.text

        def of(actor: dict[str, Any]) -> Any:
            return client.get("/v1/networks", params={"actor_id": actor["id"]})

        assert [n["id"] for n in (await of(member)).json()["items"]] == [network["id"]]
        assert (await of(outsider)).json()["items"] == []
        left = await client.post(
            f"/v1/networks/{network['id']}/members/{joined.json()['id']}/leave",
            json={"left_on": "2024-09-01", "reason": "x"},
            headers=official,
        )
        assert left.status_code == 200
        assert (await of(member)).json()["items"] == []

    async def test_changing_a_membership_needs_the_current_version_and_the_right_center(
        self,
        client: httpx.AsyncClient,
        admin: Headers,
        center: dict[str, Any],
        official: Headers,
        token_for: Callable[..., str],
    ) -> None:
        network = await create_network(client, official, center["id"])
        actor = await create_actor(client, admin)
        member = (await join(client, official, network["id"], actor["id"])).json()
        url = f"/v1/networks/{network['id']}/members/{member['id']}"
        first = (await client.get(url, headers=official)).headers["etag"]
        promoted = await client.patch(
            url, json={"role": "coordinator"}, headers=official | {"If-Match": first}
        )
        assert promoted.status_code == 200
        assert promoted.json()["role"] == "coordinator"
        stale = await client.post(
            f"{url}/leave",
            json={"left_on": "2024-09-01", "reason": "x"},
            headers=official | {"If-Match": first},
        )
        assert stale.status_code == 412
        other = await create_center(client, admin, name={"hy": "Այլ"}, territory=[])
        stranger = official_of(token_for, other["id"])
        refused = await client.patch(url, json={"role": "observer"}, headers=stranger)
        assert refused.status_code == 403
        current = (await client.get(url)).json()
        assert (current["role"], current["left_on"]) == ("coordinator", None)

    async def test_joining_twice_is_409(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any], official: Headers
    ) -> None:
        network = await create_network(client, official, center["id"])
        actor = await create_actor(client, admin)
        assert (await join(client, official, network["id"], actor["id"])).status_code == 201
        twice = await join(client, official, network["id"], actor["id"])
        assert twice.status_code == 409
        assert "already a member" in twice.json()["detail"]

    async def test_only_actors_of_the_territory_may_join(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any], official: Headers
    ) -> None:
        network = await create_network(client, official, center["id"])
        far = await create_actor(client, admin, located_in=[community("gyumri")])
        response = await join(client, official, network["id"], far["id"])
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "actor_id"
        assert "territory" in response.json()["detail"]
        governor = await create_actor(
            client, admin, kind="state_body", legal_form=None, located_in=[],
            name={"hy": "Արարատի մարզպետարան"}, jurisdiction={"regions": ["AM-AR"]},
        )  # fmt: skip
        assert (await join(client, official, network["id"], governor["id"])).status_code == 201
        unknown = await join(
            client, official, network["id"], "00000000-0000-0000-0000-00000000000a"
        )
        assert unknown.status_code == 422
        members = await client.get(f"/v1/networks/{network['id']}/members")
        assert [m["actor"]["id"] for m in members.json()["items"]] == [governor["id"]]

    async def test_a_formalised_network_needs_the_memorandum(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any], official: Headers
    ) -> None:
        network = await create_network(client, official, center["id"], form="formalised")
        actor = await create_actor(client, admin)
        missing = await join(client, official, network["id"], actor["id"])
        assert missing.status_code == 422
        assert missing.json()["errors"][0]["field"] == "agreement"
        signed = await join(client, official, network["id"], actor["id"],
                            agreement={"number": "Հ-12/2024", "date": "2024-03-20"})  # fmt: skip
        assert signed.json()["agreement"] == {"number": "Հ-12/2024", "date": "2024-03-20"}

    async def test_a_persons_contacts_are_hidden_from_anonymous_readers(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any], official: Headers
    ) -> None:
        network = await create_network(client, official, center["id"])
        person = await create_actor(
            client, admin, kind="individual_entrepreneur", legal_form=None,
            contacts={"phone": "091000111"},
        )  # fmt: skip
        await join(client, official, network["id"], person["id"])
        url = f"/v1/networks/{network['id']}/members"
        assert (await client.get(url)).json()["items"][0]["actor"]["contacts"]["phone"] is None
        signed_in = (await client.get(url, headers=official)).json()["items"][0]
        assert signed_in["actor"]["contacts"]["phone"] == "+37491000111"


class TestActivities:
    async def test_record_a_meeting_with_its_participants(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any], official: Headers
    ) -> None:
        network = await create_network(client, official, center["id"])
        actor = await create_actor(client, admin)
        member = (await join(client, official, network["id"], actor["id"])).json()
        url = f"/v1/networks/{network['id']}/activities"
        meeting = {
            "kind": "working_meeting", "held_on": "2024-05-10", "topic": "Տարեցների խնամք",
            "outcome": "Ստեղծել աշխատանքային խումբ", "participants": [member["id"]],
            "documents": [{"title": "Արձանագրություն", "url": "https://example.am/p.pdf"}],
        }  # fmt: skip
        created = await client.post(url, json=meeting, headers=official)
        assert created.status_code == 201, created.text
        assert created.json()["participants"] == [member["id"]]
        before_joining = meeting | {"held_on": "2024-03-10"}
        refused = await client.post(url, json=before_joining, headers=official)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "participants"
        listed = await client.get(url, params={"kind": "working_meeting"})
        assert [a["topic"] for a in listed.json()["items"]] == ["Տարեցների խնամք"]
        assert (await client.get(url, params={"kind": "conference"})).json()["items"] == []


def day_care(**fields: Any) -> dict[str, Any]:
    """A day-care service for the elderly in Masis, unless fields say otherwise."""
    return {"name": {"hy": "Տարեցների ցերեկային կենտրոն"}, "category_code": "day_care",
            "target_groups": ["elderly"], "communities": [community("masis")]} | fields  # fmt: skip


class TestMap:
    async def test_the_map_counts_and_lists_the_territory(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any]
    ) -> None:
        provider = await create_actor(client, admin)
        await create_service(client, admin, provider["id"], **day_care())
        legal_aid = day_care(
            name={"hy": "Իրավաբան"},
            category_code="legal_aid",
            target_groups=["women_at_risk"],
            communities=[community("masis"), community("ararat")],
        )
        await create_service(client, admin, provider["id"], **legal_aid)
        await create_actor(client, admin, name={"hy": "Հեռու"}, located_in=[community("gyumri")])
        body = await create_actor(client, admin, kind="local_government", legal_form=None,
                                  name={"hy": "Մասիսի համայնքապետարան"}, located_in=[],
                                  jurisdiction={"communities": [community("masis")]})  # fmt: skip
        territory_map = (await client.get(f"/v1/centers/{center['id']}/map")).json()
        assert territory_map["totals"] == {"bodies": 1, "actors": 2, "services": 2,
                                           "programmes": 0}  # fmt: skip
        assert [b["id"] for b in territory_map["bodies"]] == [body["id"]]
        assert territory_map["services_by_category"] == {"day_care": 1, "legal_aid": 1}
        cells = {(c["community_id"], c["category"]): c["services"] for c in territory_map["cells"]}
        assert cells == {
            (community("masis"), "day_care"): 1,
            (community("masis"), "legal_aid"): 1,
            (community("ararat"), "legal_aid"): 1,
        }
        filtered = await client.get(
            f"/v1/centers/{center['id']}/map", params={"target_group": "women_at_risk"}
        )
        assert filtered.json()["services_by_category"] == {"legal_aid": 1}
        actors = await client.get(
            f"/v1/centers/{center['id']}/map/actors", params={"category": "day_care"}
        )
        assert [a["id"] for a in actors.json()["items"]] == [provider["id"]]
        bad = await client.get(f"/v1/centers/{center['id']}/map", params={"category": "magic"})
        assert bad.status_code == 422

    async def test_gaps_name_what_no_active_service_covers(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any]
    ) -> None:
        provider = await create_actor(client, admin)
        await create_service(client, admin, provider["id"], **day_care())
        closed = day_care(name={"hy": "Փակ"}, category_code="legal_aid", status="inactive")
        await create_service(client, admin, provider["id"], **closed)
        gaps = {g["community"]["code"]: g for g in
                (await client.get(f"/v1/centers/{center['id']}/gaps")).json()["items"]}  # fmt: skip
        assert set(gaps) == {"masis", "ararat"}
        assert "day_care" not in gaps["masis"]["missing_categories"]
        assert "legal_aid" in gaps["masis"]["missing_categories"]
        assert "elderly" not in gaps["masis"]["missing_target_groups"]
        assert "day_care" in gaps["ararat"]["missing_categories"]
        assert gaps["masis"]["active_services"] == 1

    async def test_candidates_are_actors_not_yet_in_the_network(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any], official: Headers
    ) -> None:
        network = await create_network(client, official, center["id"])
        member = await create_actor(client, admin, name={"hy": "Անդամ"})
        await join(client, official, network["id"], member["id"])
        outsider = await create_actor(
            client, admin, name={"hy": "Թեկնածու"},
            capacities=[{"kind": "premises", "note": "դահլիճ"}],
        )  # fmt: skip
        await create_service(client, admin, outsider["id"], **day_care())
        candidates = (await client.get(f"/v1/centers/{center['id']}/candidates")).json()["items"]
        assert [c["actor"]["id"] for c in candidates] == [outsider["id"]]
        assert candidates[0]["capacities"] == [{"kind": "premises", "note": "դահլիճ"}]
        assert candidates[0]["services"][0]["category"] == "day_care"


class TestChangeFeed:
    async def test_changes_are_read_in_order_from_a_cursor(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any], official: Headers
    ) -> None:
        actor = await create_actor(client, admin)
        network = await create_network(client, official, center["id"])
        member = (await join(client, official, network["id"], actor["id"])).json()
        await client.patch(f"/v1/actors/{actor['id']}", json={"description": "Նոր"}, headers=admin)
        feed = (await client.get("/v1/events")).json()
        types = [e["type"] for e in feed["items"]]
        # Every registry write is in the feed: the fixture's center first.
        assert types == [
            "center.created", "actor.created", "network.created", "member.joined", "actor.updated"
        ]  # fmt: skip
        assert [e["seq"] for e in feed["items"]] == [1, 2, 3, 4, 5]
        joined = feed["items"][3]
        assert joined["resource_id"] == member["id"]
        assert joined["stream_id"] == network["id"]
        assert joined["data"]["actor"]["id"] == actor["id"]
        rest = (await client.get("/v1/events", params={"after": 3})).json()["items"]
        assert [e["seq"] for e in rest] == [4, 5]
        one_network = await client.get("/v1/events", params={"stream_id": network["id"]})
        assert [e["type"] for e in one_network.json()["items"]] == ["network.created",
                                                                    "member.joined"]  # fmt: skip

    async def test_a_refused_change_leaves_no_event(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any], official: Headers
    ) -> None:
        network = await create_network(client, official, center["id"])
        far = await create_actor(client, admin, located_in=[community("gyumri")])
        assert (await join(client, official, network["id"], far["id"])).status_code == 422
        types = [e["type"] for e in (await client.get("/v1/events")).json()["items"]]
        assert "member.joined" not in types

    async def test_deleting_an_actor_is_an_event(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        actor = await create_actor(client, admin)
        await client.delete(f"/v1/actors/{actor['id']}", headers=admin)
        last = (await client.get("/v1/events")).json()["items"][-1]
        assert (last["type"], last["resource_id"], last["data"]) == (
            "actor.deleted", actor["id"], None,
        )  # fmt: skip


@pytest.fixture
async def pushing_app(
    fresh_database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[tuple[FastAPI, Subscriber]]:
    port = free_port()
    subscriber = Subscriber(port, failures=2)
    settings = RegistrySettings(
        database_url=await fresh_database("registry"),
        subscribers=[f"http://127.0.0.1:{port}/v1/registry-events"],
        outbox_poll_seconds=0.05,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        app.state.dispatcher.max_backoff = 0.2
        yield app, subscriber
    await subscriber.stop()


async def test_a_subscriber_that_was_down_receives_every_event_in_order(
    pushing_app: tuple[FastAPI, Subscriber], admin: Headers
) -> None:
    app, subscriber = pushing_app
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        center = await create_center(client, admin, territory=[community("masis")])
        network = await create_network(client, admin, center["id"])
        actors = [await create_actor(client, admin, name={"hy": f"Ա{i}"}) for i in range(3)]
        for actor in actors:
            await join(client, admin, network["id"], actor["id"])
        await asyncio.sleep(0.3)  # the subscriber is down: nothing can be delivered
        assert subscriber.received == []
        await subscriber.start()  # back, refusing twice more before it accepts
        expected = (await client.get("/v1/events", params={"limit": 500})).json()["items"]
        for _ in range(200):
            if len(subscriber.received) >= len(expected):
                break
            await asyncio.sleep(0.05)
    assert [e["id"] for e in subscriber.received] == [e["id"] for e in expected]
    assert [e["type"] for e in subscriber.received] == (
        ["center.created", "network.created"] + ["actor.created"] * 3 + ["member.joined"] * 3
    )
