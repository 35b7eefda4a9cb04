"""The grants service's journal: every write is recorded here (see shared.journal). Each rules
module registers the resource types it writes; `registered()` gives the journal with all of
them."""

from services.grants.models import audit_log, outbox
from shared.journal import Journal

journal = Journal(audit_log, outbox)


def registered() -> Journal:
    # Importing the rules registers their resources; they import this module, hence here.
    from services.grants.rules import (  # noqa: F401
        applications,
        calls,
        finances,
        grants,
        plans,
        programmes,
        rates,
        results,
        standards,
    )

    return journal
