"""What routes use to reach a resource they change: each loader finds it (404), checks that
the caller's role and scope allow changing it (403, with the rule in words), and that the
caller read its current representation (`If-Match`, 412). Routes stay thin."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from services.grants.access import APPLICANTS, OFFICERS, PLAN_WRITERS
from services.grants.models import LocalPlan
from services.grants.rules import plans
from services.grants.schemas.plans import PlanOut
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
