"""Integrated social services territorial centers and their service territories."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.registry.journal import journal
from services.registry.messages import _
from services.registry.models import Center, CenterTerritory, Community
from services.registry.reference import CenterStatus
from services.registry.rules.territories import check_communities, check_region
from services.registry.schemas.centers import CenterIn, CenterOut, CenterPatch, HeadOfficial
from services.registry.schemas.common import Address, Contacts
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import Conflict, NotFound
from shared.i18n import Joined
from shared.text import LocalizedText, fold, fold_all


def center_out(center: Center) -> CenterOut:
    return CenterOut(
        id=center.id,
        name=LocalizedText(hy=center.name_hy, en=center.name_en, ru=center.name_ru),
        region_code=center.region_code,
        address=Address(
            street=center.street, community_id=center.community_id, postal_code=center.postal_code
        ),
        contacts=Contacts.model_construct(
            phone=center.phone, email=center.email, website=center.website
        ),
        head=HeadOfficial(name=center.head_name, position=center.head_position)
        if center.head_name
        else None,
        opened_on=center.opened_on,
        status=CenterStatus(center.status),
        territory=[t.community_id for t in center.territory],
        version=center.version,
        created_at=center.created_at,
        updated_at=center.updated_at,
    )


async def _represent(session: AsyncSession, center: Center, full: bool) -> CenterOut:
    return center_out(center)


CENTERS = journal.resource("center", _represent)


async def get_center(session: AsyncSession, center_id: uuid.UUID) -> Center:
    center = await session.scalar(
        select(Center).where(Center.id == center_id).options(selectinload(Center.territory))
    )
    if center is None:
        raise NotFound(_("There is no center {center_id}.", center_id=center_id))
    return center


def centers_query(
    *,
    region: str | None = None,
    status: CenterStatus | None = None,
    community_id: uuid.UUID | None = None,
    q: str | None = None,
) -> Select[Any]:
    statement = select(Center).options(selectinload(Center.territory))
    if region:
        statement = statement.where(Center.region_code == region.upper())
    if status:
        statement = statement.where(Center.status == status)
    if community_id:
        statement = statement.where(
            exists().where(
                CenterTerritory.center_id == Center.id,
                CenterTerritory.community_id == community_id,
            )
        )
    if q:
        statement = statement.where(Center.search_name.contains(fold(q), autoescape=True))
    return statement


async def _check_territory_free(
    session: AsyncSession, center: Center | None, communities: set[uuid.UUID]
) -> None:
    if not communities:
        return
    statement = (
        select(Community.name_hy, Center.name_hy)
        .join(CenterTerritory, CenterTerritory.community_id == Community.id)
        .join(Center, Center.id == CenterTerritory.center_id)
        .where(CenterTerritory.community_id.in_(communities), CenterTerritory.active.is_(True))
    )
    if center is not None:
        statement = statement.where(CenterTerritory.center_id != center.id)
    held = (await session.execute(statement.order_by(Community.name_hy))).all()
    if held:
        names = Joined(
            "; ",
            [
                _("{community} is served by {center}", community=community, center=holder)
                for community, holder in held
            ],
        )
        raise Conflict(
            _(
                "A community can be in the territory of only one active center: {held}. "
                "Remove it from that center first.",
                held=names,
            ),
            title=_("Community already served"),
        )


async def save_center(
    session: AsyncSession, data: CenterIn, center: Center | None = None
) -> Center:
    region = await check_region(session, data.region_code, field="region_code")
    if data.address.community_id:
        await check_communities(
            session, [data.address.community_id], field="address.community_id", region=region
        )
    territory = list(dict.fromkeys(data.territory))
    await check_communities(session, territory, field="territory", region=region)
    active = data.status == CenterStatus.active
    if active:
        await _check_territory_free(session, center, set(territory))

    if center is None:
        center = Center(territory=[])
        session.add(center)
    center.name_hy, center.name_en, center.name_ru = data.name.hy, data.name.en, data.name.ru
    center.search_name = fold_all(data.name.hy, data.name.en, data.name.ru)
    center.search_text = center.search_name
    center.region_code = region
    center.street = data.address.street
    center.community_id = data.address.community_id
    center.postal_code = data.address.postal_code
    center.phone, center.email, center.website = (
        data.contacts.phone, data.contacts.email, data.contacts.website,
    )  # fmt: skip
    center.head_name = data.head.name if data.head else None
    center.head_position = data.head.position if data.head else None
    center.opened_on = data.opened_on
    center.status = data.status

    kept = {t.community_id: t for t in center.territory if t.community_id in territory}
    center.territory = [
        kept.get(community_id) or CenterTerritory(community_id=community_id)
        for community_id in territory
    ]
    for row in center.territory:
        row.active = active
    try:
        await session.flush()
    except IntegrityError as exc:
        # Two centers claimed the same community at the same moment; the index refused one.
        raise Conflict(
            _(
                "A community of this territory was just assigned to another active center; "
                "reload and try again."
            ),
            title=_("Community already served"),
        ) from exc
    return center


async def create_center(session: AsyncSession, principal: Principal, data: CenterIn) -> CenterOut:
    return await CENTERS.created(session, principal, await save_center(session, data))


async def edit_center(
    session: AsyncSession,
    principal: Principal,
    center: Center,
    before: CenterOut,
    patch: CenterPatch,
) -> CenterOut:
    await save_center(session, merge_patch(CenterIn, before, patch), center)
    return await CENTERS.updated(session, principal, center, before)
