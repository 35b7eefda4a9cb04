"""Who may write what in the registry: its roles, and the scope each acts in.

Admins write everything. A center official (scoped by the token's `centers` claim) writes the
network of those centers, and actors, services and programmes only when they touch the
service territory of those centers. Every write checks the role and the scope together.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.messages import _
from services.registry.models import Center, CenterTerritory
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.i18n import Message

ADMIN = Role("admin")
CENTER_OFFICIAL = Role("center_official", scope="centers")
# Roles other services act in; the registry knows them only to refuse them its writes.
ROLES = (ADMIN, CENTER_OFFICIAL)
WRITERS = (ADMIN, CENTER_OFFICIAL)


def is_admin(principal: Principal) -> bool:
    return principal.has_role(ADMIN)


def ensure_manages_center(principal: Principal, center_id: uuid.UUID, what: Message) -> None:
    """403 unless an admin, or an official of this very center."""
    if principal.acts_for((ADMIN, CENTER_OFFICIAL), center_id):
        return
    if not principal.has_role(*WRITERS):
        raise Forbidden(_("Changing {what} needs the role admin or center_official.", what=what))
    raise Forbidden(
        _(
            "Only an admin or an official of its center may change {what}; "
            "your token names other centers.",
            what=what,
        )
    )


async def territory_of(session: AsyncSession, center_ids: Iterable[str]) -> set[uuid.UUID]:
    """The communities of the active territories of these centers."""
    ids = []
    for raw in center_ids:
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            continue
    if not ids:
        return set()
    rows = await session.scalars(
        select(CenterTerritory.community_id).where(
            CenterTerritory.center_id.in_(ids), CenterTerritory.active.is_(True)
        )
    )
    return set(rows)


async def regions_of(session: AsyncSession, center_ids: Iterable[str]) -> set[str]:
    ids = [uuid.UUID(c) for c in center_ids if _is_uuid(c)]
    if not ids:
        return set()
    return set(await session.scalars(select(Center.region_code).where(Center.id.in_(ids))))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def ensure_in_territory(
    session: AsyncSession,
    principal: Principal,
    *,
    communities: set[uuid.UUID],
    regions: set[str] = frozenset(),  # type: ignore[assignment]
    what: Message,
) -> None:
    """403 unless an admin, or an official whose territory includes one of `communities`
    (or, for a body's jurisdiction over whole regions, whose center is in one of `regions`)."""
    if principal.has_role(ADMIN):
        return
    if not principal.has_role(CENTER_OFFICIAL):
        raise Forbidden(_("Changing {what} needs the role admin or center_official.", what=what))
    centers = principal.scope(CENTER_OFFICIAL.scope or "")
    if communities & await territory_of(session, centers):
        return
    if regions and regions & await regions_of(session, centers):
        return
    raise Forbidden(
        _(
            "{what} is outside the service territory of your center: a center official changes "
            "only what is located or operates in their own territory.",
            what=what.capitalized(),
        )
    )
