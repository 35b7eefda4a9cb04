"""The registry's tables. Names people read are stored per language (`name_hy`, `name_en`,
`name_ru`); `search_name` and `search_text` hold their folded forms (see `shared.text.fold`)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    literal_column,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.database import (
    IdMixin,
    TimestampMixin,
    VersionedMixin,
    make_metadata,
)
from shared.idempotency import idempotency_table
from shared.journal import audit_table
from shared.outbox import outbox_tables


class Base(DeclarativeBase):
    metadata = make_metadata()


idempotency_keys = idempotency_table(Base.metadata)


def _trigram_index(table: str) -> Index:
    # On PostgreSQL a trigram GIN index serves `LIKE '%word%'`; on SQLite it is a plain index.
    return Index(
        f"ix_{table}_search_text_trgm",
        "search_text",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )


def _name_start_indexes(table: str) -> tuple[Index, ...]:
    """Search's rank 0 (a name starts with the query) read in name order, stopping at the page
    (services.registry.rules.search): per name of search_name ("hy | en | ru"), its first three
    letters, then the page order; and the few rows whose names hold a "|" of their own, whose
    parts are not their names. PostgreSQL only: SQLite searches by walking the name order."""
    starts = [
        Index(
            f"ix_{table}_name_{position}_start",
            literal_column(f"left(split_part(search_name, ' | ', {position}), 3)").label(
                f"name_{position}_start"
            ),
            "name_hy",
            "id",
        ).ddl_if(dialect="postgresql")
        for position in (1, 2, 3)
    ]
    stray_bars = Index(
        f"ix_{table}_stray_bars",
        "name_hy",
        "id",
        postgresql_where=literal_column(
            "search_name LIKE '% | % | % | %' OR replace(search_name, ' | ', '') LIKE '%|%'"
        ),
    ).ddl_if(dialect="postgresql")
    return (*starts, stray_bars)


class NamedMixin:
    name_hy: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    name_ru: Mapped[str | None] = mapped_column(String(300))
    search_name: Mapped[str] = mapped_column(String(1000), default="")
    search_text: Mapped[str] = mapped_column(Text, default="")


class AddressMixin:
    street: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(4))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(500))


class Region(Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)  # ISO 3166-2:AM
    name_hy: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class Community(IdMixin, VersionedMixin, TimestampMixin, Base):
    __tablename__ = "communities"

    code: Mapped[str] = mapped_column(String(80), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("communities.id"))
    name_hy: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    name_ru: Mapped[str | None] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(600), default="", index=True)


class Center(IdMixin, VersionedMixin, TimestampMixin, NamedMixin, AddressMixin, Base):
    """An integrated social services territorial center."""

    __tablename__ = "centers"

    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    community_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("communities.id"))
    head_name: Mapped[str | None] = mapped_column(String(200))
    head_position: Mapped[str | None] = mapped_column(String(200))
    opened_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)

    territory: Mapped[list[CenterTerritory]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="CenterTerritory.community_id"
    )


class CenterTerritory(Base):
    """A community of a center's service territory; `active` while the center is not closed."""

    __tablename__ = "center_territory"
    __table_args__ = (
        # A community is in at most one active center's territory.
        Index(
            "uq_center_territory_active_community",
            "community_id",
            unique=True,
            postgresql_where=text("active"),
            sqlite_where=text("active"),
        ),
    )

    center_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("centers.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Actor(IdMixin, VersionedMixin, TimestampMixin, NamedMixin, AddressMixin, Base):
    """A state or local body, legal entity, individual entrepreneur or natural person."""

    __tablename__ = "actors"
    __table_args__ = (
        _trigram_index("actors"),
        *_name_start_indexes("actors"),
        Index("ix_actors_name_hy_id", "name_hy", "id"),
        # Search ranks names that start with or contain the words (services.registry.rules.search).
        Index(
            "ix_actors_marked_names_trgm",
            literal_column("('qx' || replace(search_name, ' | ', ' qx'))").label("marked_names"),
            postgresql_using="gin",
            postgresql_ops={"marked_names": "gin_trgm_ops"},
        ),
    )

    kind: Mapped[str] = mapped_column(String(30), index=True)
    legal_form: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    tax_number: Mapped[str | None] = mapped_column(String(8), unique=True)
    registration_number: Mapped[str | None] = mapped_column(String(50))
    community_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("communities.id"))

    places: Mapped[list[ActorPlace]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ActorPlace.community_id"
    )
    jurisdictions: Mapped[list[ActorJurisdiction]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ActorJurisdiction.id"
    )
    capacities: Mapped[list[ActorCapacity]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ActorCapacity.position"
    )


class ActorPlace(Base):
    """Where an actor is located or operates."""

    __tablename__ = "actor_places"

    actor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("communities.id"), primary_key=True, index=True
    )
    relation: Mapped[str] = mapped_column(String(10), primary_key=True)  # located | operates


class ActorJurisdiction(IdMixin, Base):
    """A territory a state or local body has jurisdiction over: a whole region or a community."""

    __tablename__ = "actor_jurisdictions"

    actor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), index=True
    )
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    community_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("communities.id"), index=True)


class ActorCapacity(IdMixin, Base):
    __tablename__ = "actor_capacities"

    actor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(1000))
    position: Mapped[int] = mapped_column(Integer, default=0)  # keeps the order it was given in


class Service(IdMixin, VersionedMixin, TimestampMixin, NamedMixin, Base):
    """A social service an actor offers."""

    __tablename__ = "services"
    __table_args__ = (
        _trigram_index("services"),
        *_name_start_indexes("services"),
        Index("ix_services_name_hy_id", "name_hy", "id"),
        # The catalogue filtered by category, in name order (GET /v1/services?category=).
        Index("ix_services_category_code_name_hy_id", "category_code", "name_hy", "id"),
        Index(
            "ix_services_marked_names_trgm",
            literal_column("('qx' || replace(search_name, ' | ', ' qx'))").label("marked_names"),
            postgresql_using="gin",
            postgresql_ops={"marked_names": "gin_trgm_ops"},
        ),
    )

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("actors.id"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    category_code: Mapped[str] = mapped_column(String(40), index=True)
    eligibility: Mapped[str | None] = mapped_column(Text)
    is_free: Mapped[bool] = mapped_column(Boolean, default=True)
    price_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    price_currency: Mapped[str | None] = mapped_column(String(3))
    capacity: Mapped[int | None] = mapped_column(Integer)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    schedule: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)

    target_groups: Mapped[list[ServiceTargetGroup]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ServiceTargetGroup.code"
    )
    communities: Mapped[list[ServiceCommunity]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ServiceCommunity.community_id"
    )


class ServiceTargetGroup(Base):
    __tablename__ = "service_target_groups"

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class ServiceCommunity(Base):
    __tablename__ = "service_communities"

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("communities.id"), primary_key=True, index=True
    )


class Programme(IdMixin, VersionedMixin, TimestampMixin, NamedMixin, Base):
    """A programme run in a territory."""

    __tablename__ = "programmes"
    __table_args__ = (
        _trigram_index("programmes"),
        *_name_start_indexes("programmes"),
        Index("ix_programmes_name_hy_id", "name_hy", "id"),
        Index(
            "ix_programmes_marked_names_trgm",
            literal_column("('qx' || replace(search_name, ' | ', ' qx'))").label("marked_names"),
            postgresql_using="gin",
            postgresql_ops={"marked_names": "gin_trgm_ops"},
        ),
    )

    description: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    budget_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    budget_currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)

    actors: Mapped[list[ProgrammeActor]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ProgrammeActor.actor_id"
    )
    target_groups: Mapped[list[ProgrammeTargetGroup]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ProgrammeTargetGroup.code"
    )
    communities: Mapped[list[ProgrammeCommunity]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ProgrammeCommunity.community_id"
    )
    services: Mapped[list[ProgrammeService]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ProgrammeService.service_id"
    )


class ProgrammeActor(Base):
    __tablename__ = "programme_actors"

    programme_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("actors.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(10), primary_key=True)  # lead | partner | funder


class ProgrammeTargetGroup(Base):
    __tablename__ = "programme_target_groups"

    programme_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)


class ProgrammeCommunity(Base):
    __tablename__ = "programme_communities"

    programme_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("communities.id"), primary_key=True, index=True
    )


class ProgrammeService(Base):
    __tablename__ = "programme_services"

    programme_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True, index=True
    )


audit_log = audit_table(Base.metadata)


# --- Local social cooperation networks (source document 000) -------------------------------

outbox = outbox_tables(Base.metadata)


class Network(IdMixin, VersionedMixin, TimestampMixin, Base):
    """The local social cooperation network formed around a center."""

    __tablename__ = "networks"
    __table_args__ = (
        # One active network per center.
        Index(
            "uq_networks_active_center",
            "center_id",
            unique=True,
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
    )

    center_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("centers.id"), index=True)
    name_hy: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    name_ru: Mapped[str | None] = mapped_column(String(300))
    form: Mapped[str] = mapped_column(String(20))
    goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    goals_note: Mapped[str | None] = mapped_column(Text)
    founded_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    dissolved_on: Mapped[date | None] = mapped_column(Date)


class NetworkMember(IdMixin, VersionedMixin, TimestampMixin, Base):
    """One membership of an actor in a network, from joining to leaving; history is kept."""

    __tablename__ = "network_members"
    __table_args__ = (
        # An actor holds at most one current membership of a network.
        Index(
            "uq_network_members_current",
            "network_id",
            "actor_id",
            unique=True,
            postgresql_where=text("left_on IS NULL"),
            sqlite_where=text("left_on IS NULL"),
        ),
    )

    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("actors.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    joined_on: Mapped[date] = mapped_column(Date)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    agreement_number: Mapped[str | None] = mapped_column(String(100))
    agreement_date: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    leave_reason: Mapped[str | None] = mapped_column(String(1000))


class NetworkActivity(IdMixin, VersionedMixin, TimestampMixin, Base):
    """A working meeting, discussion, conference, negotiation, working group or commission."""

    __tablename__ = "network_activities"

    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    held_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(500))
    outcome: Mapped[str | None] = mapped_column(Text)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    participants: Mapped[list[NetworkActivityParticipant]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="NetworkActivityParticipant.member_id"
    )


class NetworkActivityParticipant(Base):
    __tablename__ = "network_activity_participants"

    activity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("network_activities.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("network_members.id", ondelete="CASCADE"), primary_key=True
    )
