"""The registry as Open Referral HSDS 3.0 (see docs/hsds.md for every choice).

Exports hold public data only, whoever asks: natural persons are never exported, nor the
phones, e-mails and street addresses of individual entrepreneurs (a person's contacts, and a
workplace that is often a home). The whole registry is streamed: read in keyset pages of plain
rows inside one snapshot, each page turned into HSDS records and written out before the next is
read, so memory stays flat and the event loop gets a turn between pages.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import uuid
import weakref
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, tuple_
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from services.registry.messages import _
from services.registry.models import (
    Actor,
    ActorJurisdiction,
    ActorPlace,
    Community,
    Region,
    Service,
    ServiceCommunity,
    ServiceTargetGroup,
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
from services.registry.rules.territories import check_region
from services.registry.schemas import hsds
from shared.database import Database, is_sqlite, utcnow
from shared.errors import RuleViolation
from shared.streaming import Spool, cooperate

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


# sha1 of the namespace, copied for each id: creating a hash object costs more than using it.
_NAMESPACE_SHA1 = hashlib.sha1(HSDS_NAMESPACE.bytes)


def derived_id(*parts: object) -> uuid.UUID:
    """uuid5(HSDS_NAMESPACE, "part:part:..."), computed as `uuid.uuid5` does but without its
    overhead: an export derives several ids per record."""
    digest = _NAMESPACE_SHA1.copy()
    digest.update(":".join(map(str, parts)).encode())
    return uuid.UUID(bytes=digest.digest()[:16], version=5)


@functools.cache
def taxonomy_id(taxonomy: str) -> uuid.UUID:
    return derived_id("taxonomy", taxonomy)


@functools.cache
def term_id(taxonomy: str, code: str) -> uuid.UUID:
    return derived_id("taxonomy_term", taxonomy, code)


def location_id(actor_id: uuid.UUID) -> uuid.UUID:
    return derived_id("location", actor_id)


# -- what is exported -------------------------------------------------------------------------

# Rows per query: large enough that round trips do not dominate.
PAGE_SIZE = 500
# Records turned into JSON between two turns of the event loop: a few milliseconds of CPU.
SLICE = 20

T = TypeVar("T")
Reader = AsyncConnection | AsyncSession
RowSelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class ExportScope:
    """Which part of the registry an export holds: a region, what changed since a moment."""

    region: str | None = None
    modified_after: datetime | None = None

    @property
    def everything(self) -> bool:
        return self.region is None and self.modified_after is None


def utc_moment(moment: datetime | None, *, field: str) -> datetime | None:
    """`moment` in UTC (a bare timestamp is read as UTC); 422 when it has no UTC equivalent."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise RuleViolation(
            _(
                "{field}: {moment} is outside the range of dates SPN can compare "
                "(years 1 to 9999 in UTC).",
                field=field,
                moment=moment.isoformat(),
            ),
            title=_("Date out of range"),
            extra={"errors": [{"field": field, "message": "out of range", "type": "range"}]},
        ) from None


async def check_scope(
    session: AsyncSession, *, region: str | None, modified_after: datetime | None
) -> ExportScope:
    """Every filter checked before an export starts: once its first byte is sent, an error
    can no longer be an error answer."""
    if region is not None:
        region = await check_region(session, region, field="region")
    return ExportScope(region, utc_moment(modified_after, field="modified_after"))


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


def _located(actor: Any) -> ColumnElement[bool]:
    """Whether the actor has a public location: its community, or a street that is not a
    person's (an entrepreneur's street is not published)."""
    return or_(
        actor.community_id.is_not(None),
        and_(
            actor.kind.not_in(list(PERSONAL_KINDS)),
            actor.street.is_not(None),
            actor.street != "",
        ),
    )


def _service_scope(scope: ExportScope, provider: Any) -> list[ColumnElement[bool]]:
    """The services of `scope`, `provider` being the joined providing actor."""
    conditions: list[ColumnElement[bool]] = [provider.kind != ActorKind.natural_person]
    if scope.modified_after is not None:
        conditions.append(Service.updated_at >= scope.modified_after)
    if scope.region is not None:
        # Delivered in a community of the region; a service without recorded delivery
        # communities belongs where its provider is.
        delivered = exists().where(ServiceCommunity.service_id == Service.id)
        delivered_here = exists().where(
            ServiceCommunity.service_id == Service.id,
            ServiceCommunity.community_id.in_(_communities_of(scope.region)),
        )
        conditions.append(
            or_(delivered_here, and_(~delivered, _actor_in_region(provider, scope.region)))
        )
    return conditions


def _organization_scope(scope: ExportScope) -> list[ColumnElement[bool]]:
    """The organisations of `scope`, and always the provider of every exported service, so
    that every reference of the document points to a record of the document."""
    conditions: list[ColumnElement[bool]] = [Actor.kind != ActorKind.natural_person]
    if scope.everything:
        return conditions
    own: list[ColumnElement[bool]] = []
    if scope.modified_after is not None:
        own.append(Actor.updated_at >= scope.modified_after)
    if scope.region is not None:
        own.append(_actor_in_region(Actor, scope.region))
    provider = aliased(Actor)
    providers = (
        select(Service.provider_id)
        .join(provider, provider.id == Service.provider_id)
        .where(*_service_scope(scope, provider))
    )
    conditions.append(or_(and_(*own), Actor.id.in_(providers)))
    return conditions


ORGANIZATION_COLUMNS = (
    Actor.id,
    Actor.kind,
    Actor.legal_form,
    Actor.name_hy,
    Actor.name_en,
    Actor.description,
    Actor.tax_number,
    Actor.registration_number,
    Actor.community_id,
    Actor.street,
    Actor.postal_code,
    Actor.phone,
    Actor.email,
    Actor.website,
)


def organizations_statement(*conditions: ColumnElement[bool]) -> RowSelect:
    """Public organisations (never natural persons) as plain rows."""
    return select(*ORGANIZATION_COLUMNS).where(Actor.kind != ActorKind.natural_person, *conditions)


def services_statement(*conditions: ColumnElement[bool]) -> RowSelect:
    """Services of public organisations as plain rows, with whether their provider has a
    public location (`provider_located`)."""
    return (
        select(
            Service.id,
            Service.provider_id,
            Service.name_hy,
            Service.name_en,
            Service.description,
            Service.category_code,
            Service.eligibility,
            Service.is_free,
            Service.price_amount,
            Service.price_currency,
            Service.languages,
            Service.schedule,
            Service.status,
            _located(Actor).label("provider_located"),
        )
        .join(Actor, Actor.id == Service.provider_id)
        .where(Actor.kind != ActorKind.natural_person, *conditions)
    )


@dataclass(frozen=True)
class ServiceRecord:
    """A service row with its target group codes and delivery communities."""

    row: Any
    target_groups: list[str]
    communities: list[uuid.UUID]


async def with_children(reader: Reader, rows: Sequence[Row[Any]]) -> list[ServiceRecord]:
    """The page's services with their children: two queries whatever the page's size."""
    ids = [row.id for row in rows]
    groups: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
    communities: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    if ids:
        for service_id, code in await reader.execute(
            select(ServiceTargetGroup.service_id, ServiceTargetGroup.code)
            .where(ServiceTargetGroup.service_id.in_(ids))
            .order_by(ServiceTargetGroup.service_id, ServiceTargetGroup.code)
        ):
            groups[service_id].append(code)
        for service_id, community_id in await reader.execute(
            select(ServiceCommunity.service_id, ServiceCommunity.community_id)
            .where(ServiceCommunity.service_id.in_(ids))
            .order_by(ServiceCommunity.service_id, ServiceCommunity.community_id)
        ):
            communities[service_id].append(community_id)
    return [ServiceRecord(row, groups[row.id], communities[row.id]) for row in rows]


async def keyset_pages(
    reader: Reader, statement: RowSelect, size: int = PAGE_SIZE
) -> AsyncIterator[Sequence[Row[Any]]]:
    """The statement's rows in pages of `size`, in (name_hy, id) order, each page read from
    where the previous one ended (no OFFSET, no table held in memory)."""
    key = tuple_(statement.selected_columns.name_hy, statement.selected_columns.id)
    after: tuple[str, uuid.UUID] | None = None
    while True:
        page = statement if after is None else statement.where(key > after)
        rows = (await reader.execute(page.order_by(*key.clauses).limit(size))).all()
        if rows:
            yield rows
        if len(rows) < size:
            return
        after = (rows[-1].name_hy, rows[-1].id)


async def organization_pages(
    reader: Reader, scope: ExportScope, size: int = PAGE_SIZE
) -> AsyncIterator[Sequence[Row[Any]]]:
    async for rows in keyset_pages(
        reader, organizations_statement(*_organization_scope(scope)), size
    ):
        yield rows


async def service_pages(
    reader: Reader, scope: ExportScope, size: int = PAGE_SIZE
) -> AsyncIterator[list[ServiceRecord]]:
    async for rows in keyset_pages(reader, services_statement(*_service_scope(scope, Actor)), size):
        yield await with_children(reader, rows)


@dataclass(frozen=True)
class Place:
    name_hy: str
    name_en: str | None
    region_hy: str
    region_en: str
    ocd_id: str


async def places(reader: Reader) -> dict[uuid.UUID, Place]:
    """Every community with its region, read once per export (a few hundred rows)."""
    regions = {r.code: r for r in (await reader.execute(select(Region.__table__))).all()}
    found = {}
    for community in (await reader.execute(select(Community.__table__))).all():
        region = regions[community.region_code]
        # The Open Civic Data id, as the territories API gives it (`ocd_id`).
        ocd_id = (
            f"ocd-division/country:am/region:{region.code[3:].lower()}/community:{community.code}"
        )
        found[community.id] = Place(
            community.name_hy, community.name_en, region.name_hy, region.name_en, ocd_id
        )
    return found


# Exports running at once per process; more wait their turn. Each holds a connection for its
# whole length, and a burst of exports must not take every connection of the pool.
EXPORTS_AT_ONCE = 2
_export_turns: weakref.WeakKeyDictionary[Database, asyncio.Semaphore] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def snapshot(database: Database) -> AsyncIterator[AsyncConnection]:
    """A connection reading one consistent state of the registry for a whole export, once it
    is this export's turn."""
    turn = _export_turns.setdefault(database, asyncio.Semaphore(EXPORTS_AT_ONCE))
    async with turn, database.engine.connect() as connection:
        if not is_sqlite(database.url):
            await connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        async with connection.begin():
            yield connection


# -- the mapping -------------------------------------------------------------------------------


def _labels(actor: Any) -> tuple[str, str]:
    if actor.kind == ActorKind.legal_entity and actor.legal_form in _FORM_LABELS:
        return _FORM_LABELS[actor.legal_form]
    return _KIND_LABELS.get(actor.kind, ("Կազմակերպություն", "organisation"))


def _legal_status(actor: Any) -> str | None:
    if actor.kind == ActorKind.legal_entity:
        return _LEGAL_STATUS.get(actor.legal_form or "", "legal entity")
    return _LEGAL_STATUS.get(actor.kind)


def organization_out(actor: Any, communities: dict[uuid.UUID, Place]) -> hsds.HsdsOrganization:
    """An actor (a row of `organizations_statement` or an Actor) as an HSDS organization."""
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
            hsds.HsdsOrganizationIdentifier(
                id=derived_id("organization_identifier", actor.id, "tax_number"),
                organization_id=actor.id,
                identifier_type="tax number (ՀՎՀՀ)",
                identifier=actor.tax_number,
            )
        )
    if actor.registration_number:
        # AM-SRALE: the State Register Agency of Legal Entities, whose numbers these are.
        identifiers.append(
            hsds.HsdsOrganizationIdentifier(
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
            hsds.HsdsPhone(
                id=derived_id("phone", actor.id), organization_id=actor.id, number=actor.phone
            )
        )
    return hsds.HsdsOrganization(
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


def location_out(actor: Any, communities: dict[uuid.UUID, Place]) -> hsds.HsdsLocation | None:
    """The actor's public address as a physical location; None when there is none.

    An entrepreneur's street is left out (often their home): its location is its community.
    """
    community = communities.get(actor.community_id) if actor.community_id else None
    street = None if actor.kind in PERSONAL_KINDS else actor.street
    if community is None and not street:
        return None
    the_id = location_id(actor.id)
    addresses = []
    # HSDS requires every address line it names; a partial address stays in the description.
    if community is not None and street and actor.postal_code:
        addresses.append(
            hsds.HsdsAddress(
                id=derived_id("address", actor.id),
                location_id=the_id,
                address_1=street,
                city=community.name_hy,
                state_province=community.region_hy,
                postal_code=actor.postal_code,
            )
        )
    parts = [street, community.name_hy if community else None, actor.postal_code]
    return hsds.HsdsLocation(
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


def _cost(service: Any) -> tuple[str, list[hsds.HsdsCostOption]]:
    if service.is_free:
        free = hsds.HsdsCostOption(
            id=derived_id("cost_option", service.id),
            service_id=service.id,
            option=FREE_OF_CHARGE,
            amount=0,
            currency=service.price_currency or "AMD",
        )
        return FREE_OF_CHARGE, [free]
    if service.price_amount is None:
        return "Paid; ask the provider for the price (Վճարովի)", []
    price = hsds.HsdsCostOption(
        id=derived_id("cost_option", service.id),
        service_id=service.id,
        amount=_number(service.price_amount),
        currency=service.price_currency,
    )
    shown = f"{service.price_amount} {service.price_currency or ''}".strip()
    return f"Paid: {shown} (Վճարովի)", [price]


def _status(service: Any) -> hsds.HsdsServiceStatus:
    return _STATUSES.get(service.status, "inactive")


def service_out(record: ServiceRecord) -> hsds.HsdsService:
    service = record.row
    fees, costs = _cost(service)
    attributes = [
        hsds.HsdsAttribute(
            id=derived_id(
                "attribute", service.id, SERVICE_CATEGORY_TAXONOMY, service.category_code
            ),
            link_id=service.id,
            link_type="category",
            link_entity="service",
            taxonomy_term_id=term_id(SERVICE_CATEGORY_TAXONOMY, service.category_code),
        )
    ] + [
        hsds.HsdsAttribute(
            id=derived_id("attribute", service.id, TARGET_GROUP_TAXONOMY, code),
            link_id=service.id,
            link_type="audience",
            link_entity="service",
            taxonomy_term_id=term_id(TARGET_GROUP_TAXONOMY, code),
        )
        for code in record.target_groups
    ]
    return hsds.HsdsService(
        id=service.id,
        organization_id=service.provider_id,
        name=service.name_hy,
        alternate_name=service.name_en,
        description=service.description,
        status=_status(service),
        eligibility_description=service.eligibility,
        fees_description=fees,
        languages=[
            hsds.HsdsLanguage(
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
                hsds.HsdsSchedule(
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
    record: ServiceRecord, communities: dict[uuid.UUID, Place]
) -> list[hsds.HsdsServiceArea]:
    areas = []
    for community_id in record.communities:
        place = communities[community_id]
        english = ", ".join(n for n in (place.name_en, place.region_en) if n)
        areas.append(
            hsds.HsdsServiceArea(
                id=derived_id("service_area", record.row.id, community_id),
                service_id=record.row.id,
                name=place.name_hy,
                description=english or None,
                # An Open Civic Data division id: HSDS's persistent identifier of an area.
                uri=place.ocd_id,
            )
        )
    return areas


def service_at_location_out(record: ServiceRecord) -> hsds.HsdsServiceAtLocation | None:
    """Where a service is offered: its provider's location (SPN records no premises per
    service); None when the provider has no public location."""
    service = record.row
    if not service.provider_located:
        return None
    return hsds.HsdsServiceAtLocation(
        id=derived_id("service_at_location", service.id, service.provider_id),
        service_id=service.id,
        location_id=location_id(service.provider_id),
        description="The provider's address; the service may be delivered across its "
        "service areas.",
    )


def _taxonomy(
    key: str, name: str, description: str, terms: Iterable[Term]
) -> tuple[hsds.HsdsTaxonomy, list[hsds.HsdsTaxonomyTerm]]:
    the_id = taxonomy_id(key)
    return hsds.HsdsTaxonomy(id=the_id, name=name, description=description), [
        hsds.HsdsTaxonomyTerm(
            id=term_id(key, t.code), code=t.code, name=t.hy, description=t.en, taxonomy_id=the_id
        )
        for t in terms
    ]


def taxonomies_out() -> tuple[list[hsds.HsdsTaxonomy], list[hsds.HsdsTaxonomyTerm]]:
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


# -- the JSON document, streamed ----------------------------------------------------------------

_ORGANIZATIONS = TypeAdapter(list[hsds.HsdsOrganization])
_SERVICES = TypeAdapter(list[hsds.HsdsService])
_LOCATIONS = TypeAdapter(list[hsds.HsdsLocation])
_AREAS = TypeAdapter(list[hsds.HsdsServiceArea])
_LINKS = TypeAdapter(list[hsds.HsdsServiceAtLocation])
_TAXONOMIES = TypeAdapter(list[hsds.HsdsTaxonomy])
_TERMS = TypeAdapter(list[hsds.HsdsTaxonomyTerm])


def slices(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """A page in slices of SLICE records, each turned into JSON between turns of the loop."""
    for start in range(0, len(items), SLICE):
        yield items[start : start + SLICE]


def _members(adapter: TypeAdapter[Any], records: list[Any]) -> bytes:
    """The records as the members of a JSON array (no brackets); fields HSDS types as plain
    strings or numbers are left out rather than sent as null."""
    return adapter.dump_json(records, exclude_none=True)[1:-1]


class _JsonArray:
    """The members of one JSON array, written page by page to a spool."""

    def __init__(self, adapter: TypeAdapter[Any]) -> None:
        self.adapter = adapter
        self.spool = Spool()

    def add(self, records: list[Any]) -> None:
        if records:
            self.spool.write((b"," if self.spool.size else b"") + _members(self.adapter, records))


async def hsds_document(database: Database, scope: ExportScope) -> AsyncIterator[bytes]:
    """The HSDS document of `scope` (`schemas.hsds.HsdsPackage`), produced page by page.

    Two passes, one over organisations and one over services; what must come later in the
    document (locations, service areas, services at locations) waits in spools meanwhile.
    """
    generated_at = json.dumps(utcnow().isoformat().replace("+00:00", "Z"))
    yield f'{{"spec":"HSDS 3.0","generated_at":{generated_at},"organizations":['.encode()
    async with snapshot(database) as connection:
        communities = await places(connection)
        locations = _JsonArray(_LOCATIONS)
        areas = _JsonArray(_AREAS)
        links = _JsonArray(_LINKS)
        try:
            separator = b""
            async for page in organization_pages(connection, scope):
                for rows in slices(page):
                    yield separator + _members(
                        _ORGANIZATIONS, [organization_out(a, communities) for a in rows]
                    )
                    separator = b","
                    locations.add(
                        [loc for a in rows if (loc := location_out(a, communities)) is not None]
                    )
                    await cooperate()
            yield b'],"services":['
            separator = b""
            async for records in service_pages(connection, scope):
                for part in slices(records):
                    yield separator + _members(_SERVICES, [service_out(r) for r in part])
                    separator = b","
                    areas.add([a for r in part for a in service_areas_out(r, communities)])
                    links.add([x for r in part if (x := service_at_location_out(r)) is not None])
                    await cooperate()
            for key, spooled in (
                ("locations", locations),
                ("service_areas", areas),
                ("service_at_locations", links),
            ):
                yield f'],"{key}":['.encode()
                async for chunk in spooled.spool.chunks():
                    yield chunk
        finally:
            for spooled in (locations, areas, links):
                spooled.spool.close()
    taxonomies, terms = taxonomies_out()
    yield (
        b'],"taxonomies":['
        + _members(_TAXONOMIES, taxonomies)
        + b'],"taxonomy_terms":['
        + _members(_TERMS, terms)
        + b"]}"
    )
