"""Which backend owns a `/v1/...` path: read from the backends' own OpenAPI, never listed here.

Each backend's path templates (`/v1/centers/{center_id}/map`) become patterns; a request goes
to the backend whose template matches it with the most literal segments. A path no template
matches goes to the backend that owns its first segment (`/v1/centers/...`), which answers its
own 404 or 405. A backend that was down at start is asked again until it answers, and again
whenever its circuit closes (it may have come back as a newer version).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from services.gateway.backends import Backend

logger = logging.getLogger("spn.gateway")

_PARAMETER = re.compile(r"\{[^}/]+\}")


@dataclass(frozen=True)
class Template:
    backend: str
    pattern: re.Pattern[str]
    literals: int


def _first_segment(path: str) -> str:
    return path.split("/", 3)[2] if path.count("/") >= 2 else ""


def _compile(template: str) -> re.Pattern[str]:
    parts = _PARAMETER.split(template)
    return re.compile("[^/]+".join(re.escape(p) for p in parts) + r"\Z")


class OwnershipTable:
    def __init__(self, own_paths: Iterable[str] = ()) -> None:
        # Paths the gateway answers itself are never proxied.
        self.own = [_compile(p) for p in own_paths]
        self._by_segment: dict[str, list[Template]] = {}
        self._segment_owner: dict[str, str] = {}
        self.complete = False

    def build(self, specs: dict[str, dict[str, Any] | None]) -> None:
        by_segment: dict[str, list[Template]] = {}
        owners: dict[str, str] = {}
        claimed: dict[str, str] = {}
        for name, spec in specs.items():
            for path in (spec or {}).get("paths", {}):
                if not path.startswith("/v1/") or any(p.match(path) for p in self.own):
                    continue
                if path in claimed:
                    logger.warning("%s and %s both publish %s; %s answers it at the gateway",
                                   claimed[path], name, path, claimed[path])  # fmt: skip
                    continue
                claimed[path] = name
                segment = _first_segment(path)
                literals = sum(1 for s in path.split("/") if s and not _PARAMETER.fullmatch(s))
                by_segment.setdefault(segment, []).append(Template(name, _compile(path), literals))
                owners.setdefault(segment, name)
        for templates in by_segment.values():
            templates.sort(key=lambda t: -t.literals)
        self._by_segment, self._segment_owner = by_segment, owners
        self.complete = all(spec is not None for spec in specs.values())

    def owner(self, path: str) -> str | None:
        if any(p.match(path) for p in self.own):
            return None
        segment = _first_segment(path)
        for template in self._by_segment.get(segment, ()):
            if template.pattern.match(path):
                return template.backend
        return self._segment_owner.get(segment)


class SpecWatcher:
    """Keeps every backend's OpenAPI and the ownership table current."""

    def __init__(
        self,
        backends: dict[str, Backend],
        table: OwnershipTable,
        *,
        retry_seconds: float,
        on_change: Callable[[], None],
    ) -> None:
        self.backends = backends
        self.table = table
        self.retry_seconds = retry_seconds
        self.on_change = on_change
        self._task: asyncio.Task[None] | None = None
        self._wanted: set[str] = set()
        self._wake = asyncio.Event()
        self._reading: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await asyncio.gather(*(self._read(name) for name in self.backends))
        self._rebuild()
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def read_missing(self, wait: float) -> None:
        """Ask the backends whose OpenAPI is missing now (a request needs it), waiting at most
        `wait` seconds; one reading at a time, shared by the requests that wait for it."""
        if self._reading is None or self._reading.done():
            self._reading = asyncio.create_task(self._read_missing())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._reading), wait)

    async def _read_missing(self) -> None:
        names = [name for name, backend in self.backends.items() if backend.spec is None]
        if any(await asyncio.gather(*(self._read(name) for name in names))):
            self._rebuild()

    def refresh(self, name: str) -> None:
        """Read `name`'s OpenAPI again soon (its circuit closed: it came back)."""
        self._wanted.add(name)
        self._wake.set()

    async def _read(self, name: str) -> bool:
        read = await self.backends[name].fetch_spec(deadline=5.0)
        if not read:
            logger.info("the OpenAPI of %s is not readable yet", name)
        return read

    def _rebuild(self) -> None:
        self.table.build({name: b.spec for name, b in self.backends.items()})
        self.on_change()

    async def _loop(self) -> None:
        while True:
            missing = {n for n, b in self.backends.items() if b.spec is None}
            if not missing and not self._wanted:
                self._wake.clear()
                await self._wake.wait()
            elif not self._wanted:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.retry_seconds)
                self._wake.clear()
            names = missing | self._wanted
            self._wanted = set()
            results = await asyncio.gather(*(self._read(name) for name in names))
            if any(results):
                self._rebuild()
