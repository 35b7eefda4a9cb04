"""What the registry's change feed does to grants (applied by the inbox, shared.inbox).

- `actor.deleted`: the grants of that recipient are flagged `deleted` (never dropped: the
  award, its money and its history stay);
- `actor.updated` with another name: the grants take the new name and are flagged `changed`
  (unless already flagged deleted).

Each flagged grant is journaled like any change (audit, event, new version). Every other event
changes nothing."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.grants.access import ADMIN
from services.grants.models import Grant
from services.grants.rules.grants import GRANTS
from shared.auth import Principal
from shared.database import utcnow
from shared.outbox import Event

FEED = Principal.system("registry-feed", ADMIN)
DELETED, CHANGED = "deleted", "changed"


async def apply_registry_event(session: AsyncSession, event: Event) -> None:
    if event.type not in ("actor.deleted", "actor.updated"):
        return
    recipient_id = uuid.UUID(str(event.resource_id))
    rows = list(await session.scalars(select(Grant).where(Grant.recipient_id == recipient_id)))
    for grant in rows:
        if event.type == "actor.deleted":
            if grant.recipient_flag == DELETED:
                continue
            before = await GRANTS.snapshot(session, grant)
            grant.recipient_flag, grant.recipient_flagged_at = DELETED, utcnow()
            await GRANTS.updated(session, FEED, grant, before, event="recipient_deleted")
            continue
        name = ((event.data or {}).get("name") or {}).get("hy")
        if not name or name == grant.recipient_name:
            continue
        before = await GRANTS.snapshot(session, grant)
        grant.recipient_name = name
        if grant.recipient_flag != DELETED:
            grant.recipient_flag, grant.recipient_flagged_at = CHANGED, utcnow()
        await GRANTS.updated(session, FEED, grant, before, event="recipient_changed")
