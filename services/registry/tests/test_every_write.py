"""Every write operation the registry's OpenAPI lists, walked twice: by everyone who may not
write there (refused, nothing written), and by an admin (exactly one audit entry per resource
written, and a new ETag). A write route added without a scenario here fails the first test."""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.registry.app import create_app
from services.registry.tests.conftest import (
    community,
    create_actor,
    create_center,
    create_network,
    create_programme,
    create_service,
    join,
    official_of,
    seed_registry,
)
from services.registry.tests.test_write_path import written
from shared.testing import DatabaseFactory, Seeded

Headers = dict[str, str]
World = dict[str, Any]

WRITE_METHODS = ("post", "put", "patch", "delete")
WRITE_OPERATIONS = sorted(
    (method.upper(), path)
    for path, operations in create_app().openapi()["paths"].items()
    for method in operations
    if method in WRITE_METHODS
)
# Roles of other services: whatever their scope claims, the registry refuses them its writes.
OTHER_ROLES = ("council_secretary", "grants_officer", "network_member")

CSV = (
    "kind,legal_form,name_hy,tax_number,community\nlegal_entity,cso,«Նոր հույս» ՀԿ,04799999,masis\n"
)


@dataclass(frozen=True)
class Scenario:
    """A valid request of one operation, and the resources it writes."""

    body: Callable[[World], Any]
    # Which world resource the operation changes (None: it creates one).
    changes: str | None = None
    csv: bool = False
    admin_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


SCENARIOS: dict[tuple[str, str], Scenario] = {
    ("POST", "/v1/communities"): Scenario(
        lambda w: {"code": "nor-gyugh", "region_code": "AM-AR", "name": {"hy": "Նոր գյուղ"}},
        admin_only=True,
    ),
    ("PATCH", "/v1/communities/{community_id}"): Scenario(
        lambda w: {"name": {"hy": "Վերանվանված"}}, changes="community", admin_only=True
    ),
    ("POST", "/v1/centers"): Scenario(
        lambda w: {"name": {"hy": "Նոր կենտրոն"}, "region_code": "AM-LO", "territory": []},
        admin_only=True,
    ),
    ("PATCH", "/v1/centers/{center_id}"): Scenario(
        lambda w: {"opened_on": "2013-01-01"}, changes="center", admin_only=True
    ),
    ("POST", "/v1/actors"): Scenario(
        lambda w: {
            "kind": "legal_entity",
            "legal_form": "cso",
            "name": {"hy": "Նոր ՀԿ"},
            "located_in": [community("masis")],
        }
    ),
    ("PATCH", "/v1/actors/{actor_id}"): Scenario(
        lambda w: {"description": "Փոխված"}, changes="actor"
    ),
    ("DELETE", "/v1/actors/{actor_id}"): Scenario(lambda w: None, changes="spare_actor"),
    ("POST", "/v1/services"): Scenario(
        lambda w: {
            "provider_id": w["actor"]["id"],
            "name": {"hy": "Նոր ծառայություն"},
            "category_code": "home_care",
            "target_groups": ["elderly"],
            "communities": [community("masis")],
            "cost": {"free": True},
        }
    ),
    ("PATCH", "/v1/services/{service_id}"): Scenario(lambda w: {"capacity": 12}, changes="service"),
    ("DELETE", "/v1/services/{service_id}"): Scenario(lambda w: None, changes="service"),
    ("POST", "/v1/programmes"): Scenario(
        lambda w: {"name": {"hy": "Նոր ծրագիր"}, "communities": [community("masis")]}
    ),
    ("PATCH", "/v1/programmes/{programme_id}"): Scenario(
        lambda w: {"status": "completed"}, changes="programme"
    ),
    ("DELETE", "/v1/programmes/{programme_id}"): Scenario(lambda w: None, changes="programme"),
    ("POST", "/v1/imports/actors"): Scenario(lambda w: CSV, csv=True),
    ("POST", "/v1/networks"): Scenario(
        lambda w: {
            "center_id": w["center"]["id"],
            "name": {"hy": "Երկրորդ ցանց"},
            "form": "informal",
            "founded_on": "2024-03-01",
            "status": "dissolved",
            "dissolved_on": "2024-06-01",
        }
    ),
    ("PATCH", "/v1/networks/{network_id}"): Scenario(
        lambda w: {"goals_note": "Նոր նպատակ"}, changes="network"
    ),
    ("POST", "/v1/networks/{network_id}/members"): Scenario(
        lambda w: {"actor_id": w["spare_actor"]["id"], "joined_on": "2024-05-01"}
    ),
    ("PATCH", "/v1/networks/{network_id}/members/{member_id}"): Scenario(
        lambda w: {"role": "coordinator"}, changes="member"
    ),
    ("POST", "/v1/networks/{network_id}/members/{member_id}/leave"): Scenario(
        lambda w: {"left_on": "2024-09-01", "reason": "Ավարտեց"}, changes="member"
    ),
    ("POST", "/v1/networks/{network_id}/activities"): Scenario(
        lambda w: {"kind": "working_meeting", "held_on": "2024-05-01", "topic": "Թեմա"}
    ),
    ("PATCH", "/v1/networks/{network_id}/activities/{activity_id}"): Scenario(
        lambda w: {"participants": [w["member"]["id"]]}, changes="activity"
    ),
}

URLS = {
    "community": "/v1/communities/{id}",
    "center": "/v1/centers/{id}",
    "actor": "/v1/actors/{id}",
    "spare_actor": "/v1/actors/{id}",
    "service": "/v1/services/{id}",
    "programme": "/v1/programmes/{id}",
    "network": "/v1/networks/{id}",
}


@pytest.fixture(scope="module")
def seeded_world(database_factory: DatabaseFactory, token_for: Callable[..., str]) -> Seeded:
    token = token_for("admin", subject="admin-anna")
    return seed_registry(database_factory, __name__, token, build_world)


@pytest.fixture
def registry_template(seeded_world: Seeded) -> str:
    return seeded_world.template


@pytest.fixture
def world(seeded_world: Seeded) -> World:
    return copy.deepcopy(seeded_world.data)


async def build_world(client: httpx.AsyncClient, admin: Headers) -> World:
    """One of every resource, made by an admin, in the Masis center's territory."""
    center = await create_center(client, admin, territory=[community("masis")])
    other_center = await create_center(
        client, admin, name={"hy": "Գյումրու կենտրոն"}, region_code="AM-SH",
        territory=[community("gyumri")],
    )  # fmt: skip
    actor = await create_actor(client, admin)
    spare = await create_actor(client, admin, name={"hy": "Ազատ ՀԿ"})
    network = await create_network(client, admin, center["id"])
    member = (await join(client, admin, network["id"], actor["id"])).json()
    activity = await client.post(
        f"/v1/networks/{network['id']}/activities",
        json={"kind": "working_meeting", "held_on": "2024-05-01", "topic": "Առաջին"},
        headers=admin,
    )
    world: World = {
        "center": center,
        "other_center": other_center,
        "actor": actor,
        "spare_actor": spare,
        "service": await create_service(client, admin, actor["id"]),
        "programme": await create_programme(client, admin),
        "network": network,
        "member": member,
        "activity": activity.json(),
        "community": (await client.get(f"/v1/communities/{community('masis')}")).json(),
    }
    world["urls"] = {name: URLS[name].format(id=world[name]["id"]) for name in URLS} | {
        "member": f"/v1/networks/{network['id']}/members/{member['id']}",
        "activity": f"/v1/networks/{network['id']}/activities/{world['activity']['id']}",
    }
    return world


def url_of(path: str, world: World) -> str:
    return path.format(
        community_id=world["community"]["id"],
        center_id=world["center"]["id"],
        actor_id=world["spare_actor" if "{actor_id}" in path else "actor"]["id"],
        service_id=world["service"]["id"],
        programme_id=world["programme"]["id"],
        network_id=world["network"]["id"],
        member_id=world["member"]["id"],
        activity_id=world["activity"]["id"],
    )


def scenario_url(method: str, path: str, world: World) -> str:
    scenario = SCENARIOS[(method, path)]
    if scenario.changes == "actor":
        return str(world["urls"]["actor"])
    return url_of(path, world)


async def send(
    client: httpx.AsyncClient, method: str, path: str, world: World, headers: Headers
) -> httpx.Response:
    scenario = SCENARIOS[(method, path)]
    body = scenario.body(world)
    url = scenario_url(method, path, world)
    if scenario.csv:
        return await client.request(
            method, url, content=body.encode(), headers=headers | {"Content-Type": "text/csv"}
        )
    return await client.request(method, url, json=body, headers=headers)


def test_every_write_operation_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(WRITE_OPERATIONS)


@pytest.mark.parametrize(("method", "path"), WRITE_OPERATIONS)
async def test_callers_who_may_not_write_are_refused_and_nothing_is_written(
    app: FastAPI,
    client: httpx.AsyncClient,
    world: World,
    token_for: Callable[..., str],
    method: str,
    path: str,
) -> None:
    center_id = world["center"]["id"]
    callers: list[tuple[str, Headers, set[int]]] = [("anonymous", {}, {401})]
    callers += [
        (f"{role} {scoped}", {"Authorization": f"Bearer {token_for(role, **claims)}"}, {403})
        for role in OTHER_ROLES
        for scoped, claims in (("scoped", {"centers": [center_id]}), ("unscoped", {}))
    ]
    callers.append(("bad token", {"Authorization": "Bearer not-a-token"}, {401}))
    stranger = official_of(token_for, world["other_center"]["id"])
    # The import refuses rows outside the official's territory row by row (422, nothing written).
    callers.append(
        ("official of another center", stranger, {403, 422} if "imports" in path else {403})
    )
    before = await written(app)
    representations = {
        name: (await client.get(url, headers={"Authorization": stranger["Authorization"]})).json()
        for name, url in world["urls"].items()
    }
    for who, headers, refusals in callers:
        response = await send(client, method, path, world, headers)
        assert response.status_code in refusals, (who, method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert await written(app) == before
    for name, url in world["urls"].items():
        after = await client.get(url, headers={"Authorization": stranger["Authorization"]})
        assert after.json() == representations[name], name


@pytest.mark.parametrize(("method", "path"), WRITE_OPERATIONS)
async def test_each_write_leaves_one_audit_entry_and_a_new_etag(
    client: httpx.AsyncClient, admin: Headers, world: World, method: str, path: str
) -> None:
    scenario = SCENARIOS[(method, path)]
    url = world["urls"][scenario.changes] if scenario.changes else None
    etag = (await client.get(url, headers=admin)).headers["etag"] if url else None
    kind = resource_type(path)
    entries_before = await audit_entries(client, admin, kind, url_id(url)) if url else 0
    response = await send(client, method, path, world, admin)
    assert response.is_success, response.text
    if scenario.csv:
        written_ids = [("actor", i) for i in response.json()["actor_ids"]]
    elif scenario.changes is None:
        written_ids = [(kind, response.json()["id"])]
        url = response.headers["location"]
    else:
        written_ids = [(kind, url_id(url))]  # type: ignore[arg-type]
    for written_kind, resource_id in written_ids:
        entries = await audit_entries(client, admin, written_kind, resource_id)
        assert entries == entries_before + 1, (written_kind, resource_id)
    if url is not None:
        now = await client.get(url, headers=admin)
        if method == "DELETE":
            assert now.status_code == 404
        else:
            assert now.headers["etag"] != etag
            if method != "POST" or scenario.changes:
                assert response.headers["etag"] == now.headers["etag"]


async def audit_entries(
    client: httpx.AsyncClient, admin: Headers, kind: str, resource_id: str
) -> int:
    trail = await client.get(
        "/v1/audit", params={"resource_type": kind, "resource_id": resource_id}, headers=admin
    )
    assert trail.status_code == 200, trail.text
    return len(trail.json()["items"])


def resource_type(path: str) -> str:
    for marker, kind in (
        ("/activities", "network_activity"),
        ("/members", "network_member"),
        ("/networks", "network"),
        ("/communities", "community"),
        ("/centers", "center"),
        ("/actors", "actor"),
        ("/services", "service"),
        ("/programmes", "programme"),
    ):
        if marker in path:
            return kind
    raise AssertionError(path)


def url_id(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]
