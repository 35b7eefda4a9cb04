from services.grants.config import GrantsSettings
from services.grants.models import Base
from shared.migrations import run_env

run_env(
    Base.metadata,
    version_table="alembic_version_grants",
    default_url=GrantsSettings().database_url,
)
