"""HTTP clients of the three backends, and what the gateway asks them."""

from __future__ import annotations

import asyncio
import time
from typing import Literal

from pydantic import BaseModel

from shared.http import ServiceClient, UpstreamUnavailable


class BackendStatus(BaseModel):
    status: Literal["up", "down"]
    url: str
    latency_ms: float
    detail: str | None = None


class Backends:
    def __init__(self, clients: dict[str, ServiceClient]) -> None:
        self.clients = clients

    async def aclose(self) -> None:
        await asyncio.gather(*(client.aclose() for client in self.clients.values()))

    async def _status(self, client: ServiceClient, deadline: float) -> BackendStatus:
        started = time.perf_counter()
        detail = None
        try:
            response = await client.get("/readyz", deadline=deadline)
            up = response.status_code == 200
            if not up:
                detail = f"/readyz answered {response.status_code}"
        except UpstreamUnavailable as exc:
            up, detail = False, exc.detail
        return BackendStatus(
            status="up" if up else "down",
            url=client.base_url,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            detail=detail,
        )

    async def statuses(self, deadline: float) -> dict[str, BackendStatus]:
        names = list(self.clients)
        results = await asyncio.gather(
            *(self._status(self.clients[name], deadline) for name in names)
        )
        return dict(zip(names, results, strict=True))
