"""The HTTP client services use to call each other.

Pooled connections, per-phase timeouts plus a total deadline per call (a slow trickle of bytes
never trips httpx's read timeout alone), retries of idempotent calls only, and the request id
and caller identity forwarded.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from shared.errors import AppError
from shared.i18n import _
from shared.logs import request_id_var

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({502, 503, 504})

logger = logging.getLogger("spn.http")


class UpstreamUnavailable(AppError):
    status, title, slug = 503, _("Service unavailable"), "upstream-unavailable"


class ServiceClient:
    def __init__(
        self,
        base_url: str,
        *,
        caller: str,
        timeout: float = 3.0,
        deadline: float = 8.0,
        retries: int = 2,
        backoff: float = 0.1,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.caller = caller
        self.deadline = deadline
        self.retries = retries
        self.backoff = backoff
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            headers={"User-Agent": f"spn-{caller}"},
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def _headers(self, extra: dict[str, str] | None, token: str | None) -> dict[str, str]:
        headers = {"X-SPN-Caller": self.caller}
        request_id = request_id_var.get()
        if request_id:
            headers["X-Request-ID"] = request_id
        if token:
            headers["Authorization"] = f"Bearer {token}"
        headers.update(extra or {})
        return headers

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        deadline: float | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """One call, bounded by a total deadline; idempotent calls are retried on failure.

        A POST counts as idempotent when it carries an Idempotency-Key.
        """
        method = method.upper()
        all_headers = self._headers(headers, token)
        retryable = method in IDEMPOTENT_METHODS or "Idempotency-Key" in all_headers
        attempts = self.retries + 1 if retryable else 1
        try:
            async with asyncio.timeout(deadline or self.deadline):
                for attempt in range(attempts):
                    last = attempt == attempts - 1
                    try:
                        response = await self._client.request(
                            method, path, headers=all_headers, **kwargs
                        )
                    except httpx.TransportError as exc:
                        if last:
                            raise UpstreamUnavailable(
                                _(
                                    "{service} did not answer ({reason}).",
                                    service=self.base_url,
                                    reason=exc.__class__.__name__,
                                )
                            ) from exc
                    else:
                        if last or response.status_code not in RETRY_STATUSES:
                            return response
                        await response.aclose()
                    logger.info("retrying %s %s%s", method, self.base_url, path)
                    await asyncio.sleep(self.backoff * 2**attempt)
        except TimeoutError as exc:
            raise UpstreamUnavailable(
                _(
                    "{service} did not answer within {seconds} s.",
                    service=self.base_url,
                    seconds=deadline or self.deadline,
                )
            ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)
