"""Minimum service standards per service category (the registry's code list), versioned as
editions; compliance assessments of a registry service or a grant's pilot, criterion by
criterion with evidence; the share of compliant services and pilots per community."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.grants.clients import Registry
from services.grants.journal import journal
from services.grants.messages import _
from services.grants.models import ComplianceAssessment, PlanPriority, ServiceStandard
from services.grants.rules import grants as grants_rules
from services.grants.rules import registry_checks
from services.grants.rules.registry_checks import field_error
from services.grants.schemas.standards import (
    CommunityCompliance,
    Comparison,
    ComplianceAssessmentIn,
    ComplianceAssessmentOut,
    CriterionOutcome,
    ServiceStandardIn,
    ServiceStandardOut,
    StandardCriterion,
    StandardRetirementIn,
)
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.text import LocalizedText


def standard_out(row: ServiceStandard) -> ServiceStandardOut:
    return ServiceStandardOut(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        category=row.category,
        title=LocalizedText(hy=row.title_hy, en=row.title_en),
        criteria=[StandardCriterion.model_validate(c) for c in row.criteria],
        edition=row.edition,
        retired_on=row.retired_on,
    )


def assessment_out(row: ComplianceAssessment) -> ComplianceAssessmentOut:
    return ComplianceAssessmentOut(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        standard_id=row.standard_id,
        service_id=row.service_id,
        grant_id=row.grant_id,
        community_id=row.community_id,
        assessed_on=row.assessed_on,
        results=[CriterionOutcome.model_validate(r) for r in row.results],
        compliant=row.compliant,
    )


async def _represent_standard(
    session: AsyncSession, row: ServiceStandard, full: bool
) -> ServiceStandardOut:
    return standard_out(row)


async def _represent_assessment(
    session: AsyncSession, row: ComplianceAssessment, full: bool
) -> ComplianceAssessmentOut:
    return assessment_out(row)


STANDARDS = journal.resource(
    "service_standard", _represent_standard, verbs=("created", "updated", "retired")
)
ASSESSMENTS = journal.resource("compliance_assessment", _represent_assessment, verbs=("created",))


async def get_standard(session: AsyncSession, standard_id: uuid.UUID) -> ServiceStandard:
    row = await session.get(ServiceStandard, standard_id)
    if row is None:
        raise NotFound(_("There is no service standard {standard_id}.", standard_id=standard_id))
    return row


async def create_standard(
    session: AsyncSession, registry: Registry, principal: Principal, data: ServiceStandardIn
) -> ServiceStandardOut:
    await registry_checks.codes(registry, service_categories=[("category", data.category)])
    last = await session.scalar(
        select(func.max(ServiceStandard.edition)).where(ServiceStandard.category == data.category)
    )
    row = ServiceStandard(
        id=uuid.uuid4(),
        category=data.category,
        edition=int(last or 0) + 1,
        title_hy=data.title.hy,
        title_en=data.title.en,
        criteria=[c.model_dump(mode="json") for c in data.criteria],
    )
    session.add(row)
    return await STANDARDS.created(session, principal, row)


async def retire(
    session: AsyncSession,
    principal: Principal,
    row: ServiceStandard,
    before: ServiceStandardOut,
    data: StandardRetirementIn,
) -> ServiceStandardOut:
    if row.retired_on is not None:
        raise Conflict(
            _("This version of the standard was retired on {day}.", day=row.retired_on),
            title=_("Standard retired"),
        )
    row.retired_on = data.retired_on
    return await STANDARDS.updated(session, principal, row, before, event="retired")


def _met(criterion: dict[str, Any], value: Decimal) -> bool:
    threshold = Decimal(str(criterion["threshold"]))
    if criterion["comparison"] == Comparison.at_least:
        return value >= threshold
    return value <= threshold


async def assess(
    session: AsyncSession, registry: Registry, principal: Principal, data: ComplianceAssessmentIn
) -> ComplianceAssessmentOut:
    standard = await get_standard(session, data.standard_id)
    if standard.retired_on is not None:
        raise Conflict(
            _(
                "Version {edition} of the {category} standard was retired on {day}; assess "
                "against its current version.",
                edition=standard.edition,
                category=standard.category,
                day=standard.retired_on,
            ),
            title=_("Standard retired"),
        )
    criteria = {c["code"]: c for c in standard.criteria}
    given = [r.code for r in data.results]
    if sorted(given) != sorted(criteria):
        raise field_error(
            "results",
            _(
                "every criterion of the standard is assessed once: {codes}",
                codes=", ".join(sorted(criteria)),
            ),
            _("Criteria not assessed"),
        )
    if data.grant_id is not None:
        grant = await grants_rules.get_grant(session, data.grant_id)
        community_id = grant.community_id
        if grant.priority_id is not None:
            priority = await session.get(PlanPriority, grant.priority_id)
            if priority is not None and standard.category not in priority.service_categories:
                raise field_error(
                    "grant_id",
                    _("the grant's pilot is not a {category} service", category=standard.category),
                    _("Other category"),
                )
    else:
        assert data.service_id is not None  # the schema says one subject
        assert data.community_id is not None  # and a service's community
        service = await registry.service(data.service_id)
        if service is None:
            raise field_error(
                "service_id",
                _("the registry has no service {service_id}", service_id=data.service_id),
                _("Unknown service"),
            )
        if service.get("category_code") != standard.category:
            raise field_error(
                "service_id",
                _("the service is not a {category} service", category=standard.category),
                _("Other category"),
            )
        await registry_checks.community(registry, data.community_id, "community_id")
        community_id = data.community_id
    results = [
        r.model_dump(mode="json") | {"met": _met(criteria[r.code], r.value)} for r in data.results
    ]
    row = ComplianceAssessment(
        id=uuid.uuid4(),
        standard_id=standard.id,
        service_id=data.service_id,
        grant_id=data.grant_id,
        community_id=community_id,
        assessed_on=data.assessed_on,
        results=results,
        compliant=all(r["met"] for r in results),
    )
    session.add(row)
    return await ASSESSMENTS.created(session, principal, row)


async def compliance_by_community(
    session: AsyncSession, community_id: uuid.UUID | None, category: str | None
) -> list[CommunityCompliance]:
    """Per community: the services and pilots assessed (each by its latest assessment) and the
    share of them that comply."""
    statement = select(ComplianceAssessment).join(ServiceStandard)
    if community_id:
        statement = statement.where(ComplianceAssessment.community_id == community_id)
    if category:
        statement = statement.where(ServiceStandard.category == category)
    latest: dict[tuple[uuid.UUID, str], ComplianceAssessment] = {}
    for row in await session.scalars(statement):
        subject = (row.community_id, str(row.service_id or row.grant_id))
        held = latest.get(subject)
        if held is None or (row.assessed_on, row.created_at) > (held.assessed_on, held.created_at):
            latest[subject] = row
    counts: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0])
    for (community, _subject), row in latest.items():
        counts[community][0] += 1
        counts[community][1] += int(row.compliant)
    return [
        CommunityCompliance(
            community_id=c,
            assessed=n,
            compliant=ok,
            share=(Decimal(100 * ok) / n).quantize(Decimal("0.01"), ROUND_HALF_EVEN),
        )
        for c, (n, ok) in sorted(counts.items(), key=lambda kv: str(kv[0]))
    ]
