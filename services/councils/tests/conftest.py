"""Councils test fixtures: the app on a fresh migrated database, a registry double it reaches
over HTTP (networks, members on a date, the change feed), tokens and `create_*` helpers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException

from services.councils.app import create_app
from services.councils.config import CouncilsSettings
from services.councils.models import audit_log, outbox
from shared.testing import journal_checking_client
from shared.testing import journal_counts as shared_journal_counts

Headers = dict[str, str]
YEREVAN = "6b1c3a55-0000-4000-8000-00000000e1e1"


class FakeRegistry:
    """The registry's answers the councils service relies on, kept in memory: networks, their
    members (with the dates they joined and left), and the change feed of those changes."""

    def __init__(self) -> None:
        self.networks: dict[str, dict[str, Any]] = {}
        self.members: dict[str, list[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self.down = False
        self.app = self._app()

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/networks")
        async def networks(status: str | None = None, limit: int = 50) -> dict[str, Any]:
            items = [n for n in self.networks.values() if status in (None, n["status"])]
            return {"items": items, "next_cursor": None}

        @app.get("/v1/communities")
        async def communities(q: str = "") -> dict[str, Any]:
            yerevan = {"id": YEREVAN, "name": {"hy": "Երևան", "en": "Yerevan"}}
            return {"items": [yerevan] if q.lower() in "yerevan" else [], "next_cursor": None}

        @app.get("/v1/networks/{network_id}")
        async def network(network_id: str) -> dict[str, Any]:
            if network_id not in self.networks:
                raise HTTPException(404)
            return self.networks[network_id]

        @app.get("/v1/networks/{network_id}/members")
        async def members(network_id: str, on: date, limit: int = 50) -> dict[str, Any]:
            items = [
                m for m in self.members.get(network_id, [])
                if date.fromisoformat(m["joined_on"]) <= on
                and (m["left_on"] is None or date.fromisoformat(m["left_on"]) > on)
            ]  # fmt: skip
            return {"items": items, "next_cursor": None}

        @app.get("/v1/events")
        async def events(after: int = 0, limit: int = 100) -> dict[str, Any]:
            items = [e for e in self.events if e["seq"] > after][:limit]
            return {"items": items, "next_cursor": "x"}

        return app

    def transport(self) -> httpx.AsyncBaseTransport:
        registry = self
        inner = httpx.ASGITransport(app=self.app)

        class Transport(httpx.AsyncBaseTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                if registry.down:
                    raise httpx.ConnectError("registry down", request=request)
                return await inner.handle_async_request(request)

        return Transport()

    def _emit(
        self, type: str, resource_id: str, data: dict[str, Any], stream: str
    ) -> dict[str, Any]:
        event = {
            "seq": len(self.events) + 1, "id": str(uuid.uuid4()), "type": type,
            "occurred_at": datetime.now(UTC).isoformat(), "resource_type": type.split(".")[0],
            "resource_id": resource_id, "stream_id": stream, "data": data,
        }  # fmt: skip
        self.events.append(event)
        return event

    def add_network(
        self, *, form: str = "mixed", status: str = "active", name_en: str = "Masis network"
    ) -> str:
        network_id = str(uuid.uuid4())
        self.networks[network_id] = {
            "id": network_id, "center_id": str(uuid.uuid4()),
            "name": {"hy": "Մասիսի ցանց", "en": name_en}, "form": form,
            "status": status, "dissolved_on": None,
            "may_form_council": status == "active" and form != "informal",
        }  # fmt: skip
        self.members[network_id] = []
        return network_id

    def join(
        self, network_id: str, name: str = "Հույս", joined_on: str = "2024-01-10"
    ) -> dict[str, Any]:
        member: dict[str, Any] = {
            "id": str(uuid.uuid4()), "network_id": network_id,
            "actor": {"id": str(uuid.uuid4()), "kind": "legal_entity", "name": {"hy": name}},
            "joined_on": joined_on, "left_on": None, "leave_reason": None,
        }  # fmt: skip
        self.members[network_id].append(member)
        self._emit("member.joined", member["id"], dict(member), network_id)
        return member

    def leave(self, network_id: str, member: dict[str, Any], left_on: str) -> dict[str, Any]:
        member["left_on"], member["leave_reason"] = left_on, "withdrew"
        return self._emit("member.left", member["id"], dict(member), network_id)

    def dissolve(self, network_id: str, on: str) -> dict[str, Any]:
        network = self.networks[network_id]
        network.update(status="dissolved", dissolved_on=on, may_form_council=False)
        return self._emit("network.updated", network_id, dict(network), network_id)


@pytest.fixture
def registry() -> FakeRegistry:
    return FakeRegistry()


@pytest.fixture
async def app(
    fresh_database: Callable[..., Awaitable[str]], registry: FakeRegistry
) -> AsyncIterator[FastAPI]:
    url = await fresh_database("councils")
    settings = CouncilsSettings(database_url=url, registry_url="http://registry")
    app = create_app(settings, registry_transport=registry.transport())
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app that checks, on every refused write, that nothing was journaled."""
    async with journal_checking_client(app, "http://councils", audit_log, outbox) as client:
        yield client


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin(token_for: Callable[..., str]) -> Headers:
    return bearer(token_for("admin", subject="admin-anna"))


def secretary_of(token_for: Callable[..., str], council_id: str) -> Headers:
    return bearer(token_for("council_secretary", councils=[council_id], subject="secretary-sona"))


PARAMETERS: dict[str, Any] = {
    "seats_per_member": 1,
    "convening": {"chair": True, "secretary": True, "members_share": "1/3"},
    "notice": {"ordinary_days": 7, "extraordinary_days": 2},
    "formats": ["in_person", "remote", "hybrid"],
    "quorum": {"share": "1/2", "base": "seats", "remote_counts": True},
    "decisions": {
        "ordinary": {"share": "1/2", "base": "present", "tie": "chair_casting_vote"},
        "bylaws_amendment": {"share": "2/3", "comparison": "at_least", "base": "all_seats"},
        "election": {"share": "1/2", "base": "votes_cast"},
        "working_group": {"share": "1/2", "base": "present"},
        "minutes_approval": {"share": "1/2", "base": "votes_cast"},
    },
}


async def create_council(
    client: httpx.AsyncClient, headers: Headers, network_id: str, **fields: Any
) -> dict[str, Any]:
    body = {
        "kind": "coordinating", "network_id": network_id, "founded_on": "2024-05-01",
        "name": {"hy": "Մասիսի ցանցի համակարգող խորհուրդ"},
    } | fields  # fmt: skip
    response = await client.post("/v1/councils", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def create_municipal(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    body = {
        "kind": "municipal", "community_id": str(uuid.uuid4()), "founded_on": "2020-01-15",
        "name": {"hy": "Երևանի սոցիալական պաշտպանության խորհուրդ"},
    }  # fmt: skip
    response = await client.post("/v1/councils", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def post(
    client: httpx.AsyncClient, url: str, headers: Headers, **body: Any
) -> dict[str, Any]:
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def members_of(
    client: httpx.AsyncClient, council_id: str, **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/councils/{council_id}/members", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def journal_counts(app: FastAPI) -> tuple[int, int]:
    """How many audit entries and events the councils service holds."""
    return await shared_journal_counts(app, audit_log, outbox)
