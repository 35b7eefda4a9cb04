"""search name trigram indexes, services by category and name

Revision ID: ecd79e12691b
Revises: aacacc441856
Create Date: 2026-11-24 22:48:24.529219
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ecd79e12691b"
down_revision: str | None = "aacacc441856"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# GET /v1/search ranks names that start with the query, then names that contain its words,
# before other text. search_name is "hy | en | ru"; marking where each name starts ("qx")
# lets one trigram index find both (services.registry.rules.search). GET /v1/services with a
# category walks that category in name order. Figures before and after: bench/README.md.
TABLES = ("actors", "programmes", "services")
MARKED_NAMES = "('qx' || replace(search_name, ' | ', ' qx'))"


def upgrade() -> None:
    for table in TABLES:
        op.create_index(
            f"ix_{table}_marked_names_trgm",
            table,
            [sa.literal_column(MARKED_NAMES).label("marked_names")],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"marked_names": "gin_trgm_ops"},
        )
    op.create_index(
        "ix_services_category_code_name_hy_id",
        "services",
        ["category_code", "name_hy", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_services_category_code_name_hy_id", table_name="services")
    for table in reversed(TABLES):
        op.drop_index(f"ix_{table}_marked_names_trgm", table_name=table)
