"""What the registry's change feed does to councils (applied by the inbox, shared.inbox).

- `member.joined`: the network's council seats the new member that day;
- `member.left`: its seats close and its representatives' terms end that day;
- `network.updated`/`network.created` when the network can no longer form a council (dissolved,
  or now informal): the council is suspended, with the reason.

Every other event, and events of networks without a council, change nothing."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.councils.messages import _
from services.councils.models import Council, CouncilMember
from services.councils.rules import councils as rules
from services.councils.rules.common import FEED
from services.councils.schemas.councils import CouncilKind, CouncilMemberLeave, CouncilStatus
from shared.outbox import Event


async def _council_of(session: AsyncSession, network_id: object) -> Council | None:
    council: Council | None = await session.scalar(
        select(Council).where(
            Council.kind == CouncilKind.coordinating,
            Council.network_id == uuid.UUID(str(network_id)),
            Council.status != CouncilStatus.dissolved,
        )
    )
    return council


async def apply_registry_event(session: AsyncSession, event: Event) -> None:
    data = event.data or {}
    if event.type == "member.joined" and data.get("left_on") is None:
        council = await _council_of(session, data["network_id"])
        if council is not None:
            await rules.seat_network_member(session, FEED, council, data)
    elif event.type in ("member.left", "member.updated") and data.get("left_on"):
        council = await _council_of(session, data["network_id"])
        if council is None:
            return
        member = await session.scalar(
            select(CouncilMember).where(
                CouncilMember.council_id == council.id,
                CouncilMember.network_member_id == event.resource_id,
                CouncilMember.left_on.is_(None),
            )
        )
        if member is None:
            return
        before = await rules.MEMBERS.snapshot(session, member)
        left_on = max(date.fromisoformat(data["left_on"]), member.joined_on)
        reason = data.get("leave_reason") or str(_("left the network"))
        await rules.leave(
            session, FEED, member, before, CouncilMemberLeave(left_on=left_on, reason=reason)
        )
    elif event.type in ("network.updated", "network.created") and not data.get(
        "may_form_council", True
    ):
        council = await _council_of(session, event.resource_id)
        if council is None:
            return
        if data.get("status") != "active":
            reason = _("the network was dissolved on {on}", on=data.get("dissolved_on") or "-")
        else:
            reason = _("the network is now {form}; only a formalised or mixed network may have a "
                       "coordinating council", form=data.get("form"))  # fmt: skip
        await rules.suspend(session, FEED, council, str(reason))
