from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from services.registry.models import AuditEntry
from shared.auth import ADMIN, Principal, require_roles
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/audit", tags=["audit"])

ResourceType = Literal["community", "center", "actor", "service", "programme"]


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
    _: Annotated[Principal, require_roles(ADMIN)],
    resource_type: ResourceType,
    resource_id: Annotated[uuid.UUID, Query()],
) -> Page[AuditEntryOut]:
    statement = select(AuditEntry).where(
        AuditEntry.resource_type == resource_type, AuditEntry.resource_id == resource_id
    )
    items, cursor = await paginate(
        session, statement, keys=[AuditEntry.at, AuditEntry.id], page=page
    )
    return Page(
        items=[AuditEntryOut.model_validate(e, from_attributes=True) for e in items],
        next_cursor=cursor,
    )
