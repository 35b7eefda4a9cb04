"""idempotency claim leases

Revision ID: 3dacf80c4c0a
Revises: 7e6fb031161b
Create Date: 2026-11-25 10:20:41.311361
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.database

revision: str = "3dacf80c4c0a"
down_revision: str | None = "7e6fb031161b"
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
