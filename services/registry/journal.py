"""The registry's journal: every write is recorded here (see shared.journal). Each rules module
registers the resource types it writes; `registered()` gives the journal with all of them, for
the endpoints that list them (the audit, the change feed)."""

from services.registry.models import audit_log, outbox
from shared.journal import Journal

journal = Journal(audit_log, outbox)


def registered() -> Journal:
    # Importing the rules registers their resources; they import this module, hence here.
    from services.registry.rules import (  # noqa: F401
        actors,
        centers,
        networks,
        programmes,
        services,
        territories,
    )

    return journal
