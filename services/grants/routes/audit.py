from services.grants.access import ADMIN
from services.grants.journal import registered
from services.grants.models import audit_log
from shared.auth import require_roles
from shared.feed import audit_router

# Every type the grants service journals, as its rules registered them.
router = audit_router(
    audit_log,
    registered().types,
    admin=require_roles(ADMIN),
    type_name="GrantResourceType",
    operation_id="list_grant_audit_entries",
    path="/v1/grant-audit",
)
