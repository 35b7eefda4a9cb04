"""Regions and communities: the territory every other record points into."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.journal import journal
from services.registry.messages import _
from services.registry.models import Community, Region
from services.registry.schemas.territories import (
    CommunityIn,
    CommunityOut,
    CommunityPatch,
    RegionOut,
)
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import Conflict, NotFound, RuleViolation
from shared.text import LocalizedText, fold, fold_all


def region_out(region: Region) -> RegionOut:
    return RegionOut(
        code=region.code,
        name=LocalizedText(hy=region.name_hy, en=region.name_en),
        ocd_id=f"ocd-division/country:am/region:{region.code[3:].lower()}",
    )


def community_out(community: Community) -> CommunityOut:
    return CommunityOut(
        id=community.id,
        code=community.code,
        region_code=community.region_code,
        parent_id=community.parent_id,
        name=LocalizedText(hy=community.name_hy, en=community.name_en, ru=community.name_ru),
        ocd_id=(
            f"ocd-division/country:am/region:{community.region_code[3:].lower()}"
            f"/community:{community.code}"
        ),
        version=community.version,
        created_at=community.created_at,
        updated_at=community.updated_at,
    )


async def _represent(session: AsyncSession, community: Community, full: bool) -> CommunityOut:
    return community_out(community)


COMMUNITIES = journal.resource("community", _represent)


async def get_region(session: AsyncSession, code: str) -> Region:
    region = await session.get(Region, code.upper())
    if region is None:
        raise NotFound(
            _("There is no region {code!r}; regions are ISO 3166-2:AM codes like AM-AR.", code=code)
        )
    return region


async def get_community(session: AsyncSession, community_id: uuid.UUID) -> Community:
    community = await session.get(Community, community_id)
    if community is None:
        raise NotFound(_("There is no community {community_id}.", community_id=community_id))
    return community


def communities_query(
    *,
    region: str | None = None,
    q: str | None = None,
    parent_id: uuid.UUID | None = None,
    ids: list[uuid.UUID] | None = None,
) -> Select[Any]:
    statement = select(Community)
    if ids is not None:
        statement = statement.where(Community.id.in_(ids))
    if region:
        statement = statement.where(Community.region_code == region.upper())
    if parent_id:
        statement = statement.where(Community.parent_id == parent_id)
    if q:
        statement = statement.where(Community.search_name.contains(fold(q), autoescape=True))
    return statement


async def check_communities(
    session: AsyncSession, ids: Iterable[uuid.UUID], *, field: str, region: str | None = None
) -> dict[uuid.UUID, Community]:
    """422 naming `field` when an id is not a community (or not one of `region`)."""
    wanted = set(ids)
    if not wanted:
        return {}
    found = {
        c.id: c for c in await session.scalars(select(Community).where(Community.id.in_(wanted)))
    }
    missing = wanted - set(found)
    if missing:
        raise RuleViolation(
            _(
                "{field}: no community has the id {ids}.",
                field=field,
                ids=", ".join(sorted(map(str, missing))),
            ),
            title=_("Unknown community"),
            extra={
                "errors": [{"field": field, "message": _("unknown community"), "type": "unknown"}]
            },
        )
    if region:
        elsewhere = sorted(c.name_hy for c in found.values() if c.region_code != region)
        if elsewhere:
            raise RuleViolation(
                _(
                    "{field}: {communities} is not in region {region}.",
                    field=field,
                    communities=", ".join(elsewhere),
                    region=region,
                ),
                title=_("Community of another region"),
                extra={
                    "errors": [{"field": field, "message": _("other region"), "type": "region"}]
                },
            )
    return found


async def check_region(session: AsyncSession, code: str, *, field: str) -> str:
    if await session.get(Region, code.upper()) is None:
        raise RuleViolation(
            _(
                "{field}: {code!r} is not a region; use an ISO 3166-2:AM code such as AM-AR.",
                field=field,
                code=code,
            ),
            title=_("Unknown region"),
            extra={"errors": [{"field": field, "message": _("unknown region"), "type": "unknown"}]},
        )
    return code.upper()


async def save_community(
    session: AsyncSession, data: CommunityIn, community: Community | None = None
) -> Community:
    region = await check_region(session, data.region_code, field="region_code")
    if data.parent_id is not None:
        parents = await check_communities(session, [data.parent_id], field="parent_id")
        if community is not None and data.parent_id == community.id:
            raise RuleViolation(_("parent_id: a community cannot be its own parent."))
        if parents[data.parent_id].region_code != region:
            raise RuleViolation(_("parent_id: the parent community is in another region."))
    clash = await session.scalar(select(Community).where(Community.code == data.code))
    if clash is not None and clash is not community:
        raise Conflict(
            _(
                "The community code {code!r} is taken by {community}.",
                code=data.code,
                community=clash.name_hy,
            )
        )
    if community is None:
        community = Community()
        session.add(community)
    community.code = data.code
    community.region_code = region
    community.parent_id = data.parent_id
    community.name_hy, community.name_en, community.name_ru = (
        data.name.hy, data.name.en, data.name.ru,
    )  # fmt: skip
    community.search_name = fold_all(data.name.hy, data.name.en, data.name.ru)
    await session.flush()
    return community


async def create_community(
    session: AsyncSession, principal: Principal, data: CommunityIn
) -> CommunityOut:
    return await COMMUNITIES.created(session, principal, await save_community(session, data))


async def edit_community(
    session: AsyncSession,
    principal: Principal,
    community: Community,
    before: CommunityOut,
    patch: CommunityPatch,
) -> CommunityOut:
    await save_community(session, merge_patch(CommunityIn, before, patch), community)
    return await COMMUNITIES.updated(session, principal, community, before)
