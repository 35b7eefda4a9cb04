from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.registry.dependencies import ActorChange, Writer
from services.registry.models import Actor
from services.registry.reference import ActorKind, LegalForm
from services.registry.rules import actors as rules
from services.registry.schemas.actors import ActorIn, ActorOut, ActorPatch
from services.registry.schemas.common import RegionCode
from shared.auth import OptionalPrincipal
from shared.concurrency import Changing, Creating, Reading
from shared.database import ReadConnection, SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/actors", tags=["actors"])


@router.get("", summary="Actors: bodies, organisations, entrepreneurs and persons")
async def list_actors(
    session: SessionDep,
    principal: OptionalPrincipal,
    page: PageDep,
    kind: ActorKind | None = None,
    legal_form: LegalForm | None = None,
    region: Annotated[RegionCode, Query(description="ISO 3166-2:AM code")] = None,
    community_id: Annotated[
        uuid.UUID | None, Query(description="located or operating in this community")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="words of a name")] = None,
    ids: Annotated[
        list[uuid.UUID] | None,
        Query(max_length=200, description="only these actors (a batch read)"),
    ] = None,
) -> Page[ActorOut]:
    statement = rules.actors_query(
        kind=kind,
        legal_form=legal_form,
        region=region,
        community_id=community_id,
        q=q,
        ids=ids,
        rows=True,
    )
    rows, cursor = await paginate(
        session, statement, keys=[Actor.name_hy, Actor.id], page=page, scalars=False
    )
    items = await rules.actor_views(session, rows, show_personal=principal is not None)
    return Page(items=items, next_cursor=cursor)


@router.get("/{actor_id}", response_model=ActorOut, responses=problem_responses(404))
async def get_actor(
    actor_id: uuid.UUID,
    connection: ReadConnection,
    principal: OptionalPrincipal,
    conditional: Reading,
) -> Response:
    out = await rules.read_actor(connection, actor_id, show_personal=principal is not None)
    return conditional.answer(out, vary=rules.ACTORS.vary)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ActorOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_actor(
    body: ActorIn, session: SessionDep, principal: Writer, conditional: Creating
) -> Response:
    out = await rules.create_actor(session, principal, body)
    return conditional.answer(out, status=201, location=f"/v1/actors/{out.id}")


@router.patch(
    "/{actor_id}",
    response_model=ActorOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def edit_actor(
    body: ActorPatch,
    change: ActorChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_actor(session, principal, change.row, change.before, body)
    return conditional.answer(out)


@router.delete(
    "/{actor_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def delete_actor(change: ActorChange, session: SessionDep, principal: Writer) -> None:
    await rules.remove_actor(session, principal, change.row, change.before)
