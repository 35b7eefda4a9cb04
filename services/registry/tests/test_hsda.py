"""/v1/hsda: Open Referral's HSDS API profile (HSDA) over the registry, public data only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.registry.models import Service
from services.registry.rules.hsds import term_id
from services.registry.tests.conftest import community, create_actor
from services.registry.tests.test_hsds import build_registry, insert_service, set_updated_at


@pytest.fixture
async def registry(
    app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
) -> dict[str, str]:
    return await build_registry(app, client, admin)


PAGE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}


async def get(client: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    response = await client.get(f"/v1/hsda{path}", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestPages:
    async def test_services_page_by_page_in_hsdas_shape(
        self, client: httpx.AsyncClient, registry: dict[str, str]
    ) -> None:
        first = await get(client, "/services", per_page=2)
        assert set(first) == PAGE_KEYS
        assert (first["total_items"], first["total_pages"], first["page_number"]) == (3, 2, 1)
        assert (first["size"], first["first_page"], first["last_page"]) == (2, True, False)
        assert first["empty"] is False
        second = await get(client, "/services", per_page=2, page=2)
        assert (second["size"], second["first_page"], second["last_page"]) == (1, False, True)
        ids = [s["id"] for s in first["contents"] + second["contents"]]
        assert sorted(ids) == sorted(
            registry[k] for k in ("masis_care", "gyumri_food", "yerevan_in_masis")
        )
        beyond = await get(client, "/services", per_page=2, page=3)
        assert (beyond["size"], beyond["contents"], beyond["empty"]) == (0, [], False)

    async def test_an_empty_result(self, client: httpx.AsyncClient) -> None:
        page = await get(client, "/organizations")
        assert page == {
            "total_items": 0,
            "total_pages": 0,
            "page_number": 1,
            "size": 0,
            "first_page": True,
            "last_page": True,
            "empty": True,
            "contents": [],
        }

    @pytest.mark.parametrize(
        "params",
        [{"page": 0}, {"per_page": 0}, {"per_page": 201}, {"search": "a\x00b"}, {"page": "x"}],
    )
    async def test_bad_paging_is_422(
        self, client: httpx.AsyncClient, params: dict[str, Any]
    ) -> None:
        response = await client.get("/v1/hsda/services", params=params)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"


class TestFilters:
    async def test_services_by_organisation_term_search_and_change(
        self, app: FastAPI, client: httpx.AsyncClient, registry: dict[str, str]
    ) -> None:
        by_org = await get(client, "/services", organization_id=registry["gyumri"])
        assert [s["id"] for s in by_org["contents"]] == [registry["gyumri_food"]]
        food = term_id("service_categories", "food_in_kind")
        by_term = await get(client, "/services", taxonomy_term_id=str(food))
        assert [s["id"] for s in by_term["contents"]] == [registry["gyumri_food"]]
        found = await get(client, "/services", search="ՍՆՆԴԻ")
        assert [s["id"] for s in found["contents"]] == [registry["gyumri_food"]]
        for key in ("masis_care", "gyumri_food"):
            await set_updated_at(app, Service, registry[key], datetime(2020, 1, 1, tzinfo=UTC))
        changed = await get(client, "/services", modified_after="2024-01-01T00:00:00Z")
        assert [s["id"] for s in changed["contents"]] == [registry["yerevan_in_masis"]]

    async def test_an_unknown_term_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.get(
            "/v1/hsda/services", params={"taxonomy_term_id": "00000000-0000-0000-0000-000000000001"}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "taxonomy_term_id"

    async def test_terms_of_one_taxonomy(self, client: httpx.AsyncClient) -> None:
        taxonomies = await get(client, "/taxonomies")
        assert taxonomies["total_items"] == 2
        groups = next(t for t in taxonomies["contents"] if t["name"] == "SPN target groups")
        terms = await get(client, "/taxonomy_terms", taxonomy_id=groups["id"], per_page=200)
        assert terms["contents"]
        assert {t["taxonomy_id"] for t in terms["contents"]} == {groups["id"]}
        assert terms["total_items"] == len(terms["contents"])

    async def test_services_at_locations_only_where_the_provider_has_one(
        self, client: httpx.AsyncClient, registry: dict[str, str]
    ) -> None:
        page = await get(client, "/service_at_locations")
        # The Yerevan foundation has no address, so its service is at no location.
        assert {x["service_id"] for x in page["contents"]} == {
            registry["masis_care"],
            registry["gyumri_food"],
        }
        assert page["total_items"] == 2


class TestRecords:
    async def test_a_service_fully_nested(
        self, client: httpx.AsyncClient, registry: dict[str, str]
    ) -> None:
        service = await get(client, f"/services/{registry['masis_care']}")
        assert service["organization"]["id"] == registry["masis"]
        [located] = service["service_at_locations"]
        assert located["location"]["addresses"][0]["address_1"] == "Երևանյան 10"
        assert {a["uri"] for a in service["service_areas"]} == {
            "ocd-division/country:am/region:ar/community:masis",
            "ocd-division/country:am/region:ar/community:ararat",
        }
        assert service["attributes"][0]["link_type"] == "category"

    async def test_an_organisation_with_its_services_and_location(
        self, client: httpx.AsyncClient, registry: dict[str, str]
    ) -> None:
        organization = await get(client, f"/organizations/{registry['masis']}")
        assert [s["id"] for s in organization["services"]] == [registry["masis_care"]]
        assert organization["locations"][0]["organization_id"] == registry["masis"]

    async def test_natural_persons_and_their_services_are_not_found(
        self, app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        person = await create_actor(
            client,
            admin,
            kind="natural_person",
            legal_form=None,
            name={"hy": "Անահիտ Պետրոսյան"},
            contacts={"phone": "091555444"},
        )
        service_id = await insert_service(app, person["id"], communities=[community("masis")])
        for path in (f"/organizations/{person['id']}", f"/services/{service_id}"):
            response = await client.get(f"/v1/hsda{path}")
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"
        for path in ("/organizations", "/services", "/service_at_locations"):
            assert (await get(client, path))["empty"] is True

    async def test_an_entrepreneur_without_personal_contacts(
        self, app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        entrepreneur = await create_actor(
            client,
            admin,
            kind="individual_entrepreneur",
            legal_form=None,
            name={"hy": "Արամ Սարգսյան ԱՁ"},
            contacts={"phone": "091123456", "email": "aram@mail.am"},
            address={"street": "Նար-Դոսի 5", "community_id": community("masis")},
        )
        await insert_service(app, entrepreneur["id"])
        answers = [
            await get(client, f"/organizations/{entrepreneur['id']}"),
            await get(client, "/organizations"),
            await get(client, "/services"),
        ]
        text = json.dumps(answers, ensure_ascii=False)
        assert "Արամ Սարգսյան ԱՁ" in text
        for personal in ("Նար-Դոսի", "aram@mail.am", "+37491123456"):
            assert personal not in text

    async def test_the_api_says_what_it_is(self, client: httpx.AsyncClient) -> None:
        info = await get(client, "/")
        assert info["version"] == "HSDS 3.0"
        assert info["openapi_url"].endswith("/openapi.json")
