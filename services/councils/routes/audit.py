from services.councils.access import ADMIN
from services.councils.journal import registered
from services.councils.models import audit_log
from shared.auth import require_roles
from shared.feed import audit_router

# Every type the councils service journals, as its rules registered them.
router = audit_router(
    audit_log,
    registered().types,
    admin=require_roles(ADMIN),
    type_name="CouncilResourceType",
    operation_id="list_council_audit_entries",
    path="/v1/council-audit",
)
