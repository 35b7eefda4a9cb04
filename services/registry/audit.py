"""The trail of every write: who, when, what changed."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.models import AuditEntry
from shared.auth import Principal


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """`{field: [old, new]}` for the fields that differ (all of them on create and delete)."""
    before, after = before or {}, after or {}
    ignored = {"id", "version", "created_at", "updated_at", "personal_data_hidden"}
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if key not in ignored and before.get(key) != after.get(key)
    }


def record(
    session: AsyncSession,
    principal: Principal,
    *,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            subject=principal.subject,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            changes=diff(before, after),
        )
    )
