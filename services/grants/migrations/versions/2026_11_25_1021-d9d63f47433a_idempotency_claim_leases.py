"""idempotency claim leases

Revision ID: d9d63f47433a
Revises: 76205e6cbb0e
Create Date: 2026-11-25 10:21:01.239250
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.database

revision: str = "d9d63f47433a"
down_revision: str | None = "76205e6cbb0e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Who holds an Idempotency-Key claim and until when (shared.idempotency): a claim whose
# process died is released, so a retry after a crash does the work once.


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("lease_until", shared.database.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("holder")
