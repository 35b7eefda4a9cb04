"""Persons, the representatives members appoint, and guests without a vote.

A principal representative sits in one of its member's open seats for a term; a member cannot
have more principals at once than it has seats (409). A substitute stands in for one principal
while that principal is absent. One person sits for one member at a time (409)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.councils.access import sees_contacts
from services.councils.journal import journal
from services.councils.messages import _
from services.councils.models import Council, CouncilMember, Guest, Person, Representative, Seat
from services.councils.rules.common import field_error, overlaps
from services.councils.schemas.councils import (
    GuestIn,
    GuestOut,
    GuestPatch,
    GuestRole,
    PersonContacts,
    PersonIn,
    PersonOut,
    PersonPatch,
    RepresentativeIn,
    RepresentativeOut,
    RepresentativePatch,
    RepresentativeRole,
)
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import Conflict, NotFound
from shared.text import LocalizedText

# --- persons ------------------------------------------------------------------------------


def person_out(person: Person, *, show_personal: bool) -> PersonOut:
    return PersonOut(
        id=person.id,
        version=person.version,
        council_id=person.council_id,
        name=LocalizedText(hy=person.name_hy, en=person.name_en),
        contacts=PersonContacts.model_construct(
            phone=person.phone if show_personal else None,
            email=person.email if show_personal else None,
        ),
        personal_data_hidden=not show_personal and bool(person.phone or person.email),
        created_at=person.created_at,
        updated_at=person.updated_at,
    )


async def _represent_person(session: AsyncSession, person: Person, full: bool) -> PersonOut:
    return person_out(person, show_personal=full)


PERSONS = journal.resource(
    "council_person", _represent_person, event_prefix="person",
    stream_of=lambda person: person.council_id, personal=True,
)  # fmt: skip


async def get_person(session: AsyncSession, council_id: uuid.UUID, person_id: uuid.UUID) -> Person:
    person = await session.get(Person, person_id)
    if person is None or person.council_id != council_id:
        raise NotFound(
            _("Council {council_id} knows no person {person_id}.",
              council_id=council_id, person_id=person_id)
        )  # fmt: skip
    return person


def _apply_person(person: Person, data: PersonIn) -> None:
    person.name_hy, person.name_en = data.name.hy, data.name.en
    person.phone, person.email = data.contacts.phone, data.contacts.email


async def create_person(
    session: AsyncSession, principal: Principal, council: Council, data: PersonIn
) -> PersonOut:
    person = Person(council_id=council.id)
    _apply_person(person, data)
    session.add(person)
    return await PERSONS.created(session, principal, person)


async def edit_person(
    session: AsyncSession, principal: Principal, person: Person, before: PersonOut,
    patch: PersonPatch,
) -> PersonOut:  # fmt: skip
    _apply_person(person, merge_patch(PersonIn, before, patch))
    return await PERSONS.updated(session, principal, person, before)


# --- representatives ----------------------------------------------------------------------


async def representative_views(
    session: AsyncSession, reps: Sequence[Representative], *, show_personal: bool
) -> list[RepresentativeOut]:
    ids = {r.person_id for r in reps}
    persons = {p.id: p for p in await session.scalars(select(Person).where(Person.id.in_(ids)))}
    return [
        RepresentativeOut(
            id=r.id,
            version=r.version,
            council_id=r.council_id,
            member_id=r.member_id,
            person_id=r.person_id,
            role=RepresentativeRole.substitute
            if r.substitute_for_id
            else RepresentativeRole.principal,
            substitute_for_id=r.substitute_for_id,
            seat_id=r.seat_id,
            position=r.position,
            term_start=r.term_start,
            term_end=r.term_end,
            end_reason=r.end_reason,
            person=person_out(persons[r.person_id], show_personal=show_personal),
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        for r in reps
    ]


async def _represent_rep(
    session: AsyncSession, rep: Representative, full: bool
) -> RepresentativeOut:
    return (await representative_views(session, [rep], show_personal=full))[0]


REPRESENTATIVES = journal.resource(
    "representative", _represent_rep, stream_of=lambda rep: rep.council_id, personal=True,
    verbs=("created", "updated"),
)  # fmt: skip


async def get_representative(
    session: AsyncSession, council_id: uuid.UUID, rep_id: uuid.UUID
) -> Representative:
    rep = await session.get(Representative, rep_id)
    if rep is None or rep.council_id != council_id:
        raise NotFound(
            _("Council {council_id} has no representative {rep_id}.",
              council_id=council_id, rep_id=rep_id)
        )  # fmt: skip
    return rep


def representatives_query(
    council_id: uuid.UUID, *, member_id: uuid.UUID | None, on: Any, include_past: bool
) -> Select[Any]:
    statement = select(Representative).where(Representative.council_id == council_id)
    if member_id:
        statement = statement.where(Representative.member_id == member_id)
    if on is not None:
        statement = statement.where(
            Representative.term_start <= on,
            or_(Representative.term_end.is_(None), Representative.term_end > on),
        )
    elif not include_past:
        statement = statement.where(Representative.term_end.is_(None))
    return statement


async def _check_appointment(
    session: AsyncSession,
    council: Council,
    data: RepresentativeIn,
    rep: Representative | None,
) -> uuid.UUID | None:
    """The rules of an appointment; returns the seat a principal takes."""
    member = await session.get(CouncilMember, data.member_id)
    if member is None or member.council_id != council.id:
        raise field_error("member_id", _("{member_id} is not a member of this council",
                          member_id=data.member_id), _("Unknown member"))  # fmt: skip
    if rep is None and member.left_on is not None:
        raise field_error("member_id", _("{member} left the council on {left_on}",
                          member=member.name_hy, left_on=member.left_on),
                          _("Member has left"))  # fmt: skip
    if data.term_start < member.joined_on or (
        member.left_on is not None and (data.term_end is None or data.term_end > member.left_on)
    ):
        raise field_error("term_start", _("a term lies within the member's membership, from "
                          "{joined_on} until {left_on}", joined_on=member.joined_on,
                          left_on=member.left_on or "-"), _("Term outside membership"))  # fmt: skip
    person = await session.get(Person, data.person_id)
    if person is None or person.council_id != council.id:
        raise field_error("person_id", _("this council knows no person {person_id}",
                          person_id=data.person_id), _("Unknown person"))  # fmt: skip
    others = [
        o for o in await session.scalars(
            select(Representative).where(Representative.council_id == council.id)
        )
        if rep is None or o.id != rep.id
    ]  # fmt: skip
    for other in others:
        if other.person_id == data.person_id and overlaps(
            data.term_start, data.term_end, other.term_start, other.term_end
        ):
            if other.member_id != data.member_id:
                holder = await session.get(CouncilMember, other.member_id)
                raise Conflict(
                    _("{person} already sits for {member} from {start}; one person sits for one "
                      "member at a time.", person=person.name_hy,
                      member=holder.name_hy if holder else other.member_id,
                      start=other.term_start),
                    title=_("Person sits for another member"),
                )  # fmt: skip
            raise Conflict(
                _("{person} already represents this member in that period.",
                  person=person.name_hy),
                title=_("Already a representative"),
            )  # fmt: skip
    if data.substitute_for_id is not None:
        principal = next((o for o in others if o.id == data.substitute_for_id), None)
        if principal is None or principal.member_id != data.member_id or principal.seat_id is None:
            raise field_error("substitute_for_id", _("a substitute stands in for a principal "
                              "representative of the same member"),
                              _("Unknown principal"))  # fmt: skip
        if any(
            o.substitute_for_id == principal.id
            and overlaps(data.term_start, data.term_end, o.term_start, o.term_end)
            for o in others
        ):
            raise Conflict(_("That principal already has a substitute in that period."),
                           title=_("Substitute already named"))  # fmt: skip
        return None
    seats = list(
        await session.scalars(select(Seat).where(Seat.member_id == member.id).order_by(Seat.number))
    )
    usable = [
        s for s in seats
        if s.opened_on <= data.term_start
        and (s.closed_on is None or (data.term_end is not None and data.term_end <= s.closed_on))
    ]  # fmt: skip
    if rep is not None and rep.seat_id in {s.id for s in usable}:
        usable.sort(key=lambda s: s.id != rep.seat_id)  # keep its own seat when it still can
    for seat in usable:
        if not any(
            o.seat_id == seat.id
            and overlaps(data.term_start, data.term_end, o.term_start, o.term_end)
            for o in others
        ):
            return seat.id
    open_now = [s for s in seats if s.closed_on is None]
    raise Conflict(
        _("{member} has {seats} seats, and each is taken by a representative in that period; "
          "equal representation allows no more. End a term first.",
          member=member.name_hy, seats=len(open_now)),
        title=_("Every seat is taken"),
    )  # fmt: skip


async def appoint(
    session: AsyncSession, principal: Principal, council: Council, data: RepresentativeIn
) -> RepresentativeOut:
    seat_id = await _check_appointment(session, council, data, None)
    rep = Representative(
        council_id=council.id, member_id=data.member_id, person_id=data.person_id,
        seat_id=seat_id, substitute_for_id=data.substitute_for_id,
    )  # fmt: skip
    _apply_rep(rep, data)
    session.add(rep)
    return await REPRESENTATIVES.created(session, principal, rep)


def _apply_rep(rep: Representative, data: RepresentativeIn) -> None:
    rep.position = data.position
    rep.term_start, rep.term_end, rep.end_reason = data.term_start, data.term_end, data.end_reason


async def edit_representative(
    session: AsyncSession,
    principal: Principal,
    council: Council,
    rep: Representative,
    before: RepresentativeOut,
    patch: RepresentativePatch,
) -> RepresentativeOut:
    data = merge_patch(
        RepresentativeIn, before, patch, member_id=rep.member_id, person_id=rep.person_id,
        substitute_for_id=rep.substitute_for_id, term_start=rep.term_start,
        role=before.role,
    )  # fmt: skip
    seat_id = await _check_appointment(session, council, data, rep)
    if rep.seat_id is not None:
        rep.seat_id = seat_id
    _apply_rep(rep, data)
    return await REPRESENTATIVES.updated(session, principal, rep, before)


# --- guests ---------------------------------------------------------------------------------


def guest_out(guest: Guest) -> GuestOut:
    return GuestOut(
        id=guest.id,
        version=guest.version,
        council_id=guest.council_id,
        name=LocalizedText(hy=guest.name_hy, en=guest.name_en),
        role=GuestRole(guest.role),
        organisation=guest.organisation,
        starts_on=guest.starts_on,
        ends_on=guest.ends_on,
        note=guest.note,
        created_at=guest.created_at,
        updated_at=guest.updated_at,
    )


async def _represent_guest(session: AsyncSession, guest: Guest, full: bool) -> GuestOut:
    return guest_out(guest)


GUESTS = journal.resource(
    "council_guest", _represent_guest, event_prefix="guest",
    stream_of=lambda guest: guest.council_id,
)  # fmt: skip


async def get_guest(session: AsyncSession, council_id: uuid.UUID, guest_id: uuid.UUID) -> Guest:
    guest = await session.get(Guest, guest_id)
    if guest is None or guest.council_id != council_id:
        raise NotFound(_("Council {council_id} has no guest {guest_id}.",
                         council_id=council_id, guest_id=guest_id))  # fmt: skip
    return guest


def _apply_guest(guest: Guest, data: GuestIn) -> None:
    guest.name_hy, guest.name_en = data.name.hy, data.name.en
    guest.role, guest.organisation, guest.note = data.role, data.organisation, data.note
    guest.starts_on, guest.ends_on = data.starts_on, data.ends_on


async def invite_guest(
    session: AsyncSession, principal: Principal, council: Council, data: GuestIn
) -> GuestOut:
    guest = Guest(council_id=council.id)
    _apply_guest(guest, data)
    session.add(guest)
    return await GUESTS.created(session, principal, guest)


async def edit_guest(
    session: AsyncSession, principal: Principal, guest: Guest, before: GuestOut, patch: GuestPatch
) -> GuestOut:
    _apply_guest(guest, merge_patch(GuestIn, before, patch))
    return await GUESTS.updated(session, principal, guest, before)


def shows_contacts(principal: Principal | None, council: Council) -> bool:
    return sees_contacts(principal, council)
