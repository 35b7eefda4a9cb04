from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from services.registry.tests.conftest import (
    community,
    create_actor,
    create_programme,
    create_service,
    current_etag,
    official_of,
)

UNKNOWN_ID = "00000000-0000-0000-0000-000000000009"


@pytest.fixture
async def provider(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    """An organisation located in Masis."""
    return await create_actor(client, admin)


async def services_listed(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/services", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def audit_of(
    client: httpx.AsyncClient, admin: dict[str, str], service_id: str
) -> list[dict[str, Any]]:
    response = await client.get(
        "/v1/audit", params={"resource_type": "service", "resource_id": service_id}, headers=admin
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


@contextmanager
def counting_queries(app: FastAPI) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = app.state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


class TestCreateService:
    async def test_admin_registers_a_service_with_its_provider(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        body = {
            "provider_id": provider["id"],
            "name": {"hy": "Տարեցների տնային խնամք", "en": "Home care", "ru": "Уход на дому"},
            "description": "Visits to lonely elderly people",
            "category_code": "home_care",
            "target_groups": ["elderly", "persons_with_disabilities", "elderly"],
            "communities": [community("masis"), community("ararat")],
            "eligibility": "Over 65, living alone",
            "cost": {"free": True},
            "capacity": 40,
            "languages": ["hy", "ru"],
            "schedule": "Mon–Fri 09:00–18:00",
        }
        response = await client.post("/v1/services", json=body, headers=admin)
        assert response.status_code == 201, response.text
        service = response.json()
        assert response.headers["Location"] == f"/v1/services/{service['id']}"
        assert (
            response.headers["ETag"]
            == (await client.get(response.headers["Location"])).headers["ETag"]
        )
        assert service["provider"] == {
            "id": provider["id"], "name": {"hy": "Հույսի կամուրջ", "en": "Bridge of Hope",
                                           "ru": None},
        }  # fmt: skip
        assert service["target_groups"] == ["elderly", "persons_with_disabilities"]
        assert set(service["communities"]) == {community("masis"), community("ararat")}
        assert service["cost"] == {"free": True, "price": None}
        assert service["status"] == "active"
        assert service["languages"] == ["hy", "ru"]

        read = await client.get(f"/v1/services/{service['id']}")
        assert read.status_code == 200
        assert read.json() == service

    async def test_a_paid_service_keeps_its_exact_price(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        service = await create_service(
            client, admin, provider["id"], cost={"free": False, "price": {"amount": 2500,
                                                                         "currency": "AMD"}},
        )  # fmt: skip
        assert service["cost"] == {"free": False, "price": {"amount": "2500.00",
                                                            "currency": "AMD"}}  # fmt: skip
        read = (await client.get(f"/v1/services/{service['id']}")).json()
        assert read["cost"]["price"] == {"amount": "2500.00", "currency": "AMD"}

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"category_code": "astrology"}, "category_code"),
            ({"target_groups": ["elderly", "aliens"]}, "target_groups"),
            ({"cost": {"free": False, "price": {"amount": "100"}}}, "cost.price.currency"),
            ({"cost": {"free": False}}, "cost.price"),
            ({"cost": {"free": True, "price": {"amount": "1", "currency": "AMD"}}}, "cost.price"),
            ({"cost": {"free": False, "price": {"amount": "1.234", "currency": "AMD"}}},
             "cost.price.amount"),
            ({"cost": {"free": False, "price": {"amount": "5", "currency": "RUB"}}},
             "cost.price.currency"),
            ({"capacity": -1}, "capacity"),
            ({"languages": ["HY"]}, "languages.0"),
            ({"languages": ["hy", "arm"]}, "languages.1"),
            ({"schedule": "x" * 501}, "schedule"),
            ({"status": "closed"}, "status"),
            ({"name": {"en": "Only English"}}, "name.hy"),
            ({"colour": "blue"}, "colour"),
        ],
    )  # fmt: skip
    async def test_bad_fields_are_named_and_nothing_is_written(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        provider: dict[str, Any],
        fields: dict[str, Any],
        field: str,
    ) -> None:
        body = {
            "provider_id": provider["id"],
            "name": {"hy": "Ծառայություն"},
            "category_code": "home_care",
        } | fields
        response = await client.post("/v1/services", json=body, headers=admin)
        assert response.status_code == 422, response.text
        assert field in [e["field"] for e in response.json()["errors"]]
        assert await services_listed(client) == []

    async def test_an_unknown_category_says_where_the_codes_are(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        body = {"provider_id": provider["id"], "name": {"hy": "Ա"}, "category_code": "magic"}
        response = await client.post("/v1/services", json=body, headers=admin)
        assert response.status_code == 422
        [error] = response.json()["errors"]
        assert error["field"] == "category_code"
        assert "/v1/taxonomies/service-categories" in error["message"]

    async def test_an_unknown_provider_is_named_and_nothing_is_written(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        body = {"provider_id": UNKNOWN_ID, "name": {"hy": "Ա"}, "category_code": "home_care"}
        response = await client.post("/v1/services", json=body, headers=admin)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "provider_id"
        assert await services_listed(client) == []

    async def test_an_unknown_community_is_named_and_nothing_is_written(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        body = {
            "provider_id": provider["id"],
            "name": {"hy": "Ա"},
            "category_code": "home_care",
            "communities": [community("masis"), UNKNOWN_ID],
        }
        response = await client.post("/v1/services", json=body, headers=admin)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "communities"
        assert UNKNOWN_ID in response.json()["detail"]
        assert await services_listed(client) == []

    async def test_anonymous_callers_cannot_write(
        self, client: httpx.AsyncClient, provider: dict[str, Any]
    ) -> None:
        body = {"provider_id": provider["id"], "name": {"hy": "Ա"}, "category_code": "home_care"}
        response = await client.post("/v1/services", json=body)
        assert response.status_code == 401
        assert await services_listed(client) == []

    async def test_a_retry_with_the_same_idempotency_key_returns_the_first_answer(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        body = {"provider_id": provider["id"], "name": {"hy": "Ա"}, "category_code": "home_care"}
        headers = admin | {"Idempotency-Key": "service-1"}
        first = await client.post("/v1/services", json=body, headers=headers)
        retry = await client.post("/v1/services", json=body, headers=headers)
        assert first.status_code == retry.status_code == 201
        assert retry.json() == first.json()
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert [s["id"] for s in await services_listed(client)] == [first.json()["id"]]


class TestServiceWriteScope:
    """A center official writes services whose provider or delivery is in their territory."""

    async def test_an_official_of_another_center_is_refused_and_nothing_is_written(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        token_for: Callable[..., str],
        gyumri_center: dict[str, Any],
        provider: dict[str, Any],
    ) -> None:
        body = {
            "provider_id": provider["id"],
            "name": {"hy": "Ա"},
            "category_code": "home_care",
            "communities": [community("masis")],
        }
        official = official_of(token_for, gyumri_center["id"])
        response = await client.post("/v1/services", json=body, headers=official)
        assert response.status_code == 403
        assert "territory" in response.json()["detail"]
        assert await services_listed(client) == []

    async def test_an_official_writes_a_service_of_a_provider_of_their_territory(
        self,
        client: httpx.AsyncClient,
        token_for: Callable[..., str],
        masis_center: dict[str, Any],
        provider: dict[str, Any],
    ) -> None:
        official = official_of(token_for, masis_center["id"])
        # Delivered elsewhere, but the provider is located in Masis.
        service = await create_service(
            client, official, provider["id"], communities=[community("gyumri")]
        )
        assert service["communities"] == [community("gyumri")]

    async def test_an_official_writes_a_service_delivered_in_their_territory(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        token_for: Callable[..., str],
        gyumri_center: dict[str, Any],
        provider: dict[str, Any],
    ) -> None:
        official = official_of(token_for, gyumri_center["id"])
        service = await create_service(
            client, official, provider["id"], communities=[community("gyumri")]
        )
        assert service["provider"]["id"] == provider["id"]

    async def test_an_official_cannot_move_a_service_out_of_their_territory(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        token_for: Callable[..., str],
        gyumri_center: dict[str, Any],
    ) -> None:
        masis_provider = await create_actor(client, admin)
        service = await create_service(
            client, admin, masis_provider["id"], communities=[community("gyumri")]
        )
        official = official_of(token_for, gyumri_center["id"])
        response = await client.patch(
            f"/v1/services/{service['id']}",
            json={"communities": [community("masis")]},
            headers=official,
        )
        assert response.status_code == 403
        assert (await client.get(f"/v1/services/{service['id']}")).json() == service

    async def test_an_official_cannot_take_over_a_service_of_another_territory(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        token_for: Callable[..., str],
        gyumri_center: dict[str, Any],
        provider: dict[str, Any],
    ) -> None:
        service = await create_service(client, admin, provider["id"])  # Masis only
        official = official_of(token_for, gyumri_center["id"])
        response = await client.patch(
            f"/v1/services/{service['id']}",
            json={"communities": [community("gyumri")]},
            headers=official,
        )
        assert response.status_code == 403
        assert (await client.get(f"/v1/services/{service['id']}")).json() == service
        response = await client.delete(f"/v1/services/{service['id']}", headers=official)
        assert response.status_code == 403
        assert (await client.get(f"/v1/services/{service['id']}")).status_code == 200

    async def test_other_roles_are_refused(
        self, client: httpx.AsyncClient, token_for: Callable[..., str], provider: dict[str, Any]
    ) -> None:
        headers = {"Authorization": f"Bearer {token_for('network_member')}"}
        body = {"provider_id": provider["id"], "name": {"hy": "Ա"}, "category_code": "home_care"}
        assert (await client.post("/v1/services", json=body, headers=headers)).status_code == 403


class TestGetService:
    async def test_an_unknown_service_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"/v1/services/{UNKNOWN_ID}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    async def test_if_none_match_with_the_current_etag_is_304(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        service = await create_service(client, admin, provider["id"])
        first = await client.get(f"/v1/services/{service['id']}")
        etag = first.headers["ETag"]
        again = await client.get(f"/v1/services/{service['id']}", headers={"If-None-Match": etag})
        assert again.status_code == 304


class TestListServices:
    async def test_each_filter_finds_what_it_names(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        other = await create_actor(
            client, admin, name={"hy": "Արև", "en": "Sun"}, located_in=[community("gyumri")]
        )
        care = await create_service(
            client, admin, provider["id"], name={"hy": "Տնային խնամք", "en": "Home care"},
            description="Visits to lonely elderly people", target_groups=["elderly"],
            communities=[community("masis")],
        )  # fmt: skip
        legal = await create_service(
            client, admin, other["id"], name={"hy": "Իրավաբանական օգնություն", "en": "Legal aid"},
            category_code="legal_aid", target_groups=["victims_of_violence"],
            communities=[community("gyumri")], status="temporarily_closed",
        )  # fmt: skip

        async def ids(**params: Any) -> list[str]:
            return [s["id"] for s in await services_listed(client, **params)]

        assert set(await ids()) == {care["id"], legal["id"]}
        assert await ids(provider_id=other["id"]) == [legal["id"]]
        assert await ids(category="home_care") == [care["id"]]
        assert await ids(target_group="victims_of_violence") == [legal["id"]]
        assert await ids(community_id=community("masis")) == [care["id"]]
        assert await ids(region="AM-SH") == [legal["id"]]
        assert await ids(region="am-ar") == [care["id"]]
        assert await ids(region="AM-TV") == []
        assert await ids(status="temporarily_closed") == [legal["id"]]
        assert await ids(status="active") == [care["id"]]
        assert await ids(q="ՏՆԱՅԻՆ") == [care["id"]]
        assert await ids(q="legal AID") == [legal["id"]]
        assert await ids(q="lonely care") == [care["id"]]
        assert await ids(q="lonely legal") == []

    async def test_an_unknown_code_in_a_filter_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/services", params={"category": "magic"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "category"
        response = await client.get("/v1/services", params={"target_group": "aliens"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "target_group"

    async def test_pages_follow_the_armenian_name_and_cover_everything_once(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        names = ["Ե", "Ա", "Դ", "Բ", "Գ"]
        for name in names:
            await create_service(client, admin, provider["id"], name={"hy": name})
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/v1/services", params=params)).json()
            seen += [s["name"]["hy"] for s in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == sorted(names)
        assert pages == 3

    async def test_a_page_costs_the_same_queries_however_many_services_it_holds(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        provider: dict[str, Any],
    ) -> None:
        await create_service(client, admin, provider["id"])
        with counting_queries(app) as few:
            await services_listed(client)
        for _ in range(4):
            other = await create_actor(client, admin, name={"hy": "Այլ"})
            await create_service(client, admin, other["id"])
        with counting_queries(app) as many:
            listed = await services_listed(client)
        assert len(listed) == 5
        assert {s["provider"]["name"]["hy"] for s in listed} == {"Հույսի կամուրջ", "Այլ"}
        assert 0 < len(many) == len(few)


class TestEditService:
    async def test_a_patch_changes_only_what_it_sends_and_makes_a_new_version(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        service = await create_service(client, admin, provider["id"], capacity=10)
        url = f"/v1/services/{service['id']}"
        response = await client.patch(
            url,
            json={"target_groups": ["elderly", "homeless"]},
            headers=admin | {"If-Match": await current_etag(client, url, admin)},
        )
        assert response.status_code == 200, response.text
        edited = response.json()
        assert edited["target_groups"] == ["elderly", "homeless"]
        assert edited["capacity"] == 10
        assert edited["name"] == service["name"]
        assert edited["version"] > service["version"]
        fetched = await client.get(f"/v1/services/{service['id']}")
        assert fetched.json() == edited
        assert response.headers["ETag"] == fetched.headers["ETag"]

    async def test_a_new_price_is_checked_with_the_rest(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        service = await create_service(client, admin, provider["id"])
        url = f"/v1/services/{service['id']}"
        response = await client.patch(url, json={"cost": {"free": False}}, headers=admin)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "cost.price"
        response = await client.patch(url, json={"name": None}, headers=admin)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "name"
        assert (await client.get(url)).json() == service

        paid = {"free": False, "price": {"amount": "1000.5", "currency": "EUR"}}
        response = await client.patch(url, json={"cost": paid}, headers=admin)
        assert response.status_code == 200
        assert response.json()["cost"]["price"] == {"amount": "1000.50", "currency": "EUR"}

    async def test_an_unknown_provider_in_a_patch_is_422(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        service = await create_service(client, admin, provider["id"])
        response = await client.patch(
            f"/v1/services/{service['id']}", json={"provider_id": UNKNOWN_ID}, headers=admin
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "provider_id"

    async def test_a_stale_if_match_is_412_and_changes_nothing(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        service = await create_service(client, admin, provider["id"])
        url = f"/v1/services/{service['id']}"
        read = await current_etag(client, url, admin)
        await client.patch(url, json={"capacity": 5}, headers=admin)
        current = (await client.get(url)).json()
        response = await client.patch(
            url,
            json={"capacity": 99},
            headers=admin | {"If-Match": read},
        )
        assert response.status_code == 412
        assert (await client.get(url)).json() == current

    async def test_an_unknown_service_is_404(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await client.patch(
            f"/v1/services/{UNKNOWN_ID}", json={"capacity": 1}, headers=admin
        )
        assert response.status_code == 404


class TestDeleteService:
    async def test_a_deleted_service_is_gone(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        service = await create_service(client, admin, provider["id"])
        url = f"/v1/services/{service['id']}"
        response = await client.delete(
            url, headers=admin | {"If-Match": await current_etag(client, url, admin)}
        )
        assert response.status_code == 204
        assert (await client.get(url)).status_code == 404
        assert await services_listed(client) == []
        assert (await client.delete(url, headers=admin)).status_code == 404

    async def test_a_stale_if_match_is_412_and_the_service_stays(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        service = await create_service(client, admin, provider["id"])
        url = f"/v1/services/{service['id']}"
        response = await client.delete(url, headers=admin | {"If-Match": '"999"'})
        assert response.status_code == 412
        assert (await client.get(url)).json() == service

    async def test_programmes_that_listed_it_lose_it_and_get_a_new_version(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        service = await create_service(client, admin, provider["id"])
        programme = await create_programme(client, admin, services=[service["id"]])
        assert (await client.delete(f"/v1/services/{service['id']}", headers=admin)).is_success
        after = (await client.get(f"/v1/programmes/{programme['id']}")).json()
        assert after["services"] == []
        assert after["version"] > programme["version"]

    async def test_the_provider_cannot_be_deleted_while_it_offers_the_service(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        service = await create_service(client, admin, provider["id"])
        response = await client.delete(f"/v1/actors/{provider['id']}", headers=admin)
        assert response.status_code == 409
        assert (await client.delete(f"/v1/services/{service['id']}", headers=admin)).is_success
        assert (await client.delete(f"/v1/actors/{provider['id']}", headers=admin)).is_success


class TestServiceAudit:
    async def test_every_write_is_in_the_trail(
        self, client: httpx.AsyncClient, admin: dict[str, str], provider: dict[str, Any]
    ) -> None:
        service = await create_service(client, admin, provider["id"], capacity=10)
        url = f"/v1/services/{service['id']}"
        await client.patch(url, json={"capacity": 12}, headers=admin)
        await client.delete(url, headers=admin)
        entries = await audit_of(client, admin, service["id"])
        assert [e["action"] for e in entries] == ["create", "update", "delete"]
        assert {e["subject"] for e in entries} == {"admin-anna"}
        assert entries[0]["changes"]["category_code"] == [None, "home_care"]
        assert entries[1]["changes"] == {"capacity": [10, 12]}
        assert entries[2]["changes"]["capacity"] == [12, None]

    async def test_a_refused_write_leaves_no_trace(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        token_for: Callable[..., str],
        gyumri_center: dict[str, Any],
        provider: dict[str, Any],
    ) -> None:
        service = await create_service(client, admin, provider["id"])
        official = official_of(token_for, gyumri_center["id"])
        refused = await client.patch(
            f"/v1/services/{service['id']}", json={"capacity": 1}, headers=official
        )
        assert refused.status_code == 403
        assert [e["action"] for e in await audit_of(client, admin, service["id"])] == ["create"]
