from collections.abc import Callable
from typing import Any

import httpx

from services.registry.tests.conftest import community, create_actor, create_center, official_of

HEADER = (
    "kind,legal_form,name_hy,name_en,tax_number,community,phone,capacities,"
    "service_name_hy,service_category,service_target_groups,service_communities,"
    "service_price,service_currency\n"
)
GOOD = HEADER + (
    "legal_entity,cso,«Հույս» ՀԿ,Hope NGO,04712345,masis,+37423642211,volunteers;premises,"
    "Տարեցների խնամք,elderly_care,elderly,masis;ararat,,\n"
    "legal_entity,cso,«Հույս» ՀԿ,Hope NGO,04712345,masis,+37423642211,volunteers;premises,"
    "Հոգեբանական աջակցություն,psychological,children;youth,masis,,\n"
    "individual_entrepreneur,,ԱՁ Արամ Սարգսյան,,48112233,ararat,091123456,transport,"
    "Տեղափոխում,health_access,elderly,ararat,2000,AMD\n"
)


async def _import(
    client: httpx.AsyncClient, headers: dict[str, str], body: bytes | str, *, dry_run: bool
) -> httpx.Response:
    content = body.encode() if isinstance(body, str) else body
    return await client.post(
        "/v1/imports/actors",
        params={"dry_run": str(dry_run).lower()},
        content=content,
        headers=headers | {"Content-Type": "text/csv"},
    )


async def _actor_count(client: httpx.AsyncClient) -> int:
    return len((await client.get("/v1/actors", params={"limit": 200})).json()["items"])


class TestDryRun:
    async def test_a_good_file_is_reported_valid_and_nothing_is_written(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await _import(client, admin, GOOD, dry_run=True)
        assert response.status_code == 200
        report = response.json()
        assert report == report | {"valid": True, "rows": 3, "actors": 2, "services": 3,
                                   "errors": []}  # fmt: skip
        assert await _actor_count(client) == 0

    async def test_every_bad_row_is_reported_with_line_and_reason(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        bad = HEADER + (
            "legal_entity,cso,Լավ ՀԿ,,04712345,masis,,,,,,,,\n"
            "legal_entity,cso,Վատ ՀԿ,,1234,masis,,,,,,,,\n"
            "legal_entity,cso,,,,masis,,,,,,,,\n"
            "legal_entity,cso,Գ ՀԿ,,,atlantis,,,,,,,,\n"
            "legal_entity,cso,Դ ՀԿ,,,masis,,,Ծառայություն,astrology,,,,\n"
            "legal_entity,cso,Ե ՀԿ,,,masis,,,Ծառայություն,legal_aid,,,500,\n"
        )
        report = (await _import(client, admin, bad, dry_run=True)).json()
        assert report["valid"] is False
        found = {(e["line"], e["field"]) for e in report["errors"]}
        assert (3, "tax_number") in found
        assert (4, "name_hy") in found
        assert (5, "community") in found
        assert (6, "service_category") in found
        assert any(line == 7 and field.startswith("service_") for line, field in found)
        assert all(line != 2 for line, _ in found)
        assert await _actor_count(client) == 0


class TestRealRun:
    async def test_a_good_file_creates_actors_and_services(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await _import(client, admin, GOOD, dry_run=False)
        assert response.status_code == 201, response.text
        report = response.json()
        assert len(report["actor_ids"]) == 2
        assert len(report["service_ids"]) == 3
        hope = (await client.get(f"/v1/actors/{report['actor_ids'][0]}")).json()
        assert hope["name"]["en"] == "Hope NGO"
        assert hope["located_in"] == [community("masis")]
        assert [c["kind"] for c in hope["capacities"]] == ["volunteers", "premises"]
        services = (await client.get("/v1/services", params={"provider_id": hope["id"]})).json()
        assert len(services["items"]) == 2
        priced = (await client.get(f"/v1/services/{report['service_ids'][2]}")).json()
        assert priced["cost"]["price"] == {"amount": "2000.00", "currency": "AMD"}

    async def test_one_bad_row_writes_nothing(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        broken = GOOD + "legal_entity,cso,Վատ,,99,masis,,,,,,,,\n"
        response = await _import(client, admin, broken, dry_run=False)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["line"] == 5
        assert await _actor_count(client) == 0

    async def test_a_tax_number_already_registered_is_a_row_error(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        existing = await create_actor(client, admin, tax_number="04712345")
        report = (await _import(client, admin, GOOD, dry_run=True)).json()
        assert report["errors"][0]["field"] == "tax_number"
        assert existing["id"] in report["errors"][0]["message"]


class TestFileProblems:
    async def test_wrong_encoding_is_refused(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        latin = "kind,name_hy\nlegal_entity,Café\n".encode("cp1252")
        response = await _import(client, admin, latin, dry_run=True)
        assert response.status_code == 422
        assert "UTF-8" in response.json()["detail"]

    async def test_unknown_columns_and_missing_required_ones(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        typo = await _import(client, admin, "kind,nmae_hy\nlegal_entity,Ա\n", dry_run=True)
        assert typo.status_code == 422
        assert "nmae_hy" in typo.json()["detail"]
        missing = await _import(client, admin, "kind\nlegal_entity\n", dry_run=True)
        assert "name_hy" in missing.json()["detail"]

    async def test_semicolon_separated_file_with_bom(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        text = "kind;legal_form;name_hy;located_in\nlegal_entity;cso;Ա ՀԿ;masis|ararat\n"
        response = await _import(client, admin, "\ufeff" + text, dry_run=False)
        assert response.status_code == 201, response.text
        actor_id = response.json()["actor_ids"][0]
        actor = (await client.get(f"/v1/actors/{actor_id}")).json()
        assert set(actor["located_in"]) == {community("masis"), community("ararat")}


class TestWhoMayImport:
    async def test_an_official_imports_only_into_their_territory(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        token_for: Callable[..., str],
    ) -> None:
        center: dict[str, Any] = await create_center(client, admin, territory=[community("masis")])
        official = official_of(token_for, center["id"])
        report = (await _import(client, official, GOOD, dry_run=True)).json()
        assert [(e["line"], e["field"]) for e in report["errors"]] == [(4, "located_in")]
        assert (await _import(client, {}, GOOD, dry_run=True)).status_code == 401
        refused = await _import(client, official, GOOD, dry_run=False)
        assert refused.status_code == 403
        assert [e["line"] for e in refused.json()["errors"]] == [4]
        assert await _actor_count(client) == 0


class TestWhatTheContractSays:
    async def test_a_body_that_is_not_csv_is_a_415(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await client.post(
            "/v1/imports/actors", json={"kind": "legal_entity"}, headers=admin
        )
        assert response.status_code == 415
        assert response.headers["content-type"] == "application/problem+json"
        assert "text/csv" in response.json()["detail"]

    async def test_a_file_over_ten_megabytes_is_a_413(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        huge = HEADER + ("legal_entity,cso,Ա,,,masis,,,,,,,,\n" * 400_000)
        assert len(huge.encode()) > 10 * 1024 * 1024
        response = await _import(client, admin, huge, dry_run=True)
        assert response.status_code == 413
        assert "10 MB" in response.json()["detail"]

    async def test_a_stray_quote_in_the_header_line_is_a_422(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await _import(client, admin, 'kind,"name_hy\nlegal_entity,Ա\n', dry_run=True)
        assert response.status_code == 422, response.text
        assert "Line 1" in response.json()["detail"]

    async def test_the_openapi_declares_the_csv_body_and_both_answers(
        self, client: httpx.AsyncClient
    ) -> None:
        operation = (await client.get("/openapi.json")).json()["paths"]["/v1/imports/actors"]
        assert list(operation["post"]["requestBody"]["content"]) == ["text/csv"]
        assert {"200", "201", "403", "413", "415", "422"} <= set(operation["post"]["responses"])
