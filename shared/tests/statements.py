"""What a service sends to its database, as the server receives it, for tests that count round
trips: BEGIN, COMMIT, ROLLBACK and pings included, which SQLAlchemy's own events do not show."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_


class StatementLog:
    """Records every statement the engine's connections send from now on."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._statements: list[str] = []
        self._instrumented: set[int] = set()
        self._postgresql = engine.dialect.name == "postgresql"
        event.listen(engine.sync_engine.pool, "checkout", self._instrument)
        if self._postgresql:
            # asyncpg logs only what it runs as plain queries (BEGIN, COMMIT, ROLLBACK, pings);
            # SQLAlchemy's statements go through prepared statements, seen here instead.
            event.listen(engine.sync_engine, "before_cursor_execute", self._on_execute)

    def _instrument(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        driver = dbapi_connection.driver_connection
        if id(driver) in self._instrumented:
            return
        self._instrumented.add(id(driver))
        if self._postgresql:
            driver.add_query_logger(lambda record: self._statements.append(record.query))
        else:  # aiosqlite: sqlite3's trace callback sees every statement, BEGIN and COMMIT too
            await_(driver.set_trace_callback(self._statements.append))

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self._statements.append(statement)

    async def taken(self) -> list[str]:
        """The statements sent since the last call (asyncpg reports its own a moment late)."""
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        taken, self._statements[:] = list(self._statements), []
        return [" ".join(s.split()) for s in taken]

    def close(self) -> None:
        event.remove(self.engine.sync_engine.pool, "checkout", self._instrument)
        if self._postgresql:
            event.remove(self.engine.sync_engine, "before_cursor_execute", self._on_execute)
