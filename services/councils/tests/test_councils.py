"""Councils: forming them (checked in the registry), members and equal seats, offices."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from services.councils.tests.conftest import (
    FakeRegistry,
    Headers,
    bearer,
    create_council,
    create_municipal,
    members_of,
    post,
    secretary_of,
)


class TestFormingACoordinatingCouncil:
    async def test_seats_every_member_of_the_network(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        network = registry.add_network()
        for name in ("Ա", "Բ", "Գ"):
            registry.join(network, name)
        council = await create_council(client, admin, network)
        assert council["status"] == "forming"
        assert council["current_members"] == 3
        assert council["seats_per_member"] == 1
        members = await members_of(client, council["id"])
        assert sorted(m["name"]["hy"] for m in members) == ["Ա", "Բ", "Գ"]
        assert all(len(m["seats"]) == 1 and not m["complete"] for m in members)
        # joined before the council was founded: seated from its founding day
        assert {m["joined_on"] for m in members} == {"2024-05-01"}
        representation = (await client.get(f"/v1/councils/{council['id']}/representation")).json()
        assert representation["seats"] == 3
        assert len(representation["incomplete"]) == 3

    async def test_an_informal_network_cannot_form_one(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        network = registry.add_network(form="informal")
        body = {"kind": "coordinating", "network_id": network, "founded_on": "2024-05-01",
                "name": {"hy": "Խորհուրդ"}}  # fmt: skip
        response = await client.post("/v1/councils", json=body, headers=admin)
        assert response.status_code == 422
        assert "informal" in response.json()["detail"]
        assert (await client.get("/v1/councils")).json()["items"] == []

    async def test_a_dissolved_or_unknown_network_cannot(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        dissolved = registry.add_network(status="dissolved")
        for network in (dissolved, "0b0b0b0b-0000-4000-8000-000000000000"):
            body = {"kind": "coordinating", "network_id": network, "founded_on": "2024-05-01",
                    "name": {"hy": "Խորհուրդ"}}  # fmt: skip
            response = await client.post("/v1/councils", json=body, headers=admin)
            assert response.status_code == 422, response.text
        answer = await client.post(
            "/v1/councils", headers={**admin, "Accept-Language": "hy"},
            json={"kind": "coordinating", "network_id": dissolved, "founded_on": "2024-05-01",
                  "name": {"hy": "Խորհուրդ"}},
        )  # fmt: skip
        assert answer.headers["content-language"] == "hy"

    async def test_the_registry_down_is_a_503_and_nothing_written(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        network = registry.add_network()
        registry.join(network)
        registry.down = True
        body = {"kind": "coordinating", "network_id": network, "founded_on": "2024-05-01",
                "name": {"hy": "Խորհուրդ"}}  # fmt: skip
        response = await client.post("/v1/councils", json=body, headers=admin)
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert (await client.get("/v1/councils")).json()["items"] == []

    async def test_one_council_per_network(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        network = registry.add_network()
        await create_council(client, admin, network)
        body = {"kind": "coordinating", "network_id": network, "founded_on": "2024-06-01",
                "name": {"hy": "Երկրորդ"}}  # fmt: skip
        response = await client.post("/v1/councils", json=body, headers=admin)
        assert response.status_code == 409
        assert "one council at a time" in response.json()["detail"]

    async def test_only_the_networks_center_forms_it(
        self,
        client: httpx.AsyncClient,
        registry: FakeRegistry,
        token_for: Callable[..., str],
    ) -> None:
        network = registry.add_network()
        center = registry.networks[network]["center_id"]
        body = {"kind": "coordinating", "network_id": network, "founded_on": "2024-05-01",
                "name": {"hy": "Խորհուրդ"}}  # fmt: skip
        other = bearer(token_for("center_official", centers=["another"]))
        assert (await client.post("/v1/councils", json=body, headers=other)).status_code == 403
        secretary = bearer(token_for("council_secretary", councils=["x"]))
        assert (await client.post("/v1/councils", json=body, headers=secretary)).status_code == 403
        own = bearer(token_for("center_official", centers=[center]))
        assert (await client.post("/v1/councils", json=body, headers=own)).status_code == 201

    async def test_anonymous_cannot_form_one(
        self, client: httpx.AsyncClient, registry: FakeRegistry
    ) -> None:
        body = {"kind": "coordinating", "network_id": registry.add_network(),
                "founded_on": "2024-05-01", "name": {"hy": "Խորհուրդ"}}  # fmt: skip
        assert (await client.post("/v1/councils", json=body)).status_code == 401


class TestMunicipalCouncil:
    async def test_appointed_members_and_guests(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        council = await create_municipal(client, admin)
        url = f"/v1/councils/{council['id']}"
        for number in range(19):
            name = {"hy": f"Կազմակերպություն {number}"}
            await post(client, f"{url}/members", admin, kind="organisation", name=name,
                       joined_on="2020-02-01")  # fmt: skip
        await post(client, f"{url}/guests", admin, name={"hy": "Ավագանու անդամ"},
                   role="community_council_representative", starts_on="2020-02-01")  # fmt: skip
        await post(client, f"{url}/guests", admin, name={"hy": "Անկախ փորձագետ"},
                   role="independent_expert", starts_on="2020-02-01")  # fmt: skip
        assert (await client.get(url)).json()["current_members"] == 19
        guests = (await client.get(f"{url}/guests")).json()["items"]
        assert {g["role"] for g in guests} == {"community_council_representative",
                                               "independent_expert"}  # fmt: skip

    async def test_an_actors_seats_in_every_council_in_one_request(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        network = registry.add_network()
        hope = registry.join(network, "Հույս")
        registry.join(network, "Ուրիշ")
        coordinating = await create_council(client, admin, network)
        municipal = await create_municipal(client, admin)
        for actor_id, name in ((hope["actor"]["id"], "Հույս"), (None, "Այլ")):
            await post(client, f"/v1/councils/{municipal['id']}/members", admin,
                       actor_id=actor_id, kind="organisation", name={"hy": name},
                       joined_on="2020-02-01")  # fmt: skip
        response = await client.get("/v1/council-members", params={"actor_id": hope["actor"]["id"]})
        assert response.status_code == 200, response.text
        seats = response.json()["items"]
        assert sorted(m["council_id"] for m in seats) == sorted(
            [coordinating["id"], municipal["id"]]
        )
        assert all(m["actor_id"] == hope["actor"]["id"] and m["seats"] for m in seats)
        assert (await client.get("/v1/council-members")).status_code == 422

    async def test_a_member_needs_kind_and_name(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        council = await create_municipal(client, admin)
        response = await client.post(
            f"/v1/councils/{council['id']}/members", json={"joined_on": "2020-02-01"},
            headers=admin,
        )  # fmt: skip
        assert response.status_code == 422

    async def test_a_council_needs_its_network_or_community(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        body = {"kind": "municipal", "founded_on": "2020-01-01", "name": {"hy": "Խ"}}
        assert (await client.post("/v1/councils", json=body, headers=admin)).status_code == 422


class TestCoordinatingMembers:
    async def test_a_seat_for_an_actor_not_in_the_network_is_refused(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        network = registry.add_network()
        council = await create_council(client, admin, network)
        response = await client.post(
            f"/v1/councils/{council['id']}/members",
            json={"actor_id": "0b0b0b0b-0000-4000-8000-000000000000", "joined_on": "2024-06-01"},
            headers=admin,
        )
        assert response.status_code == 422
        assert "not a member of the network" in response.json()["detail"]

    async def test_the_secretary_adds_a_network_member_once(
        self,
        client: httpx.AsyncClient,
        admin: Headers,
        registry: FakeRegistry,
        token_for: Callable[..., str],
    ) -> None:
        network = registry.add_network()
        council = await create_council(client, admin, network)
        newcomer = registry.join(network, "Նոր", joined_on="2024-06-01")
        secretary = secretary_of(token_for, council["id"])
        url = f"/v1/councils/{council['id']}/members"
        body = {"actor_id": newcomer["actor"]["id"], "joined_on": "2024-06-02"}
        response = await client.post(url, json=body, headers=secretary)
        assert response.status_code == 201, response.text
        assert response.json()["seats"][0]["opened_on"] == "2024-06-02"
        assert (await client.post(url, json=body, headers=secretary)).status_code == 409
        other = secretary_of(token_for, "another-council")
        assert (await client.post(url, json=body, headers=other)).status_code == 403


class TestLeaving:
    async def test_seats_close_and_terms_end(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        network = registry.add_network()
        registry.join(network)
        council = await create_council(client, admin, network)
        url = f"/v1/councils/{council['id']}"
        (member,) = await members_of(client, council["id"])
        person = await post(client, f"{url}/persons", admin, name={"hy": "Անի"})
        rep = await post(client, f"{url}/representatives", admin, member_id=member["id"],
                         person_id=person["id"], term_start="2024-05-01")  # fmt: skip
        left = await post(client, f"{url}/members/{member['id']}/leave", admin,
                          left_on="2024-09-01", reason="Դուրս եկավ")  # fmt: skip
        assert left["seats"][0]["closed_on"] == "2024-09-01"
        rep_now = (await client.get(f"{url}/representatives/{rep['id']}")).json()
        assert rep_now["term_end"] == "2024-09-01"
        again = await client.post(f"{url}/members/{member['id']}/leave", headers=admin,
                                  json={"left_on": "2024-10-01", "reason": "x"})  # fmt: skip
        assert again.status_code == 409


class TestConditionalRequests:
    async def test_304_and_412(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council = await create_council(client, admin, registry.add_network())
        url = f"/v1/councils/{council['id']}"
        first = await client.get(url)
        etag = first.headers["etag"]
        assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 304
        changed = await client.patch(url, json={"name": {"hy": "Նոր անուն"}},
                                     headers={**admin, "If-Match": etag})  # fmt: skip
        assert changed.status_code == 200
        stale = await client.patch(url, json={"name": {"hy": "Այլ"}},
                                   headers={**admin, "If-Match": etag})  # fmt: skip
        assert stale.status_code == 412
        assert (await client.get(url)).json()["name"]["hy"] == "Նոր անուն"

    async def test_the_etag_follows_the_member_count(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        council = await create_municipal(client, admin)
        url = f"/v1/councils/{council['id']}"
        etag = (await client.get(url)).headers["etag"]
        await post(client, f"{url}/members", admin, kind="person", name={"hy": "Արամ"},
                   joined_on="2020-03-01")  # fmt: skip
        assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 200


class TestStatus:
    async def test_active_only_with_bylaws(self, client: httpx.AsyncClient, admin: Headers) -> None:
        council = await create_municipal(client, admin)
        url = f"/v1/councils/{council['id']}"
        response = await client.patch(url, json={"status": "active"}, headers=admin)
        assert response.status_code == 422
        assert "bylaws" in response.json()["detail"]

    async def test_offices_are_held_by_its_representatives(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        council = await create_municipal(client, admin)
        url = f"/v1/councils/{council['id']}"
        response = await client.patch(
            url, json={"offices": {"chair_id": "0b0b0b0b-0000-4000-8000-000000000000"}},
            headers=admin,
        )  # fmt: skip
        assert response.status_code == 422
        member = await post(client, f"{url}/members", admin, kind="person", name={"hy": "Արամ"},
                            joined_on="2020-03-01")  # fmt: skip
        person = await post(client, f"{url}/persons", admin, name={"hy": "Արամ"})
        rep = await post(client, f"{url}/representatives", admin, member_id=member["id"],
                         person_id=person["id"], term_start="2020-03-01")  # fmt: skip
        response = await client.patch(url, json={"offices": {"chair_id": rep["id"]}}, headers=admin)
        assert response.status_code == 200, response.text
        assert response.json()["offices"]["chair_id"] == rep["id"]


class TestLeavingBeforeATermBegins:
    async def test_an_appointment_for_later_goes_with_the_membership(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        council = await create_municipal(client, admin)
        url = f"/v1/councils/{council['id']}"
        member = await post(client, f"{url}/members", admin, kind="person", name={"hy": "Արամ"},
                            joined_on="2020-03-01")  # fmt: skip
        person = await post(client, f"{url}/persons", admin, name={"hy": "Արամ"})
        sitting = await post(client, f"{url}/representatives", admin, member_id=member["id"],
                             person_id=person["id"], term_start="2020-03-01",
                             term_end="2021-01-01")  # fmt: skip
        later = await post(client, f"{url}/representatives", admin, member_id=member["id"],
                           person_id=person["id"], term_start="2021-01-01")  # fmt: skip
        await post(client, f"{url}/members/{member['id']}/leave", admin, left_on="2020-06-01",
                   reason="Դուրս եկավ")  # fmt: skip
        assert (await client.get(f"{url}/representatives/{later['id']}")).status_code == 404
        ended = (await client.get(f"{url}/representatives/{sitting['id']}")).json()
        assert ended["term_end"] == "2020-06-01"
