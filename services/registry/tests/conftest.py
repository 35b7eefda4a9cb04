"""Registry test fixtures: an app on a fresh migrated database, clients, tokens, and typed
`create_*` helpers that build the data each test needs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI

from services.registry.app import create_app
from services.registry.config import RegistrySettings
from services.registry.models import audit_log, outbox
from services.registry.reference import community_id
from shared.testing import DatabaseFactory, Seeded, journal_checking_client
from shared.testing import journal_counts as shared_journal_counts

T = TypeVar("T")
Headers = dict[str, str]


def community(code: str) -> str:
    """The id of a reference community shipped by the migration (e.g. "masis")."""
    return str(community_id(code))


@pytest.fixture
def registry_template() -> str | None:
    """The template each test's database is copied from: the migrated one, or a module's
    seeded one (see `seed_registry`)."""
    return None


@pytest.fixture
async def app(
    fresh_database: Callable[..., Awaitable[str]], registry_template: str | None
) -> AsyncIterator[FastAPI]:
    url = await fresh_database("registry", template=registry_template)
    app = create_app(RegistrySettings(database_url=url))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app that checks, on every refused write, that nothing was journaled."""
    async with journal_checking_client(app, "http://registry", audit_log, outbox) as client:
        yield client


Seed = Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[T]]


def seed_registry(factory: DatabaseFactory, key: str, token: str, build: Seed[T]) -> Seeded:
    """A registry template holding what `build(client, admin_headers)` writes through the API,
    made once per `key` (a test module whose tests only read it, or start from it)."""

    async def seed(url: str) -> T:
        app = create_app(RegistrySettings(database_url=url))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://registry") as c:
                return await build(c, {"Authorization": f"Bearer {token}"})

    return factory.seeded("registry", key, seed)


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


@pytest.fixture
async def center(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    return await create_center(client, admin, territory=[community("masis"), community("ararat")])


@pytest.fixture
def official(token_for: Callable[..., str], center: dict[str, Any]) -> dict[str, str]:
    return official_of(token_for, center["id"])


async def create_network(
    client: httpx.AsyncClient, headers: dict[str, str], center_id: str, **fields: Any
) -> dict[str, Any]:
    body = {
        "center_id": center_id,
        "name": {"hy": "Մասիսի սոցիալական համագործակցության ցանց"},
        "form": "mixed",
        "goals": ["comprehensive_services", "poverty_reduction"],
        "founded_on": "2024-03-01",
    } | fields
    response = await client.post("/v1/networks", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def join(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    network_id: str,
    actor_id: str,
    **fields: Any,
) -> httpx.Response:
    body = {"actor_id": actor_id, "joined_on": "2024-04-01"} | fields
    return await client.post(f"/v1/networks/{network_id}/members", json=body, headers=headers)


async def journal_counts(app: FastAPI) -> tuple[int, int]:
    """How many audit entries and events the registry service holds."""
    return await shared_journal_counts(app, audit_log, outbox)
