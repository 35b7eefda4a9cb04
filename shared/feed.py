"""The read routes every data service has over its journal: the change feed (`/v1/events`)
and the audit trail (`/v1/audit`). One implementation; each service passes its tables, the
types its journal registered and the names that keep its OpenAPI unique."""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations, and the
# enums they use are local to the factories.
import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import Table, select

from shared.database import SessionDep
from shared.errors import RuleViolation, problem_responses
from shared.i18n import _
from shared.outbox import Event, OutboxTables, read_feed
from shared.pagination import Page, PageDep, decode_cursor, encode_cursor, paginate

# Sequence numbers are 64-bit on PostgreSQL.
MAX_SEQ = 2**63 - 1


def events_router(
    outbox: OutboxTables,
    event_types: Sequence[str],
    *,
    summary: str,
    operation_id: str = "read_events",
    stream_description: str = "only one stream's events",
    path: str = "/v1/events",
) -> APIRouter:
    """`GET path`: the outbox as a feed, in commit order, as a page like every list. Each
    service's feed has a path of its own (the gateway serves them all at one origin)."""
    router = APIRouter(prefix=path, tags=["events"])
    types = tuple(event_types)
    EventType = Literal[types]  # type: ignore[valid-type]

    async def read_events(
        session: SessionDep,
        after: Annotated[int, Query(ge=0, le=MAX_SEQ, description="the last seq you have")] = 0,
        cursor: Annotated[
            str | None, Query(max_length=1024, description="`next_cursor` of the previous page")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        type: Annotated[list[EventType] | None, Query(max_length=len(types))] = None,
        stream_id: Annotated[uuid.UUID | None, Query(description=stream_description)] = None,
    ) -> Page[Event]:
        if cursor is not None:
            (after,) = decode_cursor(cursor, [outbox.events.c.seq])
            if not 0 <= after <= MAX_SEQ:
                raise RuleViolation(
                    _("The cursor is not one this list gave out; start again without it.")
                )
        items = await read_feed(
            session, outbox, after=after, limit=limit, types=type or (), stream_id=stream_id
        )
        return Page(items=items, next_cursor=encode_cursor([items[-1].seq if items else after]))

    read_events.__name__ = operation_id
    router.add_api_route(
        "",
        read_events,
        methods=["GET"],
        summary=summary,
        description=(
            "Events in the order they were committed, as a page like every list: "
            "`{items, next_cursor}`. Read on with `cursor` = the `next_cursor` you were given, "
            "or with `after` = the `seq` of the last event you applied. The feed never ends, so "
            "`next_cursor` is always given; an empty page means you are up to date (keep the "
            "cursor and ask again later). Event data never carries personal contacts."
        ),
        operation_id=operation_id,
    )
    return router


class AuditEntryOut(BaseModel):
    id: uuid.UUID
    at: datetime
    subject: str
    action: str
    resource_type: str
    resource_id: uuid.UUID
    changes: dict[str, Any]


def audit_router(
    audit_log: Table,
    resource_types: Sequence[str],
    *,
    admin: Any,
    type_name: str = "ResourceType",
    operation_id: str = "list_audit_entries",
    path: str = "/v1/audit",
) -> APIRouter:
    """`GET path?resource_type=&resource_id=`: who changed a resource, when and what.

    `admin` is the dependency that lets only administrators in (`require_roles(ADMIN)`);
    `type_name` names the enum of `resource_types` in the OpenAPI (unique per service)."""
    router = APIRouter(prefix=path, tags=["audit"])
    ResourceType = StrEnum(type_name, {t: t for t in resource_types})  # type: ignore[misc]

    async def list_audit_entries(
        session: SessionDep,
        page: PageDep,
        resource_type: ResourceType,
        resource_id: Annotated[uuid.UUID, Query()],
    ) -> Page[AuditEntryOut]:
        statement = select(audit_log).where(
            audit_log.c.resource_type == resource_type.value,
            audit_log.c.resource_id == resource_id,
        )
        rows, cursor = await paginate(
            session, statement, keys=[audit_log.c.at, audit_log.c.id], page=page, scalars=False
        )
        return Page(
            items=[AuditEntryOut.model_validate(row, from_attributes=True) for row in rows],
            next_cursor=cursor,
        )

    list_audit_entries.__name__ = operation_id
    router.add_api_route(
        "",
        list_audit_entries,
        methods=["GET"],
        summary="Who changed a resource, when and what",
        responses=problem_responses(401, 403),
        dependencies=[admin],
        operation_id=operation_id,
    )
    return router
