"""One write path: every change a service makes is journaled by one call.

`await RESOURCE.created(session, principal, row)` (or `.updated`, `.deleted`) does, in the
caller's transaction: it moves the resource's version (so a change to child rows alone still
changes the version and the ETag), records the audit entry (who, when, action, before → after) and,
for resources the service publishes, the change-feed event carrying the public representation.
It returns the representation after the change, which is what the caller answers with.

The journal knows no domain: each service registers its resource types with a function that
builds their representation (`full=True` for the audit and for signed-in callers, `full=False`
for the public: no personal data).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel
from sqlalchemy import JSON, Column, Index, MetaData, String, Table, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Uuid

from shared.auth import Principal
from shared.database import UTCDateTime, updated_in, utcnow
from shared.outbox import OutboxTables, emit

Action = Literal["create", "update", "delete"]
_VERBS: dict[str, str] = {"create": "created", "update": "updated", "delete": "deleted"}
# Bookkeeping fields every representation carries; an audit diff of them says nothing.
_NOT_DIFFED = frozenset({"id", "version", "created_at", "updated_at", "personal_data_hidden"})


def audit_table(metadata: MetaData) -> Table:
    """Add the audit log to a service's MetaData (and so to its migrations)."""
    return Table(
        "audit_log",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("at", UTCDateTime, nullable=False),
        Column("subject", String(200), nullable=False),
        Column("action", String(10), nullable=False),
        Column("resource_type", String(40), nullable=False),
        Column("resource_id", Uuid, nullable=False),
        Column("changes", JSON, nullable=False),
        Index("ix_audit_log_resource", "resource_type", "resource_id", "at"),
    )


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """`{field: [old, new]}` for the fields that differ (all of them on create and delete)."""
    before, after = before or {}, after or {}
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if key not in _NOT_DIFFED and before.get(key) != after.get(key)
    }


# A mapped row with `id`, `created_at` and `updated_at` (IdMixin, TimestampMixin, VersionedMixin).
Row = TypeVar("Row")
Out = TypeVar("Out", bound=BaseModel)
Represent = Callable[[AsyncSession, Row, bool], Awaitable[Out]]


@dataclass(frozen=True)
class Resource(Generic[Row, Out]):
    """One kind of resource a service journals (see `Journal.resource`)."""

    journal: Journal
    type: str
    represent: Represent[Row, Out]
    event_prefix: str | None
    stream_of: Callable[[Row], uuid.UUID] | None
    personal: bool
    verbs: tuple[str, ...]

    async def snapshot(self, session: AsyncSession, row: Row, *, full: bool = True) -> Out:
        """The representation as it is now: the `before` of a change, or what a GET answers."""
        return await self.represent(session, row, full)

    @property
    def vary(self) -> str | None:
        """The `Vary` of an answer with this representation: whether it depends on the caller."""
        return "Authorization" if self.personal else None

    async def created(
        self, session: AsyncSession, principal: Principal, row: Row, *, event: str | None = None
    ) -> Out:
        """Journal a new resource; answers its representation."""
        after = await self._record(session, principal, "create", row, None, None, event, None)
        assert after is not None
        return after

    async def updated(
        self,
        session: AsyncSession,
        principal: Principal,
        row: Row,
        before: Out,
        *,
        event: str | None = None,
    ) -> Out:
        """Journal a change (`event`: the change-feed verb when "updated" says too little, e.g.
        "left"); moves the version even when only child rows changed."""
        after = await self._record(session, principal, "update", row, _id(row), before, event, None)
        assert after is not None
        return after

    async def deleted(
        self,
        session: AsyncSession,
        principal: Principal,
        resource_id: uuid.UUID,
        before: Out,
        *,
        stream_id: uuid.UUID | None = None,
    ) -> None:
        await self._record(session, principal, "delete", None, resource_id, before, None, stream_id)

    async def _record(
        self,
        session: AsyncSession,
        principal: Principal,
        action: Action,
        row: Row | None,
        resource_id: uuid.UUID | None,
        before: Out | None,
        event: str | None,
        stream_id: uuid.UUID | None,
    ) -> Out | None:
        now = utcnow()
        after: Out | None = None
        if row is not None:
            if action == "update" and not updated_in(session, row):
                # Moves the row version even when only child rows changed, so a writer holding
                # the old ETag gets a 412 and a stale concurrent UPDATE fails on the version.
                stamped: Any = row
                stamped.updated_at = max(now, stamped.created_at)
            await session.flush()
            resource_id = _id(row)  # a new row has its id from the flush
            after = await self.represent(session, row, True)
        if resource_id is None:
            raise ValueError("a deleted resource is journaled by its id")
        before_data = before.model_dump(mode="json") if before is not None else None
        after_data = after.model_dump(mode="json") if after is not None else None
        await session.execute(
            insert(self.journal.audit).values(
                id=uuid.uuid4(),
                at=now,
                subject=principal.subject,
                action=action,
                resource_type=self.type,
                resource_id=resource_id,
                changes=diff(before_data, after_data),
            )
        )
        if self.event_prefix is not None and self.journal.outbox is not None:
            public: dict[str, Any] | None = None
            if row is not None:
                shown = await self.represent(session, row, False) if self.personal else after
                public = shown.model_dump(mode="json") if shown is not None else None
            if stream_id is None:
                stream_id = self.stream_of(row) if (self.stream_of and row) else resource_id
            await emit(
                session,
                self.journal.outbox,
                type=f"{self.event_prefix}.{event or _VERBS[action]}",
                resource_type=self.type,
                resource_id=resource_id,
                data=public,
                stream_id=stream_id,
            )
        return after


def _id(row: Any) -> uuid.UUID:
    row_id: uuid.UUID = row.id
    return row_id


@dataclass
class Journal:
    """A service's journal: its audit table, its outbox (if it publishes) and the resource
    types it journals, registered once at import time."""

    audit: Table
    outbox: OutboxTables | None = None
    resources: dict[str, Resource[Any, Any]] = field(default_factory=dict)

    def resource(
        self,
        type: str,
        represent: Represent[Row, Out],
        *,
        publish: bool = True,
        event_prefix: str | None = None,
        stream_of: Callable[[Row], uuid.UUID] | None = None,
        personal: bool = False,
        verbs: tuple[str, ...] = ("created", "updated", "deleted"),
    ) -> Resource[Row, Out]:
        """Register a resource type. `personal`: its full representation holds personal data,
        so the public one (events, anonymous callers) is built apart and may differ. `verbs`:
        the change-feed events it publishes, as `<event_prefix>.<verb>`."""
        if type in self.resources:
            raise ValueError(f"resource type {type!r} is registered twice")
        resource: Resource[Row, Out] = Resource(
            journal=self,
            type=type,
            represent=represent,
            event_prefix=(event_prefix or type) if publish else None,
            stream_of=stream_of,
            personal=personal,
            verbs=verbs,
        )
        self.resources[type] = resource
        return resource

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(sorted(self.resources))

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(
            f"{r.event_prefix}.{verb}"
            for r in self.resources.values()
            if r.event_prefix is not None
            for verb in r.verbs
        )


@dataclass(frozen=True)
class Change(Generic[Row, Out]):
    """A resource about to change, as a loading dependency hands it to a route: found (404
    otherwise), the caller's to change (403), at the representation the caller read (412)."""

    row: Row
    before: Out
