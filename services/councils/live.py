"""The live stream of a session: server-sent events of its attendance, quorum, current motion
and tally, as they change.

The ordered log is the outbox (`shared.outbox`): every change of a session is one event with a
gap-free sequence number, committed with the change. The SSE id of each event is that number,
so a client reconnecting with `Last-Event-ID` reads on from the log and loses nothing. One
poller per process reads new session events (every `poll_seconds`) into a short buffer and
wakes every listener; a listener that fell behind the buffer reads from the database again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select

from services.councils.models import outbox
from services.councils.schemas.sessions import CouncilSessionOut
from shared.database import Database

BUFFER = 10_000
logger = logging.getLogger("spn.councils.live")


def live_view(record: dict[str, Any]) -> dict[str, Any]:
    """What a remote participant follows: status, who is present, quorum, the current motion."""
    session = CouncilSessionOut.model_validate(record)
    current = next((m for m in reversed(session.motions) if m.status == "open"), None)
    current = current or (session.motions[-1] if session.motions else None)
    return {
        "session_id": str(session.id),
        "status": session.status.value,
        "present": [
            {
                "name": a.name,
                "role": a.role,
                "mode": a.mode.value,
                "since": a.checked_in_at.isoformat(),
            }
            for a in session.attendance
            if a.checked_out_at is None
        ],
        "quorum": session.quorum.model_dump(mode="json") if session.quorum else None,
        "motion": None
        if current is None
        else {
            "id": str(current.id),
            "number": current.number,
            "text": current.text.hy,
            "status": current.status.value,
            "tally": current.tally.model_dump(),
            "result": current.result.model_dump() if current.result else None,
        },
    }


async def _read(
    database: Database, after: int, session_id: uuid.UUID | None, limit: int = 500
) -> list[tuple[int, uuid.UUID, dict[str, Any]]]:
    events = outbox.events
    statement = (
        select(events.c.seq, events.c.resource_id, events.c.data)
        .where(events.c.seq > after, events.c.resource_type == "session")
        .order_by(events.c.seq)
        .limit(limit)
    )
    if session_id is not None:
        statement = statement.where(events.c.resource_id == session_id)
    async with database.sessionmaker() as session:
        rows = (await session.execute(statement)).all()
    return [(int(seq), rid, data) for seq, rid, data in rows if data is not None]


class SessionStreams:
    """The process's listeners of session streams and the one poller feeding them."""

    def __init__(self, database: Database, poll_seconds: float = 0.05) -> None:
        self.database = database
        self.poll_seconds = poll_seconds
        self.buffer: deque[tuple[int, uuid.UUID, dict[str, Any]]] = deque(maxlen=BUFFER)
        self.last_seq: int | None = None
        self.changed = asyncio.Condition()
        self.listeners = 0
        self._task: asyncio.Task[None] | None = None

    async def _poll(self) -> None:
        while True:
            try:
                if self.last_seq is None:
                    async with self.database.sessionmaker() as session:
                        top = await session.scalar(
                            select(outbox.events.c.seq)
                            .order_by(outbox.events.c.seq.desc())
                            .limit(1)
                        )
                    self.last_seq = int(top or 0)
                fresh = await _read(self.database, self.last_seq, None)
                if fresh:
                    self.buffer.extend(fresh)
                    self.last_seq = fresh[-1][0]
                    async with self.changed:
                        self.changed.notify_all()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("the session stream could not read the log", exc_info=True)
            await asyncio.sleep(self.poll_seconds)

    def _ensure_polling(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def events(
        self, session_id: uuid.UUID, after: int, *, follow: bool = True
    ) -> AsyncIterator[tuple[int, dict[str, Any]]]:
        """(seq, live view) of the session's changes after `after`, in order; with `follow`,
        then each new one as it is committed."""
        self._ensure_polling()
        self.listeners += 1
        try:
            while True:
                oldest = self.buffer[0][0] if self.buffer else None
                if oldest is None or oldest > after + 1 or self.last_seq is None:
                    # Not (or no longer) in the buffer: from the log itself.
                    known = self.last_seq
                    rows = await _read(self.database, after, session_id)
                    for seq, _rid, data in rows:
                        after = seq
                        yield seq, live_view(data)
                    if len(rows) == 500:
                        continue
                    if known is not None:
                        after = max(after, known)
                else:
                    for seq, rid, data in list(self.buffer):
                        if seq > after:
                            after = seq
                            if rid == session_id:
                                yield seq, live_view(data)
                if not follow:
                    return
                async with self.changed:
                    if self.last_seq is None or self.last_seq <= after:
                        await self.changed.wait()
        finally:
            self.listeners -= 1
