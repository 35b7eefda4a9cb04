"""HSDA, Open Referral's HSDS API profile: paginated HSDS records, public data only.

The records are the HSDS export's (`rules.hsds`), read a page at a time with HSDA's page
numbers (`page`, `per_page`) and answered in HSDA's page shape.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.messages import _
from services.registry.models import Actor, Service, ServiceTargetGroup
from services.registry.rules.hsds import (
    SERVICE_CATEGORY_TAXONOMY,
    TARGET_GROUP_TAXONOMY,
    RowSelect,
    ServiceRecord,
    location_out,
    organization_out,
    organizations_statement,
    places,
    service_areas_out,
    service_at_location_out,
    service_out,
    services_statement,
    taxonomies_out,
    utc_moment,
    with_children,
)
from services.registry.schemas import hsds
from shared.errors import NotFound, RuleViolation
from shared.text import fold

T = TypeVar("T")


def _page(total: int, page: int, per_page: int, contents: Sequence[Any]) -> dict[str, Any]:
    pages = math.ceil(total / per_page)
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": total == 0,
        "contents": contents,
    }


def _slice(items: Sequence[T], page: int, per_page: int) -> dict[str, Any]:
    return _page(len(items), page, per_page, items[(page - 1) * per_page : page * per_page])


async def _rows(
    session: AsyncSession, statement: RowSelect, page: int, per_page: int
) -> tuple[int, Sequence[Any]]:
    total = await session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = (
        await session.execute(
            statement.order_by(statement.selected_columns.name_hy, statement.selected_columns.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    ).all()
    return total, rows


def _search(column: Any, search: str | None) -> list[ColumnElement[bool]]:
    words = fold(search).split() if search else []
    return [column.contains(word, autoescape=True) for word in words]


def _service_filters(
    *,
    organization_id: uuid.UUID | None = None,
    taxonomy_term_id: uuid.UUID | None = None,
    modified_after: datetime | None = None,
    search: str | None = None,
) -> list[ColumnElement[bool]]:
    conditions = _search(Service.search_text, search)
    if organization_id is not None:
        conditions.append(Service.provider_id == organization_id)
    moment = utc_moment(modified_after, field="modified_after")
    if moment is not None:
        conditions.append(Service.updated_at >= moment)
    if taxonomy_term_id is not None:
        term = _term_code(taxonomy_term_id)
        if term[0] == SERVICE_CATEGORY_TAXONOMY:
            conditions.append(Service.category_code == term[1])
        else:
            conditions.append(
                exists().where(
                    ServiceTargetGroup.service_id == Service.id, ServiceTargetGroup.code == term[1]
                )
            )
    return conditions


def _term_code(taxonomy_term_id: uuid.UUID) -> tuple[str, str]:
    taxonomies, terms = taxonomies_out()
    names = {t.id: key for t, key in zip(taxonomies, TAXONOMY_KEYS, strict=True)}
    for term in terms:
        if term.id == taxonomy_term_id:
            return names[term.taxonomy_id], term.code
    raise RuleViolation(
        _(
            "taxonomy_term_id: {term} is not a term of SPN's taxonomies "
            "(GET /v1/hsda/taxonomy_terms).",
            term=taxonomy_term_id,
        ),
        title=_("Unknown taxonomy term"),
        extra={
            "errors": [{"field": "taxonomy_term_id", "message": "unknown term", "type": "unknown"}]
        },
    )


# The keys of `taxonomies_out()`'s taxonomies, in its order.
TAXONOMY_KEYS = (SERVICE_CATEGORY_TAXONOMY, TARGET_GROUP_TAXONOMY)


async def list_services(
    session: AsyncSession, *, page: int, per_page: int, **filters: Any
) -> dict[str, Any]:
    total, rows = await _rows(
        session, services_statement(*_service_filters(**filters)), page, per_page
    )
    records = await with_children(session, rows)
    return _page(total, page, per_page, [service_out(r) for r in records])


async def get_service(session: AsyncSession, service_id: uuid.UUID) -> hsds.HsdaService:
    rows = (await session.execute(services_statement(Service.id == service_id))).all()
    if not rows:
        raise NotFound(_("There is no public service {service_id}.", service_id=service_id))
    [record] = await with_children(session, rows)
    [provider] = (
        await session.execute(organizations_statement(Actor.id == record.row.provider_id))
    ).all()
    communities = await places(session)
    location = location_out(provider, communities)
    link = service_at_location_out(record)
    located = (
        [hsds.HsdsLocatedService(**link.model_dump(), location=location)]
        if link is not None and location is not None
        else []
    )
    return hsds.HsdaService(
        **service_out(record).model_dump(),
        organization=organization_out(provider, communities),
        service_areas=service_areas_out(record, communities),
        service_at_locations=located,
    )


async def list_organizations(
    session: AsyncSession,
    *,
    page: int,
    per_page: int,
    modified_after: datetime | None = None,
    search: str | None = None,
) -> dict[str, Any]:
    conditions = _search(Actor.search_text, search)
    moment = utc_moment(modified_after, field="modified_after")
    if moment is not None:
        conditions.append(Actor.updated_at >= moment)
    total, rows = await _rows(session, organizations_statement(*conditions), page, per_page)
    communities = await places(session)
    return _page(total, page, per_page, [organization_out(a, communities) for a in rows])


async def get_organization(
    session: AsyncSession, organization_id: uuid.UUID
) -> hsds.HsdaOrganization:
    rows = (await session.execute(organizations_statement(Actor.id == organization_id))).all()
    if not rows:
        raise NotFound(
            _("There is no public organization {organization_id}.", organization_id=organization_id)
        )
    [actor] = rows
    communities = await places(session)
    services = (
        await session.execute(
            services_statement(Service.provider_id == organization_id).order_by(
                Service.name_hy, Service.id
            )
        )
    ).all()
    location = location_out(actor, communities)
    return hsds.HsdaOrganization(
        **organization_out(actor, communities).model_dump(),
        locations=[location] if location is not None else [],
        services=[service_out(r) for r in await with_children(session, services)],
    )


def list_taxonomies(*, page: int, per_page: int) -> dict[str, Any]:
    taxonomies, _ = taxonomies_out()
    return _slice(taxonomies, page, per_page)


def list_taxonomy_terms(
    *, page: int, per_page: int, taxonomy_id: uuid.UUID | None = None
) -> dict[str, Any]:
    _, terms = taxonomies_out()
    if taxonomy_id is not None:
        terms = [t for t in terms if t.taxonomy_id == taxonomy_id]
    return _slice(terms, page, per_page)


async def list_services_at_locations(
    session: AsyncSession, *, page: int, per_page: int, **filters: Any
) -> dict[str, Any]:
    statement = services_statement(*_service_filters(**filters))
    statement = statement.where(statement.selected_columns.provider_located)
    total, rows = await _rows(session, statement, page, per_page)
    links = [service_at_location_out(ServiceRecord(r, [], [])) for r in rows]
    return _page(total, page, per_page, [x for x in links if x is not None])
