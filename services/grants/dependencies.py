"""What routes use to reach a resource they change: each loader finds it (404), checks that
the caller's role and scope allow changing it (403, with the rule in words), and that the
caller read its current representation (`If-Match`, 412). Routes stay thin."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from services.grants.access import APPLICANTS, OFFICERS, PLAN_WRITERS
from services.grants.models import Grant, GrantApplication, GrantCall, GrantProgramme, LocalPlan
from services.grants.rules import applications, calls, grants, plans, programmes
from services.grants.schemas.applications import GrantApplicationOut
from services.grants.schemas.calls import GrantCallOut
from services.grants.schemas.grants import GrantOut
from services.grants.schemas.plans import PlanOut
from services.grants.schemas.programmes import GrantProgrammeOut
from shared.auth import Principal, require_roles
from shared.concurrency import Changing
from shared.database import SessionDep
from shared.journal import Change

PlanWriter = Annotated[Principal, require_roles(*PLAN_WRITERS)]
Officer = Annotated[Principal, require_roles(*OFFICERS)]
Applicant = Annotated[Principal, require_roles(*APPLICANTS)]


async def _writable_plan(
    plan_id: uuid.UUID, session: SessionDep, principal: PlanWriter
) -> LocalPlan:
    plan = await plans.get_plan(session, plan_id)
    plans.ensure_may_write(principal, plan.community_id)
    return plan


WritablePlan = Annotated[LocalPlan, Depends(_writable_plan)]


async def _plan(
    plan: WritablePlan, session: SessionDep, conditional: Changing
) -> Change[LocalPlan, PlanOut]:
    before = await plans.PLANS.snapshot(session, plan)
    conditional.check(before)
    return Change(plan, before)


PlanChange = Annotated[Change[LocalPlan, PlanOut], Depends(_plan)]


async def _programme(
    programme_id: uuid.UUID, session: SessionDep, _: Officer, conditional: Changing
) -> Change[GrantProgramme, GrantProgrammeOut]:
    row = await programmes.get_programme(session, programme_id)
    before = await programmes.PROGRAMMES.snapshot(session, row)
    conditional.check(before)
    return Change(row, before)


async def _call(
    call_id: uuid.UUID, session: SessionDep, _: Officer, conditional: Changing
) -> Change[GrantCall, GrantCallOut]:
    row = await calls.get_call(session, call_id)
    before = await calls.CALLS.snapshot(session, row)
    conditional.check(before)
    return Change(row, before)


async def _application(
    application_id: uuid.UUID, session: SessionDep, _: Officer, conditional: Changing
) -> Change[GrantApplication, GrantApplicationOut]:
    row = await applications.get_application(session, application_id)
    before = await applications.APPLICATIONS.snapshot(session, row)
    conditional.check(before)
    return Change(row, before)


async def _grant(
    grant_id: uuid.UUID, session: SessionDep, _: Officer, conditional: Changing
) -> Change[Grant, GrantOut]:
    row = await grants.get_grant(session, grant_id)
    before = await grants.GRANTS.snapshot(session, row)
    conditional.check(before)
    return Change(row, before)


ProgrammeChange = Annotated[Change[GrantProgramme, GrantProgrammeOut], Depends(_programme)]
CallChange = Annotated[Change[GrantCall, GrantCallOut], Depends(_call)]
ApplicationChange = Annotated[Change[GrantApplication, GrantApplicationOut], Depends(_application)]
GrantChange = Annotated[Change[Grant, GrantOut], Depends(_grant)]
