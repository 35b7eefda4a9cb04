"""Representatives: equal representation, one person for one member, substitutes, contacts as
personal data; guests and working groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from services.councils.tests.conftest import (
    FakeRegistry,
    Headers,
    bearer,
    create_council,
    members_of,
    post,
    secretary_of,
)


async def seated_council(
    client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry, members: int = 2
) -> tuple[str, list[dict[str, Any]]]:
    network = registry.add_network()
    for number in range(members):
        registry.join(network, f"Անդամ {number}")
    council = await create_council(client, admin, network)
    return str(council["id"]), await members_of(client, council["id"])


async def person(client: httpx.AsyncClient, headers: Headers, council: str, name: str) -> str:
    body = {"name": {"hy": name}, "contacts": {"phone": "+37491000000", "email": "a@b.am"}}
    return str((await post(client, f"/v1/councils/{council}/persons", headers, **body))["id"])


class TestEqualRepresentation:
    async def test_one_more_than_the_seats_is_a_409(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council, members = await seated_council(client, admin, registry)
        url = f"/v1/councils/{council}/representatives"
        first = await post(
            client,
            url,
            admin,
            member_id=members[0]["id"],
            person_id=await person(client, admin, council, "Անի"),
            term_start="2024-05-01",
        )
        assert first["seat_id"] == members[0]["seats"][0]["id"]
        response = await client.post(
            url,
            headers=admin,
            json={
                "member_id": members[0]["id"],
                "person_id": await person(client, admin, council, "Բ"),
                "term_start": "2024-06-01",
            },
        )
        assert response.status_code == 409
        assert "equal representation" in response.json()["detail"]
        # after the first term ends, the seat is free again
        ended = await client.patch(
            f"{url}/{first['id']}", json={"term_end": "2025-01-01"}, headers=admin
        )
        assert ended.status_code == 200, ended.text
        await post(
            client,
            url,
            admin,
            member_id=members[0]["id"],
            person_id=await person(client, admin, council, "Գ"),
            term_start="2025-01-01",
        )
        extended = await client.patch(
            f"{url}/{first['id']}", json={"term_end": "2025-06-01"}, headers=admin
        )
        assert extended.status_code == 409

    async def test_incomplete_members_are_listed(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council, members = await seated_council(client, admin, registry)
        await post(
            client,
            f"/v1/councils/{council}/representatives",
            admin,
            member_id=members[0]["id"],
            person_id=await person(client, admin, council, "Ա"),
            term_start="2024-05-01",
        )
        representation = (await client.get(f"/v1/councils/{council}/representation")).json()
        assert representation["incomplete"] == [members[1]["id"]]
        incomplete = await members_of(client, council, incomplete=True)
        assert [m["id"] for m in incomplete] == [members[1]["id"]]

    async def test_one_person_sits_for_one_member_at_a_time(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council, members = await seated_council(client, admin, registry)
        url = f"/v1/councils/{council}/representatives"
        anna = await person(client, admin, council, "Աննա")
        await post(
            client,
            url,
            admin,
            member_id=members[0]["id"],
            person_id=anna,
            term_start="2024-05-01",
            term_end="2025-05-01",
        )
        response = await client.post(
            url,
            headers=admin,
            json={"member_id": members[1]["id"], "person_id": anna, "term_start": "2024-09-01"},
        )
        assert response.status_code == 409
        assert "one member at a time" in response.json()["detail"]
        later = await client.post(
            url,
            headers=admin,
            json={"member_id": members[1]["id"], "person_id": anna, "term_start": "2025-05-01"},
        )
        assert later.status_code == 201, later.text

    async def test_a_term_that_ends_before_it_starts(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council, members = await seated_council(client, admin, registry)
        response = await client.post(
            f"/v1/councils/{council}/representatives",
            headers=admin,
            json={
                "member_id": members[0]["id"],
                "person_id": await person(client, admin, council, "Ա"),
                "term_start": "2024-05-01",
                "term_end": "2024-04-01",
            },
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "term_end" or "term_end" in str(
            response.json()
        )

    async def test_substitutes_stand_in_for_a_principal(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council, members = await seated_council(client, admin, registry)
        url = f"/v1/councils/{council}/representatives"
        principal = await post(
            client,
            url,
            admin,
            member_id=members[0]["id"],
            person_id=await person(client, admin, council, "Ա"),
            term_start="2024-05-01",
        )
        substitute = await post(
            client,
            url,
            admin,
            member_id=members[0]["id"],
            person_id=await person(client, admin, council, "Բ"),
            role="substitute",
            substitute_for_id=principal["id"],
            term_start="2024-05-01",
        )
        assert substitute["seat_id"] is None
        assert substitute["role"] == "substitute"
        second = await client.post(
            url,
            headers=admin,
            json={
                "member_id": members[0]["id"],
                "person_id": await person(client, admin, council, "Գ"),
                "role": "substitute",
                "substitute_for_id": principal["id"],
                "term_start": "2024-06-01",
            },
        )
        assert second.status_code == 409
        other_member = await client.post(
            url,
            headers=admin,
            json={
                "member_id": members[1]["id"],
                "person_id": await person(client, admin, council, "Դ"),
                "role": "substitute",
                "substitute_for_id": principal["id"],
                "term_start": "2024-06-01",
            },
        )
        assert other_member.status_code == 422


class TestContacts:
    async def test_hidden_from_the_public_shown_to_the_council(
        self,
        client: httpx.AsyncClient,
        admin: Headers,
        registry: FakeRegistry,
        token_for: Callable[..., str],
    ) -> None:
        council, members = await seated_council(client, admin, registry)
        rep = await post(
            client,
            f"/v1/councils/{council}/representatives",
            admin,
            member_id=members[0]["id"],
            person_id=await person(client, admin, council, "Ա"),
            term_start="2024-05-01",
        )
        url = f"/v1/councils/{council}/representatives/{rep['id']}"
        public = await client.get(url)
        assert public.json()["person"]["contacts"] == {"phone": None, "email": None}
        assert public.json()["person"]["personal_data_hidden"] is True
        assert "Authorization" in public.headers["vary"]
        member = bearer(token_for("council_member", councils=[council]))
        assert (await client.get(url, headers=member)).json()["person"]["contacts"]["phone"]
        outsider = bearer(token_for("council_member", councils=["another"]))
        shown = (await client.get(url, headers=outsider)).json()["person"]["contacts"]
        assert shown["phone"] is None
        listed = (await client.get(f"/v1/councils/{council}/persons")).json()["items"]
        assert all(p["contacts"]["email"] is None for p in listed)
        events = (await client.get("/v1/council-events", params={"limit": 500})).json()["items"]
        assert events
        assert "+37491000000" not in str(events)
        assert "a@b.am" not in str(events)

    async def test_the_secretary_manages_only_its_councils(
        self,
        client: httpx.AsyncClient,
        admin: Headers,
        registry: FakeRegistry,
        token_for: Callable[..., str],
    ) -> None:
        council, _ = await seated_council(client, admin, registry)
        mine = secretary_of(token_for, council)
        body = {"name": {"hy": "Սոնա"}}
        url = f"/v1/councils/{council}/persons"
        assert (await client.post(url, json=body, headers=mine)).status_code == 201
        other = secretary_of(token_for, "another-council")
        assert (await client.post(url, json=body, headers=other)).status_code == 403


class TestWorkingGroups:
    async def test_formed_with_representatives_and_guests(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council, members = await seated_council(client, admin, registry)
        base = f"/v1/councils/{council}"
        rep = await post(
            client,
            f"{base}/representatives",
            admin,
            member_id=members[0]["id"],
            person_id=await person(client, admin, council, "Ա"),
            term_start="2024-05-01",
        )
        guest = await post(
            client,
            f"{base}/guests",
            admin,
            name={"hy": "Փորձագետ"},
            role="independent_expert",
            starts_on="2024-05-01",
        )
        body = {
            "name": {"hy": "Ստանդարտների խումբ"},
            "mandate": "Ծառայությունների ստանդարտներ",
            "decision": "3/2024",
            "formed_on": "2024-06-01",
            "convener_id": rep["id"],
            "members": [{"representative_id": rep["id"]}, {"guest_id": guest["id"]}],
        }
        group = await post(client, f"{base}/working-groups", admin, **body)
        assert len(group["members"]) == 2
        reported = await client.patch(
            f"{base}/working-groups/{group['id']}",
            headers=admin,
            json={
                "status": "reported",
                "reports": [
                    {
                        "title": "Զեկույց",
                        "reported_on": "2024-09-01",
                        "url": "https://example.am/r.pdf",
                    }
                ],
            },
        )
        assert reported.status_code == 200, reported.text
        unknown = body | {"members": [{"guest_id": rep["id"]}]}
        response = await client.post(f"{base}/working-groups", json=unknown, headers=admin)
        assert response.status_code == 422
        no_report = await client.patch(
            f"{base}/working-groups/{group['id']}", headers=admin, json={"reports": []}
        )
        assert no_report.status_code == 422
