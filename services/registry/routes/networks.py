from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from services.registry import events
from services.registry.audit import record
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
from shared.auth import CurrentPrincipal, OptionalPrincipal
from shared.concurrency import check_if_match, etag_of, merge_patch, not_modified, set_etag
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.inputs import Day
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/networks", tags=["networks"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)


async def _network_out(session: SessionDep, network: Network) -> NetworkOut:
    counts = await rules.current_member_counts(session, [network.id])
    return rules.network_out(network, counts.get(network.id, 0))


@router.get("", summary="Local social cooperation networks")
async def list_networks(
    session: SessionDep,
    page: PageDep,
    center_id: uuid.UUID | None = None,
    status: NetworkStatus | None = None,
    form: NetworkForm | None = None,
) -> Page[NetworkOut]:
    statement = rules.networks_query(center_id=center_id, status=status, form=form)
    items, cursor = await paginate(
        session, statement, keys=[Network.founded_on, Network.id], page=page
    )
    counts = await rules.current_member_counts(session, [n.id for n in items])
    return Page(
        items=[rules.network_out(n, counts.get(n.id, 0)) for n in items], next_cursor=cursor
    )


@router.get("/{network_id}", response_model=NetworkOut, responses=problem_responses(404))
async def get_network(
    network_id: uuid.UUID, session: SessionDep, request: Request, response: Response
) -> Any:
    network = await rules.get_network(session, network_id)
    if not_modified(request, etag_of(network.version)):
        return Response(status_code=304)
    set_etag(response, network.version)
    return await _network_out(session, network)


@router.post("", status_code=status.HTTP_201_CREATED, responses=WRITE_ERRORS)
async def create_network(
    body: NetworkIn, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> NetworkOut:
    rules.ensure_may_manage(principal, body.center_id)
    network = await rules.save_network(session, body)
    out = await _network_out(session, network)
    data = await events.publish_network(session, events.NETWORK_CREATED, network)
    record(session, principal, action="create", resource_type="network",
           resource_id=network.id, after=data)  # fmt: skip
    set_etag(response, network.version)
    response.headers["Location"] = f"/v1/networks/{network.id}"
    return out


@router.patch("/{network_id}", responses=WRITE_ERRORS)
async def edit_network(
    network_id: uuid.UUID,
    body: NetworkPatch,
    session: SessionDep,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
) -> NetworkOut:
    network = await rules.get_network(session, network_id)
    rules.ensure_may_manage(principal, network.center_id)
    check_if_match(request, etag_of(network.version))
    before = await _network_out(session, network)
    merged = merge_patch(NetworkIn, before, body)
    network = await rules.save_network(session, merged, network)
    after = await _network_out(session, network)
    data = await events.publish_network(session, events.NETWORK_UPDATED, network)
    record(session, principal, action="update", resource_type="network", resource_id=network.id,
           before=before.model_dump(mode="json"), after=data)  # fmt: skip
    set_etag(response, network.version)
    return after


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
    response: Response,
) -> Any:
    member, actor = await rules.get_member(session, network_id, member_id)
    set_etag(response, member.version)
    return rules.member_out(member, actor, show_personal=principal is not None)


async def _member_changed(
    session: SessionDep,
    principal: CurrentPrincipal,
    event: str,
    member: NetworkMember,
    before: MemberOut | None,
) -> MemberOut:
    _, actor = await rules.get_member(session, member.network_id, member.id)
    after = rules.member_out(member, actor, show_personal=True)
    record(session, principal, action="create" if before is None else "update",
           resource_type="network_member", resource_id=member.id,
           before=before.model_dump(mode="json") if before else None,
           after=after.model_dump(mode="json"))  # fmt: skip
    await events.publish_member(session, event, member, actor)
    return after


@router.post("/{network_id}/members", status_code=status.HTTP_201_CREATED, responses=WRITE_ERRORS)
async def add_member(
    network_id: uuid.UUID,
    body: MemberIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> MemberOut:
    network = await rules.get_network(session, network_id)
    rules.ensure_may_manage(principal, network.center_id)
    member = await rules.join(session, network, body)
    out = await _member_changed(session, principal, events.MEMBER_JOINED, member, None)
    set_etag(response, member.version)
    response.headers["Location"] = f"/v1/networks/{network_id}/members/{member.id}"
    return out


@dataclass
class MemberChange:
    """A membership about to change: checked to exist, to be the caller's to manage, and to be
    at the version the caller read (If-Match)."""

    network: Network
    member: NetworkMember
    before: MemberOut
    actor_id: uuid.UUID


async def _member_to_change(
    network_id: uuid.UUID,
    member_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    request: Request,
) -> MemberChange:
    network = await rules.get_network(session, network_id)
    rules.ensure_may_manage(principal, network.center_id)
    member, actor = await rules.get_member(session, network_id, member_id)
    check_if_match(request, etag_of(member.version))
    before = rules.member_out(member, actor, show_personal=True)
    return MemberChange(network, member, before, actor.id)


ChangingMember = Annotated[MemberChange, Depends(_member_to_change)]


@router.patch("/{network_id}/members/{member_id}", responses=WRITE_ERRORS)
async def edit_member(
    body: MemberPatch,
    change: ChangingMember,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> MemberOut:
    merged = merge_patch(MemberIn, change.before, body, actor_id=change.actor_id)
    member = await rules.update_member(session, change.network, change.member, merged)
    out = await _member_changed(session, principal, events.MEMBER_UPDATED, member, change.before)
    set_etag(response, member.version)
    return out


@router.post("/{network_id}/members/{member_id}/leave", responses=WRITE_ERRORS)
async def leave_network(
    body: Leave,
    change: ChangingMember,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> MemberOut:
    member = await rules.leave(session, change.member, body.left_on, body.reason)
    out = await _member_changed(session, principal, events.MEMBER_LEFT, member, change.before)
    set_etag(response, member.version)
    return out


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
    network_id: uuid.UUID, activity_id: uuid.UUID, session: SessionDep, response: Response
) -> Any:
    activity = await rules.get_activity(session, network_id, activity_id)
    set_etag(response, activity.version)
    return rules.activity_out(activity)


@router.post(
    "/{network_id}/activities", status_code=status.HTTP_201_CREATED, responses=WRITE_ERRORS
)
async def create_activity(
    network_id: uuid.UUID,
    body: ActivityIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> ActivityOut:
    network = await rules.get_network(session, network_id)
    rules.ensure_may_manage(principal, network.center_id)
    activity = await rules.save_activity(session, network, body)
    out = rules.activity_out(activity)
    record(session, principal, action="create", resource_type="network_activity",
           resource_id=activity.id, after=out.model_dump(mode="json"))  # fmt: skip
    set_etag(response, activity.version)
    response.headers["Location"] = f"/v1/networks/{network_id}/activities/{activity.id}"
    return out


@router.patch("/{network_id}/activities/{activity_id}", responses=WRITE_ERRORS)
async def edit_activity(
    network_id: uuid.UUID,
    activity_id: uuid.UUID,
    body: ActivityPatch,
    session: SessionDep,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
) -> ActivityOut:
    network = await rules.get_network(session, network_id)
    rules.ensure_may_manage(principal, network.center_id)
    activity = await rules.get_activity(session, network_id, activity_id)
    check_if_match(request, etag_of(activity.version))
    before = rules.activity_out(activity)
    merged = merge_patch(ActivityIn, before, body)
    activity = await rules.save_activity(session, network, merged, activity)
    after = rules.activity_out(activity)
    record(session, principal, action="update", resource_type="network_activity",
           resource_id=activity.id, before=before.model_dump(mode="json"),
           after=after.model_dump(mode="json"))  # fmt: skip
    set_etag(response, activity.version)
    return after
