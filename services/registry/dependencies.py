"""What routes use to reach a resource they change: each loader finds it (404), checks that
the caller's role and scope allow changing it (403, with the rule in words), and that the
caller read its current representation (`If-Match`, 412). Routes stay thin."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from services.registry.access import ADMIN, WRITERS
from services.registry.models import (
    Actor,
    Center,
    Community,
    Network,
    NetworkActivity,
    NetworkMember,
    Programme,
    Service,
)
from services.registry.rules import actors, centers, networks, programmes, services, territories
from services.registry.schemas.actors import ActorOut
from services.registry.schemas.centers import CenterOut
from services.registry.schemas.networks import ActivityOut, MemberOut, NetworkOut
from services.registry.schemas.programmes import ProgrammeOut
from services.registry.schemas.services import ServiceOut
from services.registry.schemas.territories import CommunityOut
from shared.auth import Principal, require_roles
from shared.concurrency import Changing
from shared.database import SessionDep
from shared.journal import Change

Admin = Annotated[Principal, require_roles(ADMIN)]
Writer = Annotated[Principal, require_roles(*WRITERS)]


async def _community(
    community_id: uuid.UUID, session: SessionDep, _: Admin, conditional: Changing
) -> Change[Community, CommunityOut]:
    community = await territories.get_community(session, community_id)
    before = await territories.COMMUNITIES.snapshot(session, community)
    conditional.check(before)
    return Change(community, before)


async def _center(
    center_id: uuid.UUID, session: SessionDep, _: Admin, conditional: Changing
) -> Change[Center, CenterOut]:
    center = await centers.get_center(session, center_id)
    before = await centers.CENTERS.snapshot(session, center)
    conditional.check(before)
    return Change(center, before)


async def _actor(
    actor_id: uuid.UUID, session: SessionDep, principal: Writer, conditional: Changing
) -> Change[Actor, ActorOut]:
    actor = await actors.get_actor(session, actor_id)
    await actors.ensure_may_write(session, principal, actor, None)
    before = await actors.ACTORS.snapshot(session, actor)
    conditional.check(before)
    return Change(actor, before)


async def _service(
    service_id: uuid.UUID, session: SessionDep, principal: Writer, conditional: Changing
) -> Change[Service, ServiceOut]:
    service, before = await services.get_service(session, service_id)
    await services.ensure_may_write(session, principal, service, None)
    conditional.check(before)
    return Change(service, before)


async def _programme(
    programme_id: uuid.UUID, session: SessionDep, principal: Writer, conditional: Changing
) -> Change[Programme, ProgrammeOut]:
    programme = await programmes.get_programme(session, programme_id)
    await programmes.ensure_may_write(session, principal, programme, None)
    before = await programmes.PROGRAMMES.snapshot(session, programme)
    conditional.check(before)
    return Change(programme, before)


async def _managed_network(
    network_id: uuid.UUID, session: SessionDep, principal: Writer
) -> Network:
    """A network whose members or activities the caller is about to change."""
    network = await networks.get_network(session, network_id)
    networks.ensure_may_manage(principal, network.center_id)
    return network


ManagedNetwork = Annotated[Network, Depends(_managed_network)]


async def _network(
    network: ManagedNetwork, session: SessionDep, conditional: Changing
) -> Change[Network, NetworkOut]:
    before = await networks.NETWORKS.snapshot(session, network)
    conditional.check(before)
    return Change(network, before)


async def _member(
    network: ManagedNetwork, member_id: uuid.UUID, session: SessionDep, conditional: Changing
) -> Change[NetworkMember, MemberOut]:
    member, _ = await networks.get_member(session, network.id, member_id)
    before = await networks.MEMBERS.snapshot(session, member)
    conditional.check(before)
    return Change(member, before)


async def _activity(
    network: ManagedNetwork, activity_id: uuid.UUID, session: SessionDep, conditional: Changing
) -> Change[NetworkActivity, ActivityOut]:
    activity = await networks.get_activity(session, network.id, activity_id)
    before = await networks.ACTIVITIES.snapshot(session, activity)
    conditional.check(before)
    return Change(activity, before)


CommunityChange = Annotated[Change[Community, CommunityOut], Depends(_community)]
CenterChange = Annotated[Change[Center, CenterOut], Depends(_center)]
ActorChange = Annotated[Change[Actor, ActorOut], Depends(_actor)]
ServiceChange = Annotated[Change[Service, ServiceOut], Depends(_service)]
ProgrammeChange = Annotated[Change[Programme, ProgrammeOut], Depends(_programme)]
NetworkChange = Annotated[Change[Network, NetworkOut], Depends(_network)]
MemberChange = Annotated[Change[NetworkMember, MemberOut], Depends(_member)]
ActivityChange = Annotated[Change[NetworkActivity, ActivityOut], Depends(_activity)]
