"""What every service's API promises whatever its domain: see shared/openapi.py and inputs.py."""

from __future__ import annotations

from typing import Any

import httpx

PROBLEM = "application/problem+json"


class TestRefusals:
    async def test_a_405_names_every_method_the_path_allows(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.delete("/v1/notes")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, POST"
        item = await client.post("/v1/notes/00000000-0000-0000-0000-000000000000")
        assert item.headers["allow"] == "GET, PATCH"

    async def test_malformed_json_says_line_and_column(self, client: httpx.AsyncClient) -> None:
        body = b'{\n  "text": "a",,\n}'
        response = await client.post(
            "/v1/notes", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == PROBLEM
        assert "line 2, column 15" in response.json()["detail"]
        assert response.json()["errors"][0]["field"] == "body"

    async def test_a_nul_character_is_refused_anywhere(self, client: httpx.AsyncClient) -> None:
        json = {"content-type": "application/json"}
        refused = [
            await client.get("/v1/notes", params={"cursor": "a\x00"}),
            await client.get("/v1/notes/%00"),
            await client.post("/v1/notes", json={"text": "a\x00b"}),
            await client.post(
                "/v1/notes", content=b'{"text": "a\x00"}', headers={"content-type": "text/csv"}
            ),
            await client.post("/v1/notes", content=b'{"text": "\\ud800"}', headers=json),
        ]
        for response in refused:
            assert response.status_code == 422, response.text
            assert response.headers["content-type"] == PROBLEM
        assert refused[0].json()["errors"][0]["field"] == "query"
        assert refused[2].json()["errors"][0]["field"] == "body"
        # An escaped backslash before u0000 is text, and a surrogate pair is one character.
        kept = await client.post("/v1/notes", json={"text": "\\u0000 😀"})
        assert kept.status_code == 201
        assert kept.json()["text"] == "\\u0000 😀"


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, o) for p, ops in schema["paths"].items() for m, o in ops.items()]


class TestOpenAPI:
    async def test_every_error_is_a_problem_and_success_is_typed(
        self, client: httpx.AsyncClient
    ) -> None:
        schema = (await client.get("/openapi.json")).json()
        assert "HTTPValidationError" not in schema["components"]["schemas"]
        for _, _, operation in _operations(schema):
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    assert list(response["content"]) == [PROBLEM]
                    assert response["content"][PROBLEM]["schema"]["$ref"].endswith("/Problem")
                assert "X-Request-ID" in response["headers"]

    async def test_headers_follow_from_routes(self, client: httpx.AsyncClient) -> None:
        schema = (await client.get("/openapi.json")).json()
        paths = schema["paths"]

        def headers(method: str, path: str) -> set[str]:
            parameters = paths[path][method].get("parameters", [])
            return {p["name"] for p in parameters if p["in"] == "header"}

        language = "Accept-Language"  # wherever a problem may be answered
        assert headers("post", "/v1/notes") == {"Idempotency-Key", language}
        assert headers("get", "/v1/notes/{note_id}") == {"If-None-Match", language}
        assert headers("patch", "/v1/notes/{note_id}") == {"If-Match", language}
        assert headers("get", "/v1/notes") == {language}
        assert "parameters" not in paths["/healthz"]["get"]
        created = paths["/v1/notes"]["post"]["responses"]["201"]["headers"]
        assert {"ETag", "Location", "Idempotent-Replayed"} <= set(created)
        edit = paths["/v1/notes/{note_id}"]["patch"]["responses"]
        assert {"401", "403", "404", "412", "422", "503"} <= set(edit)
        assert "Content-Language" in edit["412"]["headers"]
        assert "304" in paths["/v1/notes/{note_id}"]["get"]["responses"]

    async def test_titles_are_unique(self, client: httpx.AsyncClient) -> None:
        schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
        titles = [s["title"] for s in schemas.values()]
        assert len(titles) == len(set(titles))


class TestDocs:
    async def test_swagger_ui_comes_from_the_service_itself(
        self, client: httpx.AsyncClient
    ) -> None:
        page = (await client.get("/docs")).text
        assert "cdn" not in page.lower()
        assert "/docs-files/swagger-ui-bundle.js" in page
        script = await client.get("/docs-files/swagger-ui-bundle.js")
        assert script.status_code == 200
        assert "SwaggerUIBundle" in script.text[:2000]
        redoc = (await client.get("/redoc")).text
        assert "/docs-files/redoc.standalone.js" in redoc
        assert "fonts.googleapis" not in redoc
