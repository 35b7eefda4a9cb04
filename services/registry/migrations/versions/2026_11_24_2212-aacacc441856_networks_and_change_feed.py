"""networks and change feed

Revision ID: aacacc441856
Revises: 4130b918edb7
Create Date: 2026-11-24 22:12:26.653068
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.database

revision: str = "aacacc441856"
down_revision: str | None = "4130b918edb7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_programmes_name_hy_id", "programmes", ["name_hy", "id"], unique=False)
    with op.batch_alter_table("actor_capacities") as batch_op:
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "outbox_counter",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_counter")),
    )
    op.create_table(
        "outbox_deliveries",
        sa.Column("subscriber", sa.String(length=500), nullable=False),
        sa.Column(
            "delivered_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", shared.database.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("subscriber", name=op.f("pk_outbox_deliveries")),
    )
    op.create_table(
        "outbox_events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("occurred_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=False),
        sa.Column("stream_id", sa.Uuid(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox_events")),
        sa.UniqueConstraint("id", name=op.f("uq_outbox_events_id")),
    )
    op.create_index(
        op.f("ix_outbox_events_stream_id"), "outbox_events", ["stream_id"], unique=False
    )
    op.create_table(
        "networks",
        sa.Column("center_id", sa.Uuid(), nullable=False),
        sa.Column("name_hy", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("name_ru", sa.String(length=300), nullable=True),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("goals_note", sa.Text(), nullable=True),
        sa.Column("founded_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("dissolved_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_id"], ["centers.id"], name=op.f("fk_networks_center_id_centers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networks")),
    )
    op.create_index(op.f("ix_networks_center_id"), "networks", ["center_id"], unique=False)
    op.create_index(
        "uq_networks_active_center",
        "networks",
        ["center_id"],
        unique=True,
        postgresql_where=sa.text("status = 'active'"),
        sqlite_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "network_activities",
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("topic", sa.String(length=500), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_network_activities_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_activities")),
    )
    op.create_index(
        op.f("ix_network_activities_network_id"), "network_activities", ["network_id"], unique=False
    )
    op.create_table(
        "network_members",
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("capacities", sa.JSON(), nullable=False),
        sa.Column("agreement_number", sa.String(length=100), nullable=True),
        sa.Column("agreement_date", sa.Date(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("leave_reason", sa.String(length=1000), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name=op.f("fk_network_members_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_network_members_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_members")),
    )
    op.create_index(
        op.f("ix_network_members_actor_id"), "network_members", ["actor_id"], unique=False
    )
    op.create_index(
        op.f("ix_network_members_network_id"), "network_members", ["network_id"], unique=False
    )
    op.create_index(
        "uq_network_members_current",
        "network_members",
        ["network_id", "actor_id"],
        unique=True,
        postgresql_where=sa.text("left_on IS NULL"),
        sqlite_where=sa.text("left_on IS NULL"),
    )
    op.create_table(
        "network_activity_participants",
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["network_activities.id"],
            name=op.f("fk_network_activity_participants_activity_id_network_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["network_members.id"],
            name=op.f("fk_network_activity_participants_member_id_network_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "activity_id", "member_id", name=op.f("pk_network_activity_participants")
        ),
    )


def downgrade() -> None:
    op.drop_index("ix_programmes_name_hy_id", table_name="programmes")
    with op.batch_alter_table("actor_capacities") as batch_op:
        batch_op.drop_column("position")
    op.drop_table("network_activity_participants")
    op.drop_index(
        "uq_network_members_current",
        table_name="network_members",
        postgresql_where=sa.text("left_on IS NULL"),
        sqlite_where=sa.text("left_on IS NULL"),
    )
    op.drop_index(op.f("ix_network_members_network_id"), table_name="network_members")
    op.drop_index(op.f("ix_network_members_actor_id"), table_name="network_members")
    op.drop_table("network_members")
    op.drop_index(op.f("ix_network_activities_network_id"), table_name="network_activities")
    op.drop_table("network_activities")
    op.drop_index(
        "uq_networks_active_center",
        table_name="networks",
        postgresql_where=sa.text("status = 'active'"),
        sqlite_where=sa.text("status = 'active'"),
    )
    op.drop_index(op.f("ix_networks_center_id"), table_name="networks")
    op.drop_table("networks")
    op.drop_index(op.f("ix_outbox_events_stream_id"), table_name="outbox_events")
    op.drop_table("outbox_events")
    op.drop_table("outbox_deliveries")
    op.drop_table("outbox_counter")
