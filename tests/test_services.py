"""What every one of the four services does the same way."""

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI

from services.councils.app import create_app as councils_app
from services.councils.config import CouncilsSettings
from services.gateway.app import create_app as gateway_app
from services.gateway.config import GatewaySettings
from services.grants.app import create_app as grants_app
from services.grants.config import GrantsSettings
from services.registry.app import create_app as registry_app
from services.registry.config import RegistrySettings

SERVICES = ["registry", "councils", "grants", "gateway"]


async def _build(name: str, fresh_database: Callable[[str], Awaitable[str]]) -> FastAPI:
    if name == "registry":
        return registry_app(RegistrySettings(database_url=await fresh_database(name)))
    if name == "councils":
        return councils_app(CouncilsSettings(database_url=await fresh_database(name)))
    if name == "grants":
        return grants_app(GrantsSettings(database_url=await fresh_database(name)))
    return gateway_app(GatewaySettings())


@pytest.fixture(params=SERVICES)
async def service(
    request: pytest.FixtureRequest, fresh_database: Callable[[str], Awaitable[str]]
) -> AsyncIterator[httpx.AsyncClient]:
    app = await _build(request.param, fresh_database)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        base_url = "http://gateway" if request.param == "gateway" else "http://svc"
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


async def test_alive_ready_and_measured(service: httpx.AsyncClient) -> None:
    assert (await service.get("/healthz")).json() == {"status": "ok"}
    assert (await service.get("/readyz")).status_code == 200
    metrics = await service.get("/metrics")
    assert "spn_http_requests_total" in metrics.text
    assert 'route="/readyz"' in metrics.text


async def test_unknown_path_is_a_problem(service: httpx.AsyncClient) -> None:
    response = await service.get("/v1/does-not-exist")
    if service.base_url.host == "gateway":
        # No backend runs here: the gateway cannot know that none of them owns the path.
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
    else:
        assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_openapi_has_stable_operation_ids(service: httpx.AsyncClient) -> None:
    spec = (await service.get("/openapi.json")).json()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert all("__" not in op_id for op_id in ids), "no generated ids with path fragments"


@pytest.mark.parametrize("name", ["registry", "councils", "grants"])
async def test_readyz_fails_when_the_database_is_gone(name: str) -> None:
    settings_class = {"registry": RegistrySettings, "councils": CouncilsSettings,
                      "grants": GrantsSettings}[name]  # fmt: skip
    factory = {"registry": registry_app, "councils": councils_app, "grants": grants_app}[name]
    app = factory(settings_class(database_url="postgresql://nobody@127.0.0.1:9/gone"))  # type: ignore[operator]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            assert (await client.get("/readyz")).status_code == 503
            assert (await client.get("/healthz")).status_code == 200


async def test_gateway_is_ready_even_when_backends_are_down() -> None:
    app = gateway_app(GatewaySettings(registry_url="http://127.0.0.1:9"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            assert (await client.get("/readyz")).status_code == 200
            status = (await client.get("/v1/status")).json()
            assert status["status"] == "degraded"
            assert status["services"]["registry"]["status"] == "down"
