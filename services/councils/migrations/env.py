from services.councils.config import CouncilsSettings
from services.councils.models import Base
from shared.migrations import run_env

run_env(
    Base.metadata,
    version_table="alembic_version_councils",
    default_url=CouncilsSettings().database_url,
)
