"""Every list answers one shape and refuses bad input the same way (issue 9)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx
import pytest

from services.registry.tests.conftest import community, create_actor, create_center

PROBLEM = "application/problem+json"
FORGED = (["a", 5], [5, "a"], [5.5], [True], [None], [{"x": 1}, []], ["a", "b", "c"])


def _forged(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
async def ids(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, str]:
    """An id for each path parameter a list can have."""
    center = await create_center(client, admin)
    network = await client.post(
        "/v1/networks", headers=admin,
        json={"center_id": center["id"], "name": {"hy": "Ցանց"}, "form": "mixed",
              "goals": ["poverty_reduction"], "founded_on": "2024-03-01"},
    )  # fmt: skip
    assert network.status_code == 201, network.text
    return {"center_id": center["id"], "network_id": network.json()["id"]}


async def _lists(
    client: httpx.AsyncClient, ids: dict[str, str]
) -> list[tuple[str, dict[str, str]]]:
    """Every GET of the OpenAPI that takes a `cursor`: its path with ids filled in, and values
    for its required query parameters."""
    samples = {"q": "a", "resource_type": "center", "resource_id": ids["center_id"]}
    schema = (await client.get("/openapi.json")).json()
    found = []
    for path, operations in schema["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        if any(p["name"] == "cursor" for p in parameters):
            required = {p["name"]: samples[p["name"]] for p in parameters
                        if p["required"] and p["in"] == "query"}  # fmt: skip
            found.append((re.sub(r"\{(\w+)\}", lambda m: ids[m[1]], path), required))
    return found


class TestOneListShape:
    async def test_no_operation_answers_a_bare_array(self, client: httpx.AsyncClient) -> None:
        schema = (await client.get("/openapi.json")).json()
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                for response in operation["responses"].values():
                    for media in response.get("content", {}).values():
                        assert media["schema"].get("type") != "array", (method, path)

    async def test_every_list_is_items_and_next_cursor(
        self, client: httpx.AsyncClient, ids: dict[str, str], admin: dict[str, str]
    ) -> None:
        lists = await _lists(client, ids)
        paths = {path for path, _ in lists}
        assert {"/v1/regions", "/v1/events", "/v1/taxonomies/cooperation-goals"} <= paths
        assert f"/v1/centers/{ids['center_id']}/gaps" in paths
        for path, required in lists:
            params = {"limit": 1} | required
            response = await client.get(path, params=params, headers=admin)
            assert response.status_code == 200, (path, response.text)
            assert set(response.json()) == {"items", "next_cursor"}, path

    async def test_a_well_formed_cursor_of_wrong_types_is_a_422_on_every_list(
        self, client: httpx.AsyncClient, ids: dict[str, str], admin: dict[str, str]
    ) -> None:
        for path, query in await _lists(client, ids):
            for values in FORGED:
                params = query | {"cursor": _forged(values)}
                response = await client.get(path, params=params, headers=admin)
                assert response.status_code == 422, (path, values, response.text)
                assert response.headers["content-type"] == PROBLEM

    async def test_code_lists_page_through(self, client: httpx.AsyncClient) -> None:
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 5} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/v1/taxonomies/cooperation-goals", params=params)).json()
            seen += [t["code"] for t in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 12
        assert "poverty_reduction" in seen


class TestTheFeed:
    async def test_reads_on_from_next_cursor(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        for i in range(3):
            await create_actor(client, admin, name={"hy": f"Ա{i}"})
        first = (await client.get("/v1/events", params={"limit": 2})).json()
        assert [e["seq"] for e in first["items"]] == [1, 2]
        rest = (await client.get("/v1/events", params={"cursor": first["next_cursor"]})).json()
        assert [e["seq"] for e in rest["items"]] == [3]
        # Up to date: an empty page, and a cursor to ask again with later.
        later = (await client.get("/v1/events", params={"cursor": rest["next_cursor"]})).json()
        assert later["items"] == []
        await create_actor(client, admin, name={"hy": "Նոր"})
        new = (await client.get("/v1/events", params={"cursor": later["next_cursor"]})).json()
        assert [e["seq"] for e in new["items"]] == [4]

    async def test_a_position_beyond_any_number_is_a_422(self, client: httpx.AsyncClient) -> None:
        for after in ("999999999999999999999", "9223372036854775808", "-1"):
            response = await client.get("/v1/events", params={"after": after})
            assert response.status_code == 422, response.text
        negative = await client.get("/v1/events", params={"cursor": _forged([-5])})
        assert negative.status_code == 422


class TestSameFilterSameRule:
    async def test_an_unknown_region_is_a_422_on_every_route(
        self, client: httpx.AsyncClient, ids: dict[str, str]
    ) -> None:
        schema = (await client.get("/openapi.json")).json()
        routes = [
            path for path, operations in schema["paths"].items()
            if any(p["name"] == "region" for p in operations.get("get", {}).get("parameters", []))
        ]  # fmt: skip
        assert {"/v1/actors", "/v1/services", "/v1/exports/hsds", "/v1/search"} <= set(routes)
        for path in routes:
            params = {"region": "AM-XX"} | ({"q": "a"} if path == "/v1/search" else {})
            response = await client.get(path, params=params)
            assert response.status_code == 422, (path, response.text)
            assert response.json()["errors"][0]["field"] in ("query.region", "region")
            known = await client.get(path, params=params | {"region": "am-ar"})
            assert known.status_code == 200, (path, known.text)


class TestSearchText:
    async def test_the_separator_of_folded_names_matches_nothing(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        await create_actor(client, admin, name={"hy": "Հույս", "en": "Hope"})
        await create_actor(
            client, admin, name={"hy": "Ծառ | Փայտ"}, located_in=[community("ararat")]
        )
        found = (await client.get("/v1/actors", params={"q": "|"})).json()["items"]
        assert [a["name"]["hy"] for a in found] == ["Ծառ | Փայտ"]
        searched = (await client.get("/v1/search", params={"q": "|"})).json()["items"]
        assert [h["name"]["hy"] for h in searched] == ["Ծառ | Փայտ"]


class TestTheOpenAPI:
    async def test_optional_sign_in_is_documented_as_optional(
        self, client: httpx.AsyncClient
    ) -> None:
        paths = (await client.get("/openapi.json")).json()["paths"]
        assert paths["/v1/actors"]["get"]["security"] == [{}, {"HTTPBearer": []}]
        assert "401" in paths["/v1/actors"]["get"]["responses"]
        assert paths["/v1/actors"]["post"]["security"] == [{"HTTPBearer": []}]
        assert "security" not in paths["/v1/services"]["get"]

    async def test_every_answer_is_typed_and_every_error_a_problem(
        self, client: httpx.AsyncClient
    ) -> None:
        schema = (await client.get("/openapi.json")).json()
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                for status, response in operation["responses"].items():
                    content = response.get("content", {})
                    if status in ("204", "304"):
                        assert not content
                    elif status.startswith("2"):
                        assert all(m.get("schema") for m in content.values()), (method, path)
                    else:
                        assert list(content) == [PROBLEM], (method, path, status)
                if operation.get("parameters") or "requestBody" in operation:
                    assert "422" in operation["responses"], (method, path)
                if "{" in path:
                    assert "404" in operation["responses"], (method, path)

    async def test_only_routes_that_honour_if_none_match_declare_it(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        center = await create_center(client, admin)
        paths = (await client.get("/openapi.json")).json()["paths"]
        region = paths["/v1/regions/{code}"]["get"]
        assert "304" not in region["responses"]
        declared = paths["/v1/centers/{center_id}"]["get"]
        assert "If-None-Match" in {p["name"] for p in declared["parameters"]}
        first = await client.get(f"/v1/centers/{center['id']}")
        again = await client.get(
            f"/v1/centers/{center['id']}", headers={"If-None-Match": first.headers["ETag"]}
        )
        assert again.status_code == 304
