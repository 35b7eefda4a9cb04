"""search: names that start with the query, read in name order

Revision ID: c976a4c93902
Revises: 7a00814bf335
Create Date: 2026-11-25 10:10:20.946089
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c976a4c93902"
down_revision: str | None = "7a00814bf335"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# GET /v1/search ranks names that start with the query first, in name order. Per name of
# search_name ("hy | en | ru"), an index on its first three letters and the page order lets the
# search read those names in order and stop at the page, however many there are ("social":
# 18,910 services at 250,000 actors). The partial index holds the rows whose names have a "|"
# of their own. PostgreSQL only: SQLite walks the name order. Figures: bench/README.md.
TABLES = ("actors", "programmes", "services")
POSITIONS = (1, 2, 3)
STRAY_BARS = "search_name LIKE '% | % | % | %' OR replace(search_name, ' | ', '') LIKE '%|%'"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        for position in POSITIONS:
            start = f"left(split_part(search_name, ' | ', {position}), 3)"
            op.create_index(
                f"ix_{table}_name_{position}_start",
                table,
                [sa.literal_column(start).label(f"name_{position}_start"), "name_hy", "id"],
            )
        op.create_index(
            f"ix_{table}_stray_bars",
            table,
            ["name_hy", "id"],
            postgresql_where=sa.text(STRAY_BARS),
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in reversed(TABLES):
        op.drop_index(f"ix_{table}_stray_bars", table_name=table)
        for position in reversed(POSITIONS):
            op.drop_index(f"ix_{table}_name_{position}_start", table_name=table)
