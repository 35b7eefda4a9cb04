from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel

from services.registry.access import WRITERS
from services.registry.rules import importing
from shared.auth import Principal, require_roles
from shared.database import SessionDep
from shared.errors import RuleViolation, problem_responses

router = APIRouter(prefix="/v1/imports", tags=["imports"])
WriterDep = Annotated[Principal, require_roles(*WRITERS)]


class RowProblem(BaseModel):
    line: int
    field: str
    message: str


class ImportReport(BaseModel):
    dry_run: bool
    valid: bool
    rows: int
    actors: int
    services: int
    errors: list[RowProblem]
    actor_ids: list[uuid.UUID] = []
    service_ids: list[uuid.UUID] = []


_CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "kind,legal_form,name_hy,name_en,tax_number,community,phone,"
                "service_name_hy,service_category,service_target_groups,service_communities\n"
                "legal_entity,cso,«Հույս» ՀԿ,Hope NGO,04712345,masis,+37423642211,"
                "Տարեցների խնամք,elderly_care,elderly,masis;ararat\n",
            }
        },
    }
}


@router.post(
    "/actors",
    summary="Import actors and their services from CSV (UTF-8)",
    description=(
        "One row per actor, optionally with one of its services; see the columns in the "
        "example. `dry_run=true` checks the whole file and reports every bad row; a real run "
        "writes every row or none (422 with the same report when any row is bad)."
    ),
    openapi_extra=_CSV_BODY,
    responses=problem_responses(401, 403, 413, 422),
)
async def import_actors(
    request: Request,
    session: SessionDep,
    principal: WriterDep,
    response: Response,
    dry_run: Annotated[bool, Query(description="check only, write nothing")] = False,
) -> ImportReport:
    plan = await importing.plan_import(session, principal, await request.body())
    report = ImportReport(
        dry_run=dry_run,
        valid=not plan.errors,
        rows=plan.rows,
        actors=len(plan.actors),
        services=plan.service_count,
        errors=[RowProblem(line=e.line, field=e.field, message=e.message) for e in plan.errors],
    )
    if plan.errors and not dry_run:
        raise RuleViolation(
            f"{len(plan.errors)} problem(s) in the file; nothing was imported. "
            "Fix the rows listed in `errors` and send the file again.",
            title="Import refused",
            extra={"errors": [e.model_dump() for e in report.errors]},
        )
    if dry_run:
        return report
    result = await importing.apply_import(session, principal, plan)
    response.status_code = status.HTTP_201_CREATED
    return report.model_copy(
        update={"actor_ids": [a.id for a in result.actors], "service_ids": result.service_ids}
    )
