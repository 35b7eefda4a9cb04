"""The councils service's journal: every write is recorded here (see shared.journal)."""

from services.councils.models import audit_log, outbox
from shared.journal import Journal

journal = Journal(audit_log, outbox)


def registered() -> Journal:
    # Importing the rules registers their resources; they import this module, hence here.
    from services.councils.rules import (  # noqa: F401
        bylaws,
        councils,
        minutes,
        people,
        sessions,
        working_groups,
    )

    return journal
