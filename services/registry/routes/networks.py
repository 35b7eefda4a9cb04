from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.registry.dependencies import (
    ActivityChange,
    ManagedNetwork,
    MemberChange,
    NetworkChange,
    Writer,
)
from services.registry.models import Network, NetworkActivity, NetworkMember
from services.registry.reference import ActivityKind, MemberRole, NetworkForm, NetworkStatus
from services.registry.rules import networks as rules
from services.registry.schemas.networks import (
    ActivityIn,
    ActivityOut,
    ActivityPatch,
    Leave,
    MemberIn,
    MemberOut,
    MemberPatch,
    NetworkIn,
    NetworkOut,
    NetworkPatch,
)
from shared.auth import OptionalPrincipal
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.inputs import Day
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/networks", tags=["networks"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)


@router.get("", summary="Local social cooperation networks")
async def list_networks(
    session: SessionDep,
    page: PageDep,
    center_id: uuid.UUID | None = None,
    status: NetworkStatus | None = None,
    form: NetworkForm | None = None,
    actor_id: Annotated[
        uuid.UUID | None, Query(description="networks this actor is a member of now")
    ] = None,
) -> Page[NetworkOut]:
    statement = rules.networks_query(
        center_id=center_id, status=status, form=form, actor_id=actor_id
    )
    items, cursor = await paginate(
        session, statement, keys=[Network.founded_on, Network.id], page=page
    )
    counts = await rules.current_member_counts(session, [n.id for n in items])
    return Page(
        items=[rules.network_out(n, counts.get(n.id, 0)) for n in items], next_cursor=cursor
    )


@router.get("/{network_id}", response_model=NetworkOut, responses=problem_responses(404))
async def get_network(network_id: uuid.UUID, session: SessionDep, conditional: Reading) -> Response:
    network = await rules.get_network(session, network_id)
    return conditional.answer(await rules.NETWORKS.snapshot(session, network))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=NetworkOut,
             responses=WRITE_ERRORS)  # fmt: skip
async def create_network(
    body: NetworkIn, session: SessionDep, principal: Writer, conditional: Creating
) -> Response:
    out = await rules.create_network(session, principal, body)
    return conditional.answer(out, status=201, location=f"/v1/networks/{out.id}")


@router.patch("/{network_id}", response_model=NetworkOut, responses=WRITE_ERRORS)
async def edit_network(
    body: NetworkPatch,
    change: NetworkChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_network(session, principal, change.row, change.before, body)
    return conditional.answer(out)


# --- members ----------------------------------------------------------------------------


@router.get("/{network_id}/members", summary="Members now, on a past date, or all who ever were")
async def list_members(
    network_id: uuid.UUID,
    session: SessionDep,
    principal: OptionalPrincipal,
    page: PageDep,
    on: Annotated[Day | None, Query(description="membership as it was on this date")] = None,
    include_past: Annotated[bool, Query(description="also members who have left")] = False,
    role: MemberRole | None = None,
) -> Page[MemberOut]:
    await rules.get_network(session, network_id)
    statement = rules.members_query(network_id, on=on, include_past=include_past, role=role)
    rows, cursor = await paginate(
        session,
        statement,
        keys=[NetworkMember.joined_on, NetworkMember.id],
        page=page,
        scalars=False,
    )
    show = principal is not None
    return Page(
        items=[rules.member_out(m, a, show_personal=show) for m, a in rows], next_cursor=cursor
    )


@router.get(
    "/{network_id}/members/{member_id}",
    response_model=MemberOut,
    responses=problem_responses(404),
)
async def get_member(
    network_id: uuid.UUID,
    member_id: uuid.UUID,
    session: SessionDep,
    principal: OptionalPrincipal,
    conditional: Reading,
) -> Response:
    member, _ = await rules.get_member(session, network_id, member_id)
    out = await rules.MEMBERS.snapshot(session, member, full=principal is not None)
    return conditional.answer(out, vary=rules.MEMBERS.vary)


@router.post(
    "/{network_id}/members",
    status_code=status.HTTP_201_CREATED,
    response_model=MemberOut,
    responses=WRITE_ERRORS,
)
async def add_member(
    body: MemberIn,
    network: ManagedNetwork,
    session: SessionDep,
    principal: Writer,
    conditional: Creating,
) -> Response:
    out = await rules.add_member(session, principal, network, body)
    location = f"/v1/networks/{network.id}/members/{out.id}"
    return conditional.answer(out, status=201, location=location)


@router.patch("/{network_id}/members/{member_id}", response_model=MemberOut, responses=WRITE_ERRORS)
async def edit_member(
    body: MemberPatch,
    network: ManagedNetwork,
    change: MemberChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_member(session, principal, network, change.row, change.before, body)
    return conditional.answer(out)


@router.post(
    "/{network_id}/members/{member_id}/leave", response_model=MemberOut, responses=WRITE_ERRORS
)
async def leave_network(
    body: Leave,
    change: MemberChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.leave_network(session, principal, change.row, change.before, body)
    return conditional.answer(out)


# --- activities -------------------------------------------------------------------------


@router.get("/{network_id}/activities", summary="Meetings, working groups, commissions, ...")
async def list_activities(
    network_id: uuid.UUID,
    session: SessionDep,
    page: PageDep,
    kind: ActivityKind | None = None,
    held_from: Day | None = None,
    held_to: Day | None = None,
) -> Page[ActivityOut]:
    await rules.get_network(session, network_id)
    statement = rules.activities_query(network_id, kind=kind, held_from=held_from, held_to=held_to)
    items, cursor = await paginate(
        session, statement, keys=[NetworkActivity.held_on, NetworkActivity.id], page=page
    )
    return Page(items=[rules.activity_out(a) for a in items], next_cursor=cursor)


@router.get(
    "/{network_id}/activities/{activity_id}",
    response_model=ActivityOut,
    responses=problem_responses(404),
)
async def get_activity(
    network_id: uuid.UUID, activity_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    activity = await rules.get_activity(session, network_id, activity_id)
    return conditional.answer(await rules.ACTIVITIES.snapshot(session, activity))


@router.post(
    "/{network_id}/activities",
    status_code=status.HTTP_201_CREATED,
    response_model=ActivityOut,
    responses=WRITE_ERRORS,
)
async def create_activity(
    body: ActivityIn,
    network: ManagedNetwork,
    session: SessionDep,
    principal: Writer,
    conditional: Creating,
) -> Response:
    out = await rules.create_activity(session, principal, network, body)
    location = f"/v1/networks/{network.id}/activities/{out.id}"
    return conditional.answer(out, status=201, location=location)


@router.patch(
    "/{network_id}/activities/{activity_id}", response_model=ActivityOut, responses=WRITE_ERRORS
)
async def edit_activity(
    body: ActivityPatch,
    network: ManagedNetwork,
    change: ActivityChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_activity(session, principal, network, change.row, change.before, body)
    return conditional.answer(out)
