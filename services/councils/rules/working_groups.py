"""Working groups and commissions a council forms by a decision."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.councils.journal import journal
from services.councils.messages import _
from services.councils.models import Council, Guest, Representative, WorkingGroup
from services.councils.rules.common import field_error
from services.councils.schemas.councils import (
    WorkingGroupIn,
    WorkingGroupKind,
    WorkingGroupMember,
    WorkingGroupOut,
    WorkingGroupPatch,
    WorkingGroupReport,
    WorkingGroupStatus,
)
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import NotFound
from shared.text import LocalizedText


def working_group_out(group: WorkingGroup) -> WorkingGroupOut:
    return WorkingGroupOut(
        id=group.id,
        version=group.version,
        council_id=group.council_id,
        kind=WorkingGroupKind(group.kind),
        name=LocalizedText(hy=group.name_hy, en=group.name_en),
        mandate=group.mandate,
        decision=group.decision,
        formed_on=group.formed_on,
        convener_id=group.convener_id,
        deadline=group.deadline,
        status=WorkingGroupStatus(group.status),
        members=[WorkingGroupMember.model_validate(m) for m in group.members],
        reports=[WorkingGroupReport.model_validate(r) for r in group.reports],
        created_at=group.created_at,
        updated_at=group.updated_at,
    )


async def _represent(session: AsyncSession, group: WorkingGroup, full: bool) -> WorkingGroupOut:
    return working_group_out(group)


WORKING_GROUPS = journal.resource(
    "working_group", _represent, stream_of=lambda group: group.council_id
)


async def get_working_group(
    session: AsyncSession, council_id: uuid.UUID, group_id: uuid.UUID
) -> WorkingGroup:
    group = await session.get(WorkingGroup, group_id)
    if group is None or group.council_id != council_id:
        raise NotFound(_("Council {council_id} has no working group {group_id}.",
                         council_id=council_id, group_id=group_id))  # fmt: skip
    return group


def working_groups_query(council_id: uuid.UUID, status: WorkingGroupStatus | None) -> Select[Any]:
    statement = select(WorkingGroup).where(WorkingGroup.council_id == council_id)
    if status:
        statement = statement.where(WorkingGroup.status == status)
    return statement


async def check_group(session: AsyncSession, council: Council, data: WorkingGroupIn) -> None:
    if data.formed_on < council.founded_on:
        raise field_error("formed_on", _("the council was founded on {founded_on}",
                          founded_on=council.founded_on), _("Formed too early"))  # fmt: skip
    reps = {m.representative_id for m in data.members if m.representative_id}
    if data.convener_id:
        reps.add(data.convener_id)
    guests = {m.guest_id for m in data.members if m.guest_id}
    known_reps = set(await session.scalars(select(Representative.id).where(
        Representative.council_id == council.id, Representative.id.in_(reps))))  # fmt: skip
    known_guests = set(await session.scalars(select(Guest.id).where(
        Guest.council_id == council.id, Guest.id.in_(guests))))  # fmt: skip
    unknown = sorted(str(i) for i in (reps - known_reps) | (guests - known_guests))
    if unknown:
        raise field_error("members", _("{ids} are neither representatives nor guests of this "
                          "council", ids=", ".join(unknown)), _("Unknown participant"))  # fmt: skip


def _apply(group: WorkingGroup, data: WorkingGroupIn) -> None:
    group.kind = data.kind
    group.name_hy, group.name_en = data.name.hy, data.name.en
    group.mandate, group.decision, group.formed_on = data.mandate, data.decision, data.formed_on
    group.convener_id, group.deadline, group.status = data.convener_id, data.deadline, data.status
    group.members = [m.model_dump(mode="json", exclude_none=True) for m in data.members]
    group.reports = [r.model_dump(mode="json") for r in data.reports]


async def form_group(
    session: AsyncSession, principal: Principal, council: Council, data: WorkingGroupIn
) -> WorkingGroupOut:
    await check_group(session, council, data)
    group = WorkingGroup(council_id=council.id)
    _apply(group, data)
    session.add(group)
    return await WORKING_GROUPS.created(session, principal, group)


async def edit_group(
    session: AsyncSession, principal: Principal, council: Council, group: WorkingGroup,
    before: WorkingGroupOut, patch: WorkingGroupPatch,
) -> WorkingGroupOut:  # fmt: skip
    data = merge_patch(WorkingGroupIn, before, patch)
    await check_group(session, council, data)
    _apply(group, data)
    return await WORKING_GROUPS.updated(session, principal, group, before)
