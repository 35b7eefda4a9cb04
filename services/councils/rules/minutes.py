"""Minutes: drafted from the session's record (attendance with times, quorum, agenda, motions,
votes, results, decisions) in Armenian, and in English where the names exist; edited while a
draft; approved by a motion of a later session within the period the bylaws set; then
immutable. Printed as a PDF with the DejaVu Sans font that comes with the service."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from fpdf import FPDF
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.councils.journal import journal
from services.councils.messages import _
from services.councils.models import Council, CouncilSession, Minutes
from services.councils.schemas.bylaws import BylawsParameters
from services.councils.schemas.minutes import (
    MinutesApproval,
    MinutesIn,
    MinutesOut,
    MinutesPatch,
    MinutesStatus,
)
from services.councils.schemas.sessions import CouncilSessionOut
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import Conflict, NotFound, RuleViolation

FONTS = Path(__file__).resolve().parent.parent / "fonts"

KIND_HY = {"ordinary": "հերթական", "extraordinary": "արտահերթ"}
FORMAT_HY = {"in_person": "առկա", "remote": "հեռավար", "hybrid": "հիբրիդ"}
MODE_HY = {"in_person": "առկա", "remote": "հեռավար"}
CHOICE_HY = {"yes": "կողմ", "no": "դեմ", "abstain": "ձեռնպահ"}


def minutes_out(minutes: Minutes) -> MinutesOut:
    return MinutesOut(
        id=minutes.id,
        version=minutes.version,
        created_at=minutes.created_at,
        updated_at=minutes.updated_at,
        session_id=minutes.session_id,
        council_id=minutes.council_id,
        status=MinutesStatus(minutes.status),
        text_hy=minutes.text_hy,
        text_en=minutes.text_en,
        approved_on=minutes.approved_on,
        approved_by=MinutesApproval.model_validate(minutes.approved_by)
        if minutes.approved_by
        else None,
    )


async def _represent(session: AsyncSession, minutes: Minutes, full: bool) -> MinutesOut:
    return minutes_out(minutes)


MINUTES = journal.resource(
    "minutes",
    _represent,
    stream_of=lambda m: m.council_id,
    verbs=("created", "updated", "approved"),
)


async def minutes_of(session: AsyncSession, session_id: uuid.UUID) -> Minutes:
    found = await session.scalar(select(Minutes).where(Minutes.session_id == session_id))
    if found is None:
        raise NotFound(_("Session {session_id} has no minutes yet.", session_id=session_id))
    return found


def _clock(moment: object) -> str:
    return str(moment)[11:16]


def draft_texts(council: Council, record: CouncilSessionOut) -> tuple[str, str | None]:
    """The minutes in Armenian, and in English when the council has an English name."""
    day = record.starts_at.date().isoformat()
    hy = [
        f"{council.name_hy}",
        f"{KIND_HY[record.kind]} նիստի արձանագրություն, {day}, {FORMAT_HY[record.format]}",
        *([f"Վայրը՝ {record.place}"] if record.place else []),
        "",
        "Ներկա էին՝",
    ]
    en = [
        f"{council.name_en}",
        f"Minutes of the {record.kind} session, {day}, {record.format.replace('_', ' ')}",
        *([f"Place: {record.place}"] if record.place else []),
        "",
        "Present:",
    ]
    for a in record.attendance:
        out = f"–{_clock(a.checked_out_at)}" if a.checked_out_at else ""
        hy.append(f"  {a.name} ({MODE_HY[a.mode]}), {_clock(a.checked_in_at)}{out}")
        en.append(f"  {a.name} ({a.mode.replace('_', ' ')}), {_clock(a.checked_in_at)}{out}")
    opened = [h for h in record.history if h.status == "open"]
    if opened:
        hy.append(f"Նիստը բացվել է {_clock(opened[0].at)}-ին՝ քվորումի առկայությամբ։")
        en.append(f"The session opened at {_clock(opened[0].at)} with a quorum.")
    hy += ["", "Օրակարգ՝"]
    en += ["", "Agenda:"]
    for item in record.agenda:
        if item.status != "adopted":
            continue
        hy.append(f"  {item.position}. {item.title.hy}")
        en.append(f"  {item.position}. {item.title.en or item.title.hy}")
    hy += ["", "Որոշումներ՝"]
    en += ["", "Decisions:"]
    for m in record.motions:
        t = m.tally
        counts_hy = f"կողմ՝ {t.votes_for}, դեմ՝ {t.votes_against}, ձեռնպահ՝ {t.abstaining}"
        counts_en = f"for {t.votes_for}, against {t.votes_against}, abstaining {t.abstaining}"
        passed = m.result is not None and m.result.passed
        hy.append(f"  Առաջարկ {m.number}. {m.text.hy}")
        hy.append(
            f"    Քվեարկություն՝ {counts_hy}։ "
            + (f"Ընդունված է, որոշում № {m.decision}։" if passed else "Չի ընդունվել։")
        )
        en.append(f"  Motion {m.number}. {m.text.en or m.text.hy}")
        en.append(
            f"    Vote: {counts_en}. "
            + (f"Passed, decision no. {m.decision}." if passed else "Not passed.")
        )
        for b in m.ballots:
            hy.append(f"      {b.name}՝ {CHOICE_HY[b.choice]}")
            en.append(f"      {b.name}: {b.choice}")
    closed = [h for h in record.history if h.status in ("closed", "adjourned")]
    if closed:
        hy.append(f"\nՆիստն ավարտվել է {_clock(closed[-1].at)}-ին։")
        en.append(f"\nThe session ended at {_clock(closed[-1].at)}.")
    return "\n".join(hy), ("\n".join(en) if council.name_en else None)


async def draft_minutes(
    session: AsyncSession,
    principal: Principal,
    council: Council,
    council_session: CouncilSession,
    record: CouncilSessionOut,
) -> MinutesOut:
    if council_session.status not in ("closed", "adjourned"):
        raise Conflict(
            _("Minutes are drafted once the session is closed or adjourned."),
            title=_("Session not over"),
        )
    existing = await session.scalar(
        select(Minutes.id).where(Minutes.session_id == council_session.id)
    )
    if existing is not None:
        raise Conflict(
            _("This session has minutes already; edit them while a draft."),
            title=_("Minutes exist"),
        )
    text_hy, text_en = draft_texts(council, record)
    minutes = Minutes(
        session_id=council_session.id,
        council_id=council.id,
        status="draft",
        text_hy=text_hy,
        text_en=text_en,
    )
    session.add(minutes)
    return await MINUTES.created(session, principal, minutes)


def _refuse_approved(minutes: Minutes) -> None:
    if minutes.status == MinutesStatus.approved:
        raise Conflict(
            _(
                "These minutes were approved on {approved_on}; approved minutes are never changed.",
                approved_on=minutes.approved_on,
            ),
            title=_("Minutes approved"),
        )


async def edit_minutes(
    session: AsyncSession,
    principal: Principal,
    minutes: Minutes,
    before: MinutesOut,
    patch: MinutesPatch,
) -> MinutesOut:
    _refuse_approved(minutes)
    data = merge_patch(MinutesIn, before, patch)
    minutes.text_hy, minutes.text_en = data.text_hy, data.text_en
    return await MINUTES.updated(session, principal, minutes, before)


async def check_approvable(
    session: AsyncSession,
    approving: CouncilSession,
    rules: BylawsParameters,
    earlier_id: uuid.UUID,
) -> None:
    """A motion approving minutes: of an earlier session of the same council, drafted and not
    approved yet, within the period of the bylaws (the next session, or within N days)."""
    earlier = await session.get(CouncilSession, earlier_id)
    if earlier is None or earlier.council_id != approving.council_id:
        raise RuleViolation(
            _("minutes_of: {id} is not a session of this council", id=earlier_id),
            title=_("Unknown session"),
        )
    minutes = await minutes_of(session, earlier_id)
    _refuse_approved(minutes)
    if earlier.starts_at >= approving.starts_at:
        raise RuleViolation(
            _("minutes_of: minutes are approved by a later session"), title=_("Not a later session")
        )
    rule = rules.minutes
    if rule.approval == "within_days" and rule.within_days is not None:
        days = (approving.starts_at.date() - earlier.starts_at.date()).days
        if days > rule.within_days:
            raise RuleViolation(
                _(
                    "The bylaws in force want minutes approved within {days} days; this session "
                    "is {late} days after.",
                    days=rule.within_days,
                    late=days,
                ),
                title=_("Approval too late"),
                extra={"rule": "minutes.within_days"},
            )
        return
    between = await session.scalar(
        select(func.count())
        .select_from(CouncilSession)
        .where(
            CouncilSession.council_id == approving.council_id,
            CouncilSession.starts_at > earlier.starts_at,
            CouncilSession.starts_at < approving.starts_at,
            CouncilSession.status.in_(("open", "closed")),
        )
    )
    if between:
        raise RuleViolation(
            _(
                "The bylaws in force want minutes approved at the next session; {count} sessions "
                "were held in between.",
                count=between,
            ),
            title=_("Approval too late"),
            extra={"rule": "minutes.next_session"},
        )


async def approve(
    session: AsyncSession,
    principal: Principal,
    earlier_id: uuid.UUID,
    on: date,
    approval: MinutesApproval,
) -> None:
    minutes = await minutes_of(session, earlier_id)
    before = minutes_out(minutes)
    _refuse_approved(minutes)
    minutes.status = MinutesStatus.approved
    minutes.approved_on = on
    minutes.approved_by = approval.model_dump(mode="json")
    await MINUTES.updated(session, principal, minutes, before, event="approved")


def pdf_of(minutes: MinutesOut) -> bytes:
    """A printable PDF: the Armenian text, then the English one when there is one."""
    pdf = FPDF(format="A4")
    pdf.set_title("Minutes")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    for text in (minutes.text_hy, minutes.text_en):
        if not text:
            continue
        pdf.add_page()
        first, _sep, rest = text.partition("\n")
        pdf.set_font("DejaVu", "B", 13)
        pdf.multi_cell(0, 7, first, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10.5)
        pdf.multi_cell(0, 5.5, rest, new_x="LMARGIN", new_y="NEXT")
        if minutes.status == MinutesStatus.approved and minutes.approved_by:
            pdf.ln(4)
            pdf.multi_cell(
                0,
                5.5,
                f"✓ {minutes.approved_on} — {minutes.approved_by.decision}",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    return bytes(pdf.output())
