"""Who may write what in the grants service: its roles, and the scope each acts in.

- `admin` writes everything.
- `grants_officer` writes grant programmes, calls, assessments and grants, and the money after
  the award (amendments, tranches, co-funding receipts, expenditure, reclaims), exchange rates,
  results (indicators, beneficiary counts, selections) and minimum service standards with
  their compliance assessments.
- `community_official`, scoped by the token's `communities` claim (registry community ids),
  writes the local social plans of those communities and their consultations.
- `applicant`, scoped by the token's `actors` claim (registry actor ids), submits
  applications in the name of those actors and reads them before the call is decided.
- `feed_publisher`: the registry pushing its change feed to `/v1/inbox/registry`.

Every write checks the role and the scope together (`Principal.acts_for`). Reads of plans,
programmes, calls, decided applications, grants, their money, totals, results, standards and
the open-data exports are public (none holds personal data: beneficiaries are counts).
"""

from __future__ import annotations

import uuid

from services.grants.messages import _
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.i18n import Message

ADMIN = Role("admin")
GRANTS_OFFICER = Role("grants_officer")
COMMUNITY_OFFICIAL = Role("community_official", scope="communities")
APPLICANT = Role("applicant", scope="actors")
# A service pushing its change feed to the inbox (the registry).
FEED_PUBLISHER = Role("feed_publisher")

PLAN_WRITERS = (ADMIN, COMMUNITY_OFFICIAL)
OFFICERS = (ADMIN, GRANTS_OFFICER)
APPLICANTS = (ADMIN, APPLICANT)


def ensure_writes_plans_of(principal: Principal, community_id: uuid.UUID, what: Message) -> None:
    """403 unless an admin, or an official of this very community."""
    if principal.acts_for(PLAN_WRITERS, community_id):
        return
    if not principal.has_role(*PLAN_WRITERS):
        raise Forbidden(_("Changing {what} needs the role admin or community_official.", what=what))
    raise Forbidden(
        _(
            "Only an admin or an official of its community may change {what}; "
            "your token names other communities.",
            what=what,
        )
    )


def ensure_applies_for(principal: Principal, applicant_id: uuid.UUID) -> None:
    """403 unless an admin, or an applicant whose token names this actor."""
    if principal.acts_for(APPLICANTS, applicant_id):
        return
    if not principal.has_role(*APPLICANTS):
        raise Forbidden(_("Submitting an application needs the role admin or applicant."))
    raise Forbidden(
        _(
            "An applicant applies only in the name of the actors its token names; "
            "{applicant_id} is not one of them.",
            applicant_id=applicant_id,
        )
    )


def reads_undecided(principal: Principal | None, applicant_id: uuid.UUID) -> bool:
    """Whether the caller may read an application before its call is decided: officers and the
    applicant itself."""
    if principal is None:
        return False
    return principal.has_role(*OFFICERS) or principal.acts_for((APPLICANT,), applicant_id)


def is_tied_to(principal: Principal, actor_id: uuid.UUID) -> bool:
    """An assessor is tied to an applicant that its token's `actors` claim names (it acts for
    it); such an assessor is recused from that application."""
    return str(actor_id) in principal.scope("actors")
