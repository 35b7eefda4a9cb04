"""Sessions of a council: convened under the bylaws in force, opened with a quorum, the agenda,
live attendance, motions decided by the bylaws' thresholds, numbered decisions.

The session is one journaled resource: every change to its agenda, attendance and motions is
an update of the session (one version, one ETag, one event per change), so its full record is
one GET and its change-feed stream tells a listener everything in order.

Who is present: a seat is present when its principal is checked in, or, while the principal is
absent, a substitute standing in for that principal; a person present remotely counts (for the
quorum and the vote) only when the bylaws in force say remote presence counts. A founding
session (no bylaws in force yet) needs more than half of all seats, as the founding rule says,
and may only adopt the first bylaws."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.councils.journal import journal
from services.councils.messages import _
from services.councils.models import (
    AgendaItem,
    Attendance,
    Ballot,
    BylawsVersion,
    Council,
    CouncilMember,
    CouncilSession,
    Guest,
    Motion,
    Person,
    Representative,
    Seat,
    WorkingGroup,
)
from services.councils.rules import bylaws as bylaws_rules
from services.councils.rules import minutes, working_groups
from services.councils.rules.common import current_on, today
from services.councils.rules.councils import bylaws_in_force
from services.councils.rules.decide import (
    FOUNDING_RULE,
    Count,
    Outcome,
    decide,
    fewest,
    quorum_present,
)
from services.councils.schemas.bylaws import (
    Adoption,
    BylawsParameters,
    Comparison,
    DecisionKind,
    Quorum,
    QuorumBase,
    SessionFormat,
    Threshold,
    fraction,
)
from services.councils.schemas.councils import WorkingGroupIn
from services.councils.schemas.minutes import MinutesApproval
from services.councils.schemas.sessions import (
    AgendaItemIn,
    AgendaItemOut,
    AttendanceOut,
    BallotOut,
    CheckIn,
    CheckOut,
    Closing,
    ConvenedBy,
    Convening,
    CouncilSessionIn,
    CouncilSessionOut,
    Document,
    HistoryEntry,
    Invitation,
    ItemKind,
    ItemStatus,
    Method,
    Mode,
    MotionIn,
    MotionOut,
    MotionStatus,
    Postponement,
    QuorumOut,
    Recusal,
    ResultOut,
    SessionKind,
    SessionStatus,
    StatusChange,
    Totals,
    VoteIn,
)
from shared.auth import Principal
from shared.database import utcnow
from shared.errors import Conflict, NotFound, RuleViolation
from shared.i18n import Message
from shared.text import LocalizedText

FOUNDING_QUORUM = Quorum(
    share="1/2", comparison=Comparison.more_than, base=QuorumBase.seats, remote_counts=True
)


# --- who is there ------------------------------------------------------------------------


@dataclass
class Cast:
    """The council's people and seats on the session's day, and who is present now."""

    names: dict[uuid.UUID, str]  # representative or guest id -> name
    reps: dict[uuid.UUID, Representative]
    seats: list[Seat]
    members: int
    present: dict[uuid.UUID, Attendance]  # person id -> current stay
    remote_counts: bool

    def counts(self, rep_id: uuid.UUID) -> bool:
        stay = self.present.get(rep_id)
        return stay is not None and (self.remote_counts or stay.mode == Mode.in_person)

    def voters(self) -> dict[uuid.UUID, uuid.UUID]:
        """Who votes for each present seat: representative id -> member id."""
        principals = {r.seat_id: r for r in self.reps.values() if r.seat_id}
        substitutes: dict[uuid.UUID, list[Representative]] = {}
        for rep in self.reps.values():
            if rep.substitute_for_id:
                substitutes.setdefault(rep.substitute_for_id, []).append(rep)
        voters: dict[uuid.UUID, uuid.UUID] = {}
        for seat in self.seats:
            principal = principals.get(seat.id)
            if principal is None:
                continue
            if self.counts(principal.id):
                voters[principal.id] = seat.member_id
                continue
            for substitute in substitutes.get(principal.id, []):
                if self.counts(substitute.id) and substitute.id not in voters:
                    voters[substitute.id] = seat.member_id
                    break
        return voters


async def cast_of(
    session: AsyncSession, council_session: CouncilSession, remote_counts: bool = True
) -> Cast:
    day = council_session.starts_at.date()
    rows = await session.execute(
        select(Representative, Person.name_hy)
        .join(Person, Person.id == Representative.person_id)
        .where(Representative.council_id == council_session.council_id)
    )
    reps: dict[uuid.UUID, Representative] = {}
    names: dict[uuid.UUID, str] = {}
    for rep, name in rows.all():
        names[rep.id] = name
        if current_on(rep.term_start, rep.term_end, day):
            reps[rep.id] = rep
    for guest_id, name in await session.execute(
        select(Guest.id, Guest.name_hy).where(Guest.council_id == council_session.council_id)
    ):
        names[guest_id] = name
    seats = list(
        await session.scalars(
            select(Seat).where(
                Seat.council_id == council_session.council_id,
                Seat.opened_on <= day,
                or_(Seat.closed_on.is_(None), Seat.closed_on > day),
            )
        )
    )
    members = len({seat.member_id for seat in seats})
    stays = await session.scalars(
        select(Attendance).where(
            Attendance.session_id == council_session.id, Attendance.checked_out_at.is_(None)
        )
    )
    present = {(s.representative_id or s.guest_id): s for s in stays}
    return Cast(names, reps, seats, members, present, remote_counts)  # type: ignore[arg-type]


async def rules_of(
    session: AsyncSession, council_session: CouncilSession
) -> BylawsParameters | None:
    """The bylaws this session runs under: those in force at opening (or on its day before)."""
    if council_session.bylaws_id is not None:
        version = await session.get(BylawsVersion, council_session.bylaws_id)
    else:
        version = await bylaws_in_force(
            session, council_session.council_id, council_session.starts_at.date()
        )
    return BylawsParameters.model_validate(version.parameters) if version else None


def quorum_of(rules: BylawsParameters | None, cast: Cast) -> QuorumOut:
    voters = cast.voters()
    quorum = rules.quorum if rules else FOUNDING_QUORUM
    outcome = quorum_present(
        quorum,
        seats_present=len(voters),
        seats=len(cast.seats),
        members_present=len(set(voters.values())),
        members=cast.members,
    )
    return QuorumOut(
        present=outcome.passed,
        seats_present=len(voters),
        seats=len(cast.seats),
        members_present=len(set(voters.values())),
        members=cast.members,
        needed=outcome.needed,
        explanation=str(outcome.explanation),
    )


# --- the record --------------------------------------------------------------------------


def _item_out(item: AgendaItem) -> AgendaItemOut:
    return AgendaItemOut(
        id=item.id,
        position=item.position,
        title=LocalizedText(hy=item.title_hy, en=item.title_en),
        kind=ItemKind(item.kind),
        presenter=item.presenter,
        documents=[Document.model_validate(d) for d in item.documents],
        status=ItemStatus(item.status),
        proposed_by=item.proposed_by,
        recused=[uuid.UUID(r) for r in item.recused],
    )


def _tally(ballots: list[Ballot]) -> Totals:
    return Totals(
        votes_for=sum(b.choice == "yes" for b in ballots),
        votes_against=sum(b.choice == "no" for b in ballots),
        abstaining=sum(b.choice == "abstain" for b in ballots),
    )


def decision_name(motion: Motion) -> str | None:
    if motion.decision_number is None:
        return None
    return f"{motion.decision_number}/{motion.year}"


def _motion_out(motion: Motion, ballots: list[Ballot], names: dict[uuid.UUID, str]) -> MotionOut:
    effect = motion.effect or {}
    tally = Totals.model_validate(motion.counted) if motion.counted else _tally(ballots)
    return MotionOut(
        id=motion.id,
        number=motion.number,
        item_id=motion.item_id,
        decision_kind=DecisionKind(motion.decision_kind),
        text=LocalizedText(hy=motion.text_hy, en=motion.text_en),
        method=Method(motion.method),
        status=MotionStatus(motion.status),
        bylaws_id=effect.get("bylaws_id"),
        minutes_of=effect.get("minutes_of"),
        tally=tally,
        ballots=[
            BallotOut(
                representative_id=b.representative_id,
                member_id=b.member_id,
                name=names.get(b.representative_id, "?"),
                choice=b.choice,
                cast_at=b.cast_at,
            )
            for b in ballots
        ],
        result=ResultOut.model_validate(motion.result) if motion.result else None,
        decision=decision_name(motion),
    )


async def session_out(session: AsyncSession, council_session: CouncilSession) -> CouncilSessionOut:
    s = council_session
    items = list(
        await session.scalars(
            select(AgendaItem).where(AgendaItem.session_id == s.id).order_by(AgendaItem.position)
        )
    )
    stays = list(
        await session.scalars(
            select(Attendance)
            .where(Attendance.session_id == s.id)
            .order_by(Attendance.checked_in_at, Attendance.id)
        )
    )
    motions = list(
        await session.scalars(
            select(Motion).where(Motion.session_id == s.id).order_by(Motion.number)
        )
    )
    ballots: dict[uuid.UUID, list[Ballot]] = {m.id: [] for m in motions}
    if motions:
        for ballot in await session.scalars(
            select(Ballot)
            .where(Ballot.motion_id.in_(list(ballots)))
            .order_by(Ballot.cast_at, Ballot.id)
        ):
            ballots[ballot.motion_id].append(ballot)
    rules = await rules_of(session, s)
    cast = await cast_of(session, s, rules.quorum.remote_counts if rules else True)
    members = {r.id: r.member_id for r in cast.reps.values()}
    attendance = [
        AttendanceOut(
            representative_id=a.representative_id,
            guest_id=a.guest_id,
            name=cast.names.get(a.representative_id or a.guest_id, "?"),  # type: ignore[arg-type]
            role="guest"
            if a.guest_id
            else (
                "substitute"
                if a.representative_id in cast.reps
                and cast.reps[a.representative_id].substitute_for_id
                else "principal"
            ),
            member_id=members.get(a.representative_id) if a.representative_id else None,
            mode=Mode(a.mode),
            checked_in_at=a.checked_in_at,
            checked_out_at=a.checked_out_at,
        )
        for a in stays
    ]
    live = s.status in (SessionStatus.open, SessionStatus.convened, SessionStatus.postponed)
    return CouncilSessionOut(
        id=s.id,
        version=s.version,
        created_at=s.created_at,
        updated_at=s.updated_at,
        council_id=s.council_id,
        kind=SessionKind(s.kind),
        format=SessionFormat(s.format),
        starts_at=s.starts_at,
        place=s.place,
        meeting_link=s.meeting_link,
        guest_ids=[uuid.UUID(g) for g in s.guest_ids],
        status=SessionStatus(s.status),
        convened_on=s.convened_on,
        convened_by=ConvenedBy(s.convened_by) if s.convened_by else None,
        bylaws_id=s.bylaws_id,
        history=[HistoryEntry.model_validate(h) for h in s.history],
        invitations=[Invitation.model_validate(i) for i in s.invitations],
        agenda=[_item_out(i) for i in items],
        attendance=attendance,
        quorum=quorum_of(rules, cast) if live else None,
        motions=[_motion_out(m, ballots[m.id], cast.names) for m in motions],
    )


async def _represent(
    session: AsyncSession, council_session: CouncilSession, full: bool
) -> CouncilSessionOut:
    return await session_out(session, council_session)


SESSIONS = journal.resource(
    "session",
    _represent,
    stream_of=lambda s: s.council_id,
    verbs=(
        "created",
        "updated",
        "convened",
        "opened",
        "closed",
        "adjourned",
        "postponed",
        "cancelled",
        "agenda",
        "attendance",
        "motion",
        "voted",
        "decided",
    ),
)


async def get_session(session: AsyncSession, session_id: uuid.UUID) -> CouncilSession:
    found = await session.get(CouncilSession, session_id)
    if found is None:
        raise NotFound(_("There is no session {session_id}.", session_id=session_id))
    return found


def sessions_query(
    council_ids: list[uuid.UUID], after: datetime | None, status: SessionStatus | None
) -> Select[Any]:
    statement = select(CouncilSession)
    if council_ids:
        statement = statement.where(CouncilSession.council_id.in_(council_ids))
    if after is not None:
        statement = statement.where(CouncilSession.starts_at >= after)
    if status is not None:
        statement = statement.where(CouncilSession.status == status)
    return statement


# --- lifecycle ---------------------------------------------------------------------------


def _moved(
    council_session: CouncilSession,
    principal: Principal,
    status: SessionStatus,
    reason: str | None = None,
    at: datetime | None = None,
) -> None:
    council_session.status = status
    entry = {
        "status": status.value,
        "at": (at or utcnow()).isoformat(),
        "by": principal.subject,
        "reason": reason,
    }
    council_session.history = [*council_session.history, entry]


def _refuse_status(
    council_session: CouncilSession, allowed: tuple[SessionStatus, ...], what: Message
) -> None:
    if council_session.status not in allowed:
        raise Conflict(
            _(
                "The session is {status}; {what} is possible only when it is {allowed}.",
                status=council_session.status,
                what=what,
                allowed=", ".join(s.value for s in allowed),
            ),
            title=_("Not now"),
        )


async def _check_guests(
    session: AsyncSession, council: Council, guest_ids: list[uuid.UUID]
) -> None:
    if not guest_ids:
        return
    known = set(
        await session.scalars(
            select(Guest.id).where(Guest.council_id == council.id, Guest.id.in_(guest_ids))
        )
    )
    unknown = sorted(str(g) for g in set(guest_ids) - known)
    if unknown:
        raise RuleViolation(
            _("guest_ids: {ids} are not guests of this council", ids=", ".join(unknown)),
            title=_("Unknown guest"),
        )


async def create_session(
    session: AsyncSession, principal: Principal, council: Council, data: CouncilSessionIn
) -> CouncilSessionOut:
    if data.starts_at.date() < council.founded_on:
        raise RuleViolation(
            _("starts_at: the council was founded on {founded_on}", founded_on=council.founded_on),
            title=_("Too early"),
        )
    await _check_guests(session, council, data.guest_ids)
    council_session = CouncilSession(council_id=council.id, status="draft", history=[])
    _apply(council_session, data)
    _moved(council_session, principal, SessionStatus.draft)
    session.add(council_session)
    return await SESSIONS.created(session, principal, council_session)


def _apply(council_session: CouncilSession, data: CouncilSessionIn) -> None:
    s = council_session
    s.kind, s.format, s.starts_at = data.kind, data.format, data.starts_at
    s.place, s.meeting_link = data.place, data.meeting_link
    s.guest_ids = [str(g) for g in data.guest_ids]


async def _check_notice(
    session: AsyncSession, council_session: CouncilSession, convened_on: date, starts_at: datetime
) -> None:
    rules = await rules_of(session, council_session)
    if rules is None:
        return
    days = (
        rules.notice.ordinary_days
        if council_session.kind == SessionKind.ordinary
        else rules.notice.extraordinary_days
    )
    earliest = convened_on + timedelta(days=days)
    if starts_at.date() < earliest:
        raise RuleViolation(
            _(
                "The bylaws in force require notice of {days} days for an {kind} session: "
                "convened on {convened_on}, it may start on {earliest} at the earliest.",
                days=days,
                kind=council_session.kind,
                convened_on=convened_on,
                earliest=earliest,
            ),
            title=_("Notice too short"),
            extra={"rule": "notice", "earliest": earliest.isoformat()},
        )


async def convene(
    session: AsyncSession,
    principal: Principal,
    council: Council,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    data: Convening,
) -> CouncilSessionOut:
    _refuse_status(council_session, (SessionStatus.draft,), _("convening"))
    convened_on = data.convened_on or today()
    if convened_on > today():
        raise RuleViolation(
            _("convened_on: a session cannot be convened in the future"),
            title=_("Convened in the future"),
        )
    rules = await rules_of(session, council_session)
    if rules is not None:
        if council_session.format not in rules.formats:
            raise RuleViolation(
                _(
                    "The bylaws in force allow sessions {formats} only, not {format}.",
                    formats=", ".join(rules.formats),
                    format=council_session.format,
                ),
                title=_("Format not allowed"),
                extra={"rule": "formats"},
            )
        await _check_convener(session, council, council_session, rules, data)
    await _check_notice(session, council_session, convened_on, council_session.starts_at)
    council_session.convened_on, council_session.convened_by = convened_on, data.by
    council_session.invitations = await _invitations(session, council_session)
    _moved(council_session, principal, SessionStatus.convened)
    return await SESSIONS.updated(session, principal, council_session, before, event="convened")


async def _check_convener(
    session: AsyncSession,
    council: Council,
    council_session: CouncilSession,
    rules: BylawsParameters,
    data: Convening,
) -> None:
    c = rules.convening
    if data.by == ConvenedBy.chair and not (c.chair and council.chair_id):
        raise RuleViolation(
            _(
                "The bylaws in force do not let the chair convene a session, or "
                "the council has no chair."
            ),
            title=_("May not convene"),
            extra={"rule": "convening.chair"},
        )
    if data.by == ConvenedBy.secretary and not c.secretary:
        raise RuleViolation(
            _("The bylaws in force do not let the secretary convene a session."),
            title=_("May not convene"),
            extra={"rule": "convening.secretary"},
        )
    if data.by == ConvenedBy.members:
        day = council_session.starts_at.date()
        members = set(
            await session.scalars(
                select(CouncilMember.id).where(
                    CouncilMember.council_id == council.id,
                    CouncilMember.joined_on <= day,
                    or_(CouncilMember.left_on.is_(None), CouncilMember.left_on > day),
                )
            )
        )
        requesting = len(set(data.requested_by) & members)
        needed = (
            fewest(fraction(c.members_share), Comparison.at_least, len(members))
            if c.members_share
            else None
        )
        if needed is None or requesting < needed:
            raise RuleViolation(
                _(
                    "The bylaws in force let members convene a session when {share} of them "
                    "request it: {requesting} of {members} requested, {needed} needed.",
                    share=c.members_share or "-",
                    requesting=requesting,
                    members=len(members),
                    needed=needed if needed is not None else "-",
                ),
                title=_("May not convene"),
                extra={"rule": "convening.members_share"},
            )


async def _invitations(
    session: AsyncSession, council_session: CouncilSession
) -> list[dict[str, Any]]:
    cast = await cast_of(session, council_session)
    invited: list[dict[str, Any]] = [
        {"representative_id": str(rep.id), "name": cast.names[rep.id]}
        for rep in sorted(cast.reps.values(), key=lambda r: cast.names[r.id])
    ]
    invited += [
        {"guest_id": g, "name": cast.names.get(uuid.UUID(g), "?")}
        for g in council_session.guest_ids
    ]
    return invited


async def postpone(
    session: AsyncSession,
    principal: Principal,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    data: Postponement,
) -> CouncilSessionOut:
    _refuse_status(
        council_session, (SessionStatus.convened, SessionStatus.postponed), _("postponing")
    )
    convened_on = data.convened_on or today()
    await _check_notice(session, council_session, convened_on, data.starts_at)
    council_session.starts_at, council_session.convened_on = data.starts_at, convened_on
    _moved(council_session, principal, SessionStatus.postponed, data.reason)
    return await SESSIONS.updated(session, principal, council_session, before, event="postponed")


async def cancel(
    session: AsyncSession,
    principal: Principal,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    data: StatusChange,
) -> CouncilSessionOut:
    _refuse_status(
        council_session,
        (SessionStatus.draft, SessionStatus.convened, SessionStatus.postponed),
        _("cancelling"),
    )
    _moved(council_session, principal, SessionStatus.cancelled, data.reason, data.at)
    return await SESSIONS.updated(session, principal, council_session, before, event="cancelled")


def _no_quorum(quorum: QuorumOut, what: Message) -> RuleViolation:
    return RuleViolation(
        _(
            "{what} is refused: {seats_present} of {seats} seats present, {needed} needed "
            "({explanation}).",
            what=what,
            seats_present=quorum.seats_present,
            seats=quorum.seats,
            needed=quorum.needed,
            explanation=quorum.explanation,
        ),
        title=_("No quorum"),
        extra={"rule": "quorum", "quorum": quorum.model_dump()},
    )


async def open_session(
    session: AsyncSession,
    principal: Principal,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    data: StatusChange,
) -> CouncilSessionOut:
    _refuse_status(council_session, (SessionStatus.convened, SessionStatus.postponed), _("opening"))
    version = await bylaws_in_force(
        session, council_session.council_id, council_session.starts_at.date()
    )
    council_session.bylaws_id = version.id if version else None
    rules = await rules_of(session, council_session)
    cast = await cast_of(session, council_session, rules.quorum.remote_counts if rules else True)
    quorum = quorum_of(rules, cast)
    if not quorum.present:
        raise _no_quorum(quorum, _("Opening the session"))
    for item in await session.scalars(
        select(AgendaItem).where(
            AgendaItem.session_id == council_session.id, AgendaItem.status == "proposed"
        )
    ):
        item.status = ItemStatus.adopted
    _moved(council_session, principal, SessionStatus.open, data.reason, data.at)
    return await SESSIONS.updated(session, principal, council_session, before, event="opened")


async def adjourn(
    session: AsyncSession,
    principal: Principal,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    data: StatusChange,
) -> CouncilSessionOut:
    """Adjourned for lack of quorum: refused while a quorum is present."""
    _refuse_status(
        council_session,
        (SessionStatus.convened, SessionStatus.postponed, SessionStatus.open),
        _("adjourning"),
    )
    rules = await rules_of(session, council_session)
    cast = await cast_of(session, council_session, rules.quorum.remote_counts if rules else True)
    quorum = quorum_of(rules, cast)
    if quorum.present:
        raise Conflict(
            _(
                "A quorum is present ({explanation}); a session is adjourned only for "
                "lack of quorum. Close it instead.",
                explanation=quorum.explanation,
            ),
            title=_("Quorum present"),
        )
    await _refuse_open_motions(session, council_session)
    _moved(council_session, principal, SessionStatus.adjourned, data.reason, data.at)
    await _check_everyone_out(session, council_session, data.at)
    return await SESSIONS.updated(session, principal, council_session, before, event="adjourned")


async def _refuse_open_motions(session: AsyncSession, council_session: CouncilSession) -> None:
    open_motion = await session.scalar(
        select(Motion.number)
        .where(Motion.session_id == council_session.id, Motion.status == "open")
        .limit(1)
    )
    if open_motion is not None:
        raise Conflict(
            _("Motion {number} is still open: decide it first.", number=open_motion),
            title=_("Motion open"),
        )


async def _check_everyone_out(
    session: AsyncSession, council_session: CouncilSession, at: datetime | None
) -> None:
    for stay in await session.scalars(
        select(Attendance).where(
            Attendance.session_id == council_session.id, Attendance.checked_out_at.is_(None)
        )
    ):
        stay.checked_out_at = max(at or utcnow(), stay.checked_in_at)


async def close(
    session: AsyncSession,
    principal: Principal,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    data: StatusChange,
) -> CouncilSessionOut:
    _refuse_status(council_session, (SessionStatus.open,), _("closing"))
    await _refuse_open_motions(session, council_session)
    _moved(council_session, principal, SessionStatus.closed, data.reason, data.at)
    await _check_everyone_out(session, council_session, data.at)
    return await SESSIONS.updated(session, principal, council_session, before, event="closed")


# --- agenda ------------------------------------------------------------------------------

BEFORE = (SessionStatus.draft, SessionStatus.convened, SessionStatus.postponed)


async def propose_item(
    session: AsyncSession,
    principal: Principal,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    data: AgendaItemIn,
) -> CouncilSessionOut:
    """Before the session: proposed, adopted at opening. During it: proposed, and on the agenda
    only once the council votes it on (`adopt_item`)."""
    _refuse_status(council_session, (*BEFORE, SessionStatus.open), _("proposing an item"))
    last = await session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.session_id == council_session.id)
    )
    session.add(
        AgendaItem(
            session_id=council_session.id,
            position=int(last or 0) + 1,
            title_hy=data.title.hy,
            title_en=data.title.en,
            kind=data.kind,
            presenter=data.presenter,
            documents=[d.model_dump(mode="json") for d in data.documents],
            status="proposed",
            proposed_by=principal.subject,
            recused=[],
        )
    )
    return await SESSIONS.updated(session, principal, council_session, before, event="agenda")


async def get_item(
    session: AsyncSession, council_session: CouncilSession, item_id: uuid.UUID
) -> AgendaItem:
    item = await session.get(AgendaItem, item_id)
    if item is None or item.session_id != council_session.id:
        raise NotFound(_("The session has no agenda item {item_id}.", item_id=item_id))
    return item


async def adopt_item(
    session: AsyncSession,
    principal: Principal,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    item: AgendaItem,
    data: Totals,
) -> CouncilSessionOut:
    """An item added during the session goes on the agenda by an ordinary decision (a show of
    hands); when the vote fails it is rejected."""
    _refuse_status(council_session, (SessionStatus.open,), _("adding an item by vote"))
    if item.status != ItemStatus.proposed:
        raise Conflict(
            _("This item is already {status}.", status=item.status), title=_("Not proposed")
        )
    rules = await rules_of(session, council_session)
    cast = await cast_of(session, council_session, rules.quorum.remote_counts if rules else True)
    threshold = rules.decisions.ordinary if rules else FOUNDING_RULE
    outcome = _decide(threshold, cast, data, len(cast.voters()), None)
    item.status = ItemStatus.adopted if outcome.passed else ItemStatus.rejected
    return await SESSIONS.updated(session, principal, council_session, before, event="agenda")


async def recuse(
    session: AsyncSession,
    principal: Principal,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    item: AgendaItem,
    data: Recusal,
) -> CouncilSessionOut:
    _refuse_status(council_session, (*BEFORE, SessionStatus.open), _("a recusal"))
    rep = await session.get(Representative, data.representative_id)
    if rep is None or rep.council_id != council_session.council_id:
        raise RuleViolation(
            _(
                "representative_id: {id} is not a representative of this council",
                id=data.representative_id,
            ),
            title=_("Not a representative"),
        )
    if str(rep.id) in item.recused:
        raise Conflict(
            _("This person is already recused from this item."), title=_("Already recused")
        )
    voted = await session.scalar(
        select(Ballot.id)
        .join(Motion, Motion.id == Ballot.motion_id)
        .where(Motion.item_id == item.id, Ballot.representative_id == rep.id)
        .limit(1)
    )
    if voted is not None:
        raise Conflict(_("This person has already voted on this item."), title=_("Already voted"))
    item.recused = [*item.recused, str(rep.id)]
    return await SESSIONS.updated(session, principal, council_session, before, event="agenda")


# --- attendance --------------------------------------------------------------------------


async def check_in(
    session: AsyncSession,
    principal: Principal,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    data: CheckIn,
) -> CouncilSessionOut:
    _refuse_status(
        council_session,
        (SessionStatus.convened, SessionStatus.postponed, SessionStatus.open),
        _("checking in"),
    )
    cast = await cast_of(session, council_session)
    person = data.representative_id or data.guest_id
    assert person is not None
    if data.representative_id is not None and data.representative_id not in cast.reps:
        raise RuleViolation(
            _(
                "representative_id: {id} does not represent a member of this "
                "council on the session's day",
                id=person,
            ),
            title=_("Not a representative"),
        )
    if data.guest_id is not None and person not in cast.names:
        raise RuleViolation(
            _("guest_id: {id} is not a guest of this council", id=person), title=_("Unknown guest")
        )
    if person in cast.present:
        raise Conflict(
            _("{name} is already checked in.", name=cast.names[person]), title=_("Already present")
        )
    allowed = {
        SessionFormat.in_person: {Mode.in_person},
        SessionFormat.remote: {Mode.remote},
        SessionFormat.hybrid: {Mode.in_person, Mode.remote},
    }[SessionFormat(council_session.format)]
    if data.mode not in allowed:
        raise RuleViolation(
            _(
                "mode: a session held {format} is not attended {mode}",
                format=council_session.format,
                mode=data.mode,
            ),
            title=_("Mode not allowed"),
        )
    session.add(
        Attendance(
            session_id=council_session.id,
            representative_id=data.representative_id,
            guest_id=data.guest_id,
            mode=data.mode,
            checked_in_at=data.at or utcnow(),
        )
    )
    return await SESSIONS.updated(session, principal, council_session, before, event="attendance")


async def check_out(
    session: AsyncSession,
    principal: Principal,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    data: CheckOut,
) -> CouncilSessionOut:
    person = data.representative_id or data.guest_id
    stay = await session.scalar(
        select(Attendance).where(
            Attendance.session_id == council_session.id,
            Attendance.checked_out_at.is_(None),
            or_(Attendance.representative_id == person, Attendance.guest_id == person),
        )
    )
    if stay is None:
        raise Conflict(_("{id} is not checked in.", id=person), title=_("Not present"))
    at = data.at or utcnow()
    if at < stay.checked_in_at:
        raise RuleViolation(
            _("at: before the check-in at {checked_in_at}", checked_in_at=stay.checked_in_at),
            title=_("Out before in"),
        )
    stay.checked_out_at = at
    return await SESSIONS.updated(session, principal, council_session, before, event="attendance")


# --- motions and votes -------------------------------------------------------------------


async def get_motion(
    session: AsyncSession, council_session: CouncilSession, motion_id: uuid.UUID
) -> Motion:
    motion = await session.get(Motion, motion_id)
    if motion is None or motion.session_id != council_session.id:
        raise NotFound(_("The session has no motion {motion_id}.", motion_id=motion_id))
    return motion


async def move(
    session: AsyncSession,
    principal: Principal,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    data: MotionIn,
) -> CouncilSessionOut:
    _refuse_status(council_session, (SessionStatus.open,), _("a motion"))
    item = await get_item(session, council_session, data.item_id)
    if item.kind != ItemKind.decision:
        raise RuleViolation(
            _(
                "item_id: the item is for {kind}; motions are made on decision items only",
                kind=item.kind,
            ),
            title=_("Not a decision item"),
            extra={"rule": "agenda.kind"},
        )
    if item.status != ItemStatus.adopted:
        raise RuleViolation(
            _("item_id: the item is not on the adopted agenda"), title=_("Not on the agenda")
        )
    await _refuse_open_motions(session, council_session)
    rules = await rules_of(session, council_session)
    if rules is None and data.decision_kind != DecisionKind.bylaws_amendment:
        raise RuleViolation(
            _("decision_kind: with no bylaws in force the council may only adopt its first bylaws"),
            title=_("No bylaws yet"),
        )
    effect: dict[str, Any] = {}
    if data.bylaws_id is not None:
        version = await bylaws_rules.get_version(
            session, council_session.council_id, data.bylaws_id
        )
        if version.status != "draft":
            raise Conflict(
                _("bylaws_id: version {number} is already adopted", number=version.number),
                title=_("Bylaws adopted"),
            )
        effect["bylaws_id"] = str(version.id)
    if data.working_group is not None:
        effect["working_group"] = data.working_group.model_dump(mode="json")
    if data.minutes_of is not None:
        assert rules is not None
        await minutes.check_approvable(session, council_session, rules, data.minutes_of)
        effect["minutes_of"] = str(data.minutes_of)
    last = await session.scalar(
        select(func.max(Motion.number)).where(Motion.session_id == council_session.id)
    )
    session.add(
        Motion(
            session_id=council_session.id,
            council_id=council_session.council_id,
            item_id=item.id,
            number=int(last or 0) + 1,
            decision_kind=data.decision_kind,
            text_hy=data.text.hy,
            text_en=data.text.en,
            method=data.method,
            status="open",
            effect=effect or None,
        )
    )
    return await SESSIONS.updated(session, principal, council_session, before, event="motion")


async def _live(
    session: AsyncSession, council_session: CouncilSession, motion: Motion, what: Message
) -> tuple[BylawsParameters | None, Cast, dict[uuid.UUID, uuid.UUID]]:
    """The rules, the people and who may vote on the motion now; refused without quorum."""
    _refuse_status(council_session, (SessionStatus.open,), what)
    if motion.status != MotionStatus.open:
        raise Conflict(
            _("Motion {number} is decided.", number=motion.number), title=_("Motion decided")
        )
    rules = await rules_of(session, council_session)
    cast = await cast_of(session, council_session, rules.quorum.remote_counts if rules else True)
    quorum = quorum_of(rules, cast)
    if not quorum.present:
        raise _no_quorum(quorum, what)
    item = await session.get(AgendaItem, motion.item_id)
    recused = {uuid.UUID(r) for r in item.recused} if item else set()
    voters = {rep: member for rep, member in cast.voters().items() if rep not in recused}
    return rules, cast, voters


async def vote(
    session: AsyncSession,
    principal: Principal,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    motion: Motion,
    data: VoteIn,
) -> CouncilSessionOut:
    _rules, cast, voters = await _live(session, council_session, motion, _("A vote"))
    if motion.method != Method.roll_call:
        raise Conflict(
            _(
                "Motion {number} is counted by a show of hands; the secretary enters the totals.",
                number=motion.number,
            ),
            title=_("Counted motion"),
        )
    rep_id = data.representative_id
    rep = cast.reps.get(rep_id)
    if rep is None:
        raise RuleViolation(
            _(
                "representative_id: {id} has no vote in this council (a guest, or "
                "not a representative on the session's day)",
                id=rep_id,
            ),
            title=_("No vote"),
            extra={"rule": "vote.voter"},
        )
    cast_already = await session.scalar(
        select(Ballot.choice).where(
            Ballot.motion_id == motion.id, Ballot.representative_id == rep_id
        )
    )
    if cast_already is not None:
        raise Conflict(
            _(
                "{name} has already voted {choice} on motion {number}.",
                name=cast.names[rep_id],
                choice=cast_already,
                number=motion.number,
            ),
            title=_("Already voted"),
        )
    item = await session.get(AgendaItem, motion.item_id)
    if item is not None and str(rep_id) in item.recused:
        raise RuleViolation(
            _("{name} is recused from this item and does not vote on it.", name=cast.names[rep_id]),
            title=_("Recused"),
            extra={"rule": "vote.recusal"},
        )
    if rep_id not in voters:
        raise RuleViolation(
            _why_no_vote(cast, rep), title=_("No vote now"), extra={"rule": "vote.presence"}
        )
    member_id = voters[rep_id]
    seats = sum(1 for seat in cast.seats if seat.member_id == member_id)
    used = int(
        await session.scalar(
            select(func.count())
            .select_from(Ballot)
            .where(Ballot.motion_id == motion.id, Ballot.member_id == member_id)
        )
        or 0
    )
    if used >= seats:
        raise Conflict(
            _(
                "The member has {seats} seats and has cast {used} votes on this motion.",
                seats=seats,
                used=used,
            ),
            title=_("No seat left"),
        )
    session.add(
        Ballot(
            motion_id=motion.id,
            representative_id=rep_id,
            member_id=member_id,
            choice=data.choice,
            cast_at=utcnow(),
        )
    )
    return await SESSIONS.updated(session, principal, council_session, before, event="voted")


def _why_no_vote(cast: Cast, rep: Representative) -> Message:
    name = cast.names[rep.id]
    if rep.substitute_for_id is not None and cast.counts(rep.substitute_for_id):
        return _(
            "{name} is a substitute and the principal, {principal}, is present: only the "
            "principal votes.",
            name=name,
            principal=cast.names[rep.substitute_for_id],
        )
    if rep.id in cast.present:
        return _(
            "{name} is present remotely, and the bylaws in force do not count remote presence.",
            name=name,
        )
    return _("{name} is not checked in: only those present vote.", name=name)


async def count(
    session: AsyncSession,
    principal: Principal,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    motion: Motion,
    data: Totals,
) -> CouncilSessionOut:
    _rules, _cast, voters = await _live(session, council_session, motion, _("Counting votes"))
    if motion.method != Method.counted:
        raise Conflict(
            _("Motion {number} is a roll call: each person votes by name.", number=motion.number),
            title=_("Roll call motion"),
        )
    total = data.votes_for + data.votes_against + data.abstaining
    if total > len(voters):
        raise RuleViolation(
            _(
                "The totals count {total} votes but {present} voters are present.",
                total=total,
                present=len(voters),
            ),
            title=_("More votes than voters"),
            extra={"rule": "vote.totals"},
        )
    motion.counted = data.model_dump()
    return await SESSIONS.updated(session, principal, council_session, before, event="voted")


def _decide(
    threshold: Threshold,
    cast: Cast,
    totals: Totals,
    present: int,
    casting: Literal["for", "against"] | None,
) -> Outcome:
    return decide(
        threshold,
        Count(totals.votes_for, totals.votes_against, totals.abstaining, present, len(cast.seats)),
        casting,
    )


async def decide_motion(
    session: AsyncSession,
    principal: Principal,
    council: Council,
    council_session: CouncilSession,
    before: CouncilSessionOut,
    motion: Motion,
    data: Closing,
) -> CouncilSessionOut:
    """The result by the bylaws in force at opening; passed decisions are numbered per council
    and year and take effect (bylaws in force, a working group formed)."""
    rules, cast, voters = await _live(session, council_session, motion, _("Deciding"))
    ballots = list(await session.scalars(select(Ballot).where(Ballot.motion_id == motion.id)))
    totals = Totals.model_validate(motion.counted) if motion.counted else _tally(ballots)
    present = max(len(voters), totals.votes_for + totals.votes_against + totals.abstaining)
    kind = DecisionKind(motion.decision_kind)
    threshold = getattr(rules.decisions, kind.value) if rules else FOUNDING_RULE
    outcome = _decide(threshold, cast, totals, present, data.chair_casting_vote)
    quorum = quorum_of(rules, cast)
    motion.status = MotionStatus.decided
    day = council_session.starts_at.date()
    if outcome.passed:
        motion.year = day.year
        motion.decision_number = await _last_decision(session, council.id, day.year) + 1
    motion.result = ResultOut(
        passed=outcome.passed,
        **totals.model_dump(),
        present=present,
        seats=len(cast.seats),
        needed=outcome.needed,
        quorum=quorum.explanation,
        explanation=str(outcome.explanation),
    ).model_dump()
    out = await SESSIONS.updated(session, principal, council_session, before, event="decided")
    if outcome.passed:
        await _take_effect(session, principal, council, motion, totals, present, day, data)
        out = await session_out(session, council_session)
    return out


async def _last_decision(session: AsyncSession, council_id: uuid.UUID, year: int) -> int:
    """The highest decision number of the council in the year: of motions, and of decisions
    recorded without a session ("n/year" of bylaws adoptions and working groups)."""
    numbers = [
        int(
            await session.scalar(
                select(func.max(Motion.decision_number)).where(
                    Motion.council_id == council_id, Motion.year == year
                )
            )
            or 0
        )
    ]
    recorded = [
        *(
            a.get("decision")
            for a in await session.scalars(
                select(BylawsVersion.adoption).where(
                    BylawsVersion.council_id == council_id, BylawsVersion.adoption.is_not(None)
                )
            )
            if a
        ),
        *await session.scalars(
            select(WorkingGroup.decision).where(WorkingGroup.council_id == council_id)
        ),
    ]
    for name in recorded:
        number, _sep, of_year = str(name or "").partition("/")
        if number.isdigit() and of_year == str(year):
            numbers.append(int(number))
    return max(numbers)


async def _take_effect(
    session: AsyncSession,
    principal: Principal,
    council: Council,
    motion: Motion,
    totals: Totals,
    present: int,
    day: date,
    data: Closing,
) -> None:
    effect = motion.effect or {}
    name = decision_name(motion) or ""
    if "bylaws_id" in effect:
        version = await bylaws_rules.get_version(
            session, council.id, uuid.UUID(effect["bylaws_id"])
        )
        before = await bylaws_rules.BYLAWS.snapshot(session, version)
        adoption = Adoption(
            adopted_on=day,
            present=present,
            decision=name,
            chair_casting_vote=data.chair_casting_vote,
            **totals.model_dump(),
        )
        await bylaws_rules.adopt(session, principal, council, version, before, adoption)
    if "minutes_of" in effect:
        approval = MinutesApproval(session_id=motion.session_id, motion_id=motion.id, decision=name)
        await minutes.approve(session, principal, uuid.UUID(effect["minutes_of"]), day, approval)
    if "working_group" in effect:
        group = WorkingGroupIn.model_validate(
            effect["working_group"] | {"decision": name, "formed_on": day.isoformat()}
        )
        await working_groups.form_group(session, principal, council, group)
