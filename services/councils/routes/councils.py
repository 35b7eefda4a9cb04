from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.councils.dependencies import (
    CouncilChange,
    ManagedCouncil,
    MemberChange,
    RegistryDep,
    Writer,
)
from services.councils.models import Council, CouncilMember
from services.councils.rules import councils as rules
from services.councils.rules.common import get_council, today
from services.councils.schemas.councils import (
    CouncilIn,
    CouncilKind,
    CouncilMemberIn,
    CouncilMemberLeave,
    CouncilMemberOut,
    CouncilOut,
    CouncilPatch,
    CouncilStatus,
    Reconcile,
    Reconciliation,
    Representation,
)
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.inputs import Day
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/councils", tags=["councils"])
seats_router = APIRouter(prefix="/v1/council-members", tags=["councils"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)
REGISTRY_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)


@router.get("", summary="Coordinating and municipal councils")
async def list_councils(
    session: SessionDep,
    page: PageDep,
    kind: CouncilKind | None = None,
    status: CouncilStatus | None = None,
    network_id: uuid.UUID | None = None,
    community_id: uuid.UUID | None = None,
) -> Page[CouncilOut]:
    statement = rules.councils_query(
        kind=kind, status=status, network_id=network_id, community_id=community_id
    )
    items, cursor = await paginate(
        session, statement, keys=[Council.founded_on, Council.id], page=page
    )
    return Page(items=await rules.council_views(session, items), next_cursor=cursor)


@router.get("/{council_id}", response_model=CouncilOut, responses=problem_responses(404))
async def get_council_by_id(
    council_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    council = await get_council(session, council_id)
    return conditional.answer(await rules.COUNCILS.snapshot(session, council))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CouncilOut,
    responses=REGISTRY_ERRORS,
    description=(
        "A coordinating council is checked in the registry (the network exists, is active and "
        "may form a council) and seats every current member of the network; 503 and nothing "
        "written when the registry does not answer."
    ),
)
async def create_council(
    body: CouncilIn,
    session: SessionDep,
    principal: Writer,
    conditional: Creating,
    registry: RegistryDep,
) -> Response:
    out = await rules.create_council(session, principal, body, registry)
    return conditional.answer(out, status=201, location=f"/v1/councils/{out.id}")


@router.patch("/{council_id}", response_model=CouncilOut, responses=REGISTRY_ERRORS)
async def edit_council(
    body: CouncilPatch,
    change: CouncilChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
    registry: RegistryDep,
) -> Response:
    out = await rules.edit_council(session, principal, change.row, change.before, body, registry)
    return conditional.answer(out)


@router.get(
    "/{council_id}/representation",
    response_model=Representation,
    responses=problem_responses(404),
    summary="Equal representation today: seats per member and the incomplete members",
)
async def get_representation(
    council_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    council = await get_council(session, council_id)
    return conditional.answer(await rules.representation(session, council))


# --- members ----------------------------------------------------------------------------


@router.get("/{council_id}/members", summary="Members with their seats, now or on a date")
async def list_council_members(
    council_id: uuid.UUID,
    session: SessionDep,
    page: PageDep,
    on: Annotated[Day | None, Query(description="members as they were on this date")] = None,
    include_past: Annotated[bool, Query(description="also members who have left")] = False,
    incomplete: Annotated[bool, Query(description="only members with an unfilled seat")] = False,
) -> Page[CouncilMemberOut]:
    await get_council(session, council_id)
    statement = rules.members_query(council_id, on=on, include_past=include_past)
    items, cursor = await paginate(
        session, statement, keys=[CouncilMember.joined_on, CouncilMember.id], page=page
    )
    views = await rules.member_views(session, items, on or today())
    if incomplete:
        views = [v for v in views if not v.complete]
    return Page(items=views, next_cursor=cursor)


@seats_router.get(
    "",
    summary="An actor's memberships, with their seats, in every council",
    description="Coordinating and municipal councils alike, in one request.",
)
async def list_members_of_actor(
    session: SessionDep,
    page: PageDep,
    actor_id: Annotated[uuid.UUID, Query(description="the registry's actor")],
    on: Annotated[Day | None, Query(description="memberships as they were on this date")] = None,
    include_past: Annotated[bool, Query(description="also memberships that ended")] = False,
) -> Page[CouncilMemberOut]:
    statement = rules.members_query(None, on=on, include_past=include_past, actor_id=actor_id)
    items, cursor = await paginate(
        session, statement, keys=[CouncilMember.joined_on, CouncilMember.id], page=page
    )
    return Page(items=await rules.member_views(session, items, on or today()), next_cursor=cursor)


@router.get(
    "/{council_id}/members/{member_id}",
    response_model=CouncilMemberOut,
    responses=problem_responses(404),
)
async def get_council_member(
    council_id: uuid.UUID, member_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    member = await rules.get_member(session, council_id, member_id)
    return conditional.answer(await rules.MEMBERS.snapshot(session, member))


@router.post(
    "/{council_id}/members",
    status_code=status.HTTP_201_CREATED,
    response_model=CouncilMemberOut,
    responses=REGISTRY_ERRORS,
    description=(
        "A coordinating council's members are its network's (the registry is asked); a "
        "municipal council's are appointed organisations and persons. The member gets the "
        "seats the bylaws in force give every member."
    ),
)
async def add_council_member(
    body: CouncilMemberIn,
    council: ManagedCouncil,
    session: SessionDep,
    principal: Writer,
    conditional: Creating,
    registry: RegistryDep,
) -> Response:
    out = await rules.add_member(session, principal, council, body, registry)
    location = f"/v1/councils/{council.id}/members/{out.id}"
    return conditional.answer(out, status=201, location=location)


@router.post(
    "/{council_id}/members/{member_id}/leave",
    response_model=CouncilMemberOut,
    responses=WRITE_ERRORS,
    summary="The member leaves: its seats close, its representatives' terms end",
)
async def leave_council(
    body: CouncilMemberLeave,
    change: MemberChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.leave(session, principal, change.row, change.before, body)
    return conditional.answer(out)


# --- reconciliation -----------------------------------------------------------------------


@router.post(
    "/{council_id}/reconciliation",
    response_model=Reconciliation,
    responses=REGISTRY_ERRORS,
    summary="Compare seats with the network's membership in the registry on a date",
    description="With `repair` (the default) the differences are repaired as of that date.",
)
async def reconcile_council(
    body: Reconcile,
    council: ManagedCouncil,
    session: SessionDep,
    principal: Writer,
    registry: RegistryDep,
) -> Reconciliation:
    return await rules.reconcile(session, principal, council, registry, body.on, repair=body.repair)
