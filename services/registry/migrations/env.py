from services.registry.config import RegistrySettings
from services.registry.models import Base
from shared.migrations import run_env

run_env(
    Base.metadata,
    version_table="alembic_version_registry",
    default_url=RegistrySettings().database_url,
)
