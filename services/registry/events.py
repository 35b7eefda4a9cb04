"""The registry's change feed: what it tells other services (see shared.outbox)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.models import Actor, Network, NetworkMember, outbox
from services.registry.rules.actors import actor_out
from services.registry.rules.networks import current_member_counts, member_out, network_out
from shared.outbox import emit

NETWORK_CREATED = "network.created"
NETWORK_UPDATED = "network.updated"
MEMBER_JOINED = "member.joined"
MEMBER_UPDATED = "member.updated"
MEMBER_LEFT = "member.left"
ACTOR_CREATED = "actor.created"
ACTOR_UPDATED = "actor.updated"
ACTOR_DELETED = "actor.deleted"
EVENT_TYPES = (
    NETWORK_CREATED, NETWORK_UPDATED, MEMBER_JOINED, MEMBER_UPDATED, MEMBER_LEFT,
    ACTOR_CREATED, ACTOR_UPDATED, ACTOR_DELETED,
)  # fmt: skip


async def publish(
    session: AsyncSession,
    type: str,
    *,
    resource_type: str,
    resource_id: uuid.UUID,
    data: dict[str, Any] | None,
    stream_id: uuid.UUID,
) -> None:
    """Record an event in the current transaction. Network and membership events share the
    network's stream, so a consumer sees them in the order they happened."""
    await emit(session, outbox, type=type, resource_type=resource_type, resource_id=resource_id,
               data=data, stream_id=stream_id)  # fmt: skip


async def publish_actor(session: AsyncSession, type: str, actor: Actor) -> None:
    """Actor events carry the public representation: no personal contacts."""
    data = actor_out(actor, show_personal=False).model_dump(mode="json")
    await publish(session, type, resource_type="actor", resource_id=actor.id, data=data,
                  stream_id=actor.id)  # fmt: skip


async def publish_network(session: AsyncSession, type: str, network: Network) -> dict[str, Any]:
    counts = await current_member_counts(session, [network.id])
    data = network_out(network, counts.get(network.id, 0)).model_dump(mode="json")
    await publish(session, type, resource_type="network", resource_id=network.id, data=data,
                  stream_id=network.id)  # fmt: skip
    return data


async def publish_member(
    session: AsyncSession, type: str, member: NetworkMember, actor: Actor
) -> None:
    data = member_out(member, actor, show_personal=False).model_dump(mode="json")
    await publish(session, type, resource_type="network_member", resource_id=member.id,
                  data=data, stream_id=member.network_id)  # fmt: skip
