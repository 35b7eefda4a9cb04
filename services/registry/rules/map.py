"""The map of a center's territory: who is there, what they offer, and what is missing.

Every figure comes from a few grouped queries over the territory's communities, whatever the
number of actors and services in it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, distinct, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.registry.models import (
    Actor,
    ActorCapacity,
    ActorJurisdiction,
    ActorPlace,
    Center,
    Community,
    Network,
    NetworkMember,
    Programme,
    ProgrammeCommunity,
    Service,
    ServiceCommunity,
    ServiceTargetGroup,
)
from services.registry.reference import (
    BODY_KINDS,
    CATEGORY_CODES,
    TARGET_GROUP_CODES,
    ActorKind,
    CapacityKind,
    NetworkStatus,
    ServiceStatus,
)
from services.registry.rules.centers import get_center
from services.registry.schemas.actors import Capacity
from shared.text import LocalizedText


class CommunityRef(BaseModel):
    id: uuid.UUID
    code: str
    name: LocalizedText


class ActorRef(BaseModel):
    id: uuid.UUID
    kind: ActorKind
    name: LocalizedText


class ProgrammeRef(BaseModel):
    id: uuid.UUID
    name: LocalizedText
    status: str


class Cell(BaseModel):
    community_id: uuid.UUID
    category: str
    services: int
    providers: int


class Totals(BaseModel):
    bodies: int
    actors: int
    services: int
    programmes: int


class TerritoryMap(BaseModel):
    center_id: uuid.UUID
    region_code: str
    communities: list[CommunityRef]
    totals: Totals
    bodies: list[ActorRef]
    programmes: list[ProgrammeRef]
    services_by_category: dict[str, int]
    services_by_target_group: dict[str, int]
    cells: list[Cell]


class CommunityGaps(BaseModel):
    community: CommunityRef
    missing_categories: list[str]
    missing_target_groups: list[str]
    active_services: int


class ServiceRef(BaseModel):
    id: uuid.UUID
    name: LocalizedText
    category: str


class Candidate(BaseModel):
    actor: ActorRef
    capacities: list[Capacity]
    services: list[ServiceRef]


async def _side_by_side(session: AsyncSession, *statements: Any) -> list[Sequence[Any]]:
    """Run read-only statements at once, each on a connection of its own."""
    engine = session.bind
    assert isinstance(engine, AsyncEngine)

    async def run(statement: Any) -> Sequence[Any]:
        async with engine.connect() as connection:
            return (await connection.execute(statement)).all()

    return list(await asyncio.gather(*(run(s) for s in statements)))


def _name(row: Any) -> LocalizedText:
    return LocalizedText.model_construct(hy=row.name_hy, en=row.name_en, ru=row.name_ru)


async def territory(session: AsyncSession, center: Center) -> list[Community]:
    communities = await session.scalars(
        select(Community)
        .where(Community.id.in_([t.community_id for t in center.territory]))
        .order_by(Community.name_hy)
    )
    return list(communities)


def in_territory(communities: list[uuid.UUID], center: Center) -> Any:
    """Actors located or operating in these communities, or bodies with jurisdiction there."""
    located = exists().where(
        ActorPlace.actor_id == Actor.id, ActorPlace.community_id.in_(communities)
    )
    governs = exists().where(
        ActorJurisdiction.actor_id == Actor.id,
        or_(
            ActorJurisdiction.region_code == center.region_code,
            ActorJurisdiction.community_id.in_(communities),
        ),
    )
    return or_(located, (Actor.kind.in_(list(BODY_KINDS))) & governs)


async def territory_map(
    session: AsyncSession,
    center_id: uuid.UUID,
    *,
    community_id: uuid.UUID | None = None,
    category: str | None = None,
    target_group: str | None = None,
) -> TerritoryMap:
    center = await get_center(session, center_id)
    communities = await territory(session, center)
    ids = [c.id for c in communities if community_id in (None, c.id)]

    bodies = (
        await session.execute(
            select(Actor.id, Actor.kind, Actor.name_hy, Actor.name_en, Actor.name_ru)
            .where(Actor.kind.in_(list(BODY_KINDS)), in_territory(ids, center))
            .order_by(Actor.name_hy)
        )
    ).all()
    # Actors with a place in the territory, plus the bodies above (which may have none there).
    in_places = (ActorPlace.community_id.in_(ids),)
    placed = await session.scalar(
        select(func.count(distinct(ActorPlace.actor_id))).where(*in_places)
    )
    placed_bodies = await session.scalar(
        select(func.count(distinct(ActorPlace.actor_id))).where(
            *in_places, ActorPlace.actor_id.in_([b.id for b in bodies])
        )
    )
    actor_count = (placed or 0) + len(bodies) - (placed_bodies or 0)

    # The services delivered in the territory, counted three ways. Each count scans every
    # delivery of the territory, so the three run side by side on connections of their own.
    active = [ServiceCommunity.community_id.in_(ids), Service.status == ServiceStatus.active]
    if category:
        active.append(Service.category_code == category)
    if target_group:
        active.append(
            exists().where(
                ServiceTargetGroup.service_id == Service.id, ServiceTargetGroup.code == target_group
            )
        )
    delivered = select(ServiceCommunity.service_id).join(
        Service, Service.id == ServiceCommunity.service_id
    )
    # (service, community) is unique, so count(*) per community and category counts services.
    cells_query = (
        select(ServiceCommunity.community_id, Service.category_code, func.count(),
               func.count(distinct(Service.provider_id)))
        .join(Service, Service.id == ServiceCommunity.service_id)
        .where(*active)
        .group_by(ServiceCommunity.community_id, Service.category_code)
    )  # fmt: skip
    category_query = (
        select(Service.category_code, func.count())
        .where(Service.id.in_(delivered.where(*active)))
        .group_by(Service.category_code)
    )
    group_query = (
        select(ServiceTargetGroup.code, func.count())
        .where(ServiceTargetGroup.service_id.in_(delivered.where(*active)))
        .group_by(ServiceTargetGroup.code)
    )
    cells, by_category_rows, by_group_rows = await _side_by_side(
        session, cells_query, category_query, group_query
    )
    by_category: dict[str, int] = {row[0]: row[1] for row in by_category_rows}
    by_target_group: dict[str, int] = {row[0]: row[1] for row in by_group_rows}
    programmes = (
        await session.execute(
            select(Programme.id, Programme.name_hy, Programme.name_en, Programme.name_ru,
                   Programme.status)
            .where(exists().where(ProgrammeCommunity.programme_id == Programme.id,
                                  ProgrammeCommunity.community_id.in_(ids)))
            .order_by(Programme.name_hy)
        )
    ).all()  # fmt: skip
    service_count = sum(by_category.values())
    return TerritoryMap(
        center_id=center.id,
        region_code=center.region_code,
        communities=[CommunityRef(id=c.id, code=c.code, name=_name(c)) for c in communities],
        totals=Totals(
            bodies=len(bodies),
            actors=actor_count or 0,
            services=service_count,
            programmes=len(programmes),
        ),
        bodies=[ActorRef(id=b.id, kind=ActorKind(b.kind), name=_name(b)) for b in bodies],
        programmes=[ProgrammeRef(id=p.id, name=_name(p), status=p.status) for p in programmes],
        services_by_category=by_category,
        services_by_target_group=by_target_group,
        cells=[
            Cell(community_id=row[0], category=row[1], services=row[2], providers=row[3])
            for row in sorted(cells, key=lambda r: (str(r[0]), r[1]))
        ],
    )


async def gaps(session: AsyncSession, center_id: uuid.UUID) -> list[CommunityGaps]:
    """For each community of the territory: the categories and target groups no active service
    covers there."""
    center = await get_center(session, center_id)
    communities = await territory(session, center)
    ids = [c.id for c in communities]
    categories: dict[uuid.UUID, set[str]] = defaultdict(set)
    groups: dict[uuid.UUID, set[str]] = defaultdict(set)
    counts: dict[uuid.UUID, int] = defaultdict(int)
    active = (ServiceCommunity.community_id.in_(ids), Service.status == ServiceStatus.active)
    rows = await session.execute(
        select(ServiceCommunity.community_id, Service.category_code, func.count())
        .join(Service, Service.id == ServiceCommunity.service_id)
        .where(*active)
        .group_by(ServiceCommunity.community_id, Service.category_code)
    )
    for community_id, category, n in rows:
        categories[community_id].add(category)
        counts[community_id] += n
    rows_groups = await session.execute(
        select(ServiceCommunity.community_id, ServiceTargetGroup.code)
        .join(Service, Service.id == ServiceCommunity.service_id)
        .join(ServiceTargetGroup, ServiceTargetGroup.service_id == Service.id)
        .where(*active)
        .group_by(ServiceCommunity.community_id, ServiceTargetGroup.code)
    )
    for community_id, code in rows_groups:
        groups[community_id].add(code)
    return [
        CommunityGaps(
            community=CommunityRef(id=c.id, code=c.code, name=_name(c)),
            missing_categories=sorted(CATEGORY_CODES - categories[c.id]),
            missing_target_groups=sorted(TARGET_GROUP_CODES - groups[c.id]),
            active_services=counts[c.id],
        )
        for c in communities
    ]


def actors_in_map_query(
    center: Center,
    ids: list[uuid.UUID],
    *,
    kind: ActorKind | None = None,
    category: str | None = None,
    target_group: str | None = None,
) -> Select[Any]:
    statement = select(Actor).where(in_territory(ids, center))
    if kind:
        statement = statement.where(Actor.kind == kind)
    if category or target_group:
        offered = select(Service.provider_id).where(Service.status == ServiceStatus.active)
        if category:
            offered = offered.where(Service.category_code == category)
        if target_group:
            offered = offered.where(
                exists().where(ServiceTargetGroup.service_id == Service.id,
                               ServiceTargetGroup.code == target_group)
            )  # fmt: skip
        statement = statement.where(Actor.id.in_(offered))
    return statement


def candidates_query(center: Center, ids: list[uuid.UUID], kind: ActorKind | None) -> Select[Any]:
    """Actors of the territory that are not current members of the center's active network."""
    members = (
        select(NetworkMember.actor_id)
        .join(Network, Network.id == NetworkMember.network_id)
        .where(
            Network.center_id == center.id,
            Network.status == NetworkStatus.active,
            NetworkMember.left_on.is_(None),
        )
    )
    statement = select(Actor).where(in_territory(ids, center), Actor.id.not_in(members))
    if kind:
        statement = statement.where(Actor.kind == kind)
    return statement


async def candidates(session: AsyncSession, actors: list[Actor]) -> list[Candidate]:
    """What each candidate could bring: its capacities and active services (two queries)."""
    ids = [a.id for a in actors]
    capacities: dict[uuid.UUID, list[Capacity]] = defaultdict(list)
    capacity_rows = await session.execute(
        select(ActorCapacity.actor_id, ActorCapacity.kind, ActorCapacity.note)
        .where(ActorCapacity.actor_id.in_(ids))
        .order_by(ActorCapacity.actor_id, ActorCapacity.position)
    )
    for actor_id, kind, note in capacity_rows:
        capacities[actor_id].append(Capacity(kind=CapacityKind(kind), note=note))
    services: dict[uuid.UUID, list[ServiceRef]] = defaultdict(list)
    for row in await session.execute(
        select(Service.provider_id, Service.id, Service.name_hy, Service.name_en, Service.name_ru,
               Service.category_code)
        .where(Service.provider_id.in_(ids), Service.status == ServiceStatus.active)
        .order_by(Service.name_hy)
    ):  # fmt: skip
        services[row.provider_id].append(
            ServiceRef(id=row.id, name=_name(row), category=row.category_code)
        )
    return [
        Candidate(
            actor=ActorRef(id=a.id, kind=ActorKind(a.kind), name=_name(a)),
            capacities=capacities[a.id],
            services=services[a.id],
        )
        for a in actors
    ]
