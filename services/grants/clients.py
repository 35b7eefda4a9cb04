"""The registry as the grants service sees it: communities, actors, networks and the code lists
of target groups and service categories, asked over HTTP when a write refers to them.

The code lists are not copied: a plan's priorities are checked against the registry's lists
as they are when the plan is written (two small GETs), so a code the registry adds is usable at
once and nothing here goes stale. When the registry does not answer, the write is refused with
a 503 problem and nothing is written (`shared.http.UpstreamUnavailable`).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request

from services.grants.messages import _
from shared.http import ServiceClient, UpstreamUnavailable

TARGET_GROUPS = "/v1/taxonomies/target-groups"
SERVICE_CATEGORIES = "/v1/taxonomies/service-categories"


class Registry:
    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    async def _one(self, path: str) -> dict[str, Any] | None:
        """The resource, or None when the registry says there is none (404)."""
        response = await self.client.get(path)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise UpstreamUnavailable(
                _(
                    "The registry answered {status} to {path}.",
                    status=response.status_code,
                    path=path,
                )
            )
        data: dict[str, Any] = response.json()
        return data

    async def community(self, community_id: uuid.UUID) -> dict[str, Any] | None:
        return await self._one(f"/v1/communities/{community_id}")

    async def actor(self, actor_id: uuid.UUID) -> dict[str, Any] | None:
        return await self._one(f"/v1/actors/{actor_id}")

    async def network(self, network_id: uuid.UUID) -> dict[str, Any] | None:
        return await self._one(f"/v1/networks/{network_id}")

    async def service(self, service_id: uuid.UUID) -> dict[str, Any] | None:
        return await self._one(f"/v1/services/{service_id}")

    async def codes(self, path: str) -> set[str]:
        codes: set[str] = set()
        cursor: str | None = None
        while True:
            params = {"limit": "200"} | ({"cursor": cursor} if cursor else {})
            page = await self._one(f"{path}?{httpx.QueryParams(params)}")
            if page is None:
                raise UpstreamUnavailable(_("The registry has no code list at {path}.", path=path))
            codes |= {item["code"] for item in page["items"]}
            cursor = page.get("next_cursor")
            if not cursor:
                return codes


def make_registry(
    url: str, *, timeout: float, transport: httpx.AsyncBaseTransport | None
) -> Registry:
    return Registry(
        ServiceClient(url, caller="grants", timeout=timeout, deadline=timeout * 2, retries=1,
                      transport=transport)
    )  # fmt: skip


async def _registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


RegistryDep = Annotated[Registry, Depends(_registry)]
