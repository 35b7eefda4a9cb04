"""A Popolo-shaped export of a council (https://www.popoloproject.com): the council and its
members as organizations, seats as posts, representatives' terms as memberships on behalf of
their member, sessions as events, motions, vote events with counts, and roll-call votes by
name. Never contacts. Field by field: docs/popolo.md."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.councils.models import (
    Ballot,
    Council,
    CouncilMember,
    CouncilSession,
    Motion,
    Person,
    Representative,
    Seat,
)

CHOICE = {"yes": "yes", "no": "no", "abstain": "abstain"}


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def export(session: AsyncSession, council: Council) -> dict[str, Any]:
    members = list(
        await session.scalars(
            select(CouncilMember)
            .where(CouncilMember.council_id == council.id)
            .order_by(CouncilMember.joined_on, CouncilMember.id)
        )
    )
    seats = list(
        await session.scalars(
            select(Seat).where(Seat.council_id == council.id).order_by(Seat.member_id, Seat.number)
        )
    )
    persons = list(
        await session.scalars(
            select(Person).where(Person.council_id == council.id).order_by(Person.id)
        )
    )
    reps = list(
        await session.scalars(
            select(Representative)
            .where(Representative.council_id == council.id)
            .order_by(Representative.term_start, Representative.id)
        )
    )
    events = list(
        await session.scalars(
            select(CouncilSession)
            .where(CouncilSession.council_id == council.id, CouncilSession.status != "draft")
            .order_by(CouncilSession.starts_at)
        )
    )
    motions = list(
        await session.scalars(
            select(Motion).where(Motion.council_id == council.id).order_by(Motion.id)
        )
    )
    motion_ids = [m.id for m in motions]
    ballots = list(
        await session.scalars(
            select(Ballot).where(Ballot.motion_id.in_(motion_ids)).order_by(Ballot.cast_at)
        )
    )
    person_of = {r.id: r.person_id for r in reps}
    names = {m.id: m.name_hy for m in members}
    shown = {e.id for e in events}
    return {
        "organizations": [
            {
                "id": str(council.id),
                "name": council.name_hy,
                "other_names": [{"name": council.name_en, "note": "en"}] if council.name_en else [],
                "classification": f"{council.kind} council",
                "founding_date": _day(council.founded_on),
                "dissolution_date": _day(council.dissolved_on),
            },
            *(
                {
                    "id": str(m.id),
                    "name": m.name_hy,
                    "other_names": [{"name": m.name_en, "note": "en"}] if m.name_en else [],
                    "classification": "council member",
                    "parent_id": str(council.id),
                    "founding_date": _day(m.joined_on),
                    "dissolution_date": _day(m.left_on),
                }
                for m in members
            ),
        ],
        "persons": [
            {
                "id": str(p.id),
                "name": p.name_hy,
                "other_names": [{"name": p.name_en, "note": "en"}] if p.name_en else [],
            }
            for p in persons
        ],
        "posts": [
            {
                "id": str(s.id),
                "label": f"{names.get(s.member_id, '')} — {s.number}",
                "organization_id": str(council.id),
                "role": "voting seat",
                "start_date": _day(s.opened_on),
                "end_date": _day(s.closed_on),
            }
            for s in seats
        ],
        "memberships": [
            {
                "id": str(r.id),
                "person_id": str(r.person_id),
                "organization_id": str(council.id),
                "post_id": str(r.seat_id) if r.seat_id else None,
                "on_behalf_of_id": str(r.member_id),
                "role": "substitute" if r.substitute_for_id else "representative",
                "label": r.position,
                "start_date": _day(r.term_start),
                "end_date": _day(r.term_end),
            }
            for r in reps
        ],
        "events": [
            {
                "id": str(e.id),
                "name": f"{e.kind} session {e.starts_at.date().isoformat()}",
                "classification": f"{e.kind} session",
                "organization_id": str(council.id),
                "start_date": e.starts_at.isoformat(),
                "status": e.status,
                "location": e.place,
                "sources": [{"url": e.meeting_link}] if e.meeting_link else [],
            }
            for e in events
        ],
        "motions": [
            {
                "id": str(m.id),
                "organization_id": str(council.id),
                "legislative_session_id": str(m.session_id),
                "text": m.text_hy,
                "classification": m.decision_kind,
                "identifier": (f"{m.decision_number}/{m.year}" if m.decision_number else None),
                "requirement": (m.result or {}).get("explanation"),
                "result": None if m.result is None else ("pass" if m.result["passed"] else "fail"),
            }
            for m in motions
            if m.session_id in shown
        ],
        "vote_events": [
            _vote_event(m, ballots, person_of)
            for m in motions
            if m.session_id in shown and m.result is not None
        ],
    }


def _vote_event(motion: Motion, ballots: list[Ballot], person_of: dict[Any, Any]) -> dict[str, Any]:
    result = motion.result or {}
    mine = [b for b in ballots if b.motion_id == motion.id]
    return {
        "id": f"{motion.id}/vote",
        "motion_id": str(motion.id),
        "legislative_session_id": str(motion.session_id),
        "result": "pass" if result.get("passed") else "fail",
        "counts": [
            {"option": "yes", "value": result.get("votes_for", 0)},
            {"option": "no", "value": result.get("votes_against", 0)},
            {"option": "abstain", "value": result.get("abstaining", 0)},
            {"option": "present", "value": result.get("present", 0)},
        ],
        "votes": [
            {
                "voter_id": str(person_of.get(b.representative_id)),
                "option": CHOICE[b.choice],
                "group_id": str(b.member_id),
            }
            for b in mine
        ]
        if motion.method == "roll_call"
        else [],
    }
