"""Open funding data: the 360Giving data package of every grant."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from services.grants.clients import RegistryDep
from services.grants.rules import exports as rules
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
