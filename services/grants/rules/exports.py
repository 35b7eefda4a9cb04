"""Open data: every grant as a 360Giving data package, and a programme as an IATI activity,
streamed page by page so that the
memory an export holds does not grow with the number of grants (see docs/360giving.md)."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.grants.clients import Registry
from services.grants.models import (
    Disbursement,
    ExpenditureLine,
    Grant,
    GrantProgramme,
    PlanPriority,
    ProgrammeBudget,
)
from services.grants.money import from_minor
from shared.database import Database, utcnow
from shared.streaming import cooperate

PAGE = 500
PREFIX = "360G-SPN-"


async def communities(session: AsyncSession, registry: Registry) -> dict[uuid.UUID, dict[str, Any]]:
    """The registry's communities the grants are in, asked before the first byte (a registry
    that does not answer is a 503 then, not a broken document)."""
    ids = (await session.scalars(select(Grant.community_id).distinct())).all()
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for community_id in ids:
        found[community_id] = await registry.community(community_id) or {}
    return found


def _number(minor: int, currency: str) -> str:
    return str(from_minor(minor, currency).amount)


def _name(names: dict[str, Any] | None) -> str:
    names = names or {}
    return str(names.get("en") or names.get("hy") or "")


def grant_record(
    grant: Grant,
    programme: GrantProgramme,
    priority: PlanPriority | None,
    community: dict[str, Any],
    tranches: list[Disbursement],
) -> str:
    """One grant as 360Giving JSON text; money stays exact (a JSON number from its decimal)."""
    record: dict[str, Any] = {
        "id": f"{PREFIX}{grant.id}",
        "title": grant.title_en or grant.title_hy,
        "description": grant.title_hy,
        "currency": grant.currency,
        "amountAwarded": "@AMOUNT@",
        "awardDate": grant.awarded_on.isoformat(),
        "plannedDates": [
            {"startDate": grant.starts_on.isoformat(), "endDate": grant.ends_on.isoformat()}
        ],
        "recipientOrganization": [
            {"id": f"SPN-ACTOR-{grant.recipient_id}", "name": grant.recipient_name}
        ],
        "fundingOrganization": [
            {
                "id": f"SPN-ACTOR-{f['actor_id']}"
                if f.get("actor_id")
                else f"SPN-FUNDER-{programme.id}-{i}",
                "name": _name(f.get("name")),
            }
            for i, f in enumerate(programme.funders)
        ],
        "grantProgramme": [
            {"code": str(programme.id), "title": programme.name_en or programme.name_hy}
        ],
        "beneficiaryLocation": [
            {
                "name": _name(community.get("name")),
                "geoCode": community.get("code"),
                "geoCodeType": "SPN-COMMUNITY",
            },
            {
                "name": community.get("region_code"),
                "geoCode": community.get("region_code"),
                "geoCodeType": "ISO3166-2",
            },
        ]
        if community
        else [],
        "classifications": [
            {"vocabulary": "SPN-service-categories", "code": code, "title": code}
            for code in (priority.service_categories if priority else [])
        ],
        "dateModified": grant.updated_at.isoformat(),
        "status": grant.status,
        "amountsIllustrative": grant.amounts_illustrative,
        "disbursements": [
            {
                "id": str(t.id),
                "date": t.paid_on.isoformat(),
                "currency": t.currency,
                "amount": f"@T{i}@",
            }
            for i, t in enumerate(tranches)
        ],
    }
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    text = text.replace('"@AMOUNT@"', _number(grant.amount_minor, grant.currency))
    for i, t in enumerate(tranches):
        text = text.replace(f'"@T{i}@"', _number(t.amount_minor, t.currency), 1)
    return text


async def three_sixty_giving(
    database: Database, places: dict[uuid.UUID, dict[str, Any]]
) -> AsyncIterator[bytes]:
    """`{"grants": [...]}`, PAGE grants at a time (keyset on the id)."""
    yield b'{"grants":['
    separator = b""
    async with database.reader() as session:
        programmes = {p.id: p for p in await session.scalars(select(GrantProgramme))}
        after: uuid.UUID | None = None
        while True:
            statement = select(Grant).order_by(Grant.id).limit(PAGE)
            if after is not None:
                statement = statement.where(Grant.id > after)
            page = list(await session.scalars(statement))
            if not page:
                break
            after = page[-1].id
            ids = [g.id for g in page]
            tranches: dict[uuid.UUID, list[Disbursement]] = defaultdict(list)
            for t in await session.scalars(
                select(Disbursement)
                .where(Disbursement.grant_id.in_(ids))
                .order_by(Disbursement.paid_on, Disbursement.id)
            ):
                tranches[t.grant_id].append(t)
            priority_ids = {g.priority_id for g in page if g.priority_id}
            priorities = (
                {
                    p.id: p
                    for p in await session.scalars(
                        select(PlanPriority).where(PlanPriority.id.in_(priority_ids))
                    )
                }
                if priority_ids
                else {}
            )
            chunk = ",".join(
                grant_record(
                    g,
                    programmes[g.programme_id],
                    priorities.get(g.priority_id) if g.priority_id else None,
                    places.get(g.community_id, {}),
                    tranches[g.id],
                )
                for g in page
            )
            yield separator + chunk.encode()
            separator = b","
            session.expunge_all()  # what was yielded is not kept
            await cooperate()
    generated = json.dumps(utcnow().isoformat())
    yield f'],"generated_at":{generated},"license":"CC-BY-4.0"}}'.encode()


def _x(value: object) -> str:
    return xml_escape(str(value), {'"': "&quot;"})


def _narrative(text: str | None, lang: str | None = None) -> str:
    attribute = f' xml:lang="{lang}"' if lang else ""
    return f"<narrative{attribute}>{_x(text or '')}</narrative>"


def _transaction(
    kind: int, day: date, minor: int, currency: str, grant: Grant, ref: uuid.UUID
) -> str:
    return (
        f'<transaction ref="{ref}"><transaction-type code="{kind}"/>'
        f'<transaction-date iso-date="{day.isoformat()}"/>'
        f'<value currency="{currency}" value-date="{day.isoformat()}">'
        f"{_number(minor, currency)}</value>"
        f"<description>{_narrative(grant.title_en or grant.title_hy)}</description>"
        f'<receiver-org ref="SPN-ACTOR-{grant.recipient_id}">'
        f"{_narrative(grant.recipient_name, 'hy')}</receiver-org></transaction>"
    )


async def iati_activity(database: Database, programme_id: uuid.UUID) -> AsyncIterator[bytes]:
    """The programme as one IATI activity (XML, IATI 2.03 shape): its budget per currency and a
    transaction per grant award (2, commitment), tranche (3, disbursement) and expenditure line
    (4, expenditure), 500 grants at a time (see docs/iati.md)."""
    async with database.reader() as session:
        programme = await session.get(GrantProgramme, programme_id)
        assert programme is not None  # checked by the route
        budgets = await session.scalars(
            select(ProgrammeBudget).where(ProgrammeBudget.programme_id == programme_id)
        )
        now = utcnow().isoformat()
        head = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<iati-activities version="2.03" generated-datetime="{now}">',
            f'<iati-activity last-updated-datetime="{programme.updated_at.isoformat()}" '
            f'xml:lang="hy" default-currency="AMD">',
            f"<iati-identifier>SPN-PROGRAMME-{programme.id}</iati-identifier>",
            '<reporting-org ref="SPN" type="90"><narrative>SPN</narrative></reporting-org>',
            f"<title>{_narrative(programme.name_hy)}"
            f"{_narrative(programme.name_en, 'en') if programme.name_en else ''}</title>",
            f'<description type="1">{_narrative("; ".join(programme.goals))}</description>',
        ]
        for funder in programme.funders:
            ref = f' ref="SPN-ACTOR-{funder["actor_id"]}"' if funder.get("actor_id") else ""
            head.append(
                f'<participating-org role="1"{ref}>'
                f"{_narrative(_name(funder.get('name')))}</participating-org>"
            )
        head += [
            '<activity-status code="2"/>',
            f'<activity-date type="1" iso-date="{programme.starts_on.isoformat()}"/>',
            f'<activity-date type="3" iso-date="{programme.ends_on.isoformat()}"/>',
            '<recipient-country code="AM" percentage="100"/>',
        ]
        for budget in budgets:
            head.append(
                f'<budget type="1" status="2"><period-start iso-date="{programme.starts_on}"/>'
                f'<period-end iso-date="{programme.ends_on}"/>'
                f'<value currency="{budget.currency}" value-date="{programme.starts_on}">'
                f"{_number(budget.amount_minor, budget.currency)}</value></budget>"
            )
        yield "".join(head).encode()
        after: uuid.UUID | None = None
        while True:
            statement = (
                select(Grant)
                .where(Grant.programme_id == programme_id)
                .order_by(Grant.id)
                .limit(PAGE)
            )
            if after is not None:
                statement = statement.where(Grant.id > after)
            page = list(await session.scalars(statement))
            if not page:
                break
            after = page[-1].id
            by_id = {g.id: g for g in page}
            parts = [
                _transaction(2, g.awarded_on, g.amount_minor, g.currency, g, g.id) for g in page
            ]
            for t in await session.scalars(
                select(Disbursement)
                .where(Disbursement.grant_id.in_(by_id))
                .order_by(Disbursement.paid_on, Disbursement.id)
            ):
                parts.append(
                    _transaction(3, t.paid_on, t.amount_minor, t.currency, by_id[t.grant_id], t.id)
                )
            for line in await session.scalars(
                select(ExpenditureLine)
                .where(ExpenditureLine.grant_id.in_(by_id))
                .order_by(ExpenditureLine.spent_on, ExpenditureLine.id)
            ):
                parts.append(
                    _transaction(
                        4,
                        line.spent_on,
                        line.amount_minor,
                        line.currency,
                        by_id[line.grant_id],
                        line.id,
                    )
                )
            yield "".join(parts).encode()
            session.expunge_all()
            await cooperate()
    yield b"</iati-activity></iati-activities>"
