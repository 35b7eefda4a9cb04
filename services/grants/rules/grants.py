"""Grants: awarded from an assessed application or directly, to a registry actor for a
community and the plan priority it pilots; within the call's budget; with co-funding by source
(the community's own first) and milestones. A recipient the registry deletes or changes is
flagged from its change feed, never dropped."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.grants.clients import Registry
from services.grants.journal import journal
from services.grants.messages import _
from services.grants.models import (
    Assessment,
    Grant,
    GrantApplication,
    GrantCall,
    GrantProgramme,
    PlanPriority,
)
from services.grants.money import MoneyAmount, from_minor
from services.grants.reference import ApplicationStatus, GrantStatus
from services.grants.rules import applications, calls, registry_checks
from services.grants.rules.registry_checks import field_error
from services.grants.schemas.applications import CofundingPledge
from services.grants.schemas.finances import Amendment
from services.grants.schemas.grants import (
    AwardIn,
    GrantIn,
    GrantOut,
    GrantPatch,
    GrantRecipient,
    Milestone,
)
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import Conflict, NotFound
from shared.text import LocalizedText

NEXT: dict[str, frozenset[str]] = {
    GrantStatus.awarded: frozenset({GrantStatus.active, GrantStatus.terminated}),
    GrantStatus.active: frozenset({GrantStatus.completed, GrantStatus.terminated}),
    GrantStatus.completed: frozenset(),
    GrantStatus.terminated: frozenset(),
}


def grant_out(row: Grant) -> GrantOut:
    return GrantOut(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        programme_id=row.programme_id,
        call_id=row.call_id,
        application_id=row.application_id,
        recipient_id=row.recipient_id,
        recipient=GrantRecipient(
            id=row.recipient_id,
            name=row.recipient_name,
            flag=row.recipient_flag,
            flagged_at=row.recipient_flagged_at,
        ),
        community_id=row.community_id,
        priority_id=row.priority_id,
        title=LocalizedText(hy=row.title_hy, en=row.title_en),
        amount=from_minor(row.amount_minor, row.currency),
        cofunding=[
            CofundingPledge(
                source=c["source"],
                name=c.get("name"),
                amount=MoneyAmount.model_validate(c["amount"]),
            )
            for c in row.cofunding
        ],
        awarded_on=row.awarded_on,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        status=GrantStatus(row.status),
        milestones=[Milestone.model_validate(m) for m in row.milestones],
        amounts_illustrative=row.amounts_illustrative,
        amendments=[Amendment.model_validate(a) for a in row.amendments or []],
    )


async def _represent(session: AsyncSession, row: Grant, full: bool) -> GrantOut:
    return grant_out(row)


GRANTS = journal.resource(
    "grant",
    _represent,
    verbs=("created", "updated", "amended", "recipient_changed", "recipient_deleted"),
)


async def get_grant(session: AsyncSession, grant_id: uuid.UUID) -> Grant:
    row = await session.get(Grant, grant_id)
    if row is None:
        raise NotFound(_("There is no grant {grant_id}.", grant_id=grant_id))
    return row


def grants_query(
    *,
    ids: list[uuid.UUID] | None = None,
    community_id: list[uuid.UUID] | None = None,
    year: int | None = None,
    recipient_id: uuid.UUID | None = None,
    programme_id: uuid.UUID | None = None,
    call_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
    status: GrantStatus | None = None,
) -> Select[Any]:
    statement = select(Grant)
    if ids:
        statement = statement.where(Grant.id.in_(ids))
    if community_id:
        statement = statement.where(Grant.community_id.in_(community_id))
    if year is not None:
        # A range on the date, so the (community_id, awarded_on) index serves it.
        statement = statement.where(
            Grant.awarded_on >= date(year, 1, 1), Grant.awarded_on <= date(year, 12, 31)
        )
    if recipient_id:
        statement = statement.where(Grant.recipient_id == recipient_id)
    if programme_id:
        statement = statement.where(Grant.programme_id == programme_id)
    if call_id:
        statement = statement.where(Grant.call_id == call_id)
    if plan_id:
        statement = statement.where(
            Grant.priority_id.in_(select(PlanPriority.id).where(PlanPriority.plan_id == plan_id))
        )
    if status:
        statement = statement.where(Grant.status == status)
    return statement


async def _check(
    session: AsyncSession, registry: Registry, data: GrantIn, *, grant_id: uuid.UUID | None
) -> str:
    """Every rule of an award; answers the recipient's name as the registry gives it."""
    if await session.get(GrantProgramme, data.programme_id) is None:
        raise field_error(
            "programme_id",
            _("there is no grant programme {programme_id}", programme_id=data.programme_id),
            _("Unknown programme"),
        )
    if data.call_id is not None:
        call = await session.get(GrantCall, data.call_id)
        if call is None or call.programme_id != data.programme_id:
            raise field_error("call_id", _("the programme has no call {call_id}",
                              call_id=data.call_id), _("Unknown call"))  # fmt: skip
        await _within_call(session, call, data.amount, grant_id=grant_id)
    if data.priority_id is not None:
        await applications.adopted_priority(
            session, data.priority_id, data.community_id, "priority_id"
        )
    actor = await registry_checks.actor(registry, data.recipient_id, "recipient_id")
    if actor.get("kind") in ("natural_person", "individual_entrepreneur"):
        raise field_error(
            "recipient_id",
            _("a grant goes to an organisation or a public body, not to a person"),
            _("Recipient not eligible"),
        )
    await registry_checks.community(registry, data.community_id, "community_id")
    return registry_checks.actor_name(actor)


async def _within_call(
    session: AsyncSession, call: GrantCall, amount: MoneyAmount, *, grant_id: uuid.UUID | None
) -> None:
    calls.ensure_not_decided(call)
    if amount.currency != call.currency:
        raise field_error("amount.currency", _("the call's grants are in {currency}",
                          currency=call.currency), _("Wrong currency"))  # fmt: skip
    if amount.minor > call.max_grant_minor:
        raise field_error(
            "amount",
            _("the call's grants are at most {max_grant} {currency}",
              max_grant=str(from_minor(call.max_grant_minor, call.currency).amount),
              currency=call.currency),
            _("Over the most a grant may be"),
        )  # fmt: skip
    others = select(func.coalesce(func.sum(Grant.amount_minor), 0)).where(Grant.call_id == call.id)
    if grant_id is not None:
        others = others.where(Grant.id != grant_id)
    awarded = int(await session.scalar(others) or 0)
    if awarded + amount.minor > call.budget_minor:
        raise Conflict(
            _(
                "The call has awarded {awarded} {currency} of its {budget} {currency}; "
                "{amount} {currency} more would exceed its budget.",
                awarded=str(from_minor(awarded, call.currency).amount),
                budget=str(from_minor(call.budget_minor, call.currency).amount),
                amount=str(amount.amount),
                currency=call.currency,
            ),
            title=_("Over the call's budget"),
        )


def _fill(row: Grant, data: GrantIn) -> None:
    row.programme_id, row.call_id = data.programme_id, data.call_id
    row.recipient_id, row.community_id = data.recipient_id, data.community_id
    row.priority_id = data.priority_id
    row.title_hy, row.title_en = data.title.hy, data.title.en
    row.currency, row.amount_minor = data.amount.currency, data.amount.minor
    row.cofunding = [c.model_dump(mode="json") for c in data.cofunding]
    row.awarded_on, row.starts_on, row.ends_on = data.awarded_on, data.starts_on, data.ends_on
    row.status = data.status
    row.milestones = [m.model_dump(mode="json") for m in data.milestones]
    row.amounts_illustrative = data.amounts_illustrative


async def create_grant(
    session: AsyncSession,
    registry: Registry,
    principal: Principal,
    data: GrantIn,
    *,
    application_id: uuid.UUID | None = None,
) -> GrantOut:
    name = await _check(session, registry, data, grant_id=None)
    row = Grant(id=uuid.uuid4(), application_id=application_id, recipient_name=name)
    _fill(row, data)
    session.add(row)
    return await GRANTS.created(session, principal, row)


async def award(
    session: AsyncSession,
    registry: Registry,
    principal: Principal,
    application: GrantApplication,
    data: AwardIn,
) -> GrantOut:
    if application.status != ApplicationStatus.submitted:
        raise Conflict(
            _("The application is {status}; only a submitted one is awarded.",
              status=application.status),
            title=_("Application not open"),
        )  # fmt: skip
    assessed = await session.scalar(
        select(Assessment.id).where(Assessment.application_id == application.id).limit(1)
    )
    if assessed is None:
        raise Conflict(
            _("An application is awarded after it is assessed; this one has no assessment."),
            title=_("Not assessed"),
        )
    call = await calls.get_call(session, application.call_id)
    before = await applications.APPLICATIONS.snapshot(session, application)
    grant = GrantIn(
        programme_id=call.programme_id,
        call_id=call.id,
        recipient_id=application.applicant_id,
        community_id=application.community_id,
        priority_id=application.priority_id,
        title=LocalizedText(hy=application.title),
        amount=data.amount or before.requested,
        cofunding=before.cofunding,
        awarded_on=data.awarded_on,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        milestones=data.milestones,
        amounts_illustrative=call.amounts_illustrative,
    )
    out = await create_grant(session, registry, principal, grant, application_id=application.id)
    application.status = ApplicationStatus.awarded
    await applications.APPLICATIONS.updated(session, principal, application, before)
    return out


async def edit_grant(
    session: AsyncSession,
    principal: Principal,
    row: Grant,
    before: GrantOut,
    patch: GrantPatch,
) -> GrantOut:
    data = merge_patch(GrantIn, before, patch)
    if data.status != row.status and data.status not in NEXT[row.status]:
        raise Conflict(
            _("A grant that is {status} cannot become {new_status}.",
              status=row.status, new_status=data.status),
            title=_("Status cannot change so"),
        )  # fmt: skip
    _fill(row, data)
    return await GRANTS.updated(session, principal, row, before)
