"""Requests per client and route class, counted by `limits`: in memory, or in Redis so that
every replica of the gateway shares the counts."""

from __future__ import annotations

import logging
import time

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string

from services.gateway.config import GatewaySettings

logger = logging.getLogger("spn.gateway")

ROUTE_CLASSES = ("read", "write", "view")


class RateLimits:
    def __init__(self, settings: GatewaySettings) -> None:
        url = settings.rate_limit_storage
        if url and not url.startswith("async+"):
            url = "async+" + url
        storage = storage_from_string(url) if url else MemoryStorage()
        assert isinstance(storage, Storage)
        self.storage = storage
        self.limiter = FixedWindowRateLimiter(self.storage)
        texts = {
            "read": settings.rate_limit_read,
            "write": settings.rate_limit_write,
            "view": settings.rate_limit_view,
        }
        self.limits: dict[str, list[RateLimitItem]] = {
            name: parse_many(text) if text.strip() else [] for name, text in texts.items()
        }

    async def wait(self, route_class: str, client: str) -> float | None:
        """None when `client` may make this request now; else the seconds it must wait."""
        try:
            for item in self.limits[route_class]:
                if not await self.limiter.hit(item, route_class, client):
                    stats = await self.limiter.get_window_stats(item, route_class, client)
                    return max(1.0, stats.reset_time - time.time())
        except Exception:
            # The counts' store is away (Redis down): the gateway serves rather than refuses.
            logger.exception("rate limit store failed; request let through")
        return None
