"""Open funding data: the 360Giving data package of every grant, a programme as IATI."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from services.grants.clients import RegistryDep
from services.grants.rules import exports as rules
from services.grants.rules import programmes
from shared.database import SessionDep
from shared.errors import problem_responses

router = APIRouter(prefix="/v1/exports", tags=["exports"])


@router.get(
    "/360giving",
    summary="Every grant as a 360Giving data package (JSON)",
    description="Streamed page by page, in bounded memory; field by field in docs/360giving.md. "
    "Public data only: recipients are organisations, beneficiaries are places, never persons.",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "A 360Giving JSON data package: `{grants: [...]}`",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **problem_responses(503),
    },
)
async def export_360giving(
    request: Request, session: SessionDep, registry: RegistryDep
) -> StreamingResponse:
    places = await rules.communities(session, registry)
    return StreamingResponse(
        rules.three_sixty_giving(request.app.state.database, places),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="spn-360giving.json"'},
    )


@router.get(
    "/iati/programmes/{programme_id}",
    summary="A grant programme as an IATI activity (XML)",
    description="Its budget, and its grants as transactions typed by IATI's code list: 2 "
    "commitment (an award), 3 disbursement (a tranche), 4 expenditure (a line reported). "
    "Streamed 500 grants at a time; field by field in docs/iati.md.",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "An `iati-activities` document with one `iati-activity`",
            "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
        },
        **problem_responses(404),
    },
)
async def export_iati_programme(
    programme_id: uuid.UUID, request: Request, session: SessionDep
) -> StreamingResponse:
    await programmes.get_programme(session, programme_id)
    return StreamingResponse(
        rules.iati_activity(request.app.state.database, programme_id),
        media_type="application/xml",
    )
