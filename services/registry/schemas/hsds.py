"""The Open Referral HSDS 3.0 objects SPN publishes, field names as the specification spells them.

Looked up in `openreferral/specification` (`schema/*.json`, and `examples/*.json` of the 3.0
release for the names of nested arrays). Optional fields that SPN does not know are left out of
the JSON rather than sent as null: HSDS types them as plain strings or numbers, not nullable.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

HsdsServiceStatus = Literal["active", "inactive", "defunct", "temporarily closed"]


class _Hsds(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HsdsPhone(_Hsds):
    """schema/phone.json: required `id`, `number`."""

    id: uuid.UUID
    organization_id: uuid.UUID | None = None
    number: str


class HsdsOrganizationIdentifier(_Hsds):
    """schema/organization_identifier.json: required `id`, `identifier_type`, `identifier`."""

    id: uuid.UUID
    organization_id: uuid.UUID
    identifier_scheme: str | None = Field(
        default=None, description="An org-id.guide list code, when the register has one"
    )
    identifier_type: str
    identifier: str


class HsdsOrganization(_Hsds):
    """schema/organization.json: required `id`, `name`, `description`."""

    id: uuid.UUID
    name: str = Field(description="The Armenian name")
    alternate_name: str | None = Field(default=None, description="The English name")
    description: str
    email: str | None = None
    website: str | None = None
    legal_status: str | None = None
    organization_identifiers: list[HsdsOrganizationIdentifier] = Field(default_factory=list)
    phones: list[HsdsPhone] = Field(default_factory=list)


class HsdsLanguage(_Hsds):
    """schema/language.json: required `id`; `code` is ISO 639-1."""

    id: uuid.UUID
    service_id: uuid.UUID
    name: str
    code: str


class HsdsCostOption(_Hsds):
    """schema/cost_option.json: required `id`; `amount` is a JSON number, `currency` ISO 4217."""

    id: uuid.UUID
    service_id: uuid.UUID
    option: str | None = None
    amount: int | float | None = None
    currency: str | None = None


class HsdsSchedule(_Hsds):
    """schema/schedule.json: required `id`; SPN keeps opening hours as free text."""

    id: uuid.UUID
    service_id: uuid.UUID
    description: str


class HsdsAttribute(_Hsds):
    """schema/attribute.json: required `id`, `link_type`; links a record to a taxonomy term."""

    id: uuid.UUID
    link_id: uuid.UUID
    link_type: str
    link_entity: str
    taxonomy_term_id: uuid.UUID


class HsdsService(_Hsds):
    """schema/service.json: required `id`, `name`, `status`."""

    id: uuid.UUID
    organization_id: uuid.UUID
    name: str = Field(description="The Armenian name")
    alternate_name: str | None = Field(default=None, description="The English name")
    description: str | None = None
    status: HsdsServiceStatus
    eligibility_description: str | None = None
    fees_description: str
    languages: list[HsdsLanguage] = Field(default_factory=list)
    cost_options: list[HsdsCostOption] = Field(default_factory=list)
    schedules: list[HsdsSchedule] = Field(default_factory=list)
    attributes: list[HsdsAttribute] = Field(default_factory=list)


class HsdsAddress(_Hsds):
    """schema/address.json: required `id`, `address_1`, `city`, `state_province`,
    `postal_code`, `country`, `address_type`."""

    id: uuid.UUID
    location_id: uuid.UUID
    address_1: str
    city: str
    state_province: str
    postal_code: str
    country: Literal["AM"] = "AM"
    address_type: Literal["physical", "postal", "virtual"] = "physical"


class HsdsLocation(_Hsds):
    """schema/location.json: required `id`, `location_type`."""

    id: uuid.UUID
    location_type: Literal["physical", "postal", "virtual"] = "physical"
    organization_id: uuid.UUID
    name: str
    description: str | None = None
    addresses: list[HsdsAddress] = Field(default_factory=list)


class HsdsServiceArea(_Hsds):
    """schema/service_area.json: required `id`; `uri` carries the Open Civic Data id."""

    id: uuid.UUID
    service_id: uuid.UUID
    name: str
    description: str | None = None
    uri: str


class HsdsServiceAtLocation(_Hsds):
    """schema/service_at_location.json: required `id`."""

    id: uuid.UUID
    service_id: uuid.UUID
    location_id: uuid.UUID
    description: str | None = None


class HsdsTaxonomy(_Hsds):
    """schema/taxonomy.json: required `id`, `name`, `description`."""

    id: uuid.UUID
    name: str
    description: str


class HsdsTaxonomyTerm(_Hsds):
    """schema/taxonomy_term.json: required `id`, `name`, `description`."""

    id: uuid.UUID
    code: str
    name: str = Field(description="The Armenian name of the term")
    description: str = Field(description="The English name of the term")
    taxonomy_id: uuid.UUID
    language: Literal["hy"] = "hy"


class HsdsPackage(BaseModel):
    """The whole registry (or one region of it, or what changed since a moment) as HSDS 3.0."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "spec": "HSDS 3.0",
                    "generated_at": "2026-11-25T09:00:00Z",
                    "organizations": [
                        {
                            "id": "2f6f4f0e-8c3a-4d8a-9a51-0f0f5e0c1a10",
                            "name": "«Հույսի կամուրջ» ՀԿ",
                            "alternate_name": "Bridge of Hope NGO",
                            "description": "Հասարակական կազմակերպություն (civil society "
                            "organisation, NGO).",
                            "legal_status": "non-profit: civil society organisation (NGO)",
                            "organization_identifiers": [
                                {
                                    "id": "0d0c8a53-3b57-5c8e-9d35-9c3c3b6f0a11",
                                    "organization_id": "2f6f4f0e-8c3a-4d8a-9a51-0f0f5e0c1a10",
                                    "identifier_type": "tax number (ՀՎՀՀ)",
                                    "identifier": "02571234",
                                }
                            ],
                            "phones": [],
                        }
                    ],
                    "services": [],
                    "locations": [],
                    "service_areas": [],
                    "service_at_locations": [],
                    "taxonomies": [],
                    "taxonomy_terms": [],
                }
            ]
        }
    )

    spec: Literal["HSDS 3.0"] = "HSDS 3.0"
    generated_at: datetime
    organizations: list[HsdsOrganization]
    services: list[HsdsService]
    locations: list[HsdsLocation]
    service_areas: list[HsdsServiceArea]
    service_at_locations: list[HsdsServiceAtLocation]
    taxonomies: list[HsdsTaxonomy]
    taxonomy_terms: list[HsdsTaxonomyTerm]


# -- HSDA: the HSDS API profile (openreferral/specification, schema/openapi.json) -----------------


class HsdaApiInfo(BaseModel):
    """`GET /`: what this API is and which HSDS it speaks."""

    version: Literal["HSDS 3.0"] = "HSDS 3.0"
    profile: str = Field(description="Where SPN's HSDS profile is described")
    openapi_url: str = Field(description="The OpenAPI of this service")


class HsdsLocatedService(HsdsServiceAtLocation):
    """A service at a location, with the location nested (HSDA's fully nested records)."""

    location: HsdsLocation


class HsdaService(HsdsService):
    """`GET /services/{id}`: a service with its organisation, areas and locations nested."""

    organization: HsdsOrganization
    service_areas: list[HsdsServiceArea] = Field(default_factory=list)
    service_at_locations: list[HsdsLocatedService] = Field(default_factory=list)


class HsdaOrganization(HsdsOrganization):
    """`GET /organizations/{id}`: an organisation with its locations and (public) services."""

    locations: list[HsdsLocation] = Field(default_factory=list)
    services: list[HsdsService] = Field(default_factory=list)


class _HsdaPage(BaseModel):
    """HSDA's page: `components/schemas/Page` of the HSDS OpenAPI, then `contents`."""

    total_items: int = Field(description="How many records match, over all pages")
    total_pages: int
    page_number: int = Field(description="This page's number, counted from 1")
    size: int = Field(description="How many records this page holds")
    first_page: bool
    last_page: bool
    empty: bool = Field(description="True when no record matches")


class HsdaServicePage(_HsdaPage):
    contents: list[HsdsService]


class HsdaOrganizationPage(_HsdaPage):
    contents: list[HsdsOrganization]


class HsdaTaxonomyPage(_HsdaPage):
    contents: list[HsdsTaxonomy]


class HsdaTaxonomyTermPage(_HsdaPage):
    contents: list[HsdsTaxonomyTerm]


class HsdaServiceAtLocationPage(_HsdaPage):
    contents: list[HsdsServiceAtLocation]
