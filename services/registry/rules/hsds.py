"""The registry as an Open Referral HSDS 3.0 data package (see docs/hsds.md for every choice).

Natural persons are never exported, and neither are the phones and e-mails of individual
entrepreneurs: the package is open to anonymous callers, so it holds no personal data by
construction. Everything is read in a fixed number of queries, whatever the registry's size.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from services.registry.models import (
    Actor,
    ActorJurisdiction,
    ActorPlace,
    Community,
    Region,
    Service,
    ServiceCommunity,
)
from services.registry.reference import (
    PERSONAL_KINDS,
    SERVICE_CATEGORIES,
    TARGET_GROUPS,
    ActorKind,
    LegalForm,
    ServiceStatus,
    Term,
)
from services.registry.rules.territories import check_region, community_out
from services.registry.schemas import hsds
from shared.database import utcnow

# Every id SPN derives for an HSDS record that has no row of its own (identifiers, phones,
# locations, areas, terms) is a uuid5 in this namespace: the same registry gives the same ids
# on every export, so consumers can update what they imported instead of duplicating it.
HSDS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://spn.am/hsds/3.0")

SERVICE_CATEGORY_TAXONOMY = "service_categories"
TARGET_GROUP_TAXONOMY = "target_groups"

_STATUSES: dict[str, hsds.HsdsServiceStatus] = {
    ServiceStatus.active: "active",
    ServiceStatus.inactive: "inactive",
    ServiceStatus.defunct: "defunct",
    ServiceStatus.temporarily_closed: "temporarily closed",
}

# (Armenian, English) of what an actor is, for its legal status and, when it has no
# description of its own, the description HSDS requires.
_KIND_LABELS: dict[str, tuple[str, str]] = {
    ActorKind.state_body: ("Պետական մարմին", "state body"),
    ActorKind.local_government: ("Տեղական ինքնակառավարման մարմին", "local self-government body"),
    ActorKind.individual_entrepreneur: ("Անհատ ձեռնարկատեր", "individual entrepreneur"),
    ActorKind.legal_entity: ("Իրավաբանական անձ", "legal entity"),
}
_FORM_LABELS: dict[str, tuple[str, str]] = {
    LegalForm.cso: ("Հասարակական կազմակերպություն", "civil society organisation, NGO"),
    LegalForm.foundation: ("Հիմնադրամ", "foundation"),
    LegalForm.business: ("Առևտրային կազմակերպություն", "business"),
    LegalForm.international_organisation: (
        "Միջազգային կազմակերպություն",
        "international organisation",
    ),
    LegalForm.other: ("Իրավաբանական անձ", "legal entity"),
}
_LEGAL_STATUS: dict[str, str] = {
    ActorKind.state_body: "government organization: state body",
    ActorKind.local_government: "government organization: local self-government body",
    ActorKind.individual_entrepreneur: "individual entrepreneur",
    LegalForm.cso: "non-profit: civil society organisation (NGO)",
    LegalForm.foundation: "non-profit: foundation",
    LegalForm.business: "private company",
    LegalForm.international_organisation: "international organisation",
    LegalForm.other: "legal entity",
}
_LANGUAGE_NAMES = {
    "hy": "Armenian",
    "ru": "Russian",
    "en": "English",
    "fr": "French",
    "de": "German",
    "fa": "Persian",
    "ar": "Arabic",
    "ku": "Kurdish",
    "ka": "Georgian",
    "el": "Greek",
    "uk": "Ukrainian",
    "az": "Azerbaijani",
    "tr": "Turkish",
    "es": "Spanish",
    "it": "Italian",
}

FREE_OF_CHARGE = "Free of charge (Անվճար)"


def derived_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(HSDS_NAMESPACE, ":".join(str(p) for p in parts))


def taxonomy_id(taxonomy: str) -> uuid.UUID:
    return derived_id("taxonomy", taxonomy)


def term_id(taxonomy: str, code: str) -> uuid.UUID:
    return derived_id("taxonomy_term", taxonomy, code)


def location_id(actor_id: uuid.UUID) -> uuid.UUID:
    return derived_id("location", actor_id)


# -- the queries -------------------------------------------------------------------------------


def _communities_of(region: str) -> Any:
    return select(Community.id).where(Community.region_code == region).scalar_subquery()


def _actor_in_region(actor: Any, region: str) -> ColumnElement[bool]:
    """Located or operating in the region, addressed there, or with jurisdiction over it."""
    communities = _communities_of(region)
    return or_(
        actor.community_id.in_(communities),
        exists().where(ActorPlace.actor_id == actor.id, ActorPlace.community_id.in_(communities)),
        exists().where(
            ActorJurisdiction.actor_id == actor.id,
            or_(
                ActorJurisdiction.region_code == region,
                ActorJurisdiction.community_id.in_(communities),
            ),
        ),
    )


def _service_filter(region: str | None, modified_after: datetime | None) -> list[Any]:
    provider = aliased(Actor)
    providers = select(provider.id).where(provider.kind != ActorKind.natural_person)
    conditions: list[Any] = [Service.provider_id.in_(providers)]
    if modified_after is not None:
        conditions.append(Service.updated_at >= modified_after)
    if region is not None:
        # Delivered in a community of the region; a service without recorded delivery
        # communities belongs where its provider is.
        delivered = exists().where(ServiceCommunity.service_id == Service.id)
        delivered_here = exists().where(
            ServiceCommunity.service_id == Service.id,
            ServiceCommunity.community_id.in_(_communities_of(region)),
        )
        local_provider = aliased(Actor)
        provided_here = Service.provider_id.in_(
            select(local_provider.id).where(_actor_in_region(local_provider, region))
        )
        conditions.append(or_(delivered_here, and_(~delivered, provided_here)))
    return conditions


def _has_address(actor: Any) -> ColumnElement[bool]:
    return or_(and_(actor.street.is_not(None), actor.street != ""), actor.community_id.is_not(None))


async def _load(
    session: AsyncSession, region: str | None, modified_after: datetime | None
) -> tuple[list[Actor], list[Service], set[uuid.UUID]]:
    """The organisations and services to export, and which providers have a location."""
    service_filter = _service_filter(region, modified_after)
    services = list(
        await session.scalars(
            select(Service)
            .where(*service_filter)
            .options(selectinload(Service.target_groups), selectinload(Service.communities))
            .order_by(Service.name_hy, Service.id)
        )
    )
    exported_providers = select(Service.provider_id).where(*service_filter)
    organizations = select(Actor).where(Actor.kind != ActorKind.natural_person)
    if modified_after is not None:
        # A delta: only what changed, even if a changed service's provider did not.
        organizations = organizations.where(Actor.updated_at >= modified_after)
        if region is not None:
            organizations = organizations.where(_actor_in_region(Actor, region))
    elif region is not None:
        # A self-contained document: the region's organisations and every provider of a
        # service exported with them.
        organizations = organizations.where(
            or_(_actor_in_region(Actor, region), Actor.id.in_(exported_providers))
        )
    actors = list(await session.scalars(organizations.order_by(Actor.name_hy, Actor.id)))
    # Providers with an address, read apart from `actors`: in a delta an unchanged provider is
    # not exported, but its location id is stable and the consumer holds it already.
    located = set(
        await session.scalars(
            select(Actor.id).where(Actor.id.in_(exported_providers), _has_address(Actor))
        )
    )
    return actors, services, located


# -- the mapping -------------------------------------------------------------------------------


def _labels(actor: Actor) -> tuple[str, str]:
    if actor.kind == ActorKind.legal_entity and actor.legal_form in _FORM_LABELS:
        return _FORM_LABELS[actor.legal_form]
    return _KIND_LABELS.get(actor.kind, ("Կազմակերպություն", "organisation"))


def _legal_status(actor: Actor) -> str | None:
    if actor.kind == ActorKind.legal_entity:
        return _LEGAL_STATUS.get(actor.legal_form or "", "legal entity")
    return _LEGAL_STATUS.get(actor.kind)


def organization_out(actor: Actor, communities: dict[uuid.UUID, Community]) -> hsds.Organization:
    personal = actor.kind in PERSONAL_KINDS
    description = actor.description
    if not description:
        hy, en = _labels(actor)
        place = communities.get(actor.community_id) if actor.community_id else None
        where = f", {place.name_hy}" if place else ""
        description = f"{hy}{where} ({en})."
    identifiers = []
    if actor.tax_number:
        # org-id.guide has no list for the Armenian tax number (ՀՎՀՀ), so no scheme is claimed.
        identifiers.append(
            hsds.OrganizationIdentifier(
                id=derived_id("organization_identifier", actor.id, "tax_number"),
                organization_id=actor.id,
                identifier_type="tax number (ՀՎՀՀ)",
                identifier=actor.tax_number,
            )
        )
    if actor.registration_number:
        # AM-SRALE: the State Register Agency of Legal Entities, whose numbers these are.
        identifiers.append(
            hsds.OrganizationIdentifier(
                id=derived_id("organization_identifier", actor.id, "registration_number"),
                organization_id=actor.id,
                identifier_scheme="AM-SRALE",
                identifier_type="state registration number",
                identifier=actor.registration_number,
            )
        )
    phones = []
    if actor.phone and not personal:
        phones.append(
            hsds.Phone(
                id=derived_id("phone", actor.id), organization_id=actor.id, number=actor.phone
            )
        )
    return hsds.Organization(
        id=actor.id,
        name=actor.name_hy,
        alternate_name=actor.name_en,
        description=description,
        email=None if personal else actor.email,
        website=actor.website,
        legal_status=_legal_status(actor),
        organization_identifiers=identifiers,
        phones=phones,
    )


def location_out(
    actor: Actor, communities: dict[uuid.UUID, Community], regions: dict[str, Region]
) -> hsds.Location | None:
    """The actor's address as a physical location; None when SPN knows no address at all."""
    community = communities.get(actor.community_id) if actor.community_id else None
    if community is None and not actor.street:
        return None
    the_id = location_id(actor.id)
    addresses = []
    # HSDS requires every address line it names; a partial address stays in the description.
    if community is not None and actor.street and actor.postal_code:
        addresses.append(
            hsds.Address(
                id=derived_id("address", actor.id),
                location_id=the_id,
                address_1=actor.street,
                city=community.name_hy,
                state_province=regions[community.region_code].name_hy,
                postal_code=actor.postal_code,
            )
        )
    parts = [actor.street, community.name_hy if community else None, actor.postal_code]
    return hsds.Location(
        id=the_id,
        organization_id=actor.id,
        name=actor.name_hy,
        description=", ".join(p for p in parts if p),
        addresses=addresses,
    )


def _number(amount: Decimal) -> int | float:
    # HSDS types `amount` as a JSON number. SPN amounts have two decimals, which a float
    # prints back exactly up to 15 significant digits (10^13 AMD, beyond any real price).
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _cost(service: Service) -> tuple[str, list[hsds.CostOption]]:
    if service.is_free:
        free = hsds.CostOption(
            id=derived_id("cost_option", service.id),
            service_id=service.id,
            option=FREE_OF_CHARGE,
            amount=0,
            currency=service.price_currency or "AMD",
        )
        return FREE_OF_CHARGE, [free]
    if service.price_amount is None:
        return "Paid; ask the provider for the price (Վճարովի)", []
    price = hsds.CostOption(
        id=derived_id("cost_option", service.id),
        service_id=service.id,
        amount=_number(service.price_amount),
        currency=service.price_currency,
    )
    shown = f"{service.price_amount} {service.price_currency or ''}".strip()
    return f"Paid: {shown} (Վճարովի)", [price]


def _status(service: Service) -> hsds.HsdsServiceStatus:
    return _STATUSES.get(service.status, "inactive")


def service_out(service: Service) -> hsds.Service:
    fees, costs = _cost(service)
    attributes = [
        hsds.Attribute(
            id=derived_id(
                "attribute", service.id, SERVICE_CATEGORY_TAXONOMY, service.category_code
            ),
            link_id=service.id,
            link_type="category",
            link_entity="service",
            taxonomy_term_id=term_id(SERVICE_CATEGORY_TAXONOMY, service.category_code),
        )
    ] + [
        hsds.Attribute(
            id=derived_id("attribute", service.id, TARGET_GROUP_TAXONOMY, group.code),
            link_id=service.id,
            link_type="audience",
            link_entity="service",
            taxonomy_term_id=term_id(TARGET_GROUP_TAXONOMY, group.code),
        )
        for group in service.target_groups
    ]
    return hsds.Service(
        id=service.id,
        organization_id=service.provider_id,
        name=service.name_hy,
        alternate_name=service.name_en,
        description=service.description,
        status=_status(service),
        eligibility_description=service.eligibility,
        fees_description=fees,
        languages=[
            hsds.Language(
                id=derived_id("language", service.id, code),
                service_id=service.id,
                name=_LANGUAGE_NAMES.get(code, code),
                code=code,
            )
            for code in service.languages or []
        ],
        cost_options=costs,
        schedules=(
            [
                hsds.Schedule(
                    id=derived_id("schedule", service.id),
                    service_id=service.id,
                    description=service.schedule,
                )
            ]
            if service.schedule
            else []
        ),
        attributes=attributes,
    )


def service_areas_out(
    service: Service, communities: dict[uuid.UUID, Community], regions: dict[str, Region]
) -> list[hsds.ServiceArea]:
    areas = []
    for delivered in service.communities:
        community = communities[delivered.community_id]
        region = regions[community.region_code]
        english = ", ".join(n for n in (community.name_en, region.name_en) if n)
        areas.append(
            hsds.ServiceArea(
                id=derived_id("service_area", service.id, community.id),
                service_id=service.id,
                name=community.name_hy,
                description=english or None,
                # An Open Civic Data division id: HSDS's persistent identifier of an area.
                uri=community_out(community).ocd_id,
            )
        )
    return areas


def _taxonomy(
    key: str, name: str, description: str, terms: Iterable[Term]
) -> tuple[hsds.Taxonomy, list[hsds.TaxonomyTerm]]:
    the_id = taxonomy_id(key)
    return hsds.Taxonomy(id=the_id, name=name, description=description), [
        hsds.TaxonomyTerm(
            id=term_id(key, t.code), code=t.code, name=t.hy, description=t.en, taxonomy_id=the_id
        )
        for t in terms
    ]


def taxonomies_out() -> tuple[list[hsds.Taxonomy], list[hsds.TaxonomyTerm]]:
    categories, category_terms = _taxonomy(
        SERVICE_CATEGORY_TAXONOMY,
        "SPN social service categories",
        "The kinds of social service SPN registers (GET /v1/taxonomies/service-categories).",
        SERVICE_CATEGORIES,
    )
    groups, group_terms = _taxonomy(
        TARGET_GROUP_TAXONOMY,
        "SPN target groups",
        "The groups of people a social service is meant for (GET /v1/taxonomies/target-groups).",
        TARGET_GROUPS,
    )
    return [categories, groups], category_terms + group_terms


async def export_hsds(
    session: AsyncSession, *, region: str | None = None, modified_after: datetime | None = None
) -> hsds.HsdsPackage:
    """The registry as one HSDS 3.0 data package, filtered by region and last change."""
    if region is not None:
        region = await check_region(session, region, field="region")
    if modified_after is not None and modified_after.tzinfo is None:
        modified_after = modified_after.replace(tzinfo=UTC)  # a bare timestamp is read as UTC
    regions = {r.code: r for r in await session.scalars(select(Region))}
    communities = {c.id: c for c in await session.scalars(select(Community))}
    actors, services, located = await _load(session, region, modified_after)

    locations = [
        location
        for actor in actors
        if (location := location_out(actor, communities, regions)) is not None
    ]
    # Where a service is offered: its provider's address (SPN records no premises per
    # service).
    service_at_locations = [
        hsds.ServiceAtLocation(
            id=derived_id("service_at_location", service.id, service.provider_id),
            service_id=service.id,
            location_id=location_id(service.provider_id),
            description="The provider's address; the service may be delivered across its "
            "service areas.",
        )
        for service in services
        if service.provider_id in located
    ]
    taxonomies, terms = taxonomies_out()
    return hsds.HsdsPackage(
        generated_at=utcnow(),
        organizations=[organization_out(a, communities) for a in actors],
        services=[service_out(s) for s in services],
        locations=locations,
        service_areas=[
            area for s in services for area in service_areas_out(s, communities, regions)
        ],
        service_at_locations=service_at_locations,
        taxonomies=taxonomies,
        taxonomy_terms=terms,
    )
