"""Who may do what in the councils service: its roles, and the scope each acts in.

- `admin`: everything.
- `center_official` (scoped by the token's `centers` claim): forms the coordinating council of
  its center's network, and manages that council.
- `council_secretary` (scoped by the token's `councils` claim): manages the councils it names:
  members, seats, persons, representatives, guests, bylaws drafts and their adoption, offices,
  working groups.
- `council_member` (scoped by `councils`): reads the representatives' contacts of its councils.
- `feed_publisher`: a service pushing its change feed to the inbox (the registry).

Reads are public except personal data (contacts of persons): those only for the roles above
that apply to the council.
"""

from __future__ import annotations

import uuid

from services.councils.messages import _
from services.councils.models import Council
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.i18n import Message

ADMIN = Role("admin")
CENTER_OFFICIAL = Role("center_official", scope="centers")
SECRETARY = Role("council_secretary", scope="councils")
COUNCIL_MEMBER = Role("council_member", scope="councils")
FEED_PUBLISHER = Role("feed_publisher")
WRITERS = (ADMIN, CENTER_OFFICIAL, SECRETARY)
ROLES = (ADMIN, CENTER_OFFICIAL, SECRETARY, COUNCIL_MEMBER, FEED_PUBLISHER)


def manages(principal: Principal | None, council: Council) -> bool:
    if principal is None:
        return False
    return (
        principal.acts_for((ADMIN,), None)
        or principal.acts_for((CENTER_OFFICIAL,), council.center_id)
        or principal.acts_for((SECRETARY,), council.id)
    )


def sees_contacts(principal: Principal | None, council: Council) -> bool:
    """Contacts of persons: the council's managers and its own members, nobody else."""
    return manages(principal, council) or (
        principal is not None and principal.acts_for((COUNCIL_MEMBER,), council.id)
    )


def ensure_manages(principal: Principal, council: Council, what: Message) -> None:
    """403 unless an admin, an official of the council's center or its secretary."""
    if manages(principal, council):
        return
    raise Forbidden(
        _(
            "Only an admin, an official of the network's center or the council's secretary may "
            "change {what}; your token does not name this council ({council_id}).",
            what=what,
            council_id=council.id,
        )
    )


def ensure_forms(principal: Principal, center_id: uuid.UUID | None) -> None:
    """A coordinating council is formed by an admin or an official of the network's center;
    a municipal one by an admin."""
    if principal.acts_for((ADMIN,), None):
        return
    if center_id is not None and principal.acts_for((CENTER_OFFICIAL,), center_id):
        return
    raise Forbidden(
        _(
            "Only an admin, or an official of the network's center ({center_id}), may form "
            "this council.",
            center_id=center_id or "-",
        )
    )
