import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.registry.rules import actors as rules
from services.registry.tests.conftest import community, create_actor, official_of
from shared.testing import StatementLog


class TestCreateActor:
    async def test_admin_registers_an_organisation(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        actor = await create_actor(
            client,
            admin,
            tax_number="02571234",
            contacts={"phone": "+374 23 64-22-11", "email": "Info@Hope.am"},
            capacities=[{"kind": "volunteers", "note": "20 volunteers"}, {"kind": "premises"}],
            operates_in=[community("ararat")],
        )
        assert actor["contacts"] == {"phone": "+37423642211", "email": "info@hope.am",
                                     "website": None}  # fmt: skip
        assert actor["located_in"] == [community("masis")]
        assert actor["operates_in"] == [community("ararat")]
        assert [c["kind"] for c in actor["capacities"]] == ["volunteers", "premises"]

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"tax_number": "1234567"}, "tax_number"),
            ({"tax_number": "12345678a"}, "tax_number"),
            ({"name": {"hy": ""}}, "name.hy"),
            ({"name": {"en": "Only English"}}, "name.hy"),
            ({"kind": "alien"}, "kind"),
            ({"contacts": {"phone": "12345"}}, "contacts.phone"),
            ({"capacities": [{"kind": "magic"}]}, "capacities.0.kind"),
        ],
    )
    async def test_bad_fields_are_named_and_nothing_is_written(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        fields: dict[str, Any],
        field: str,
    ) -> None:
        body = {"kind": "legal_entity", "legal_form": "cso", "name": {"hy": "Ա"}} | fields
        response = await client.post("/v1/actors", json=body, headers=admin)
        assert response.status_code == 422
        assert field in [e["field"] for e in response.json()["errors"]]
        assert (await client.get("/v1/actors")).json()["items"] == []

    async def test_kind_rules(self, client: httpx.AsyncClient, admin: dict[str, str]) -> None:
        no_form = {"kind": "legal_entity", "name": {"hy": "Ա"}}
        response = await client.post("/v1/actors", json=no_form, headers=admin)
        assert response.status_code == 422
        assert "legal_form" in response.json()["detail"] + str(response.json()["errors"])
        person_with_jurisdiction = {
            "kind": "natural_person", "name": {"hy": "Ա"}, "jurisdiction": {"regions": ["AM-AR"]}
        }  # fmt: skip
        response = await client.post("/v1/actors", json=person_with_jurisdiction, headers=admin)
        assert response.status_code == 422

    async def test_unknown_community_is_422(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        body = {
            "kind": "state_body",
            "name": {"hy": "Ա"},
            "jurisdiction": {"communities": ["00000000-0000-0000-0000-000000000009"]},
        }
        response = await client.post("/v1/actors", json=body, headers=admin)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "jurisdiction.communities"

    async def test_tax_number_is_unique(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        first = await create_actor(client, admin, tax_number="02571234")
        body = {"kind": "legal_entity", "legal_form": "business", "name": {"hy": "Բ"},
                "tax_number": "02571234"}  # fmt: skip
        response = await client.post("/v1/actors", json=body, headers=admin)
        assert response.status_code == 409
        assert first["id"] in response.json()["detail"]


class TestPersonalData:
    async def test_a_persons_contacts_are_hidden_from_anonymous_callers(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        person = await create_actor(
            client, admin, kind="individual_entrepreneur", legal_form=None,
            name={"hy": "Արամ Սարգսյան"}, contacts={"phone": "091123456", "email": "a@b.am"},
            address={"street": "Տնային հասցե 1"},
        )  # fmt: skip
        anonymous = (await client.get(f"/v1/actors/{person['id']}")).json()
        assert anonymous["contacts"]["phone"] is None
        assert anonymous["contacts"]["email"] is None
        assert anonymous["personal_data_hidden"] is True
        assert anonymous["address"]["street"] is None
        listed = (await client.get("/v1/actors")).json()["items"][0]
        assert listed["contacts"]["phone"] is None
        signed_in = (await client.get(f"/v1/actors/{person['id']}", headers=admin)).json()
        assert signed_in["contacts"]["phone"] == "+37491123456"

    async def test_an_organisations_contacts_are_public(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        org = await create_actor(client, admin, contacts={"phone": "091123456"})
        assert (await client.get(f"/v1/actors/{org['id']}")).json()["contacts"]["phone"]


class TestListActors:
    async def test_filters_and_search(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        await create_actor(
            client,
            admin,
            name={"hy": "Մասիսի համայնքապետարան", "en": "Masis municipality"},
            kind="local_government",
            legal_form=None,
        )
        await create_actor(client, admin, name={"hy": "Գյումրու ՀԿ"},
                           located_in=[community("gyumri")])  # fmt: skip
        by_kind = await client.get("/v1/actors", params={"kind": "local_government"})
        assert [a["name"]["en"] for a in by_kind.json()["items"]] == ["Masis municipality"]
        by_region = await client.get("/v1/actors", params={"region": "AM-SH"})
        assert [a["name"]["hy"] for a in by_region.json()["items"]] == ["Գյումրու ՀԿ"]
        by_words = await client.get("/v1/actors", params={"q": "МАСИС"[:0] + "MASIS muni"})
        assert len(by_words.json()["items"]) == 1
        armenian_upper = await client.get("/v1/actors", params={"q": "ԳՅՈՒՄ"})
        assert len(armenian_upper.json()["items"]) == 1

    async def test_a_batch_read_by_ids(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        first = await create_actor(client, admin, name={"hy": "Առաջին"})
        await create_actor(client, admin, name={"hy": "Երկրորդ"})
        third = await create_actor(client, admin, name={"hy": "Երրորդ"})
        page = await client.get("/v1/actors", params={"ids": [first["id"], third["id"]]})
        assert sorted(a["name"]["hy"] for a in page.json()["items"]) == ["Առաջին", "Երրորդ"]
        too_many = await client.get("/v1/actors", params={"ids": [first["id"]] * 201})
        assert too_many.status_code == 422


class TestOfficialScope:
    async def test_an_official_writes_in_their_territory_only(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        token_for: Callable[..., str],
        masis_center: dict[str, Any],
    ) -> None:
        official = official_of(token_for, masis_center["id"])
        mine = await create_actor(client, official)
        body = {"kind": "legal_entity", "legal_form": "cso", "name": {"hy": "Գ"},
                "located_in": [community("gyumri")]}  # fmt: skip
        outside = await client.post("/v1/actors", json=body, headers=official)
        assert outside.status_code == 403
        assert "territory" in outside.json()["detail"]
        moved = await client.patch(
            f"/v1/actors/{mine['id']}", json={"located_in": [community("gyumri")]},
            headers=official,
        )  # fmt: skip
        assert moved.status_code == 403
        theirs = await create_actor(client, admin, located_in=[community("gyumri")])
        edit = await client.patch(
            f"/v1/actors/{theirs['id']}", json={"name": {"hy": "Փ"}}, headers=official
        )
        assert edit.status_code == 403
        assert (await client.get(f"/v1/actors/{theirs['id']}")).json()["name"]["hy"] != "Փ"

    async def test_a_body_with_jurisdiction_over_the_region_counts(
        self,
        client: httpx.AsyncClient,
        token_for: Callable[..., str],
        masis_center: dict[str, Any],
    ) -> None:
        official = official_of(token_for, masis_center["id"])
        body = {"kind": "state_body", "name": {"hy": "Արարատի մարզպետարան"},
                "jurisdiction": {"regions": ["AM-AR"]}}  # fmt: skip
        assert (await client.post("/v1/actors", json=body, headers=official)).status_code == 201


class TestEditAndDelete:
    async def test_patch_with_if_match_and_audit_trail(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        actor = await create_actor(client, admin)
        url = f"/v1/actors/{actor['id']}"
        first = (await client.get(url, headers=admin)).headers["etag"]
        edited = await client.patch(
            url, json={"description": "Աջակցում է տարեցներին"}, headers=admin | {"If-Match": first}
        )
        assert edited.status_code == 200
        assert edited.headers["etag"] not in (None, first)
        assert edited.json()["version"] == actor["version"] + 1
        stale = await client.patch(
            url, json={"description": "x"}, headers=admin | {"If-Match": first}
        )
        assert stale.status_code == 412
        assert (await client.get(url)).json()["description"] == "Աջակցում է տարեցներին"
        deleted = await client.delete(url, headers=admin | {"If-Match": edited.headers["etag"]})
        assert deleted.status_code == 204
        assert (await client.get(url)).status_code == 404
        trail = await client.get(
            "/v1/audit",
            params={"resource_type": "actor", "resource_id": actor["id"]},
            headers=admin,
        )
        entries = trail.json()["items"]
        assert [e["action"] for e in entries] == ["create", "update", "delete"]
        assert entries[1]["changes"] == {"description": [None, "Աջակցում է տարեցներին"]}
        assert all(e["subject"] == "admin-anna" for e in entries)

    async def test_a_patch_that_breaks_a_rule_of_the_whole_is_422(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        actor = await create_actor(client, admin)
        url = f"/v1/actors/{actor['id']}"
        response = await client.patch(url, json={"kind": "natural_person"}, headers=admin)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert "legal_form" in str(response.json())
        assert (await client.get(url)).json()["kind"] == "legal_entity"

    async def test_changing_only_places_moves_the_version(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        actor = await create_actor(client, admin)
        url = f"/v1/actors/{actor['id']}"
        first = (await client.get(url, headers=admin)).headers["etag"]
        moved = await client.patch(
            url, json={"operates_in": [community("ararat")]}, headers=admin | {"If-Match": first}
        )
        assert moved.json()["version"] == actor["version"] + 1
        assert moved.json()["updated_at"] > actor["updated_at"]
        stale = await client.patch(
            url, json={"operates_in": []}, headers=admin | {"If-Match": first}
        )
        assert stale.status_code == 412

    async def test_only_admins_read_the_trail(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        token_for: Callable[..., str],
    ) -> None:
        actor = await create_actor(client, admin)
        params = {"resource_type": "actor", "resource_id": actor["id"]}
        official = {"Authorization": f"Bearer {token_for('center_official')}"}
        assert (await client.get("/v1/audit", params=params, headers=official)).status_code == 403
        assert (await client.get("/v1/audit", params=params)).status_code == 401

    async def test_idempotent_create(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        body = {"kind": "legal_entity", "legal_form": "cso", "name": {"hy": "Ա"}}
        headers = admin | {"Idempotency-Key": "create-a"}
        first = await client.post("/v1/actors", json=body, headers=headers)
        again = await client.post("/v1/actors", json=body, headers=headers)
        assert again.json()["id"] == first.json()["id"]
        assert len((await client.get("/v1/actors")).json()["items"]) == 1


class TestReadActor:
    """`GET /v1/actors/{id}` reads plain rows in one statement; the JSON is what the ORM gave."""

    async def _orm_json(self, app: FastAPI, actor_id: str, *, show_personal: bool) -> bytes:
        async with app.state.database.sessionmaker() as session:
            actor = await rules.get_actor(session, uuid.UUID(actor_id))
            return rules.actor_out(actor, show_personal=show_personal).model_dump_json().encode()

    async def test_the_representation_is_byte_identical_to_the_orm_one(
        self, app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        body = await create_actor(
            client, admin, kind="local_government", legal_form=None,
            name={"hy": "Մասիսի համայնքապետարան", "en": "Masis municipality", "ru": "Масис"},
            located_in=[community("masis"), community("ararat")],
            operates_in=[community("ararat"), community("masis"), community("vedi")],
            jurisdiction={"regions": ["AM-AR", "AM-AV"],
                          "communities": [community("vedi"), community("masis")]},
            capacities=[{"kind": "volunteers", "note": "20"}, {"kind": "premises"},
                        {"kind": "funding", "note": "a little"}],
            contacts={"phone": "091123456"}, address={"street": "Main 1"},
        )  # fmt: skip
        person = await create_actor(
            client, admin, kind="natural_person", legal_form=None, name={"hy": "Արամ"},
            contacts={"email": "a@b.am"}, located_in=[],
        )  # fmt: skip
        for actor_id in (body["id"], person["id"]):
            for headers, show_personal in (({}, False), (admin, True)):
                response = await client.get(f"/v1/actors/{actor_id}", headers=headers)
                assert response.status_code == 200
                assert response.content == await self._orm_json(
                    app, actor_id, show_personal=show_personal
                )
        missing = await client.get(f"/v1/actors/{uuid.uuid4()}")
        assert missing.status_code == 404

    async def test_one_statement_and_no_transaction_per_get(
        self, app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        actor = await create_actor(client, admin, capacities=[{"kind": "premises"}])
        await client.get(f"/v1/actors/{actor['id']}")  # connections and statements warmed up
        log = StatementLog(app.state.database.engine)
        try:
            await log.taken()
            response = await client.get(f"/v1/actors/{actor['id']}")
            assert response.status_code == 200
            sent = await log.taken()
        finally:
            log.close()
        # Before: a ping with its BEGIN and ROLLBACK on PostgreSQL, BEGIN, four SELECTs, COMMIT.
        assert len(sent) == 1, sent
        assert sent[0].startswith("SELECT")
