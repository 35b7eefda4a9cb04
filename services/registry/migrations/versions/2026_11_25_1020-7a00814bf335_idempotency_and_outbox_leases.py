"""idempotency and outbox leases

Revision ID: 7a00814bf335
Revises: ecd79e12691b
Create Date: 2026-11-25 10:20:23.861858
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.database

revision: str = "7a00814bf335"
down_revision: str | None = "ecd79e12691b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Who holds an Idempotency-Key claim and until when (shared.idempotency): a claim whose
# process died is released, so a retry after a crash does the work once.
# Which outbox dispatcher delivers to a subscriber, until when (shared.outbox): one at a
# time across workers and replicas.


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("lease_until", shared.database.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("outbox_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leased_by", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("lease_until", shared.database.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_deliveries", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("leased_by")

    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("holder")
