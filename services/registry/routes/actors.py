from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from services.registry import events
from services.registry.access import WRITERS
from services.registry.audit import record
from services.registry.models import Actor
from services.registry.reference import ActorKind, LegalForm
from services.registry.rules import actors as rules
from services.registry.schemas.actors import ActorIn, ActorOut, ActorPatch
from shared.auth import OptionalPrincipal, Principal, require_roles
from shared.concurrency import check_if_match, etag_of, merge_patch, not_modified, set_etag
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/actors", tags=["actors"])
WriterDep = Annotated[Principal, require_roles(*WRITERS)]


@router.get("", summary="Actors: bodies, organisations, entrepreneurs and persons")
async def list_actors(
    session: SessionDep,
    principal: OptionalPrincipal,
    page: PageDep,
    kind: ActorKind | None = None,
    legal_form: LegalForm | None = None,
    region: Annotated[str | None, Query(description="ISO 3166-2:AM code")] = None,
    community_id: Annotated[
        uuid.UUID | None, Query(description="located or operating in this community")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="words of a name")] = None,
) -> Page[ActorOut]:
    statement = rules.actors_query(
        kind=kind, legal_form=legal_form, region=region, community_id=community_id, q=q, rows=True
    )
    rows, cursor = await paginate(
        session, statement, keys=[Actor.name_hy, Actor.id], page=page, scalars=False
    )
    items = await rules.actor_views(session, rows, show_personal=principal is not None)
    return Page(items=items, next_cursor=cursor)


@router.get("/{actor_id}", response_model=ActorOut, responses=problem_responses(404))
async def get_actor(
    actor_id: uuid.UUID,
    session: SessionDep,
    principal: OptionalPrincipal,
    request: Request,
    response: Response,
) -> Any:
    actor = await rules.read_actor(session, actor_id, show_personal=principal is not None)
    if not_modified(request, etag_of(actor.version)):
        return Response(status_code=304)
    set_etag(response, actor.version)
    return actor


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses=problem_responses(401, 403, 409, 422)
)
async def create_actor(
    body: ActorIn, session: SessionDep, principal: WriterDep, response: Response
) -> ActorOut:
    await rules.ensure_may_write(session, principal, None, body)
    actor = await rules.save_actor(session, body)
    out = rules.actor_out(actor, show_personal=True)
    record(session, principal, action="create", resource_type="actor", resource_id=actor.id,
           after=out.model_dump(mode="json"))  # fmt: skip
    await events.publish_actor(session, events.ACTOR_CREATED, actor)
    set_etag(response, actor.version)
    response.headers["Location"] = f"/v1/actors/{actor.id}"
    return out


@router.patch("/{actor_id}", responses=problem_responses(401, 403, 404, 409, 412, 422))
async def edit_actor(
    actor_id: uuid.UUID,
    body: ActorPatch,
    session: SessionDep,
    principal: WriterDep,
    request: Request,
    response: Response,
) -> ActorOut:
    actor = await rules.get_actor(session, actor_id)
    check_if_match(request, etag_of(actor.version))
    before = rules.actor_out(actor, show_personal=True)
    merged = merge_patch(ActorIn, before, body)
    await rules.ensure_may_write(session, principal, actor, merged)
    actor = await rules.save_actor(session, merged, actor)
    after = rules.actor_out(actor, show_personal=True)
    record(session, principal, action="update", resource_type="actor", resource_id=actor.id,
           before=before.model_dump(mode="json"), after=after.model_dump(mode="json"))  # fmt: skip
    await events.publish_actor(session, events.ACTOR_UPDATED, actor)
    set_etag(response, actor.version)
    return after


@router.delete(
    "/{actor_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def delete_actor(
    actor_id: uuid.UUID, session: SessionDep, principal: WriterDep, request: Request
) -> None:
    actor = await rules.get_actor(session, actor_id)
    check_if_match(request, etag_of(actor.version))
    await rules.ensure_may_write(session, principal, actor, None)
    before = rules.actor_out(actor, show_personal=True)
    await rules.delete_actor(session, actor)
    record(session, principal, action="delete", resource_type="actor", resource_id=actor_id,
           before=before.model_dump(mode="json"))  # fmt: skip
    await events.publish(session, events.ACTOR_DELETED, resource_type="actor",
                         resource_id=actor_id, data=None, stream_id=actor_id)  # fmt: skip
