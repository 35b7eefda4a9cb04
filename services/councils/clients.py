"""The registry, as the councils service sees it over HTTP."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from services.councils.messages import _
from shared.http import ServiceClient, UpstreamUnavailable


class Registry:
    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    async def network(self, network_id: uuid.UUID) -> dict[str, Any] | None:
        """The network as the registry shows it; None when there is none."""
        response = await self.client.get(f"/v1/networks/{network_id}")
        if response.status_code == 404:
            return None
        return self._json(response.status_code, response.json)

    async def members(self, network_id: uuid.UUID, on: date) -> list[dict[str, Any]]:
        """The network's members on a date, every page."""
        members: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"on": on.isoformat(), "limit": 200}
            if cursor:
                params["cursor"] = cursor
            response = await self.client.get(f"/v1/networks/{network_id}/members", params=params)
            page = self._json(response.status_code, response.json)
            members += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return members

    def _json(self, status: int, read: Any) -> dict[str, Any]:
        if status != 200:
            raise UpstreamUnavailable(
                _("The registry answered {status}; try again later.", status=status)
            )
        body: dict[str, Any] = read()
        return body
