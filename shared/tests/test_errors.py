import logging

import httpx
import pytest

PROBLEM = "application/problem+json"


class TestProblemDetails:
    async def test_unknown_path_is_a_problem_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/nowhere")
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
        body = response.json()
        assert body["status"] == 404
        assert body["type"].endswith("/not-found")
        assert "/v1/nowhere" in body["detail"]

    async def test_wrong_method_is_a_problem_405(self, client: httpx.AsyncClient) -> None:
        response = await client.delete("/v1/notes")
        assert response.status_code == 405
        assert response.headers["content-type"] == PROBLEM
        assert "DELETE" in response.json()["detail"]

    async def test_malformed_body_names_the_field(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/v1/notes", json={"text": ""})
        assert response.status_code == 422
        assert response.headers["content-type"] == PROBLEM
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == ["text"]

    async def test_body_that_is_not_json_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v1/notes", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert response.status_code == 422
        assert response.json()["errors"]

    async def test_bad_path_parameter_names_it(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/notes/not-a-uuid")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "path.note_id"

    async def test_unexpected_error_is_a_500_without_internals(
        self, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.ERROR):
            response = await client.get("/v1/notes/-/boom")
        assert response.status_code == 500
        assert response.headers["content-type"] == PROBLEM
        assert "hunter2" not in response.text
        assert "Traceback" not in response.text
        request_id = response.json()["request_id"]
        assert request_id == response.headers["x-request-id"]
        logged = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert logged, "the error is logged"
        assert "hunter2" in (logged[0].exc_text or "") or logged[0].exc_info

    async def test_request_id_is_kept_from_the_caller(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        assert response.headers["x-request-id"] == "abc-123"

    async def test_unsafe_request_id_is_replaced(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz", headers={"X-Request-ID": "a b\tc"})
        assert response.headers["x-request-id"] != "a b\tc"
        assert len(response.headers["x-request-id"]) == 32
