"""HSDA: Open Referral's HSDS API profile, read only, public data only (docs/hsds.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from services.registry.rules import hsda as rules
from services.registry.schemas import hsds
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.inputs import Moment

router = APIRouter(prefix="/v1/hsda", tags=["hsda"])

PUBLIC = (
    " Public data only, for every caller: natural persons and their services are never "
    "listed, nor the phones, e-mails and street addresses of individual entrepreneurs."
)

Page = Annotated[int, Query(ge=1, le=1_000_000, description="Page number, counted from 1")]
PerPage = Annotated[int, Query(ge=1, le=200, description="Records per page")]
Search = Annotated[
    str | None,
    Query(
        description="Words that must all appear in the name or description (any case)",
        max_length=200,
        pattern=r"^[^\x00]*$",
    ),
]
ModifiedAfter = Annotated[
    Moment | None,
    Query(description="Only records changed at or after this moment (ISO 8601; UTC if bare)"),
]
OrganizationId = Annotated[uuid.UUID | None, Query(description="Only this organisation's")]
TermId = Annotated[
    uuid.UUID | None, Query(description="Only services with this taxonomy term (category or group)")
]


@dataclass(frozen=True)
class ServiceQuery:
    """The page and filters that the services and service-at-locations lists share."""

    page: Page = 1
    per_page: PerPage = 50
    search: Search = None
    organization_id: OrganizationId = None
    taxonomy_term_id: TermId = None
    modified_after: ModifiedAfter = None


@router.get(
    "/",
    summary="What this HSDS API is",
    response_model=hsds.HsdaApiInfo,
    responses=problem_responses(422),
)
async def hsda_api_info(request: Request) -> hsds.HsdaApiInfo:
    return hsds.HsdaApiInfo(
        profile="https://github.com/openreferral/specification (HSDS 3.0); SPN's mapping: "
        "docs/hsds.md",
        openapi_url=str(request.url_for("openapi")),
    )


@router.get(
    "/services",
    summary="Services, a page at a time (HSDA)",
    description="Services with their one-to-many fields (languages, costs, schedules, "
    "attributes), in name order." + PUBLIC,
    response_model=hsds.HsdaServicePage,
    response_model_exclude_none=True,
    responses=problem_responses(422),
)
async def hsda_services(session: SessionDep, query: Annotated[ServiceQuery, Depends()]) -> Any:
    return await rules.list_services(session, **vars(query))


@router.get(
    "/services/{service_id}",
    summary="One service, fully nested (HSDA)",
    description="The service with its organisation, service areas and locations." + PUBLIC,
    response_model=hsds.HsdaService,
    response_model_exclude_none=True,
    responses=problem_responses(404, 422),
)
async def hsda_service(session: SessionDep, service_id: uuid.UUID) -> hsds.HsdaService:
    return await rules.get_service(session, service_id)


@router.get(
    "/organizations",
    summary="Organisations, a page at a time (HSDA)",
    description="Organisations (every actor but natural persons), in name order." + PUBLIC,
    response_model=hsds.HsdaOrganizationPage,
    response_model_exclude_none=True,
    responses=problem_responses(422),
)
async def hsda_organizations(
    session: SessionDep,
    page: Page = 1,
    per_page: PerPage = 50,
    search: Search = None,
    modified_after: ModifiedAfter = None,
) -> Any:
    return await rules.list_organizations(
        session, page=page, per_page=per_page, search=search, modified_after=modified_after
    )


@router.get(
    "/organizations/{organization_id}",
    summary="One organisation, with its locations and services (HSDA)",
    description=PUBLIC.strip(),
    response_model=hsds.HsdaOrganization,
    response_model_exclude_none=True,
    responses=problem_responses(404, 422),
)
async def hsda_organization(
    session: SessionDep, organization_id: uuid.UUID
) -> hsds.HsdaOrganization:
    return await rules.get_organization(session, organization_id)


@router.get(
    "/taxonomies",
    summary="SPN's taxonomies (HSDA)",
    response_model=hsds.HsdaTaxonomyPage,
    responses=problem_responses(422),
)
async def hsda_taxonomies(page: Page = 1, per_page: PerPage = 50) -> Any:
    return rules.list_taxonomies(page=page, per_page=per_page)


@router.get(
    "/taxonomy_terms",
    summary="The terms of SPN's taxonomies (HSDA)",
    response_model=hsds.HsdaTaxonomyTermPage,
    responses=problem_responses(422),
)
async def hsda_taxonomy_terms(
    page: Page = 1,
    per_page: PerPage = 50,
    taxonomy_id: Annotated[uuid.UUID | None, Query(description="Only this taxonomy's")] = None,
) -> Any:
    return rules.list_taxonomy_terms(page=page, per_page=per_page, taxonomy_id=taxonomy_id)


@router.get(
    "/service_at_locations",
    summary="Where services are offered, a page at a time (HSDA)",
    description="One record per service whose provider has a public location." + PUBLIC,
    response_model=hsds.HsdaServiceAtLocationPage,
    response_model_exclude_none=True,
    responses=problem_responses(422),
)
async def hsda_service_at_locations(
    session: SessionDep, query: Annotated[ServiceQuery, Depends()]
) -> Any:
    return await rules.list_services_at_locations(session, **vars(query))
