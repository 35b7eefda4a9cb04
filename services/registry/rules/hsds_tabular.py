"""The HSDS export as HSDS's tabular data package: one CSV file per table and a Frictionless
`datapackage.json`, streamed as one zip archive (see docs/hsds.md).

Written with the standard library (`csv`, `zipfile` on an unseekable output): the package is a
dozen flat tables of strings and numbers, which needs neither Frictionless (a large dependency
tree, for validating what we already type with pydantic) nor a zip streaming library.
The tables and their fields come from the same pydantic models as the JSON document, so the
two forms cannot drift apart.
"""

from __future__ import annotations

import csv
import io
import json
import types
import typing
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from services.registry.rules.hsds import (
    ExportScope,
    location_out,
    organization_out,
    organization_pages,
    places,
    service_areas_out,
    service_at_location_out,
    service_out,
    service_pages,
    slices,
    snapshot,
    taxonomies_out,
)
from services.registry.schemas import hsds
from shared.database import Database, utcnow
from shared.streaming import Spool, ZipStream, cooperate

# A field named so refers to the `id` of that table.
_REFERENCES = {
    "organization_id": "organizations",
    "service_id": "services",
    "location_id": "locations",
    "taxonomy_id": "taxonomies",
    "taxonomy_term_id": "taxonomy_terms",
}


def _columns(model: type[BaseModel]) -> tuple[str, ...]:
    """The model's own fields: nested lists are tables of their own."""
    return tuple(
        name
        for name, info in model.model_fields.items()
        if typing.get_origin(info.annotation) is not list
    )


def _field_schema(name: str, annotation: Any) -> dict[str, Any]:
    """A Frictionless Table Schema field for a model field."""
    options = typing.get_args(annotation) if _is_union(annotation) else (annotation,)
    present = [o for o in options if o is not type(None)]
    schema: dict[str, Any] = {"name": name, "type": "string"}
    if present == [uuid.UUID]:
        schema["format"] = "uuid"
    elif set(present) <= {int, float}:
        schema["type"] = "number"
    elif len(present) == 1 and typing.get_origin(present[0]) is Literal:
        schema["constraints"] = {"enum": list(typing.get_args(present[0]))}
    if len(present) == len(options):  # not nullable
        schema.setdefault("constraints", {})["required"] = True
    return schema


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Table:
    name: str
    model: type[BaseModel]
    columns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", _columns(self.model))

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    def csv(self, records: Iterable[BaseModel], *, header: bool = False) -> bytes:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        if header:
            writer.writerow(self.columns)
        writer.writerows([_cell(getattr(r, c)) for c in self.columns] for r in records)
        return text.getvalue().encode()

    def resource(self) -> dict[str, Any]:
        fields = self.model.model_fields
        keys = [
            {"fields": c, "reference": {"resource": _REFERENCES[c], "fields": "id"}}
            for c in self.columns
            if c in _REFERENCES
        ]
        return {
            "name": self.name,
            "path": self.path,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {
                "fields": [_field_schema(c, fields[c].annotation) for c in self.columns],
                "primaryKey": "id",
                "foreignKeys": keys,
            },
        }


ORGANIZATIONS = Table("organizations", hsds.HsdsOrganization)
IDENTIFIERS = Table("organization_identifiers", hsds.HsdsOrganizationIdentifier)
PHONES = Table("phones", hsds.HsdsPhone)
LOCATIONS = Table("locations", hsds.HsdsLocation)
ADDRESSES = Table("addresses", hsds.HsdsAddress)
SERVICES = Table("services", hsds.HsdsService)
LANGUAGES = Table("languages", hsds.HsdsLanguage)
COST_OPTIONS = Table("cost_options", hsds.HsdsCostOption)
SCHEDULES = Table("schedules", hsds.HsdsSchedule)
ATTRIBUTES = Table("attributes", hsds.HsdsAttribute)
SERVICE_AREAS = Table("service_areas", hsds.HsdsServiceArea)
SERVICE_AT_LOCATIONS = Table("service_at_locations", hsds.HsdsServiceAtLocation)
TAXONOMIES = Table("taxonomies", hsds.HsdsTaxonomy)
TAXONOMY_TERMS = Table("taxonomy_terms", hsds.HsdsTaxonomyTerm)
TABLES = (
    ORGANIZATIONS, IDENTIFIERS, PHONES, LOCATIONS, ADDRESSES, SERVICES, LANGUAGES, COST_OPTIONS,
    SCHEDULES, ATTRIBUTES, SERVICE_AREAS, SERVICE_AT_LOCATIONS, TAXONOMIES, TAXONOMY_TERMS,
)  # fmt: skip


def descriptor(scope: ExportScope) -> dict[str, Any]:
    """`datapackage.json`: a Frictionless tabular data package of HSDS 3.0 tables."""
    filters = []
    if scope.region:
        filters.append(f"region {scope.region}")
    if scope.modified_after:
        filters.append(f"changed at or after {scope.modified_after.isoformat()}")
    return {
        "name": "spn-hsds",
        "title": "SPN registry as Open Referral HSDS 3.0",
        "description": "Organisations and services of SPN's registry"
        + (f" ({', '.join(filters)})" if filters else "")
        + "; public data only (see docs/hsds.md).",
        "profile": "tabular-data-package",
        "created": utcnow().isoformat(),
        "resources": [table.resource() for table in TABLES],
    }


class _Spools:
    """Tables produced during a pass over another table, kept until that one is written."""

    def __init__(self, *tables: Table) -> None:
        self.spools: dict[Table, Spool] = {}
        for table in tables:
            self.spools[table] = Spool()
            self.spools[table].write(table.csv([], header=True))

    def add(self, table: Table, records: Iterable[BaseModel]) -> None:
        self.spools[table].write(table.csv(records))

    async def write_to(self, archive: ZipStream) -> AsyncIterator[bytes]:
        for table, spool in self.spools.items():
            with archive.open(table.path) as entry:
                async for chunk in spool.chunks():
                    entry.write(chunk)
                    yield archive.take()

    def close(self) -> None:
        for spool in self.spools.values():
            spool.close()


async def data_package(database: Database, scope: ExportScope) -> AsyncIterator[bytes]:
    """The zip archive, produced page by page; two passes (organisations, services), as the
    JSON document."""
    archive = ZipStream()
    with archive.open("datapackage.json") as entry:
        entry.write(json.dumps(descriptor(scope), ensure_ascii=False, indent=2).encode())
    taxonomies, terms = taxonomies_out()
    with archive.open(TAXONOMIES.path) as entry:
        entry.write(TAXONOMIES.csv(taxonomies, header=True))
    with archive.open(TAXONOMY_TERMS.path) as entry:
        entry.write(TAXONOMY_TERMS.csv(terms, header=True))
    yield archive.take()

    async with snapshot(database) as connection:
        communities = await places(connection)
        spools = _Spools(IDENTIFIERS, PHONES, LOCATIONS, ADDRESSES)
        try:
            with archive.open(ORGANIZATIONS.path) as entry:
                entry.write(ORGANIZATIONS.csv([], header=True))
                async for page in organization_pages(connection, scope):
                    for rows in slices(page):
                        organizations = [organization_out(a, communities) for a in rows]
                        entry.write(ORGANIZATIONS.csv(organizations))
                        spools.add(
                            IDENTIFIERS,
                            (i for o in organizations for i in o.organization_identifiers),
                        )
                        spools.add(PHONES, (p for o in organizations for p in o.phones))
                        locations = [
                            loc for a in rows if (loc := location_out(a, communities)) is not None
                        ]
                        spools.add(LOCATIONS, locations)
                        spools.add(ADDRESSES, (a for loc in locations for a in loc.addresses))
                        yield archive.take()
                        await cooperate()
            async for chunk in spools.write_to(archive):
                yield chunk
        finally:
            spools.close()

        spools = _Spools(
            LANGUAGES, COST_OPTIONS, SCHEDULES, ATTRIBUTES, SERVICE_AREAS, SERVICE_AT_LOCATIONS
        )
        try:
            with archive.open(SERVICES.path) as entry:
                entry.write(SERVICES.csv([], header=True))
                async for records_page in service_pages(connection, scope):
                    for records in slices(records_page):
                        services = [service_out(r) for r in records]
                        entry.write(SERVICES.csv(services))
                        spools.add(LANGUAGES, (x for s in services for x in s.languages))
                        spools.add(COST_OPTIONS, (x for s in services for x in s.cost_options))
                        spools.add(SCHEDULES, (x for s in services for x in s.schedules))
                        spools.add(ATTRIBUTES, (x for s in services for x in s.attributes))
                        spools.add(
                            SERVICE_AREAS,
                            (a for r in records for a in service_areas_out(r, communities)),
                        )
                        spools.add(
                            SERVICE_AT_LOCATIONS,
                            (x for r in records if (x := service_at_location_out(r)) is not None),
                        )
                        yield archive.take()
                        await cooperate()
            async for chunk in spools.write_to(archive):
                yield chunk
        finally:
            spools.close()
    yield archive.close()
