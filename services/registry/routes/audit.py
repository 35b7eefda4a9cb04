from services.registry.access import ADMIN
from services.registry.journal import registered
from services.registry.models import audit_log
from shared.auth import require_roles
from shared.feed import audit_router

# Every type the registry journals, as its rules registered them.
router = audit_router(audit_log, registered().types, admin=require_roles(ADMIN))
