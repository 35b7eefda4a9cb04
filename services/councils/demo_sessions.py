"""Demo sessions, played through the same rules as the API (one journal entry per step).

- Yerevan's social protection council, 2020-07-23, held remotely (source document 003): 19
  members and two guests (a member of the council of elders, an independent expert); the first
  deputy mayor presents the structural changes, the head of the social security department the
  details of the reform; at the end the council decides to form small working groups. The
  source gives no vote counts: the decision is entered as a show of hands of all 19 present.
  The start time (11:00) is not in the source either.
- Masis's coordinating council: its first session (2021-03-15) adopts bylaws v1 by the
  founding rule; the second (2021-04-15) approves the minutes of the first and forms a working
  group."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.councils.models import AgendaItem, Council, CouncilSession, Guest, Motion
from services.councils.rules import minutes as minutes_rules
from services.councils.rules import sessions as rules
from services.councils.schemas import sessions as schemas
from shared.auth import Principal

ARMENIA = "+04:00"


class Play:
    """One session played step by step by the demo's principal."""

    def __init__(self, session: AsyncSession, principal: Principal, council: Council) -> None:
        self.session, self.principal, self.council = session, principal, council
        self.row: CouncilSession | None = None

    async def _before(self) -> Any:
        assert self.row is not None
        return await rules.SESSIONS.snapshot(self.session, self.row)

    async def plan(self, **data: Any) -> None:
        out = await rules.create_session(
            self.session,
            self.principal,
            self.council,
            schemas.CouncilSessionIn.model_validate(data),
        )
        self.row = await rules.get_session(self.session, out.id)

    async def convene(self, **data: Any) -> None:
        assert self.row is not None
        await rules.convene(
            self.session,
            self.principal,
            self.council,
            self.row,
            await self._before(),
            schemas.Convening.model_validate(data),
        )

    async def item(self, **data: Any) -> uuid.UUID:
        assert self.row is not None
        await rules.propose_item(
            self.session,
            self.principal,
            self.row,
            await self._before(),
            schemas.AgendaItemIn.model_validate(data),
        )
        position = await self.session.scalar(
            select(AgendaItem.id)
            .where(AgendaItem.session_id == self.row.id)
            .order_by(AgendaItem.position.desc())
            .limit(1)
        )
        assert position is not None
        return position

    async def check_in(self, at: datetime, mode: str, **who: Any) -> None:
        assert self.row is not None
        await rules.check_in(
            self.session,
            self.principal,
            self.row,
            await self._before(),
            schemas.CheckIn.model_validate({"mode": mode, "at": at, **who}),
        )

    async def status(self, step: Any, at: datetime) -> None:
        await step(
            self.session,
            self.principal,
            self.row,
            await self._before(),
            schemas.StatusChange(at=at),
        )

    async def motion(self, **data: Any) -> Motion:
        assert self.row is not None
        await rules.move(
            self.session,
            self.principal,
            self.row,
            await self._before(),
            schemas.MotionIn.model_validate(data),
        )
        motion = await self.session.scalar(
            select(Motion)
            .where(Motion.session_id == self.row.id)
            .order_by(Motion.number.desc())
            .limit(1)
        )
        assert motion is not None
        return motion

    async def vote(self, motion: Motion, representative_id: uuid.UUID, choice: str) -> None:
        assert self.row is not None
        await rules.vote(
            self.session,
            self.principal,
            self.row,
            await self._before(),
            motion,
            schemas.VoteIn(representative_id=representative_id, choice=choice),
        )

    async def count(self, motion: Motion, votes_for: int, against: int, abstaining: int) -> None:
        assert self.row is not None
        await rules.count(
            self.session,
            self.principal,
            self.row,
            await self._before(),
            motion,
            schemas.Totals(votes_for=votes_for, votes_against=against, abstaining=abstaining),
        )

    async def decide(self, motion: Motion) -> None:
        assert self.row is not None
        await rules.decide_motion(
            self.session,
            self.principal,
            self.council,
            self.row,
            await self._before(),
            motion,
            schemas.Closing(),
        )

    async def minutes(self) -> None:
        assert self.row is not None
        await minutes_rules.draft_minutes(
            self.session, self.principal, self.council, self.row, await self._before()
        )


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text + ARMENIA)


async def yerevan_2020_07_23(
    session: AsyncSession, principal: Principal, council: Council, reps: list[uuid.UUID]
) -> None:
    start = _at("2020-07-23T11:00:00")
    play = Play(session, principal, council)
    guests = list(await session.scalars(select(Guest.id).where(Guest.council_id == council.id)))
    await play.plan(
        kind="ordinary",
        format="remote",
        starts_at=start,
        meeting_link="https://www.yerevan.am/",
        guest_ids=guests,
    )
    await play.convene(by="secretary", convened_on="2020-07-14")
    await play.item(
        title={
            "hy": "Երևանի ավագանու 24.06.2020 թ. որոշմամբ նախատեսվող կառուցվածքային "
            "փոփոխություններ",
            "en": "Structural changes under the council of elders' decision of 24.06.2020",
        },
        kind="information",
        presenter="Հրաչյա Սարգսյան, քաղաքապետի առաջին տեղակալ",
    )
    await play.item(
        title={
            "hy": "Սոցիալական պաշտպանության համակարգային փոփոխությունների մանրամասներ",
            "en": "Details of the reform of social protection",
        },
        kind="discussion",
        presenter="Լուսինե Հովհաննիսյան, սոցիալական ապահովության վարչության պետ",
    )
    groups = await play.item(
        title={
            "hy": "Հետագա աշխատանքների ձևաչափը՝ փոքր աշխատանքային խմբերի ձևավորում",
            "en": "The format of further work: forming small working groups",
        },
        kind="decision",
    )
    for rep in reps:
        await play.check_in(start, "remote", representative_id=rep)
    for guest in guests:
        await play.check_in(start, "remote", guest_id=guest)
    await play.status(rules.open_session, start + timedelta(minutes=5))
    motion = await play.motion(
        item_id=groups,
        decision_kind="working_group",
        method="counted",
        text={
            "hy": "Ձևավորել աշխատանքի հարաճուն և ճկուն ընթացքն ապահովող փոքր խմբեր",
            "en": "Form small groups that keep the work going, step by step and flexibly",
        },
        working_group={
            "name": {
                "hy": "Սոցիալական պաշտպանության բարեփոխման փոքր խումբ",
                "en": "Small group on the social protection reform",
            },
            "mandate": "Ապահովել բարեփոխման աշխատանքների հարաճուն և ճկուն ընթացքը",
        },
    )
    await play.count(motion, len(reps), 0, 0)
    await play.decide(motion)
    await play.status(rules.close, start + timedelta(hours=2))
    await play.minutes()


async def masis_sessions(
    session: AsyncSession,
    principal: Principal,
    council: Council,
    reps: list[uuid.UUID],
    bylaws_id: uuid.UUID,
    group: dict[str, Any],
    activate: Callable[[], Awaitable[None]],
) -> None:
    """The first session adopts the bylaws (founding rule), the second approves its minutes."""
    place = "Մասիսի համայնքապետարան"
    first = Play(session, principal, council)
    start = _at("2021-03-15T15:00:00")
    await first.plan(kind="ordinary", format="in_person", starts_at=start, place=place)
    await first.convene(by="chair", convened_on="2021-03-05")
    item = await first.item(
        title={"hy": "Խորհրդի աշխատակարգի ընդունում", "en": "Adopting the council's bylaws"},
        kind="decision",
    )
    for rep in reps:
        await first.check_in(start, "in_person", representative_id=rep)
    await first.status(rules.open_session, start + timedelta(minutes=5))
    motion = await first.motion(
        item_id=item,
        decision_kind="bylaws_amendment",
        bylaws_id=bylaws_id,
        text={"hy": "Ընդունել խորհրդի աշխատակարգը", "en": "Adopt the council's bylaws"},
    )
    for rep in reps:
        await first.vote(motion, rep, "yes")
    await first.decide(motion)
    await first.status(rules.close, start + timedelta(hours=1))
    await first.minutes()
    await activate()  # bylaws in force: the council may become active
    assert first.row is not None
    return_to = first.row.id

    second = Play(session, principal, council)
    start = _at("2021-04-15T15:00:00")
    await second.plan(
        kind="ordinary",
        format="hybrid",
        starts_at=start,
        place=place,
        meeting_link="https://meet.example.am/masis",
    )
    await second.convene(by="chair", convened_on="2021-04-05")
    approve = await second.item(
        title={
            "hy": "Նախորդ նիստի արձանագրության հաստատում",
            "en": "Approving the minutes of the last session",
        },
        kind="decision",
    )
    groups = await second.item(
        title={"hy": "Աշխատանքային խմբի ձևավորում", "en": "Forming a working group"},
        kind="decision",
    )
    for number, rep in enumerate(reps):
        await second.check_in(start, "remote" if number % 2 else "in_person", representative_id=rep)
    await second.status(rules.open_session, start + timedelta(minutes=5))
    motion = await second.motion(
        item_id=approve,
        decision_kind="minutes_approval",
        minutes_of=return_to,
        text={
            "hy": "Հաստատել 2021-03-15-ի նիստի արձանագրությունը",
            "en": "Approve the minutes of 2021-03-15",
        },
    )
    for number, rep in enumerate(reps):
        await second.vote(motion, rep, "abstain" if number == len(reps) - 1 else "yes")
    await second.decide(motion)
    motion = await second.motion(
        item_id=groups,
        decision_kind="working_group",
        working_group=group,
        text={
            "hy": "Ձևավորել ընտանեկան բռնության կանխարգելման աշխատանքային խումբ",
            "en": "Form a working group on preventing domestic violence",
        },
    )
    for rep in reps:
        await second.vote(motion, rep, "yes")
    await second.decide(motion)
    await second.status(rules.close, start + timedelta(hours=1))
    await second.minutes()
