from collections.abc import Callable
from typing import Any

import httpx
import pytest

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
async def masis_ngo(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    return await create_actor(client, admin)


@pytest.fixture
async def donor(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    return await create_actor(
        client, admin, legal_form="international_organisation",
        name={"hy": "Եվրոպական միություն", "en": "European Union"}, located_in=[],
    )  # fmt: skip


async def programmes_listed(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/programmes", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


class TestCreateProgramme:
    async def test_admin_registers_a_programme_with_its_actors_and_exact_budget(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        masis_ngo: dict[str, Any],
        donor: dict[str, Any],
    ) -> None:
        service = await create_service(client, admin, masis_ngo["id"])
        body = {
            "name": {"hy": "Սոցիալական ներառում", "en": "Social inclusion"},
            "description": "Case management for families left out of the benefit system",
            "period": {"starts_on": "2021-07-01", "ends_on": "2024-06-30"},
            "budget": {"amount": 1500000, "currency": "EUR"},
            "actors": [
                {"actor_id": masis_ngo["id"], "role": "lead"},
                {"actor_id": donor["id"], "role": "funder"},
                {"actor_id": masis_ngo["id"], "role": "partner"},
            ],
            "target_groups": ["low_income_families", "large_families"],
            "communities": [community("masis")],
            "services": [service["id"]],
        }
        response = await client.post("/v1/programmes", json=body, headers=admin)
        assert response.status_code == 201, response.text
        programme = response.json()
        assert response.headers["Location"] == f"/v1/programmes/{programme['id']}"
        assert (
            response.headers["ETag"]
            == (await client.get(response.headers["Location"])).headers["ETag"]
        )
        assert programme["budget"] == {"amount": "1500000.00", "currency": "EUR"}
        assert programme["status"] == "active"
        assert programme["period"] == {"starts_on": "2021-07-01", "ends_on": "2024-06-30"}
        roles = {(a["actor_id"], a["role"]): a["name"]["hy"] for a in programme["actors"]}
        assert roles == {
            (masis_ngo["id"], "lead"): "Հույսի կամուրջ",
            (masis_ngo["id"], "partner"): "Հույսի կամուրջ",
            (donor["id"], "funder"): "Եվրոպական միություն",
        }
        assert programme["services"] == [service["id"]]
        assert sorted(programme["target_groups"]) == ["large_families", "low_income_families"]

        read = await client.get(f"/v1/programmes/{programme['id']}")
        assert read.json() == programme
        assert read.headers["ETag"] == response.headers["ETag"]

    async def test_a_budget_sent_as_a_fraction_comes_back_exact(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        programme = await create_programme(
            client, admin, budget={"amount": 2500000.5, "currency": "AMD"}
        )
        assert programme["budget"] == {"amount": "2500000.50", "currency": "AMD"}
        read = (await client.get(f"/v1/programmes/{programme['id']}")).json()
        assert read["budget"] == {"amount": "2500000.50", "currency": "AMD"}

    async def test_a_programme_may_have_open_ends_and_no_budget(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        programme = await create_programme(client, admin, status="planned")
        assert programme["period"] == {"starts_on": None, "ends_on": None}
        assert programme["budget"] is None
        assert programme["status"] == "planned"

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"period": {"starts_on": "2024-01-01", "ends_on": "2023-12-31"}}, "period.ends_on"),
            ({"budget": {"amount": "100"}}, "budget.currency"),
            ({"budget": {"amount": "-1", "currency": "AMD"}}, "budget.amount"),
            ({"budget": {"amount": "1.001", "currency": "AMD"}}, "budget.amount"),
            ({"status": "cancelled"}, "status"),
            ({"target_groups": ["aliens"]}, "target_groups"),
            ({"actors": [{"actor_id": UNKNOWN_ID, "role": "sponsor"}]}, "actors.0.role"),
            ({"name": {"hy": " "}}, "name.hy"),
            ({"period": {"starts_on": "2024-01-01", "until": "2025"}}, "period.until"),
        ],
    )
    async def test_bad_fields_are_named_and_nothing_is_written(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        fields: dict[str, Any],
        field: str,
    ) -> None:
        response = await client.post(
            "/v1/programmes", json={"name": {"hy": "Ծրագիր"}} | fields, headers=admin
        )
        assert response.status_code == 422, response.text
        assert field in [e["field"] for e in response.json()["errors"]]
        assert await programmes_listed(client) == []

    async def test_an_actor_holds_a_role_once(
        self, client: httpx.AsyncClient, admin: dict[str, str], masis_ngo: dict[str, Any]
    ) -> None:
        twice = [{"actor_id": masis_ngo["id"], "role": "lead"}] * 2
        response = await client.post(
            "/v1/programmes", json={"name": {"hy": "Ծ"}, "actors": twice}, headers=admin
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "actors"
        assert "lead" in response.json()["errors"][0]["message"]
        assert await programmes_listed(client) == []

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"actors": [{"actor_id": UNKNOWN_ID, "role": "funder"}]}, "actors"),
            ({"services": [UNKNOWN_ID]}, "services"),
            ({"communities": [UNKNOWN_ID]}, "communities"),
        ],
    )
    async def test_unknown_references_are_named_and_nothing_is_written(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        fields: dict[str, Any],
        field: str,
    ) -> None:
        response = await client.post(
            "/v1/programmes", json={"name": {"hy": "Ծ"}} | fields, headers=admin
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field
        assert UNKNOWN_ID in response.json()["detail"]
        assert await programmes_listed(client) == []

    async def test_anonymous_callers_cannot_write(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/v1/programmes", json={"name": {"hy": "Ծ"}})
        assert response.status_code == 401
        assert await programmes_listed(client) == []

    async def test_a_retry_with_the_same_idempotency_key_creates_one_programme(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        headers = admin | {"Idempotency-Key": "programme-1"}
        body = {"name": {"hy": "Ծ"}}
        first = await client.post("/v1/programmes", json=body, headers=headers)
        retry = await client.post("/v1/programmes", json=body, headers=headers)
        assert first.status_code == retry.status_code == 201
        assert retry.json() == first.json()
        assert [p["id"] for p in await programmes_listed(client)] == [first.json()["id"]]


class TestProgrammeWriteScope:
    """A center official writes programmes with a community or an actor in their territory."""

    async def test_an_official_of_another_center_is_refused_and_nothing_is_written(
        self,
        client: httpx.AsyncClient,
        token_for: Callable[..., str],
        gyumri_center: dict[str, Any],
        masis_ngo: dict[str, Any],
    ) -> None:
        body = {
            "name": {"hy": "Ծ"},
            "communities": [community("masis")],
            "actors": [{"actor_id": masis_ngo["id"], "role": "lead"}],
        }
        official = official_of(token_for, gyumri_center["id"])
        response = await client.post("/v1/programmes", json=body, headers=official)
        assert response.status_code == 403
        assert await programmes_listed(client) == []

    async def test_an_official_writes_a_programme_run_in_their_territory(
        self,
        client: httpx.AsyncClient,
        token_for: Callable[..., str],
        masis_center: dict[str, Any],
    ) -> None:
        official = official_of(token_for, masis_center["id"])
        programme = await create_programme(client, official, communities=[community("masis")])
        assert programme["communities"] == [community("masis")]

    async def test_an_official_writes_a_programme_of_an_actor_of_their_territory(
        self,
        client: httpx.AsyncClient,
        token_for: Callable[..., str],
        masis_center: dict[str, Any],
        masis_ngo: dict[str, Any],
    ) -> None:
        official = official_of(token_for, masis_center["id"])
        programme = await create_programme(
            client, official, communities=[community("gyumri")],
            actors=[{"actor_id": masis_ngo["id"], "role": "partner"}],
        )  # fmt: skip
        assert programme["actors"][0]["name"]["en"] == "Bridge of Hope"

    async def test_an_official_cannot_move_a_programme_out_of_their_territory(
        self,
        client: httpx.AsyncClient,
        token_for: Callable[..., str],
        masis_center: dict[str, Any],
    ) -> None:
        official = official_of(token_for, masis_center["id"])
        programme = await create_programme(client, official, communities=[community("masis")])
        url = f"/v1/programmes/{programme['id']}"
        response = await client.patch(
            url, json={"communities": [community("gyumri")]}, headers=official
        )
        assert response.status_code == 403
        assert (await client.get(url)).json() == programme

    async def test_an_official_cannot_change_or_delete_another_territorys_programme(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        token_for: Callable[..., str],
        masis_center: dict[str, Any],
    ) -> None:
        programme = await create_programme(client, admin, communities=[community("gyumri")])
        url = f"/v1/programmes/{programme['id']}"
        official = official_of(token_for, masis_center["id"])
        response = await client.patch(
            url, json={"communities": [community("masis")]}, headers=official
        )
        assert response.status_code == 403
        assert (await client.delete(url, headers=official)).status_code == 403
        assert (await client.get(url)).json() == programme


class TestGetProgramme:
    async def test_an_unknown_programme_is_404(self, client: httpx.AsyncClient) -> None:
        assert (await client.get(f"/v1/programmes/{UNKNOWN_ID}")).status_code == 404

    async def test_if_none_match_with_the_current_etag_is_304(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        programme = await create_programme(client, admin)
        url = f"/v1/programmes/{programme['id']}"
        etag = (await client.get(url)).headers["ETag"]
        assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 304
        assert (await client.get(url, headers={"If-None-Match": '"0"'})).status_code == 200


class TestListProgrammes:
    async def test_each_filter_finds_what_it_names(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        masis_ngo: dict[str, Any],
        donor: dict[str, Any],
    ) -> None:
        inclusion = await create_programme(
            client, admin, name={"hy": "Սոցիալական ներառում", "en": "Social inclusion"},
            description="Case management pilot", period={"starts_on": "2021-07-01",
                                                         "ends_on": "2024-06-30"},
            actors=[{"actor_id": masis_ngo["id"], "role": "lead"},
                    {"actor_id": donor["id"], "role": "funder"}],
            target_groups=["low_income_families"], communities=[community("masis")],
        )  # fmt: skip
        shelter = await create_programme(
            client, admin, name={"hy": "Ապաստան", "en": "Shelter"}, status="planned",
            period={"starts_on": "2025-01-01", "ends_on": None},
            actors=[{"actor_id": donor["id"], "role": "lead"}],
            target_groups=["homeless"], communities=[community("gyumri")],
        )  # fmt: skip

        async def ids(**params: Any) -> list[str]:
            return [p["id"] for p in await programmes_listed(client, **params)]

        assert set(await ids()) == {inclusion["id"], shelter["id"]}
        assert await ids(actor_id=masis_ngo["id"]) == [inclusion["id"]]
        assert set(await ids(actor_id=donor["id"])) == {inclusion["id"], shelter["id"]}
        assert await ids(actor_id=donor["id"], role="lead") == [shelter["id"]]
        assert await ids(role="funder") == [inclusion["id"]]
        assert await ids(target_group="homeless") == [shelter["id"]]
        assert await ids(community_id=community("masis")) == [inclusion["id"]]
        assert await ids(region="AM-SH") == [shelter["id"]]
        assert await ids(status="planned") == [shelter["id"]]
        assert await ids(q="ՆԵՐԱՌՈՒՄ") == [inclusion["id"]]
        assert await ids(q="management pilot") == [inclusion["id"]]
        assert await ids(active_on="2022-03-01") == [inclusion["id"]]
        assert await ids(active_on="2021-07-01") == [inclusion["id"]]
        assert await ids(active_on="2024-06-30") == [inclusion["id"]]
        assert await ids(active_on="2024-12-31") == []
        assert await ids(active_on="2030-01-01") == [shelter["id"]]

    async def test_a_programme_without_dates_runs_on_any_day(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        programme = await create_programme(client, admin)
        assert [p["id"] for p in await programmes_listed(client, active_on="1999-01-01")] == [
            programme["id"]
        ]

    async def test_pages_follow_the_armenian_name_and_cover_everything_once(
        self, client: httpx.AsyncClient, admin: dict[str, str], masis_ngo: dict[str, Any]
    ) -> None:
        names = ["Դ", "Ա", "Գ", "Բ", "Ե"]
        for name in names:
            await create_programme(
                client, admin, name={"hy": name},
                actors=[{"actor_id": masis_ngo["id"], "role": "lead"}],
            )  # fmt: skip
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/v1/programmes", params=params)).json()
            seen += [p["name"]["hy"] for p in page["items"]]
            assert all(p["actors"][0]["name"]["hy"] == "Հույսի կամուրջ" for p in page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == sorted(names)


class TestEditProgramme:
    async def test_a_patch_changes_only_what_it_sends(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        masis_ngo: dict[str, Any],
        donor: dict[str, Any],
    ) -> None:
        programme = await create_programme(
            client, admin, budget={"amount": "1000", "currency": "USD"},
            actors=[{"actor_id": masis_ngo["id"], "role": "lead"}],
        )  # fmt: skip
        url = f"/v1/programmes/{programme['id']}"
        response = await client.patch(
            url,
            json={"actors": [{"actor_id": masis_ngo["id"], "role": "lead"},
                             {"actor_id": donor["id"], "role": "funder"}]},
            headers=admin | {"If-Match": await current_etag(client, url, admin)},
        )  # fmt: skip
        assert response.status_code == 200, response.text
        edited = response.json()
        assert {(a["actor_id"], a["role"]) for a in edited["actors"]} == {
            (masis_ngo["id"], "lead"), (donor["id"], "funder"),
        }  # fmt: skip
        assert edited["budget"] == {"amount": "1000.00", "currency": "USD"}
        assert edited["name"] == programme["name"]
        assert edited["version"] > programme["version"]
        assert (await client.get(url)).json() == edited

    async def test_a_patched_period_is_checked_with_the_rest(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        programme = await create_programme(
            client, admin, period={"starts_on": "2022-01-01", "ends_on": None}
        )
        url = f"/v1/programmes/{programme['id']}"
        response = await client.patch(
            url, json={"period": {"starts_on": "2022-01-01", "ends_on": "2021-01-01"}},
            headers=admin,
        )  # fmt: skip
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "period.ends_on"
        response = await client.patch(url, json={"services": [UNKNOWN_ID]}, headers=admin)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "services"
        assert (await client.get(url)).json() == programme

    async def test_a_stale_if_match_is_412_and_changes_nothing(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        programme = await create_programme(client, admin)
        url = f"/v1/programmes/{programme['id']}"
        read = await current_etag(client, url, admin)
        await client.patch(url, json={"status": "completed"}, headers=admin)
        current = (await client.get(url)).json()
        response = await client.patch(
            url, json={"status": "planned"}, headers=admin | {"If-Match": read}
        )
        assert response.status_code == 412
        assert (await client.get(url)).json() == current


class TestDeleteProgramme:
    async def test_a_deleted_programme_is_gone_and_its_actors_are_free(
        self, client: httpx.AsyncClient, admin: dict[str, str], masis_ngo: dict[str, Any]
    ) -> None:
        programme = await create_programme(
            client, admin, actors=[{"actor_id": masis_ngo["id"], "role": "lead"}]
        )
        url = f"/v1/programmes/{programme['id']}"
        assert (
            await client.delete(f"/v1/actors/{masis_ngo['id']}", headers=admin)
        ).status_code == (409)
        assert (await client.delete(url, headers=admin | {"If-Match": '"999"'})).status_code == 412
        assert (await client.get(url)).json() == programme
        response = await client.delete(
            url, headers=admin | {"If-Match": await current_etag(client, url, admin)}
        )
        assert response.status_code == 204
        assert (await client.get(url)).status_code == 404
        assert await programmes_listed(client) == []
        assert (await client.delete(f"/v1/actors/{masis_ngo['id']}", headers=admin)).is_success


class TestProgrammeAudit:
    async def test_every_write_is_in_the_trail(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        programme = await create_programme(client, admin, budget={"amount": 10, "currency": "AMD"})
        url = f"/v1/programmes/{programme['id']}"
        await client.patch(url, json={"budget": {"amount": 20, "currency": "AMD"}}, headers=admin)
        await client.delete(url, headers=admin)
        response = await client.get(
            "/v1/audit",
            params={"resource_type": "programme", "resource_id": programme["id"]},
            headers=admin,
        )
        entries = response.json()["items"]
        assert [e["action"] for e in entries] == ["create", "update", "delete"]
        assert entries[1]["changes"] == {
            "budget": [
                {"amount": "10.00", "currency": "AMD"},
                {"amount": "20.00", "currency": "AMD"},
            ]
        }
        assert entries[2]["changes"]["name"][1] is None
