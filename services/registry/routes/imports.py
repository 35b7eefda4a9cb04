from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel

from services.registry.dependencies import Writer
from services.registry.messages import _
from services.registry.rules import importing
from shared.database import SessionDep
from shared.errors import AppError, Forbidden, RuleViolation, problem_responses

router = APIRouter(prefix="/v1/imports", tags=["imports"])


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


CSV = "text/csv"
CSV_TYPES = frozenset({CSV, "text/plain", "application/csv"})


class UnsupportedMediaType(AppError):
    status, title, slug = 415, _("Unsupported media type"), "unsupported-media-type"


async def _body(request: Request) -> bytes:
    """The file, read no further than one byte past the limit (the rule says it is too big)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > importing.MAX_BYTES:
            break
    return b"".join(chunks)


def _problem_fields(rows: list[RowProblem]) -> list[dict[str, Any]]:
    """The rows' problems as a Problem's `errors` (each with its line)."""
    return [row.model_dump() | {"type": "import_row"} for row in rows]


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": ImportReport, "description": "The dry run's report: nothing was written"},
    201: {"description": "Every row was imported"},
    **problem_responses(401, 403, 413, 415, 422),
}
_CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string", "format": "binary"},
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
    status_code=status.HTTP_201_CREATED,
    responses=_RESPONSES,
)
async def import_actors(
    request: Request,
    session: SessionDep,
    principal: Writer,
    response: Response,
    dry_run: Annotated[bool, Query(description="check only, write nothing")] = False,
) -> ImportReport:
    media_type = request.headers.get("content-type", CSV).split(";")[0].strip().lower()
    if media_type not in CSV_TYPES:
        raise UnsupportedMediaType(
            _(
                "The file is sent as {media_type}; send it as text/csv (UTF-8).",
                media_type=media_type,
            ),
            headers={"Accept-Post": CSV},
        )
    plan = await importing.plan_import(session, principal, await _body(request))
    report = ImportReport(
        dry_run=dry_run,
        valid=not plan.errors,
        rows=plan.rows,
        actors=len(plan.actors),
        services=plan.service_count,
        errors=[
            RowProblem(line=e.line, field=e.field, message=str(e.message)) for e in plan.errors
        ],
    )
    if not dry_run and any(e.forbidden for e in plan.errors):
        raise Forbidden(
            _(
                "Some rows describe actors outside your center's territory; nothing was imported. "
                "The rows are listed in `errors`."
            ),
            extra={"errors": _problem_fields(report.errors)},
        )
    if plan.errors and not dry_run:
        raise RuleViolation(
            _(
                "{count} problem(s) in the file; nothing was imported. "
                "Fix the rows listed in `errors` and send the file again.",
                count=len(plan.errors),
            ),
            title=_("Import refused"),
            extra={"errors": _problem_fields(report.errors)},
        )
    if dry_run:
        response.status_code = status.HTTP_200_OK
        return report
    result = await importing.apply_import(session, principal, plan)
    return report.model_copy(
        update={"actor_ids": [a.id for a in result.actors], "service_ids": result.service_ids}
    )
