from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AfterValidator

from services.registry.messages import _
from services.registry.models import Actor
from services.registry.reference import CATEGORY_CODES, TARGET_GROUP_CODES, ActorKind
from services.registry.rules import map as rules
from services.registry.rules.actors import ACTOR_LOADS, actor_out
from services.registry.rules.centers import get_center
from services.registry.schemas.actors import ActorOut
from shared.auth import OptionalPrincipal
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, page_of, paginate

router = APIRouter(prefix="/v1/centers/{center_id}", tags=["map"])


def _known(codes: frozenset[str], where: str) -> AfterValidator:
    def check(value: str | None) -> str | None:
        if value is not None and value not in codes:
            raise ValueError(
                _(
                    "unknown code {code!r}; the codes are at {listed_at}",
                    code=value,
                    listed_at=where,
                )
            )
        return value

    return AfterValidator(check)


Category = Annotated[
    str | None, _known(CATEGORY_CODES, "/v1/taxonomies/service-categories"), Query()
]
TargetGroup = Annotated[
    str | None, _known(TARGET_GROUP_CODES, "/v1/taxonomies/target-groups"), Query()
]


@router.get(
    "/map",
    summary="The map of the center's territory: bodies, actors, services, programmes, counts",
    responses=problem_responses(404, 422),
)
async def get_territory_map(
    center_id: uuid.UUID,
    session: SessionDep,
    community_id: uuid.UUID | None = None,
    category: Category = None,
    target_group: TargetGroup = None,
) -> rules.TerritoryMap:
    return await rules.territory_map(
        session, center_id, community_id=community_id, category=category, target_group=target_group
    )


@router.get(
    "/map/actors",
    summary="Actors of the territory: located or operating there, or bodies governing it",
    responses=problem_responses(404, 422),
)
async def list_territory_actors(
    center_id: uuid.UUID,
    session: SessionDep,
    principal: OptionalPrincipal,
    page: PageDep,
    kind: ActorKind | None = None,
    community_id: uuid.UUID | None = None,
    category: Category = None,
    target_group: TargetGroup = None,
) -> Page[ActorOut]:
    center = await get_center(session, center_id)
    ids = [t.community_id for t in center.territory if community_id in (None, t.community_id)]
    statement = rules.actors_in_map_query(
        center, ids, kind=kind, category=category, target_group=target_group
    )
    items, cursor = await paginate(
        session, statement.options(*ACTOR_LOADS), keys=[Actor.name_hy, Actor.id], page=page
    )
    show = principal is not None
    return Page(items=[actor_out(a, show_personal=show) for a in items], next_cursor=cursor)


@router.get(
    "/gaps",
    summary="For each community of the territory: what no active service covers",
    responses=problem_responses(404),
)
async def get_gaps(
    center_id: uuid.UUID, session: SessionDep, page: PageDep
) -> Page[rules.CommunityGaps]:
    return page_of(await rules.gaps(session, center_id), lambda g: str(g.community.id), page)


@router.get(
    "/candidates",
    summary="Actors of the territory not yet in the center's network, with what they offer",
    responses=problem_responses(404),
)
async def list_candidates(
    center_id: uuid.UUID,
    session: SessionDep,
    page: PageDep,
    kind: ActorKind | None = None,
) -> Page[rules.Candidate]:
    center = await get_center(session, center_id)
    ids = [t.community_id for t in center.territory]
    actors, cursor = await paginate(
        session, rules.candidates_query(center, ids, kind), keys=[Actor.name_hy, Actor.id],
        page=page,
    )  # fmt: skip
    return Page(items=await rules.candidates(session, actors), next_cursor=cursor)
