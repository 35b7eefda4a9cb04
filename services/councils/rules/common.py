"""Pieces the rules share: today, the council, periods, refusals in words."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.councils.access import ADMIN
from services.councils.messages import _
from services.councils.models import Council
from shared.auth import Principal
from shared.database import utcnow
from shared.errors import NotFound, RuleViolation
from shared.i18n import Joined, Message

# Work the service does by itself when the registry's feed tells it to.
FEED = Principal.system("registry-feed", ADMIN)


def today() -> date:
    return utcnow().date()


def field_error(field: str, detail: Message, title: Message) -> RuleViolation:
    return RuleViolation(
        Joined(": ", [field, detail]),
        title=title,
        extra={"errors": [{"field": field, "message": detail, "type": "rule"}]},
    )


async def get_council(session: AsyncSession, council_id: uuid.UUID) -> Council:
    council = await session.get(Council, council_id)
    if council is None:
        raise NotFound(_("There is no council {council_id}.", council_id=council_id))
    return council


def overlaps(start: date, end: date | None, other_start: date, other_end: date | None) -> bool:
    """Whether two half-open periods [start, end) meet; None is open-ended."""
    return (other_end is None or start < other_end) and (end is None or other_start < end)


def current_on(start: date, end: date | None, on: date) -> bool:
    return start <= on and (end is None or on < end)
