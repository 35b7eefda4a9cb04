"""Registry test fixtures: an app on a fresh migrated database, clients, tokens, and typed
`create_*` helpers that build the data each test needs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.registry.app import create_app
from services.registry.config import RegistrySettings
from services.registry.reference import community_id


def community(code: str) -> str:
    """The id of a reference community shipped by the migration (e.g. "masis")."""
    return str(community_id(code))


@pytest.fixture
async def app(fresh_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[FastAPI]:
    app = create_app(RegistrySettings(database_url=await fresh_database("registry")))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        yield client


@pytest.fixture
def admin(token_for: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for('admin', subject='admin-anna')}"}


@pytest.fixture
async def masis_center(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    return await create_center(client, admin, territory=[community("masis")])


@pytest.fixture
async def gyumri_center(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    return await create_center(
        client, admin, name={"hy": "Գյումրու կենտրոն", "en": "Gyumri center"},
        region_code="AM-SH", territory=[community("gyumri")],
    )  # fmt: skip


def official_of(token_for: Callable[..., str], center_id: str) -> dict[str, str]:
    token = token_for("center_official", centers=[center_id], subject="official-aram")
    return {"Authorization": f"Bearer {token}"}


async def create_center(
    client: httpx.AsyncClient, admin: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = {
        "name": {"hy": "Մասիսի տարածքային կենտրոն", "en": "Masis center"},
        "region_code": "AM-AR",
        "territory": [community("masis")],
    } | fields
    response = await client.post("/v1/centers", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def create_actor(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = {
        "kind": "legal_entity",
        "legal_form": "cso",
        "name": {"hy": "Հույսի կամուրջ", "en": "Bridge of Hope"},
        "located_in": [community("masis")],
    } | fields
    response = await client.post("/v1/actors", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def create_service(
    client: httpx.AsyncClient, headers: dict[str, str], provider_id: str, **fields: Any
) -> dict[str, Any]:
    body = {
        "provider_id": provider_id,
        "name": {"hy": "Տարեցների տնային խնամք", "en": "Home care for the elderly"},
        "category_code": "home_care",
        "target_groups": ["elderly"],
        "communities": [community("masis")],
        "cost": {"free": True},
    } | fields
    response = await client.post("/v1/services", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def create_programme(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = {
        "name": {"hy": "Սոցիալական ներառում", "en": "Social inclusion"},
        "communities": [community("masis")],
    } | fields
    response = await client.post("/v1/programmes", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def current_etag(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> str:
    """The ETag of the resource as this caller reads it now, for `If-Match`."""
    response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["etag"]
