"""`Idempotency-Key` on POST, kept in each service's own database.

The first request with a key runs and its answer is stored; a retry after it finished gets the
stored answer (`Idempotent-Replayed: true`), a retry while it still runs gets 409, and the same
key with another request gets 422. Keys are scoped to the caller's credentials and kept a day.
Answers of 400 and above are not kept: the work did not happen, so a retry may try again.

A claim names the process that runs it (`holder`) and holds a lease (`lease_until`) that the
running request renews. A claim whose process died (a crash, a kill, a lost pod) is released,
so a retry does the work once: on the same machine the operating system says whether the
holder still runs; from another machine (replicas) the lease says, once it has run out. A
long request keeps its claim, so a retry meanwhile still gets 409, even when its renewals
cannot be written (SQLite lets one writer at a time, and a long import is that writer).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import socket
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.database import Database, UTCDateTime, utcnow
from shared.errors import problem_response
from shared.i18n import Text, _

HEADER = "idempotency-key"
RETENTION = timedelta(hours=24)
LEASE = timedelta(seconds=30)
MAX_KEY_LENGTH = 255

logger = logging.getLogger("spn.idempotency")


def idempotency_table(metadata: MetaData) -> Table:
    """Add the key store to a service's MetaData (and so to its migrations)."""
    return Table(
        "idempotency_keys",
        metadata,
        Column("caller", String(64), primary_key=True),
        Column("key", String(MAX_KEY_LENGTH), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("status", Integer, nullable=True),
        Column("headers", String, nullable=True),
        Column("body", LargeBinary, nullable=True),
        Column("created_at", UTCDateTime, nullable=False),
        Column("holder", String(200), nullable=True),
        Column("lease_until", UTCDateTime, nullable=True),
    )


def _sha256(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


@cache
def _machine() -> str:
    """This machine as its processes see it: host name, boot, PID namespace (containers on
    one host each have their own), so a process id is only looked up where it means the same."""
    namespace = ""
    with contextlib.suppress(OSError):
        namespace = os.readlink("/proc/self/ns/pid")
    return f"{socket.gethostname()}/{_read('/proc/sys/kernel/random/boot_id')}/{namespace}"


def _started(pid: int) -> str:
    """When a process started (Linux), so a reused process id is not taken for the holder."""
    stat = _read(f"/proc/{pid}/stat")
    return stat.rsplit(")", 1)[1].split()[19] if stat else ""


@cache
def _holder_of(pid: int) -> str:
    return f"{_machine()}|{pid}|{_started(pid)}"


def this_process() -> str:
    return _holder_of(os.getpid())  # per process: workers are started after import


def _running_elsewhere(holder: str) -> bool | None:
    """Whether the process named by a claim still runs; None when it is on another machine."""
    machine, _, rest = holder.partition("|")
    if machine != _machine():
        return None
    pid_text, _, started = rest.partition("|")
    pid = int(pid_text)
    if Path("/proc/self/stat").exists():
        return _started(pid) == started if started else Path(f"/proc/{pid}").exists()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class IdempotencyMiddleware:
    def __init__(
        self, app: ASGIApp, database_of: Any, table: Table, lease: timedelta = LEASE
    ) -> None:
        self.app = app
        self.database_of = database_of  # a callable giving the running app's Database
        self.table = table
        self.lease = lease
        self._running: set[tuple[str, str]] = set()  # claims this process is working on

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_key = headers.get(HEADER.encode())
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            await self._problem(
                scope, receive, send, 422, _("Invalid Idempotency-Key"),
                _("An Idempotency-Key is 1 to {length} printable characters.",
                  length=MAX_KEY_LENGTH),
                "validation",
            )  # fmt: skip
            return

        body, replay_receive = await self._buffer(receive)
        caller = _sha256(headers.get(b"authorization", b""))
        fingerprint = _sha256(scope["path"].encode(), scope.get("query_string", b""), body)
        database: Database = self.database_of()
        try:
            claimed = await self._claim(database, caller, key, fingerprint)
        except OperationalError:
            await self._problem(
                scope, receive, send, 503, _("Busy"),
                _("The service is busy saving other changes; retry in a second."), "busy",
            )  # fmt: skip
            return
        if claimed is not None:
            await self._answer_existing(scope, receive, send, claimed, fingerprint)
            return

        status = 500
        response_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        settled = False

        async def settle() -> None:
            nonlocal settled
            if settled:
                return
            settled = True
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            self._running.discard((caller, key))
            await self._settle(database, caller, key, status, response_headers, b"".join(chunks))

        async def capture(message: Message) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    # Kept before the caller has the end of it: a retry sent the moment the
                    # answer arrives is replayed, not refused as still in progress.
                    await settle()
            await send(message)

        self._running.add((caller, key))
        heartbeat = asyncio.create_task(self._renew(database, caller, key))
        try:
            await self.app(scope, replay_receive, capture)
        finally:
            await settle()

    async def _renew(self, database: Database, caller: str, key: str) -> None:
        """Move the claim's lease on while the request runs."""
        table = self.table
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                async with database.writing() as connection:
                    await connection.execute(
                        update(table)
                        .where(table.c.caller == caller, table.c.key == key)
                        .where(table.c.holder == this_process(), table.c.status.is_(None))
                        .values(lease_until=utcnow() + self.lease)
                    )
            except Exception as exc:  # e.g. SQLite's write lock held by this very request
                logger.debug("could not renew an idempotency lease: %s", exc)

    def _abandoned(self, row: Any) -> bool:
        """Whether an unfinished claim's request is no longer running anywhere."""
        if row.holder == this_process():
            return (row.caller, row.key) not in self._running
        running = _running_elsewhere(row.holder) if row.holder else None
        if running is not None:
            return not running
        lease_until = row.lease_until or row.created_at + self.lease
        return bool(lease_until < utcnow())

    @staticmethod
    async def _buffer(receive: Receive) -> tuple[bytes, Receive]:
        parts: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            parts.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(parts)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return body, replay

    async def _claim(
        self, database: Database, caller: str, key: str, fingerprint: str
    ) -> Any | None:
        """Insert the key as in progress; return the existing row if another holds it."""
        table = self.table
        where = (table.c.caller == caller, table.c.key == key)
        # A plain read first: a retry of a known key is answered without taking a write lock.
        async with database.engine.connect() as connection:
            row = (await connection.execute(select(table).where(*where))).first()
        if row is not None and row.created_at >= utcnow() - RETENTION:
            if row.status is None and row.fingerprint == fingerprint and self._abandoned(row):
                return await self._take_over(database, row)
            return row
        try:
            async with database.writing() as connection:
                if row is not None:  # expired: the key may be used afresh
                    await connection.execute(delete(table).where(*where))
                await connection.execute(
                    insert(table).values(
                        caller=caller, key=key, fingerprint=fingerprint, created_at=utcnow(),
                        holder=this_process(), lease_until=utcnow() + self.lease,
                    )
                )  # fmt: skip
        except IntegrityError:
            async with database.engine.connect() as connection:
                return (await connection.execute(select(table).where(*where))).first()
        return None

    async def _take_over(self, database: Database, row: Any) -> Any | None:
        """Claim a key whose request died; None when this request got it, else the row as
        another retry that got it first left it."""
        table = self.table
        where = (table.c.caller == row.caller, table.c.key == row.key)
        previous = table.c.holder.is_(None) if row.holder is None else table.c.holder == row.holder
        async with database.writing() as connection:
            # Conditional on the dead holder: of two retries at once, one takes it over.
            taken = await connection.execute(
                update(table)
                .where(*where, previous, table.c.status.is_(None))
                .values(holder=this_process(), lease_until=utcnow() + self.lease)
            )
            if taken.rowcount == 1:
                logger.warning(
                    "released the idempotency key of a request that died with its process"
                )
                return None
            return (await connection.execute(select(table).where(*where))).first()

    async def _answer_existing(
        self, scope: Scope, receive: Receive, send: Send, row: Any, fingerprint: str
    ) -> None:
        if row.fingerprint != fingerprint:
            await self._problem(
                scope, receive, send, 422, _("Idempotency-Key reused"),
                _("This Idempotency-Key was already used for a different request; "
                  "use a new key for a new request."),
                "idempotency-key-reused",
            )  # fmt: skip
            return
        if row.status is None:
            await self._problem(
                scope, receive, send, 409, _("Request in progress"),
                _("A request with this Idempotency-Key is still being processed; "
                  "retry once it has finished."),
                "idempotency-in-progress",
            )  # fmt: skip
            return
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in json.loads(row.headers)]
        headers.append((b"idempotent-replayed", b"true"))
        await send({"type": "http.response.start", "status": row.status, "headers": headers})
        await send({"type": "http.response.body", "body": row.body, "more_body": False})

    async def _settle(
        self,
        database: Database,
        caller: str,
        key: str,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> None:
        table = self.table
        where = (table.c.caller == caller, table.c.key == key)
        try:
            async with database.writing() as connection:
                if status >= 400:
                    await connection.execute(delete(table).where(*where))
                    return
                kept = [
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in headers
                    if k.lower() not in (b"x-request-id", b"date")
                ]
                await connection.execute(
                    update(table)
                    .where(*where)
                    .values(status=status, headers=json.dumps(kept), body=body)
                )
        except Exception:
            logger.exception("could not store the answer for an idempotency key")

    @staticmethod
    async def _problem(
        scope: Scope,
        receive: Receive,
        send: Send,
        status: int,
        title: Text,
        detail: Text,
        slug: str,
    ) -> None:
        response = problem_response(status, title, detail, slug=slug, instance=scope["path"])
        await response(scope, receive, send)
