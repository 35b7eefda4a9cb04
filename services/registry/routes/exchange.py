from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.registry.rules import hsds as rules
from services.registry.schemas.hsds import HsdsPackage
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.inputs import Moment

router = APIRouter(prefix="/v1", tags=["exports"])


@router.get(
    "/exports/hsds",
    summary="The registry as an Open Referral HSDS 3.0 data package",
    description=(
        "Organisations (every actor but natural persons), their services, locations, service "
        "areas and SPN's two taxonomies, in the shape of Open Referral HSDS 3.0. Open to "
        "anonymous callers: natural persons are never exported, nor the phones and e-mails "
        "of individual entrepreneurs. See docs/hsds.md for the mapping."
    ),
    response_model_exclude_none=True,
    responses=problem_responses(422),
)
async def export_hsds(
    session: SessionDep,
    region: Annotated[
        str | None,
        Query(description="ISO 3166-2:AM code: only what is in, serves or is run from it"),
    ] = None,
    modified_after: Annotated[
        Moment | None,
        Query(
            description="Only organisations and services changed at or after this moment "
            "(ISO 8601; without an offset it is read as UTC), as HSDA's filter of that name"
        ),
    ] = None,
) -> HsdsPackage:
    return await rules.export_hsds(session, region=region, modified_after=modified_after)
