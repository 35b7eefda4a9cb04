from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from services.registry.dependencies import Admin
from services.registry.journal import registered
from services.registry.models import audit_log
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/audit", tags=["audit"])

# Every type the registry journals, as its rules registered them.
ResourceType = StrEnum("ResourceType", {t: t for t in registered().types})  # type: ignore[misc]


class AuditEntryOut(BaseModel):
    id: uuid.UUID
    at: datetime
    subject: str
    action: str
    resource_type: str
    resource_id: uuid.UUID
    changes: dict[str, Any]


@router.get(
    "", summary="Who changed a resource, when and what", responses=problem_responses(401, 403)
)
async def list_audit_entries(
    session: SessionDep,
    page: PageDep,
    _: Admin,
    resource_type: ResourceType,
    resource_id: Annotated[uuid.UUID, Query()],
) -> Page[AuditEntryOut]:
    statement = select(audit_log).where(
        audit_log.c.resource_type == resource_type.value, audit_log.c.resource_id == resource_id
    )
    rows, cursor = await paginate(
        session, statement, keys=[audit_log.c.at, audit_log.c.id], page=page, scalars=False
    )
    return Page(
        items=[AuditEntryOut.model_validate(row, from_attributes=True) for row in rows],
        next_cursor=cursor,
    )
