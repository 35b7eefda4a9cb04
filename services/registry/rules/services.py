"""Social services that actors offer: what, to whom, where, at what cost."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.registry.access import ensure_in_territory, is_admin
from services.registry.journal import journal
from services.registry.messages import _
from services.registry.models import (
    Actor,
    Community,
    Programme,
    ProgrammeService,
    Service,
    ServiceCommunity,
    ServiceTargetGroup,
)
from services.registry.reference import ServiceStatus
from services.registry.rules.actors import touched_by
from services.registry.rules.territories import check_communities
from services.registry.schemas.services import (
    Cost,
    ProviderRef,
    ServiceIn,
    ServiceOut,
    ServicePatch,
)
from shared.auth import Principal
from shared.concurrency import merge_patch
from shared.errors import NotFound, RuleViolation
from shared.text import CurrencyCode, LocalizedText, Money, fold, fold_all

CENTS = Decimal("0.01")
_LOADED = (selectinload(Service.target_groups), selectinload(Service.communities))
# The provider's name comes with the service, in the same query.
_PROVIDER_NAME = (
    Actor.name_hy.label("provider_name_hy"),
    Actor.name_en.label("provider_name_en"),
    Actor.name_ru.label("provider_name_ru"),
)


def exact(amount: Decimal) -> Decimal:
    """Money as stored: two decimal places, so that 1500000 reads back as "1500000.00"."""
    return amount.quantize(CENTS)


def service_out(service: Service, provider_name: LocalizedText) -> ServiceOut:
    price = None
    if not service.is_free and service.price_amount is not None and service.price_currency:
        price = Money.model_construct(
            amount=exact(service.price_amount), currency=cast(CurrencyCode, service.price_currency)
        )
    return ServiceOut.model_construct(
        id=service.id,
        version=service.version,
        created_at=service.created_at,
        updated_at=service.updated_at,
        provider_id=service.provider_id,
        provider=ProviderRef.model_construct(id=service.provider_id, name=provider_name),
        name=LocalizedText.model_construct(
            hy=service.name_hy, en=service.name_en, ru=service.name_ru
        ),
        description=service.description,
        category_code=service.category_code,
        # In the order the database gives them back, so that every answer lists them alike.
        target_groups=sorted(t.code for t in service.target_groups),
        communities=sorted(c.community_id for c in service.communities),
        eligibility=service.eligibility,
        cost=Cost.model_construct(free=service.is_free, price=price),
        capacity=service.capacity,
        languages=list(service.languages or []),
        schedule=service.schedule,
        status=ServiceStatus(service.status),
    )


def _name(hy: str, en: str | None, ru: str | None) -> LocalizedText:
    return LocalizedText.model_construct(hy=hy, en=en, ru=ru)


def base_query() -> Select[Any]:
    """Services with their target groups, communities and the provider's name: rows of
    (service, provider name hy, en, ru)."""
    statement = (
        select(Service, *_PROVIDER_NAME)
        .join(Actor, Actor.id == Service.provider_id)
        .options(*_LOADED)
    )
    return cast("Select[Any]", statement)  # the shape `paginate` takes


def out_of_row(row: Iterable[Any]) -> ServiceOut:
    service, hy, en, ru = row
    return service_out(service, _name(hy, en, ru))


async def get_service(session: AsyncSession, service_id: uuid.UUID) -> tuple[Service, ServiceOut]:
    """The service and its representation, or 404."""
    row = (await session.execute(base_query().where(Service.id == service_id))).first()
    if row is None:
        raise NotFound(_("There is no service {service_id}.", service_id=service_id))
    return row[0], out_of_row(row)


def check_code(code: str | None, codes: Iterable[str], *, field: str, listed_at: str) -> None:
    """422 naming `field` when a filter names a code that is not in the code list."""
    if code is not None and code not in codes:
        raise RuleViolation(
            _(
                "{field}: {code!r} is not a known code; the codes are listed at {listed_at}.",
                field=field,
                code=code,
                listed_at=listed_at,
            ),
            title=_("Unknown code"),
            extra={"errors": [{"field": field, "message": _("unknown code"), "type": "unknown"}]},
        )


def services_query(
    *,
    provider_id: uuid.UUID | None = None,
    category: str | None = None,
    target_group: str | None = None,
    community_id: uuid.UUID | None = None,
    region: str | None = None,
    status: ServiceStatus | None = None,
    q: str | None = None,
) -> Select[Any]:
    statement = base_query()
    if provider_id:
        statement = statement.where(Service.provider_id == provider_id)
    if category:
        statement = statement.where(Service.category_code == category)
    if target_group:
        statement = statement.where(
            exists().where(
                ServiceTargetGroup.service_id == Service.id, ServiceTargetGroup.code == target_group
            )
        )
    if community_id:
        statement = statement.where(
            exists().where(
                ServiceCommunity.service_id == Service.id,
                ServiceCommunity.community_id == community_id,
            )
        )
    if region:
        statement = statement.where(
            exists()
            .where(ServiceCommunity.service_id == Service.id)
            .where(Community.id == ServiceCommunity.community_id)
            .where(Community.region_code == region.upper())
        )
    if status:
        statement = statement.where(Service.status == status)
    if q:
        for word in fold(q).split():
            statement = statement.where(Service.search_text.contains(word, autoescape=True))
    return statement


def _unknown_provider(provider_id: uuid.UUID) -> RuleViolation:
    return RuleViolation(
        _(
            "provider_id: there is no actor {provider_id}; "
            "register the provider as an actor first.",
            provider_id=provider_id,
        ),
        title=_("Unknown provider"),
        extra={
            "errors": [{"field": "provider_id", "message": _("unknown actor"), "type": "unknown"}]
        },
    )


async def _provider_territory(
    session: AsyncSession, provider_id: uuid.UUID
) -> tuple[set[uuid.UUID], set[str]]:
    """The communities and regions the provider is located, operates or has jurisdiction in."""
    actor = await session.scalar(
        select(Actor)
        .where(Actor.id == provider_id)
        .options(selectinload(Actor.places), selectinload(Actor.jurisdictions))
    )
    if actor is None:
        raise _unknown_provider(provider_id)
    return touched_by(actor)


async def ensure_may_write(
    session: AsyncSession, principal: Principal, service: Service | None, data: ServiceIn | None
) -> None:
    """An official may write a service whose provider, or one of whose delivery communities, is
    in their center's territory: before the change (`service`) and after it (`data`)."""
    if is_admin(principal):
        return
    if service is not None:
        communities, regions = await _provider_territory(session, service.provider_id)
        communities |= {c.community_id for c in service.communities}
        await ensure_in_territory(
            session, principal, communities=communities, regions=regions, what=_("this service")
        )
    if data is not None:
        communities, regions = await _provider_territory(session, data.provider_id)
        communities |= set(data.communities)
        await ensure_in_territory(
            session, principal, communities=communities, regions=regions,
            what=_("the service as sent"),
        )  # fmt: skip


def merge(before: ServiceOut, patch: ServicePatch) -> ServiceIn:
    return merge_patch(ServiceIn, before, patch)


async def provider_name(session: AsyncSession, provider_id: uuid.UUID) -> LocalizedText:
    """The provider's name; 422 naming `provider_id` when no actor has that id."""
    row = (
        await session.execute(
            select(Actor.name_hy, Actor.name_en, Actor.name_ru).where(Actor.id == provider_id)
        )
    ).first()
    if row is None:
        raise _unknown_provider(provider_id)
    return _name(*row)


async def described(session: AsyncSession, service: Service) -> ServiceOut:
    """The representation of a service just written (its provider's name in one query)."""
    return service_out(service, await provider_name(session, service.provider_id))


async def save_service(
    session: AsyncSession, data: ServiceIn, service: Service | None = None
) -> Service:
    await provider_name(session, data.provider_id)
    communities = list(dict.fromkeys(data.communities))
    await check_communities(session, communities, field="communities")

    if service is None:
        service = Service(target_groups=[], communities=[])
        session.add(service)
    service.provider_id = data.provider_id
    service.name_hy, service.name_en, service.name_ru = data.name.hy, data.name.en, data.name.ru
    service.description = data.description
    service.category_code = data.category_code
    service.eligibility = data.eligibility
    service.is_free = data.cost.free
    price = data.cost.price if not data.cost.free else None
    service.price_amount = exact(price.amount) if price else None
    service.price_currency = price.currency if price else None
    service.capacity = data.capacity
    service.languages = list(data.languages)
    service.schedule = data.schedule
    service.status = data.status.value
    # Search relies on exactly these two folds.
    service.search_name = fold_all(data.name.hy, data.name.en, data.name.ru)
    service.search_text = fold_all(data.name.hy, data.name.en, data.name.ru, data.description)

    groups = {t.code: t for t in service.target_groups}
    service.target_groups = [
        groups.get(code) or ServiceTargetGroup(code=code) for code in data.target_groups
    ]
    places = {c.community_id: c for c in service.communities}
    service.communities = [
        places.get(community_id) or ServiceCommunity(community_id=community_id)
        for community_id in communities
    ]
    await session.flush()
    return service


async def _represent(session: AsyncSession, service: Service, full: bool) -> ServiceOut:
    return await described(session, service)


SERVICES = journal.resource("service", _represent)


async def create_service(
    session: AsyncSession, principal: Principal, data: ServiceIn
) -> ServiceOut:
    await ensure_may_write(session, principal, None, data)
    return await SERVICES.created(session, principal, await save_service(session, data))


async def edit_service(
    session: AsyncSession,
    principal: Principal,
    service: Service,
    before: ServiceOut,
    patch: ServicePatch,
) -> ServiceOut:
    merged = merge(before, patch)
    await ensure_may_write(session, principal, None, merged)
    await save_service(session, merged, service)
    return await SERVICES.updated(session, principal, service, before)


async def delete_service(
    session: AsyncSession, principal: Principal, service: Service, before: ServiceOut
) -> None:
    """Delete a service; the programmes that listed it lose it, and that change of theirs is
    journaled too."""
    # Imported here: programmes use this module's money rules, and only deletion needs them.
    from services.registry.rules.programmes import PROGRAMMES, get_programme

    listing = list(
        await session.scalars(
            select(Programme.id).where(
                exists().where(
                    ProgrammeService.programme_id == Programme.id,
                    ProgrammeService.service_id == service.id,
                )
            )
        )
    )
    programmes = [await get_programme(session, programme_id) for programme_id in listing]
    befores = [await PROGRAMMES.snapshot(session, p) for p in programmes]
    await session.delete(service)
    await session.flush()
    await SERVICES.deleted(session, principal, before.id, before)
    for programme, programme_before in zip(programmes, befores, strict=True):
        await session.refresh(programme, ["services"])
        await PROGRAMMES.updated(session, principal, programme, programme_before)
