"""What routes use to reach a resource they change: each loader finds it (404), checks that
the caller may change it (403, with the rule in words), and that the caller read its current
representation (`If-Match`, 412). Routes stay thin."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from services.councils.access import COUNCIL_MEMBER, WRITERS, ensure_manages, manages
from services.councils.clients import Registry
from services.councils.messages import _
from services.councils.models import (
    BylawsVersion,
    Council,
    CouncilMember,
    CouncilSession,
    Guest,
    Minutes,
    Person,
    Representative,
    WorkingGroup,
)
from services.councils.rules import (
    bylaws,
    councils,
    minutes,
    people,
    sessions,
    working_groups,
)
from services.councils.rules.common import get_council
from services.councils.schemas.bylaws import BylawsOut
from services.councils.schemas.councils import (
    CouncilMemberOut,
    CouncilOut,
    GuestOut,
    PersonOut,
    RepresentativeOut,
    WorkingGroupOut,
)
from services.councils.schemas.minutes import MinutesOut
from services.councils.schemas.sessions import CouncilSessionOut
from shared.auth import Principal, require_roles
from shared.concurrency import Changing
from shared.database import SessionDep
from shared.errors import Forbidden
from shared.journal import Change

Writer = Annotated[Principal, require_roles(*WRITERS)]


def _registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


RegistryDep = Annotated[Registry, Depends(_registry)]


async def _managed_council(
    council_id: uuid.UUID, session: SessionDep, principal: Writer
) -> Council:
    """A council whose parts the caller is about to change."""
    council = await get_council(session, council_id)
    ensure_manages(principal, council, _("this council"))
    return council


ManagedCouncil = Annotated[Council, Depends(_managed_council)]


async def _council(
    council: ManagedCouncil, session: SessionDep, conditional: Changing
) -> Change[Council, CouncilOut]:
    before = await councils.COUNCILS.snapshot(session, council)
    conditional.check(before)
    return Change(council, before)


async def _member(
    council: ManagedCouncil, member_id: uuid.UUID, session: SessionDep, conditional: Changing
) -> Change[CouncilMember, CouncilMemberOut]:
    member = await councils.get_member(session, council.id, member_id)
    before = await councils.MEMBERS.snapshot(session, member)
    conditional.check(before)
    return Change(member, before)


async def _person(
    council: ManagedCouncil, person_id: uuid.UUID, session: SessionDep, conditional: Changing
) -> Change[Person, PersonOut]:
    person = await people.get_person(session, council.id, person_id)
    before = await people.PERSONS.snapshot(session, person)
    conditional.check(before)
    return Change(person, before)


async def _representative(
    council: ManagedCouncil,
    representative_id: uuid.UUID,
    session: SessionDep,
    conditional: Changing,
) -> Change[Representative, RepresentativeOut]:
    rep = await people.get_representative(session, council.id, representative_id)
    before = await people.REPRESENTATIVES.snapshot(session, rep)
    conditional.check(before)
    return Change(rep, before)


async def _guest(
    council: ManagedCouncil, guest_id: uuid.UUID, session: SessionDep, conditional: Changing
) -> Change[Guest, GuestOut]:
    guest = await people.get_guest(session, council.id, guest_id)
    before = await people.GUESTS.snapshot(session, guest)
    conditional.check(before)
    return Change(guest, before)


async def _bylaws(
    council: ManagedCouncil, version_id: uuid.UUID, session: SessionDep, conditional: Changing
) -> Change[BylawsVersion, BylawsOut]:
    version = await bylaws.get_version(session, council.id, version_id)
    before = await bylaws.BYLAWS.snapshot(session, version)
    conditional.check(before)
    return Change(version, before)


async def _working_group(
    council: ManagedCouncil, group_id: uuid.UUID, session: SessionDep, conditional: Changing
) -> Change[WorkingGroup, WorkingGroupOut]:
    group = await working_groups.get_working_group(session, council.id, group_id)
    before = await working_groups.WORKING_GROUPS.snapshot(session, group)
    conditional.check(before)
    return Change(group, before)


CouncilChange = Annotated[Change[Council, CouncilOut], Depends(_council)]
MemberChange = Annotated[Change[CouncilMember, CouncilMemberOut], Depends(_member)]
PersonChange = Annotated[Change[Person, PersonOut], Depends(_person)]
RepresentativeChange = Annotated[
    Change[Representative, RepresentativeOut], Depends(_representative)
]
GuestChange = Annotated[Change[Guest, GuestOut], Depends(_guest)]
BylawsChange = Annotated[Change[BylawsVersion, BylawsOut], Depends(_bylaws)]
WorkingGroupChange = Annotated[Change[WorkingGroup, WorkingGroupOut], Depends(_working_group)]


@dataclass(frozen=True)
class SessionChange:
    """A session about to change, with its council."""

    council: Council
    row: CouncilSession
    before: CouncilSessionOut


async def _session_change(
    session_id: uuid.UUID, session: SessionDep, principal: Writer, conditional: Changing
) -> SessionChange:
    row = await sessions.get_session(session, session_id)
    council = await get_council(session, row.council_id)
    ensure_manages(principal, council, _("this council's sessions"))
    before = await sessions.SESSIONS.snapshot(session, row)
    conditional.check(before)
    return SessionChange(council, row, before)


Participant = Annotated[Principal, require_roles(*WRITERS, COUNCIL_MEMBER)]


async def _proposal(
    session_id: uuid.UUID, session: SessionDep, principal: Participant, conditional: Changing
) -> SessionChange:
    """Agenda items are proposed by the council's managers and by its members."""
    row = await sessions.get_session(session, session_id)
    council = await get_council(session, row.council_id)
    if not (manages(principal, council) or principal.acts_for((COUNCIL_MEMBER,), council.id)):
        raise Forbidden(
            _(
                "Only the council's members, its secretary, an official of the network's center "
                "or an admin may propose agenda items; your token does not name this council "
                "({council_id}).",
                council_id=council.id,
            )
        )
    before = await sessions.SESSIONS.snapshot(session, row)
    conditional.check(before)
    return SessionChange(council, row, before)


SessionChangeDep = Annotated[SessionChange, Depends(_session_change)]
ProposalDep = Annotated[SessionChange, Depends(_proposal)]


@dataclass(frozen=True)
class MinutesChange:
    row: Minutes
    before: MinutesOut


async def _minutes_change(
    change: SessionChangeDep, session: SessionDep, conditional: Changing
) -> MinutesChange:
    row = await minutes.minutes_of(session, change.row.id)
    before = minutes.minutes_out(row)
    conditional.check(before)
    return MinutesChange(row, before)


MinutesChangeDep = Annotated[MinutesChange, Depends(_minutes_change)]
