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


class Phone(_Hsds):
    """schema/phone.json: required `id`, `number`."""

    id: uuid.UUID
    organization_id: uuid.UUID | None = None
    number: str


class OrganizationIdentifier(_Hsds):
    """schema/organization_identifier.json: required `id`, `identifier_type`, `identifier`."""

    id: uuid.UUID
    organization_id: uuid.UUID
    identifier_scheme: str | None = Field(
        default=None, description="An org-id.guide list code, when the register has one"
    )
    identifier_type: str
    identifier: str


class Organization(_Hsds):
    """schema/organization.json: required `id`, `name`, `description`."""

    id: uuid.UUID
    name: str = Field(description="The Armenian name")
    alternate_name: str | None = Field(default=None, description="The English name")
    description: str
    email: str | None = None
    website: str | None = None
    legal_status: str | None = None
    organization_identifiers: list[OrganizationIdentifier] = Field(default_factory=list)
    phones: list[Phone] = Field(default_factory=list)


class Language(_Hsds):
    """schema/language.json: required `id`; `code` is ISO 639-1."""

    id: uuid.UUID
    service_id: uuid.UUID
    name: str
    code: str


class CostOption(_Hsds):
    """schema/cost_option.json: required `id`; `amount` is a JSON number, `currency` ISO 4217."""

    id: uuid.UUID
    service_id: uuid.UUID
    option: str | None = None
    amount: int | float | None = None
    currency: str | None = None


class Schedule(_Hsds):
    """schema/schedule.json: required `id`; SPN keeps opening hours as free text."""

    id: uuid.UUID
    service_id: uuid.UUID
    description: str


class Attribute(_Hsds):
    """schema/attribute.json: required `id`, `link_type`; links a record to a taxonomy term."""

    id: uuid.UUID
    link_id: uuid.UUID
    link_type: str
    link_entity: str
    taxonomy_term_id: uuid.UUID


class Service(_Hsds):
    """schema/service.json: required `id`, `name`, `status`."""

    id: uuid.UUID
    organization_id: uuid.UUID
    name: str = Field(description="The Armenian name")
    alternate_name: str | None = Field(default=None, description="The English name")
    description: str | None = None
    status: HsdsServiceStatus
    eligibility_description: str | None = None
    fees_description: str
    languages: list[Language] = Field(default_factory=list)
    cost_options: list[CostOption] = Field(default_factory=list)
    schedules: list[Schedule] = Field(default_factory=list)
    attributes: list[Attribute] = Field(default_factory=list)


class Address(_Hsds):
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


class Location(_Hsds):
    """schema/location.json: required `id`, `location_type`."""

    id: uuid.UUID
    location_type: Literal["physical", "postal", "virtual"] = "physical"
    organization_id: uuid.UUID
    name: str
    description: str | None = None
    addresses: list[Address] = Field(default_factory=list)


class ServiceArea(_Hsds):
    """schema/service_area.json: required `id`; `uri` carries the Open Civic Data id."""

    id: uuid.UUID
    service_id: uuid.UUID
    name: str
    description: str | None = None
    uri: str


class ServiceAtLocation(_Hsds):
    """schema/service_at_location.json: required `id`."""

    id: uuid.UUID
    service_id: uuid.UUID
    location_id: uuid.UUID
    description: str | None = None


class Taxonomy(_Hsds):
    """schema/taxonomy.json: required `id`, `name`, `description`."""

    id: uuid.UUID
    name: str
    description: str


class TaxonomyTerm(_Hsds):
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
    organizations: list[Organization]
    services: list[Service]
    locations: list[Location]
    service_areas: list[ServiceArea]
    service_at_locations: list[ServiceAtLocation]
    taxonomies: list[Taxonomy]
    taxonomy_terms: list[TaxonomyTerm]
