"""The councils service's tables. A council belongs to a network of the registry (a
coordinating council) or to a community (a municipal social council); ids of the registry are
kept as plain ids, checked over HTTP when written and kept true by the registry's events."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import Uuid

from shared.database import IdMixin, TimestampMixin, UTCDateTime, VersionedMixin, make_metadata
from shared.idempotency import idempotency_table
from shared.inbox import inbox_table
from shared.journal import audit_table
from shared.outbox import outbox_tables


class Base(DeclarativeBase):
    metadata = make_metadata()


idempotency_keys = idempotency_table(Base.metadata)
audit_log = audit_table(Base.metadata)
outbox = outbox_tables(Base.metadata)
inbox_positions = inbox_table(Base.metadata)


class Council(IdMixin, VersionedMixin, TimestampMixin, Base):
    """A coordinating council of a network, or a municipal social council of a community."""

    __tablename__ = "councils"
    __table_args__ = (
        # A network has at most one council that is not dissolved.
        Index(
            "uq_councils_current_network",
            "network_id",
            unique=True,
            postgresql_where=text("status <> 'dissolved'"),
            sqlite_where=text("status <> 'dissolved'"),
        ),
    )

    kind: Mapped[str] = mapped_column(String(20))
    network_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The network's center, as the registry said when the council was formed (for the scope
    # of its officials).
    center_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    community_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    name_hy: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    founded_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="forming")
    status_reason: Mapped[str | None] = mapped_column(Text)
    dissolved_on: Mapped[date | None] = mapped_column(Date)
    # Offices, held by representatives of this council.
    chair_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    deputy_chair_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    secretary_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class CouncilMember(IdMixin, VersionedMixin, TimestampMixin, Base):
    """Who sits on a council through representatives: a network member (coordinating) or an
    appointed organisation or person (municipal), from joining to leaving; history is kept."""

    __tablename__ = "council_members"
    __table_args__ = (
        Index(
            "uq_council_members_network_member",
            "council_id",
            "network_member_id",
            unique=True,
            postgresql_where=text("network_member_id IS NOT NULL"),
            sqlite_where=text("network_member_id IS NOT NULL"),
        ),
    )

    council_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("councils.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    network_member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    name_hy: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    leave_reason: Mapped[str | None] = mapped_column(Text)

    seats: Mapped[list[Seat]] = relationship(
        lazy="raise", order_by="Seat.number", cascade="all, delete-orphan"
    )


class Seat(IdMixin, Base):
    """One voting seat of a member; opened and closed with the member and the bylaws."""

    __tablename__ = "council_seats"

    council_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("councils.id"), index=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("council_members.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)


class Person(IdMixin, VersionedMixin, TimestampMixin, Base):
    """A natural person a council knows: representatives; contacts are personal data."""

    __tablename__ = "council_persons"

    council_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("councils.id"), index=True)
    name_hy: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))


class Representative(IdMixin, VersionedMixin, TimestampMixin, Base):
    """A person sitting for a member for a term: in a seat (principal), or standing in for a
    principal who is absent (substitute)."""

    __tablename__ = "council_representatives"

    council_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("councils.id"), index=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("council_members.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("council_persons.id"), index=True)
    seat_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("council_seats.id"))
    substitute_for_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("council_representatives.id")
    )
    position: Mapped[str | None] = mapped_column(String(300))
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(Text)


class Guest(IdMixin, VersionedMixin, TimestampMixin, Base):
    """Takes part without a vote: an independent expert, a community council representative,
    an observer, staff."""

    __tablename__ = "council_guests"

    council_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("councils.id"), index=True)
    name_hy: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(40))
    organisation: Mapped[str | None] = mapped_column(String(300))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class BylawsVersion(IdMixin, VersionedMixin, TimestampMixin, Base):
    """One version of a council's rules of procedure: a draft until the council adopts it,
    then immutable."""

    __tablename__ = "council_bylaws"
    __table_args__ = (Index("uq_council_bylaws_number", "council_id", "number", unique=True),)

    council_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("councils.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    text_hy: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The decision that adopted it.
    adopted_on: Mapped[date | None] = mapped_column(Date)
    adoption: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class WorkingGroup(IdMixin, VersionedMixin, TimestampMixin, Base):
    """A working group or commission formed by a council decision."""

    __tablename__ = "council_working_groups"

    council_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("councils.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name_hy: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    mandate: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(300))
    formed_on: Mapped[date] = mapped_column(Date)
    convener_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    # [{"representative_id": ...} | {"guest_id": ...}] and [{"title", "reported_on", "url"}]
    members: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reports: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class CouncilSession(IdMixin, VersionedMixin, TimestampMixin, Base):
    """A session of a council: convened under the bylaws in force, held in person, remotely or
    both; its agenda, attendance and motions are its parts."""

    __tablename__ = "council_sessions"

    council_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("councils.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(20))
    place: Mapped[str | None] = mapped_column(String(300))
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    convened_on: Mapped[date | None] = mapped_column(Date)
    convened_by: Mapped[str | None] = mapped_column(String(20))
    # The bylaws version in force at opening: quorum and thresholds of this session.
    bylaws_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("council_bylaws.id"))
    # [{"status", "at", "by", "reason"}]: each change of status, who and when.
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    guest_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"representative_id"| "guest_id", "name"}]: who was invited when convened.
    invitations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class AgendaItem(IdMixin, Base):
    __tablename__ = "council_agenda_items"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("council_sessions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title_hy: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20))
    presenter: Mapped[str | None] = mapped_column(String(300))
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    proposed_by: Mapped[str] = mapped_column(String(200))
    # Representatives recused from this item's vote.
    recused: Mapped[list[str]] = mapped_column(JSON, default=list)


class Attendance(IdMixin, Base):
    """One stay of a person at a session: checked in, and out (None while present)."""

    __tablename__ = "council_attendance"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("council_sessions.id"), index=True)
    representative_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("council_representatives.id")
    )
    guest_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("council_guests.id"))
    mode: Mapped[str] = mapped_column(String(20))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Motion(IdMixin, Base):
    __tablename__ = "council_motions"
    __table_args__ = (
        Index("uq_council_motions_decision", "council_id", "year", "decision_number", unique=True),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("council_sessions.id"), index=True)
    council_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("councils.id"))
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("council_agenda_items.id"))
    number: Mapped[int] = mapped_column(Integer)
    decision_kind: Mapped[str] = mapped_column(String(30))
    text_hy: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="open")
    # What the decision does when passed: {"bylaws_id"} or a working group, or {"minutes_of"}.
    effect: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    counted: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    year: Mapped[int | None] = mapped_column(Integer)
    decision_number: Mapped[int | None] = mapped_column(Integer)


class Ballot(IdMixin, Base):
    """One roll-call vote of a person on a motion."""

    __tablename__ = "council_ballots"
    __table_args__ = (
        Index("uq_council_ballots_voter", "motion_id", "representative_id", unique=True),
    )

    motion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("council_motions.id"), index=True)
    representative_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("council_representatives.id"))
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("council_members.id"))
    choice: Mapped[str] = mapped_column(String(10))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Minutes(IdMixin, VersionedMixin, TimestampMixin, Base):
    """The minutes of a session: drafted from its record, edited while a draft, approved by a
    motion of a later session, then immutable."""

    __tablename__ = "council_minutes"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("council_sessions.id"), unique=True)
    council_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("councils.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    text_hy: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    approved_on: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[dict[str, Any] | None] = mapped_column(JSON)
