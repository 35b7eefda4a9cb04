"""Grants test fixtures: the app on a fresh migrated database, with a real registry app (on its
own fresh database) answering in-process; clients that check every refused write wrote
nothing; tokens; and `create_*` helpers that build the data each test needs."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.grants.app import create_app
from services.grants.clients import make_registry
from services.grants.config import GrantsSettings
from services.grants.models import audit_log, outbox
from services.registry.app import create_app as create_registry_app
from services.registry.config import RegistrySettings
from shared.testing import journal_checking_client
from shared.testing import journal_counts as shared_journal_counts

Headers = dict[str, str]
COMMUNITY_NAMESPACE = uuid.UUID("6f1c0f5e-0d3b-4c59-9a57-5e0b7c1a2f10")


def community(code: str) -> str:
    """The id of a community the registry's migrations ship (uuid5 of its code)."""
    return str(uuid.uuid5(COMMUNITY_NAMESPACE, code))


GYUMRI, GORIS, MASIS = community("gyumri"), community("goris"), community("masis")


@pytest.fixture
async def registry_app(fresh_database: Callable[..., Awaitable[str]]) -> AsyncIterator[FastAPI]:
    url = await fresh_database("registry")
    app = create_registry_app(RegistrySettings(database_url=url))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def app(
    fresh_database: Callable[..., Awaitable[str]], registry_app: FastAPI
) -> AsyncIterator[FastAPI]:
    url = await fresh_database("grants")
    app = create_app(
        GrantsSettings(database_url=url, registry_url="http://registry"),
        registry_transport=httpx.ASGITransport(app=registry_app),
    )
    async with app.router.lifespan_context(app):
        yield app


class _Unreachable(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)


@pytest.fixture
def registry_down(app: FastAPI) -> Callable[[], None]:
    """`registry_down()`: from now on the registry does not answer the grants service."""

    def stop() -> None:
        app.state.registry = make_registry("http://registry", timeout=1.0,
                                           transport=_Unreachable())  # fmt: skip

    return stop


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app that checks, on every refused write, that nothing was journaled."""
    async with journal_checking_client(app, "http://grants", audit_log, outbox) as client:
        yield client


@pytest.fixture
async def registry(registry_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=registry_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        yield client


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin(token_for: Callable[..., str]) -> Headers:
    return bearer(token_for("admin", subject="admin-anna"))


@pytest.fixture
def officer(token_for: Callable[..., str]) -> Headers:
    return bearer(token_for("grants_officer", subject="officer-gohar"))


@pytest.fixture
def gyumri_official(token_for: Callable[..., str]) -> Headers:
    return bearer(token_for("community_official", subject="official-gyumri",
                            communities=[GYUMRI]))  # fmt: skip


def plan_body(**fields: Any) -> dict[str, Any]:
    return {
        "community_id": GYUMRI,
        "period_from": 2020,
        "period_to": 2022,
        "title": {"hy": "Գյումրու տեղական սոցիալական պլան", "en": "Gyumri local social plan"},
        "needs_assessment": "Տարեցների և հաշմանդամություն ունեցող երեխաների կարիքներ",
        "priorities": [
            {
                "title": {"hy": "Տարեցների տնային խնամք", "en": "Home care for the elderly"},
                "target_groups": ["elderly"],
                "service_categories": ["home_care"],
                "indicators": ["տարեցներ, որոնք ստանում են խնամք"],
                "estimated_cost": {"amount": "12000000", "currency": "AMD"},
            },
            {
                "title": {"hy": "Ցերեկային կենտրոն երեխաների համար"},
                "target_groups": ["children", "persons_with_disabilities"],
                "service_categories": ["day_care"],
            },
        ],
    } | fields


async def create_plan(client: httpx.AsyncClient, headers: Headers, **fields: Any) -> dict[str, Any]:
    response = await client.post("/v1/plans", json=plan_body(**fields), headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


CONSULTATION = {
    "held_on": "2020-10-12",
    "format": "public_hearing",
    "groups": [
        {"group": "Տարեցներ", "target_group": "elderly", "participants": 18},
        {"group": "Ծնողներ", "participants": 12},
    ],
    "summary": "Տնային խնամքի և ցերեկային կենտրոնի կարիք",
}


async def adopted_plan(
    client: httpx.AsyncClient, headers: Headers, **fields: Any
) -> dict[str, Any]:
    """A plan taken through consultation to adoption."""
    plan = await create_plan(client, headers, **fields)
    url = f"/v1/plans/{plan['id']}"
    assert (await client.post(f"{url}/consultation", headers=headers)).status_code == 200
    added = await client.post(f"{url}/consultations", json=CONSULTATION, headers=headers)
    assert added.status_code == 201, added.text
    adopted = await client.post(
        f"{url}/adoption", json={"number": "12-Ն", "date": "2020-12-25"}, headers=headers
    )
    assert adopted.status_code == 200, adopted.text
    return dict(adopted.json())


async def journal_counts(app: FastAPI) -> tuple[int, int]:
    """How many audit entries and events the grants service holds."""
    return await shared_journal_counts(app, audit_log, outbox)
