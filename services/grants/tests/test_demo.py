"""The demo: what the source documents name, loaded through the rules, and every reference it
makes into the registry true of the registry's own demo."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from fastapi import FastAPI

from services.grants import demo
from services.grants.app import create_app
from services.grants.config import GrantsSettings
from services.registry import demo as registry_demo
from services.registry.app import create_app as create_registry_app
from services.registry.config import RegistrySettings
from shared.database import Database


async def _loaded(url: str) -> bool:
    database = Database(url)
    try:
        async with database.sessionmaker() as session, session.begin():
            return await demo.load(session)
    finally:
        await database.dispose()


async def _all(client: httpx.AsyncClient, path: str) -> list[dict[str, Any]]:
    response = await client.get(path, params={"limit": 200})
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return list(response.json()["items"])


async def test_the_demo_refers_to_what_the_registry_demo_holds(
    fresh_database: Callable[..., Awaitable[str]],
) -> None:
    registry_url = await fresh_database("registry")
    database = Database(registry_url)
    async with database.sessionmaker() as session, session.begin():
        assert await registry_demo.load(session)
    await database.dispose()
    grants_url = await fresh_database("grants")
    assert await _loaded(grants_url) is True
    assert await _loaded(grants_url) is False  # once

    registry_app: FastAPI = create_registry_app(RegistrySettings(database_url=registry_url))
    app = create_app(GrantsSettings(database_url=grants_url))
    async with (
        registry_app.router.lifespan_context(registry_app),
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g") as grants,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=registry_app), base_url="http://r"
        ) as registry,
    ):
        plans = await _all(grants, "/v1/plans")
        communities = {p["community_id"] for p in plans}
        assert len(plans) == 9 == len(communities)
        assert {p["status"] for p in plans} == {"adopted"}
        assert all(p["consultations"] == 1 and p["priorities"] for p in plans)
        names = set()
        for community_id in communities:
            found = await registry.get(f"/v1/communities/{community_id}")
            assert found.status_code == 200
            names.add(found.json()["name"]["en"])
        assert names == {"Gyumri", "Akhuryan", "Goris", "Sisian", "Tatev", "Ijevan",
                         "Noyemberyan", "Armavir", "Metsamor"}  # fmt: skip
        groups = {t["code"] for t in await _all(registry, "/v1/taxonomies/target-groups")}
        categories = {t["code"] for t in await _all(registry, "/v1/taxonomies/service-categories")}
        for plan in plans:
            for priority in plan["priorities"]:
                assert set(priority["target_groups"]) <= groups
                assert set(priority["service_categories"]) <= categories

        pilots = await _all(grants, "/v1/grants")
        assert len(pilots) == 9
        assert {g["community_id"] for g in pilots} == communities
        first_priorities = {p["priorities"][0]["id"] for p in plans}
        assert {g["priority_id"] for g in pilots} == first_priorities
        for grant in pilots:
            recipient = await registry.get(f"/v1/actors/{grant['recipient_id']}")
            assert recipient.status_code == 200
            assert recipient.json()["kind"] == "local_government"
            assert recipient.json()["name"]["hy"] == grant["recipient"]["name"]
            assert grant["cofunding"][0]["source"] == "community"
            assert grant["amounts_illustrative"] is True
            assert grant["status"] == "completed"
            money = (await grants.get(f"/v1/grants/{grant['id']}/finances")).json()
            assert money["disbursed"] == {"amount": "7500000.00", "currency": "AMD"}
            assert money["spent"] == {"amount": "7000000.50", "currency": "AMD"}
            assert money["cofunding"][0]["received"] == money["cofunding"][0]["pledged"]
        totals = (await grants.get("/v1/funding/totals", params={"year": 2021})).json()
        assert totals["total"]["disbursed"]["amd"] == {"amount": "67500000.00", "currency": "AMD"}

        programmes = await _all(grants, "/v1/grant-programmes")
        kotayk = next(p for p in programmes if p["name"]["en"].startswith("Promoting"))
        assert len(kotayk["components"]) == 2
        for programme in programmes:
            for funder in programme["funders"]:
                if funder["actor_id"]:
                    found = await registry.get(f"/v1/actors/{funder['actor_id']}")
                    assert found.status_code == 200
        (call,) = await _all(grants, f"/v1/calls?programme_id={kotayk['id']}")
        assert call["component"] == "activation"
        assert call["eligible_regions"] == ["AM-KT"]
