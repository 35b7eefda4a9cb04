from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from services.registry.rules import hsds as rules
from services.registry.rules import hsds_tabular
from services.registry.schemas.hsds import HsdsPackage
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.inputs import Moment

router = APIRouter(prefix="/v1", tags=["exports"])

PUBLIC_ONLY = (
    "Public data only, for every caller with or without a token: natural persons are never "
    "exported, nor the phones, e-mails and street addresses of individual entrepreneurs. "
)
STREAMED = (
    "Streamed as it is read (the first bytes come at once, whatever the registry's size); "
    "the filters are checked before the first byte. See docs/hsds.md."
)

Region = Annotated[
    str | None,
    Query(
        description="ISO 3166-2:AM code: only what is in, serves or is run from it, with the "
        "providers of its services",
        pattern=r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$",
    ),
]
ModifiedAfter = Annotated[
    Moment | None,
    Query(
        description="Only organisations and services changed at or after this moment "
        "(ISO 8601; without an offset it is read as UTC), as HSDA's filter of that name, "
        "with the providers of those services"
    ),
]

ZIP_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A zip archive: `datapackage.json` and one CSV file per HSDS table",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get(
    "/exports/hsds",
    summary="The registry as an Open Referral HSDS 3.0 document",
    description=(
        "Organisations (every actor but natural persons), their services, locations, service "
        "areas and SPN's two taxonomies, in the shape of Open Referral HSDS 3.0. "
        + PUBLIC_ONLY
        + STREAMED
    ),
    response_model=None,
    responses={
        200: {"model": HsdsPackage, "description": "The HSDS document"},
        **problem_responses(422),
    },
)
async def export_hsds(
    request: Request,
    session: SessionDep,
    region: Region = None,
    modified_after: ModifiedAfter = None,
) -> StreamingResponse:
    scope = await rules.check_scope(session, region=region, modified_after=modified_after)
    return StreamingResponse(
        rules.hsds_document(request.app.state.database, scope), media_type="application/json"
    )


@router.get(
    "/exports/hsds.zip",
    summary="The registry as HSDS 3.0's tabular data package (CSV files, datapackage.json)",
    description=(
        "The same records as `/v1/exports/hsds`, as HSDS's tabular form: one CSV file per table "
        "(organizations, services, locations, addresses, phones, ...) and a Frictionless "
        "`datapackage.json` describing their fields and keys, in one zip archive. "
        + PUBLIC_ONLY
        + STREAMED
    ),
    response_class=StreamingResponse,
    responses={**ZIP_RESPONSE, **problem_responses(422)},
)
async def export_hsds_package(
    request: Request,
    session: SessionDep,
    region: Region = None,
    modified_after: ModifiedAfter = None,
) -> StreamingResponse:
    scope = await rules.check_scope(session, region=region, modified_after=modified_after)
    return StreamingResponse(
        hsds_tabular.data_package(request.app.state.database, scope),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="spn-hsds.zip"'},
    )
