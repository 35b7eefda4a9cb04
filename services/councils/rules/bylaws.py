"""Bylaws versions: drafted, adopted by a recorded decision checked against the bylaws in force,
then immutable.

The founding rule (no bylaws in force yet): the first version is adopted by the votes of more
than half of all the council's seats on the day, whoever is present. Later versions need the
quorum and the `bylaws_amendment` threshold of the version in force on the day of adoption.
Adopting a version that changes `seats_per_member` opens or closes seats of every member that
day, so equal representation holds at once (409 when a seat to close is still held)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.councils.journal import journal
from services.councils.messages import _
from services.councils.models import BylawsVersion, Council, CouncilMember, Seat
from services.councils.rules.common import field_error
from services.councils.rules.councils import bylaws_in_force, members_query, sync_seats
from services.councils.rules.decide import FOUNDING_RULE, Count, decide, quorum_present
from services.councils.schemas.bylaws import (
    Adoption,
    AdoptionOut,
    BylawsIn,
    BylawsOut,
    BylawsParameters,
    BylawsPatch,
    BylawsStatus,
    QuorumBase,
)
from services.councils.schemas.councils import CouncilStatus
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import Conflict, NotFound, RuleViolation


def bylaws_out(version: BylawsVersion) -> BylawsOut:
    return BylawsOut(
        id=version.id,
        version=version.version,
        council_id=version.council_id,
        number=version.number,
        status=BylawsStatus(version.status),
        text_hy=version.text_hy,
        text_en=version.text_en,
        parameters=BylawsParameters.model_validate(version.parameters),
        adoption=AdoptionOut.model_validate(version.adoption) if version.adoption else None,
        created_at=version.created_at,
        updated_at=version.updated_at,
    )


async def _represent(session: AsyncSession, version: BylawsVersion, full: bool) -> BylawsOut:
    return bylaws_out(version)


BYLAWS = journal.resource(
    "bylaws", _represent, stream_of=lambda version: version.council_id,
    verbs=("created", "updated", "adopted"),
)  # fmt: skip


async def get_version(
    session: AsyncSession, council_id: uuid.UUID, version_id: uuid.UUID
) -> BylawsVersion:
    version = await session.get(BylawsVersion, version_id)
    if version is None or version.council_id != council_id:
        raise NotFound(_("Council {council_id} has no bylaws version {version_id}.",
                         council_id=council_id, version_id=version_id))  # fmt: skip
    return version


def versions_query(council_id: uuid.UUID, status: BylawsStatus | None) -> Select[Any]:
    statement = select(BylawsVersion).where(BylawsVersion.council_id == council_id)
    if status:
        statement = statement.where(BylawsVersion.status == status)
    return statement


async def in_force(session: AsyncSession, council: Council, on: date) -> BylawsVersion:
    version = await bylaws_in_force(session, council.id, on)
    if version is None:
        raise NotFound(_("Council {council} had adopted no bylaws by {on}.",
                         council=council.name_hy, on=on))  # fmt: skip
    return version


async def draft(
    session: AsyncSession, principal: Principal, council: Council, data: BylawsIn
) -> BylawsOut:
    if council.status == CouncilStatus.dissolved:
        raise Conflict(_("This council is dissolved; its bylaws are history now."))
    last = await session.scalar(
        select(func.max(BylawsVersion.number)).where(BylawsVersion.council_id == council.id)
    )
    version = BylawsVersion(council_id=council.id, number=int(last or 0) + 1, status="draft")
    _apply(version, data)
    session.add(version)
    return await BYLAWS.created(session, principal, version)


def _apply(version: BylawsVersion, data: BylawsIn) -> None:
    version.text_hy, version.text_en = data.text_hy, data.text_en
    version.parameters = data.parameters.model_dump(mode="json")


def _refuse_adopted(version: BylawsVersion) -> None:
    if version.status == BylawsStatus.adopted:
        raise Conflict(
            _("Version {number} was adopted on {adopted_on}; adopted bylaws are never changed. "
              "Draft a new version instead.", number=version.number,
              adopted_on=version.adopted_on),
            title=_("Bylaws adopted"),
        )  # fmt: skip


async def edit_draft(
    session: AsyncSession, principal: Principal, version: BylawsVersion, before: BylawsOut,
    patch: BylawsPatch,
) -> BylawsOut:  # fmt: skip
    _refuse_adopted(version)
    _apply(version, merge_patch(BylawsIn, before, patch))
    return await BYLAWS.updated(session, principal, version, before)


async def _seats_on(session: AsyncSession, council_id: uuid.UUID, on: date) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(Seat).where(
                Seat.council_id == council_id, Seat.opened_on <= on,
                or_(Seat.closed_on.is_(None), Seat.closed_on > on),
            )
        ) or 0
    )  # fmt: skip


async def adopt(
    session: AsyncSession,
    principal: Principal,
    council: Council,
    version: BylawsVersion,
    before: BylawsOut,
    data: Adoption,
) -> BylawsOut:
    _refuse_adopted(version)
    if council.status == CouncilStatus.dissolved:
        raise Conflict(_("This council is dissolved; it adopts nothing."))
    if data.adopted_on < council.founded_on:
        raise field_error("adopted_on", _("the council was founded on {founded_on}",
                          founded_on=council.founded_on), _("Adopted too early"))  # fmt: skip
    latest = await session.scalar(
        select(func.max(BylawsVersion.adopted_on)).where(
            BylawsVersion.council_id == council.id, BylawsVersion.status == "adopted"
        )
    )
    if latest is not None and data.adopted_on < latest:
        raise field_error(
            "adopted_on",
            _("a version was adopted on {latest}; a later one cannot be adopted before that",
              latest=latest),
            _("Adopted too early"),
        )  # fmt: skip
    seats = await _seats_on(session, council.id, data.adopted_on)
    if data.present > seats:
        raise field_error("present", _("{present} voters present, but the council has {seats} "
                          "seats on {on}", present=data.present, seats=seats,
                          on=data.adopted_on), _("More voters than seats"))  # fmt: skip
    count = Count(data.votes_for, data.votes_against, data.abstaining, data.present, seats)
    current = await bylaws_in_force(session, council.id, data.adopted_on)
    if current is None:
        rule = _("the founding rule: more than half of all seats")
        outcome = decide(FOUNDING_RULE, count)
    else:
        rules = BylawsParameters.model_validate(current.parameters)
        rule = _("bylaws version {number}", number=current.number)
        members = len(list(await session.scalars(
            members_query(council.id, on=data.adopted_on, include_past=False)
        )))  # fmt: skip
        if rules.quorum.base == QuorumBase.members and data.members_present is None:
            raise field_error("members_present", _("the quorum of version {number} counts "
                              "members: give members_present", number=current.number),
                              _("Members present missing"))  # fmt: skip
        quorum = quorum_present(
            rules.quorum, seats_present=data.present, seats=seats,
            members_present=data.members_present or 0, members=members,
        )  # fmt: skip
        if not quorum.passed:
            raise RuleViolation(
                _("The adoption is refused by {rule}: {why}.", rule=rule, why=quorum.explanation),
                title=_("No quorum"),
            )
        outcome = decide(rules.decisions.bylaws_amendment, count, data.chair_casting_vote)
    if not outcome.passed:
        raise RuleViolation(
            _(
                "The bylaws are not adopted under {rule}: {why}.",
                rule=rule,
                why=outcome.explanation,
            ),
            title=_("Not enough votes"),
        )
    version.status = BylawsStatus.adopted
    version.adopted_on = data.adopted_on
    version.adoption = AdoptionOut(
        **data.model_dump(), seats=seats, rule=str(rule), explanation=str(outcome.explanation)
    ).model_dump(mode="json")
    wanted = BylawsParameters.model_validate(version.parameters).seats_per_member
    for member in list(await session.scalars(
        select(CouncilMember).where(
            CouncilMember.council_id == council.id, CouncilMember.left_on.is_(None)
        )
    )):  # fmt: skip
        await sync_seats(session, council, member, wanted, max(data.adopted_on, member.joined_on))
    return await BYLAWS.updated(session, principal, version, before, event="adopted")
