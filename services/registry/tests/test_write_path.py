"""The one write path: journaled writes, conditional requests from the representation, role and
scope checked together. Each test here is a defect the hand-written path had."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from services.registry import demo
from services.registry.models import audit_log
from services.registry.tests.conftest import (
    community,
    create_actor,
    create_center,
    create_network,
    create_programme,
    create_service,
    current_etag,
    join,
    journal_counts,
)

Headers = dict[str, str]


written = journal_counts


class TestETagsFollowTheRepresentation:
    async def test_a_network_is_modified_when_members_join(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any], official: Headers
    ) -> None:
        network = await create_network(client, official, center["id"])
        url = f"/v1/networks/{network['id']}"
        before = await client.get(url)
        for name in ("Առաջին", "Երկրորդ"):
            actor = await create_actor(client, admin, name={"hy": name})
            assert (await join(client, official, network["id"], actor["id"])).status_code == 201
        again = await client.get(url, headers={"If-None-Match": before.headers["etag"]})
        assert again.status_code == 200
        assert again.json()["current_members"] == 2
        unchanged = await client.get(url, headers={"If-None-Match": again.headers["etag"]})
        assert unchanged.status_code == 304
        assert unchanged.content == b""

    async def test_changing_only_participants_refuses_the_second_writer(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any], official: Headers
    ) -> None:
        network = await create_network(client, official, center["id"])
        actor = await create_actor(client, admin)
        member = (await join(client, official, network["id"], actor["id"])).json()
        created = await client.post(
            f"/v1/networks/{network['id']}/activities",
            json={"kind": "working_meeting", "held_on": "2024-05-01", "topic": "Ծանոթացում"},
            headers=official,
        )
        url = created.headers["location"]
        read = created.headers["etag"]
        first = await client.patch(
            url, json={"participants": [member["id"]]}, headers=official | {"If-Match": read}
        )
        assert first.status_code == 200
        assert first.headers["etag"] != read
        assert first.json()["version"] == created.json()["version"] + 1
        second = await client.patch(
            url, json={"topic": "Այլ"}, headers=official | {"If-Match": read}
        )
        assert second.status_code == 412
        kept = (await client.get(url)).json()
        assert kept["participants"] == [member["id"]]
        assert kept["topic"] == "Ծանոթացում"

    async def test_a_persons_record_differs_for_anonymous_and_signed_in_callers(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        person = await create_actor(
            client, admin, kind="natural_person", legal_form=None, name={"hy": "Անի"},
            contacts={"phone": "+37491000000"},
        )  # fmt: skip
        url = f"/v1/actors/{person['id']}"
        anonymous = await client.get(url)
        signed_in = await client.get(url, headers=admin)
        assert anonymous.json()["contacts"]["phone"] is None
        assert signed_in.json()["contacts"]["phone"] == "+37491000000"
        assert anonymous.headers["etag"] != signed_in.headers["etag"]
        assert "Authorization" in anonymous.headers["vary"]
        # A cache holding the anonymous copy cannot answer the signed-in caller with it.
        revalidated = await client.get(
            url, headers=admin | {"If-None-Match": anonymous.headers["etag"]}
        )
        assert revalidated.status_code == 200
        assert revalidated.json()["contacts"]["phone"] == "+37491000000"

    async def test_member_and_activity_reads_answer_304(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any], official: Headers
    ) -> None:
        network = await create_network(client, official, center["id"])
        actor = await create_actor(client, admin)
        joined = await join(client, official, network["id"], actor["id"])
        activity = await client.post(
            f"/v1/networks/{network['id']}/activities",
            json={"kind": "working_meeting", "held_on": "2024-05-01", "topic": "Հանդիպում"},
            headers=official,
        )
        for created in (joined, activity):
            url = created.headers["location"]
            first = await client.get(url)
            assert first.headers["etag"] == created.headers["etag"] or "vary" in first.headers
            cached = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
            assert cached.status_code == 304


class TestAuditAndFeed:
    async def test_network_members_and_activities_are_audited(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any], official: Headers
    ) -> None:
        network = await create_network(client, official, center["id"])
        actor = await create_actor(client, admin)
        member = (await join(client, official, network["id"], actor["id"])).json()
        for resource_type, resource_id in (
            ("network", network["id"]),
            ("network_member", member["id"]),
        ):
            trail = await client.get(
                "/v1/audit",
                params={"resource_type": resource_type, "resource_id": resource_id},
                headers=admin,
            )
            assert trail.status_code == 200, trail.text
            [entry] = trail.json()["items"]
            assert entry["action"] == "create"
            assert entry["subject"] == "official-aram"

    async def test_the_audit_list_pages_on_with_its_own_cursor(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        actor = await create_actor(client, admin)
        url = f"/v1/actors/{actor['id']}"
        for text in ("մեկ", "երկու"):
            assert (await client.patch(url, json={"description": text}, headers=admin)).is_success
        params = {"resource_type": "actor", "resource_id": actor["id"], "limit": 1}
        seen = []
        cursor = None
        for _ in range(5):
            page = await client.get(
                "/v1/audit", params=params | ({"cursor": cursor} if cursor else {}), headers=admin
            )
            assert page.status_code == 200, page.text
            seen += [e["action"] for e in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
        assert seen == ["create", "update", "update"]

    async def test_services_and_programmes_are_in_the_feed_without_personal_data(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        entrepreneur = await create_actor(
            client, admin, kind="individual_entrepreneur", legal_form=None,
            name={"hy": "Արամ Սարգսյան ԱՁ"}, contacts={"phone": "+37491111111"},
            address={"street": "Տնային 1", "community_id": community("masis")},
        )  # fmt: skip
        service = await create_service(client, admin, entrepreneur["id"])
        programme = await create_programme(client, admin)
        feed = (await client.get("/v1/events", params={"limit": 500})).json()["items"]
        by_resource = {(e["resource_type"], e["resource_id"]): e for e in feed}
        assert by_resource[("service", service["id"])]["type"] == "service.created"
        assert by_resource[("programme", programme["id"])]["type"] == "programme.created"
        actor_event = by_resource[("actor", entrepreneur["id"])]
        assert actor_event["data"]["contacts"]["phone"] is None
        assert actor_event["data"]["address"]["street"] is None
        assert "+37491111111" not in str(feed)
        assert "Տնային" not in str(feed)


class TestRolesAndScopesTogether:
    @pytest.mark.parametrize("role", ["grants_officer", "council_secretary", "network_member"])
    async def test_a_center_claim_without_the_role_writes_no_network(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        admin: Headers,
        center: dict[str, Any],
        official: Headers,
        token_for: Callable[..., str],
        role: str,
    ) -> None:
        network = await create_network(client, official, center["id"])
        actor = await create_actor(client, admin)
        member = (await join(client, official, network["id"], actor["id"])).json()
        other = await create_center(
            client, admin, name={"hy": "Այլ կենտրոն"}, territory=[community("gyumri")],
            region_code="AM-SH",
        )  # fmt: skip
        intruder = {
            "Authorization": f"Bearer {token_for(role, centers=[center['id'], other['id']])}"
        }
        base = f"/v1/networks/{network['id']}"
        before = await written(app)
        attempts = [
            ("POST", "/v1/networks",
             {"center_id": other["id"], "name": {"hy": "Ցանց"}, "form": "mixed",
              "founded_on": "2024-03-01"}),
            ("PATCH", base, {"name": {"hy": "Փոխված"}}),
            ("POST", f"{base}/members", {"actor_id": actor["id"], "joined_on": "2024-05-01"}),
            ("PATCH", f"{base}/members/{member['id']}", {"role": "coordinator"}),
            ("POST", f"{base}/members/{member['id']}/leave",
             {"left_on": "2024-09-01", "reason": "այլևս"}),
            ("POST", f"{base}/activities",
             {"kind": "working_meeting", "held_on": "2024-05-01", "topic": "Թեմա"}),
        ]  # fmt: skip
        for method, url, body in attempts:
            response = await client.request(method, url, json=body, headers=intruder)
            assert response.status_code == 403, (method, url, response.text)
            assert "admin" in response.json()["detail"]
        assert await written(app) == before


class TestDeletingWhatIsReferenced:
    async def test_an_actor_that_was_a_member_is_409_naming_the_network(
        self, app: FastAPI, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any]
    ) -> None:
        network = await create_network(client, admin, center["id"])
        actor = await create_actor(client, admin)
        await join(client, admin, network["id"], actor["id"])
        before = await written(app)
        response = await client.delete(f"/v1/actors/{actor['id']}", headers=admin)
        assert response.status_code == 409
        assert network["id"] in response.json()["detail"]
        assert response.json()["networks"] == [network["id"]]
        assert (await client.get(f"/v1/actors/{actor['id']}")).status_code == 200
        assert await written(app) == before


class TestResourceBase:
    async def test_every_representation_has_its_bookkeeping_in_order(
        self, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any]
    ) -> None:
        actor = await create_actor(client, admin)
        service = await create_service(client, admin, actor["id"])
        programme = await create_programme(client, admin)
        network = await create_network(client, admin, center["id"])
        member = (await join(client, admin, network["id"], actor["id"])).json()
        community_ = (await client.get(f"/v1/communities/{community('masis')}")).json()
        for resource in (center, actor, service, programme, network, member, community_):
            assert {"id", "version", "created_at", "updated_at"} <= set(resource)
            assert resource["updated_at"] >= resource["created_at"]
        for fresh in (center, actor, service, programme, network, member):
            assert fresh["updated_at"] == fresh["created_at"]

    async def test_a_patch_keeps_the_constraints_of_the_create_body(
        self, app: FastAPI, client: httpx.AsyncClient, admin: Headers, center: dict[str, Any]
    ) -> None:
        schemas = app.openapi()["components"]["schemas"]
        patches = [name for name in schemas if name.endswith("Patch")]
        assert len(patches) == 8
        for name in patches:
            create = schemas[name.removesuffix("Patch") + "In"]["properties"]
            for field, declared in schemas[name]["properties"].items():
                sent = next(s for s in declared["anyOf"] if s.get("type") != "null")
                created = create[field].get("anyOf", [create[field]])[0]
                for constraint in ("maxLength", "minLength", "maxItems", "pattern", "maximum"):
                    assert sent.get(constraint) == created.get(constraint), (name, field)
        url = f"/v1/centers/{center['id']}"
        etag = await current_etag(client, url, admin)
        before = await written(app)
        too_many = await client.patch(
            url, json={"territory": [community("masis")] * 501}, headers=admin
        )
        assert too_many.status_code == 422
        assert too_many.json()["errors"][0]["field"] == "territory"
        assert await written(app) == before
        assert await current_etag(client, url, admin) == etag


class TestDemo:
    async def test_the_demo_is_journaled_like_any_other_write(
        self, app: FastAPI, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        async with app.state.database.sessionmaker() as session, session.begin():
            assert await demo.load(session) is True
        async with app.state.database.sessionmaker() as session:
            rows = await session.execute(select(audit_log.c.resource_type, audit_log.c.resource_id))
            audited = {(kind, resource_id) for kind, resource_id in rows}
            subjects = set(await session.scalars(select(audit_log.c.subject)))
        assert subjects == {"system:demo"}
        assert {kind for kind, _ in audited} == {
            "center", "actor", "service", "programme", "network", "network_member",
            "network_activity",
        }  # fmt: skip
        feed = (await client.get("/v1/events", params={"limit": 500})).json()["items"]
        assert {(e["resource_type"], e["resource_id"]) for e in feed} == {
            (kind, str(resource_id)) for kind, resource_id in audited
        }
        async with app.state.database.sessionmaker() as session, session.begin():
            assert await demo.load(session) is False
