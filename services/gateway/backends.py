"""The three backends as the gateway sees them: a pooled client, a circuit, figures, an OpenAPI.

One `aiohttp` session per backend: measured against httpx's pool (bench/gateway.py), it added
a fraction of the latency per hop and kept its throughput under load.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import time
from collections.abc import Callable
from typing import Any, Literal

import aiohttp
from prometheus_client import Counter, Gauge, Histogram
from pydantic import BaseModel

from services.gateway.messages import _
from shared.http import UpstreamUnavailable

logger = logging.getLogger("spn.gateway")

BACKEND_LATENCY = Histogram(
    "spn_gateway_backend_duration_seconds",
    "Time from sending a request to a backend until it starts answering, by backend.",
    ["backend"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
BACKEND_FAILURES = Counter(
    "spn_gateway_backend_failures_total",
    "Requests a backend did not answer, or answered with a 5xx, by backend.",
    ["backend"],
)
CIRCUIT_STATE = Gauge(
    "spn_gateway_circuit_state",
    "The circuit of each backend: 0 closed, 1 half open (probing), 2 open.",
    ["backend"],
)
CIRCUIT_OPENED = Counter(
    "spn_gateway_circuit_opened_total", "Times the circuit of a backend opened.", ["backend"]
)


class CircuitState(enum.Enum):
    closed = 0
    half_open = 1
    open = 2


class Circuit:
    """Consecutive failures open it (as Envoy's outlier detection); after the cool-off one
    request probes; its success closes the circuit, its failure opens it again."""

    def __init__(
        self,
        name: str,
        *,
        failures: int,
        cool_off: float,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self.threshold = failures
        self.cool_off = cool_off
        self.on_close = on_close
        self.state = CircuitState.closed
        self.failures = 0
        self.opened_at = 0.0
        self._gauge = CIRCUIT_STATE.labels(name)
        self._gauge.set(0)

    def _set(self, state: CircuitState) -> None:
        self.state = state
        self._gauge.set(state.value)

    def wait(self) -> float | None:
        """None when a request may go now; else the seconds until the next probe."""
        if self.state is CircuitState.closed:
            return None
        remaining = self.opened_at + self.cool_off - time.monotonic()
        if remaining <= 0:
            # This request is the probe. A probe that never came back (its caller went
            # away) is replaced by another after one more cool-off.
            self._set(CircuitState.half_open)
            self.opened_at = time.monotonic()
            return None
        return max(remaining, 0.5)

    def succeeded(self) -> None:
        self.failures = 0
        if self.state is not CircuitState.closed:
            logger.info("circuit of %s closed", self.name)
            self._set(CircuitState.closed)
            if self.on_close is not None:
                self.on_close()

    def failed(self) -> None:
        self.failures += 1
        if self.state is CircuitState.half_open or (
            self.state is CircuitState.closed and self.failures >= self.threshold
        ):
            if self.state is CircuitState.closed:
                logger.warning("circuit of %s opened after %d failures", self.name, self.failures)
                CIRCUIT_OPENED.labels(self.name).inc()
            self.opened_at = time.monotonic()
            self._set(CircuitState.open)


class CircuitOpen(UpstreamUnavailable):
    slug = "circuit-open"


class BackendStatus(BaseModel):
    status: Literal["up", "down"]
    url: str
    latency_ms: float
    circuit: Literal["closed", "half_open", "open"]
    consecutive_failures: int
    detail: str | None = None


class Backend:
    """One backend: its pooled connections, its circuit, its OpenAPI once it was read."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        circuit: Circuit,
        deadline: float,
    ) -> None:
        self.name = name
        self.url = url.rstrip("/")
        self.circuit = circuit
        self.deadline = deadline
        self.spec: dict[str, Any] | None = None
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=256, limit_per_host=256, ttl_dns_cache=300),
            # The deadline is kept by the callers (asyncio.timeout); a stream reads on as
            # long as the caller does.
            timeout=aiohttp.ClientTimeout(total=None, connect=2.0),
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
        )
        self.latency = BACKEND_LATENCY.labels(name)
        self._failures = BACKEND_FAILURES.labels(name)

    async def aclose(self) -> None:
        await self.session.close()

    def refuse_when_open(self) -> None:
        wait = self.circuit.wait()
        if wait is not None:
            raise CircuitOpen(
                _(
                    "{service} failed {failures} times in a row; the gateway tries it again "
                    "in {seconds} s.",
                    service=self.name,
                    failures=self.circuit.failures,
                    seconds=round(wait, 1),
                ),
                headers={"Retry-After": str(max(1, round(wait)))},
            )

    def answered(self, status: int, started: float, *, busy: bool = False) -> None:
        """`busy`: a 503 with `Retry-After` (SQLite's one writer was taken): the backend is
        alive and said when to come back, which is no failure of it."""
        self.latency.observe(time.perf_counter() - started)
        if status >= 500 and not busy:
            self.failed()
        else:
            self.circuit.succeeded()

    def failed(self) -> None:
        self._failures.inc()
        self.circuit.failed()

    def unavailable(self, exc: BaseException, deadline: float) -> UpstreamUnavailable:
        if isinstance(exc, TimeoutError):
            return UpstreamUnavailable(
                _(
                    "{service} did not answer within {seconds} s.",
                    service=self.name,
                    seconds=deadline,
                )
            )
        return UpstreamUnavailable(
            _(
                "{service} did not answer ({reason}).",
                service=self.name,
                reason=exc.__class__.__name__,
            )
        )

    async def get_json(
        self, path: str, *, headers: dict[str, str], deadline: float
    ) -> tuple[int, Any]:
        """A GET through the circuit, bounded by `deadline`: (status, the parsed body)."""
        self.refuse_when_open()
        started = time.perf_counter()
        try:
            async with (
                asyncio.timeout(deadline),
                self.session.get(self.url + path, headers=headers) as response,
            ):
                body = await response.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self.failed()
            raise self.unavailable(exc, deadline) from exc
        self.answered(response.status, started)
        if response.status >= 500:
            raise UpstreamUnavailable(
                _("{service} answered {status}.", service=self.name, status=response.status)
            )
        return response.status, json.loads(body) if body else None

    async def fetch_spec(self, deadline: float) -> bool:
        """Read the backend's OpenAPI (not through the circuit: it is how a backend that came
        back is noticed). True when it was read."""
        try:
            async with (
                asyncio.timeout(deadline),
                self.session.get(self.url + "/openapi.json") as response,
            ):
                if response.status != 200:
                    return False
                self.spec = json.loads(await response.read())
                return True
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError):
            return False

    async def status(self, deadline: float) -> BackendStatus:
        started = time.perf_counter()
        detail = None
        up = False
        try:
            async with (
                asyncio.timeout(deadline),
                self.session.get(self.url + "/readyz") as response,
            ):
                up = response.status == 200
                if not up:
                    detail = f"/readyz answered {response.status}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            detail = f"no answer ({exc.__class__.__name__})"
        return BackendStatus(
            status="up" if up else "down",
            url=self.url,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            circuit=self.circuit.state.name,
            consecutive_failures=self.circuit.failures,
            detail=detail,
        )
