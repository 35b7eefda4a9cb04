"""Import actors and their services from the CSV lists centers keep today.

One row is an actor, optionally with one service; rows with the same `actor_key` (else the
same tax number, else the same kind, Armenian name and community) are one actor with several
services. A dry run reports every bad row with its line and reason; a real run writes all
rows or none. Lists inside a cell are separated by `;` (or `|` when the file itself is
separated by semicolons). Community columns take community codes (`masis`, `yerevan-kentron`).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import ensure_in_territory, is_admin
from services.registry.messages import _
from services.registry.models import Actor, Community
from services.registry.rules.actors import ACTORS, communities_touched, save_actor
from services.registry.rules.services import SERVICES, save_service
from services.registry.schemas.actors import ActorIn
from services.registry.schemas.services import ServiceIn
from shared.auth import Principal
from shared.errors import AppError, Forbidden
from shared.i18n import Text

ACTOR_COLUMNS = (
    "actor_key", "kind", "legal_form", "name_hy", "name_en", "name_ru", "description",
    "tax_number", "registration_number", "street", "community", "postal_code", "phone", "email",
    "website", "located_in", "operates_in", "capacities",
)  # fmt: skip
SERVICE_COLUMNS = (
    "service_name_hy", "service_name_en", "service_description", "service_category",
    "service_target_groups", "service_communities", "service_eligibility", "service_price",
    "service_currency", "service_languages", "service_schedule", "service_status",
)  # fmt: skip
REQUIRED = ("kind", "name_hy")
MAX_BYTES = 10 * 1024 * 1024

# Where a field of the API schemas comes from in the file.
_ACTOR_FIELDS = {
    "name.hy": "name_hy", "name.en": "name_en", "name.ru": "name_ru", "address.street": "street",
    "address.postal_code": "postal_code", "address.community_id": "community",
    "contacts.phone": "phone", "contacts.email": "email", "contacts.website": "website",
}  # fmt: skip
_SERVICE_FIELDS = {
    "name.hy": "service_name_hy", "name.en": "service_name_en",
    "description": "service_description", "category_code": "service_category",
    "target_groups": "service_target_groups", "communities": "service_communities",
    "eligibility": "service_eligibility", "cost": "service_price",
    "cost.price.amount": "service_price", "cost.price.currency": "service_currency",
    "languages": "service_languages", "schedule": "service_schedule", "status": "service_status",
}  # fmt: skip


class ImportRefused(AppError):
    status, title, slug = 422, _("File refused"), "import-refused"


class FileTooLarge(AppError):
    status, title, slug = 413, _("File too large"), "file-too-large"


@dataclass
class RowError:
    line: int
    field: str
    message: Text
    forbidden: bool = False  # the caller may not write this row (outside their territory)


@dataclass
class PlannedActor:
    line: int
    data: ActorIn
    services: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class ImportPlan:
    rows: int = 0
    actors: dict[str, PlannedActor] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @property
    def service_count(self) -> int:
        return sum(len(a.services) for a in self.actors.values())


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            _(
                "The file is not UTF-8 (the first bad byte is on line {line}). Save it as "
                "'CSV UTF-8' and send it again; Armenian letters need UTF-8.",
                line=line,
            ),
        ) from exc


def _rows(text: str) -> tuple[str, csv.DictReader[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ImportRefused(
            _("Line 1 (the column names) is not valid CSV: {reason}.", reason=str(exc))
        ) from exc
    if not header or not any(header):
        raise ImportRefused(_("The file is empty: the first line must name the columns."))
    reader.fieldnames = header
    known = set(ACTOR_COLUMNS) | set(SERVICE_COLUMNS)
    unknown = [h for h in header if h not in known]
    if unknown:
        raise ImportRefused(
            _(
                "Line 1 names columns SPN does not know: {unknown}. The columns are: {columns}.",
                unknown=", ".join(unknown),
                columns=", ".join(ACTOR_COLUMNS + SERVICE_COLUMNS),
            ),
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportRefused(
            _("Line 1 lacks the required columns: {missing}.", missing=", ".join(missing))
        )
    return delimiter, reader


def _errors_of(exc: ValidationError, line: int, columns: dict[str, str]) -> list[RowError]:
    errors = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"])
        column = columns.get(location) or columns.get(location.rsplit(".", 1)[0]) or location
        message = str(error["msg"]).removeprefix("Value error, ")
        errors.append(RowError(line, column, message))
    return errors


class _Row:
    def __init__(self, values: dict[str, str | None], separators: str, line: int,
                 communities: dict[str, uuid.UUID], errors: list[RowError]) -> None:  # fmt: skip
        self.values = {k: (v or "").strip() for k, v in values.items() if k}
        self.split = re.compile(f"[{re.escape(separators)}]")
        self.line = line
        self.communities = communities
        self.errors = errors

    def get(self, column: str) -> str | None:
        return self.values.get(column) or None

    def items(self, column: str) -> list[str]:
        return [p.strip() for p in self.split.split(self.values.get(column, "")) if p.strip()]

    def community_ids(self, column: str) -> list[uuid.UUID]:
        ids = []
        for code in self.items(column):
            community_id = self.communities.get(code.lower())
            if community_id is None:
                self.errors.append(
                    RowError(self.line, column, _("no community has the code {code!r}", code=code))
                )
            else:
                ids.append(community_id)
        return ids


def _actor_body(row: _Row) -> dict[str, Any]:
    address_community = row.community_ids("community")
    return {
        "kind": row.get("kind"),
        "legal_form": row.get("legal_form"),
        "name": {"hy": row.get("name_hy") or "", "en": row.get("name_en"),
                 "ru": row.get("name_ru")},
        "description": row.get("description"),
        "tax_number": row.get("tax_number"),
        "registration_number": row.get("registration_number"),
        "address": {"street": row.get("street"), "postal_code": row.get("postal_code"),
                    "community_id": address_community[0] if address_community else None},
        "contacts": {"phone": row.get("phone"), "email": row.get("email"),
                     "website": row.get("website")},
        "located_in": row.community_ids("located_in") or address_community,
        "operates_in": row.community_ids("operates_in"),
        "capacities": [{"kind": kind} for kind in row.items("capacities")],
    }  # fmt: skip


def _service_body(row: _Row) -> dict[str, Any] | None:
    if not any(row.get(c) for c in SERVICE_COLUMNS):
        return None
    price, currency = row.get("service_price"), row.get("service_currency")
    cost: dict[str, Any] = {"free": True}
    if price or currency:
        cost = {"free": False, "price": {"amount": price, "currency": currency}}
    body: dict[str, Any] = {
        "name": {"hy": row.get("service_name_hy") or "", "en": row.get("service_name_en")},
        "description": row.get("service_description"),
        "category_code": row.get("service_category") or "",
        "target_groups": row.items("service_target_groups"),
        "communities": row.community_ids("service_communities"),
        "eligibility": row.get("service_eligibility"),
        "cost": cost,
        "languages": row.items("service_languages"),
        "schedule": row.get("service_schedule"),
    }
    if row.get("service_status"):
        body["status"] = row.get("service_status")
    return body


def _validate_service(body: dict[str, Any], line: int, errors: list[RowError]) -> None:
    # The provider does not exist yet; any id stands in for it while the fields are checked.
    try:
        ServiceIn.model_validate(body | {"provider_id": uuid.UUID(int=0)})
    except ValidationError as exc:
        errors.extend(_errors_of(exc, line, _SERVICE_FIELDS))


async def plan_import(session: AsyncSession, principal: Principal, raw: bytes) -> ImportPlan:
    """Read and check the whole file; nothing is written."""
    if len(raw) > MAX_BYTES:
        raise FileTooLarge(
            _(
                "The file is larger than {megabytes} MB; split it.",
                megabytes=MAX_BYTES // (1024 * 1024),
            )
        )
    delimiter, reader = _rows(decode(raw))
    separators = "|" if delimiter == ";" else ";|"
    communities = dict((await session.execute(select(Community.code, Community.id))).all())
    plan = ImportPlan()
    tax_numbers: dict[str, int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any((v or "").strip() for v in values.values() if isinstance(v, str)):
                continue
            if None in values:
                plan.errors.append(RowError(line, "-", _("the row has more cells than the header")))
                continue
            plan.rows += 1
            row = _Row(values, separators, line, communities, plan.errors)
            errors_before = len(plan.errors)
            body = _actor_body(row)
            service = _service_body(row)
            if len(plan.errors) > errors_before:
                continue
            try:
                actor = ActorIn.model_validate(body)
            except ValidationError as exc:
                plan.errors.extend(_errors_of(exc, line, _ACTOR_FIELDS))
                continue
            key = (
                row.get("actor_key")
                or actor.tax_number
                or f"{actor.kind}|{actor.name.hy.casefold()}|{actor.address.community_id}"
            )
            planned = plan.actors.get(key)
            if planned is None:
                if actor.tax_number and actor.tax_number in tax_numbers:
                    plan.errors.append(RowError(line, "tax_number", _(
                        "the tax number is already used by another actor on line {line}",
                        line=tax_numbers[actor.tax_number])))  # fmt: skip
                    continue
                planned = PlannedActor(line=line, data=actor)
                plan.actors[key] = planned
                if actor.tax_number:
                    tax_numbers[actor.tax_number] = line
            elif planned.data != actor:
                message = _(
                    "the actor's columns differ from line {line}, which describes the same "
                    "actor; repeat them unchanged or leave the service columns alone",
                    line=planned.line,
                )
                plan.errors.append(RowError(line, "actor_key", message))
                continue
            if service is not None:
                _validate_service(service, line, plan.errors)
                planned.services.append((line, service))
    except csv.Error as exc:
        broken = _("the CSV is broken here: {reason}", reason=str(exc))
        plan.errors.append(RowError(reader.line_num, "-", broken))

    await _check_against_registry(session, principal, plan)
    plan.errors.sort(key=lambda e: e.line)
    return plan


async def _check_against_registry(
    session: AsyncSession, principal: Principal, plan: ImportPlan
) -> None:
    numbers = {a.data.tax_number: a.line for a in plan.actors.values() if a.data.tax_number}
    if numbers:
        taken = await session.execute(
            select(Actor.tax_number, Actor.id).where(Actor.tax_number.in_(numbers))
        )
        for number, actor_id in taken:
            plan.errors.append(RowError(numbers[str(number)], "tax_number", _(
                "an actor with this tax number is already registered ({actor_id}); "
                "change it through the API instead", actor_id=actor_id)))  # fmt: skip
    if is_admin(principal):
        return
    for planned in plan.actors.values():
        try:
            await ensure_in_territory(
                session, principal, communities=communities_touched(planned.data),
                regions=set(planned.data.jurisdiction.regions), what=_("this actor"),
            )  # fmt: skip
        except Forbidden as exc:
            plan.errors.append(RowError(planned.line, "located_in", exc.message, forbidden=True))


@dataclass
class ImportResult:
    actors: list[Actor]
    services: list[ServiceIn]
    service_ids: list[uuid.UUID]


async def apply_import(
    session: AsyncSession, principal: Principal, plan: ImportPlan
) -> ImportResult:
    """Write a checked plan, every record journaled; the caller's transaction makes it all or
    nothing."""
    result = ImportResult(actors=[], services=[], service_ids=[])
    for planned in plan.actors.values():
        actor = await save_actor(session, planned.data)
        await ACTORS.created(session, principal, actor)
        result.actors.append(actor)
        for _line, body in planned.services:
            data = ServiceIn.model_validate(body | {"provider_id": actor.id})
            result.services.append(data)
            service = await save_service(session, data)
            await SERVICES.created(session, principal, service)
            result.service_ids.append(service.id)
    return result
