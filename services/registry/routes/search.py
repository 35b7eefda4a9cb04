from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import StringConstraints

from services.registry.reference import ActorKind
from services.registry.rules import search as rules
from services.registry.schemas.search import (
    CategoryCode,
    RegionCode,
    SearchHit,
    SearchType,
    SearchTypes,
    Status,
    TargetGroupCode,
)
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep

router = APIRouter(prefix="/v1", tags=["search"])

SearchText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


@router.get(
    "/search",
    summary="Search actors, services and programmes by name and description",
    responses=problem_responses(422),
)
async def search(
    session: SessionDep,
    page: PageDep,
    q: Annotated[
        SearchText,
        Query(
            description="Words or parts of words, Armenian or Latin, any case; every word must "
            "match",
            examples=["մասիս", "care"],
        ),
    ],
    types: Annotated[
        SearchTypes,
        Query(description="Only these types (repeat or separate with commas); default all"),
    ] = None,
    kind: Annotated[
        ActorKind | None, Query(description="Actors of this kind (so only actors)")
    ] = None,
    region: Annotated[
        RegionCode,
        Query(
            description="ISO 3166-2:AM code: actors located or operating, services delivered, "
            "programmes run in a community of this region",
            examples=["AM-AR"],
        ),
    ] = None,
    community_id: Annotated[
        uuid.UUID | None,
        Query(description="The same, for one community"),
    ] = None,
    category: Annotated[
        CategoryCode,
        Query(
            description="Services of this category (so only services); codes at "
            "/v1/taxonomies/service-categories"
        ),
    ] = None,
    target_group: Annotated[
        TargetGroupCode,
        Query(
            description="Services and programmes for this target group; codes at "
            "/v1/taxonomies/target-groups"
        ),
    ] = None,
    status: Annotated[
        Status,
        Query(description="Services and programmes with this status (e.g. active)"),
    ] = None,
) -> Page[SearchHit]:
    filters = rules.SearchFilters(
        types=frozenset(types) if types else frozenset(SearchType),
        kind=kind,
        region=region,
        community_id=community_id,
        category=category,
        target_group=target_group,
        status=status,
    )
    items, cursor = await rules.search(session, q, filters, page)
    return Page(items=items, next_cursor=cursor)
