from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select

from services.councils.access import sees_contacts
from services.councils.dependencies import (
    GuestChange,
    ManagedCouncil,
    PersonChange,
    RepresentativeChange,
    Writer,
)
from services.councils.models import Guest, Person, Representative
from services.councils.rules import people as rules
from services.councils.rules.common import get_council
from services.councils.schemas.councils import (
    GuestIn,
    GuestOut,
    GuestPatch,
    PersonIn,
    PersonOut,
    PersonPatch,
    RepresentativeIn,
    RepresentativeOut,
    RepresentativePatch,
)
from shared.auth import OptionalPrincipal
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import problem_responses
from shared.inputs import Day
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/councils/{council_id}", tags=["representatives"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)


# --- persons --------------------------------------------------------------------------------


@router.get("/persons", summary="Persons the council knows (contacts for its own people only)")
async def list_persons(
    council_id: uuid.UUID, session: SessionDep, principal: OptionalPrincipal, page: PageDep
) -> Page[PersonOut]:
    council = await get_council(session, council_id)
    statement = select(Person).where(Person.council_id == council_id)
    items, cursor = await paginate(session, statement, keys=[Person.name_hy, Person.id], page=page)
    show = sees_contacts(principal, council)
    return Page(items=[rules.person_out(p, show_personal=show) for p in items], next_cursor=cursor)


@router.get("/persons/{person_id}", response_model=PersonOut, responses=problem_responses(404))
async def get_person(
    council_id: uuid.UUID,
    person_id: uuid.UUID,
    session: SessionDep,
    principal: OptionalPrincipal,
    conditional: Reading,
) -> Response:
    council = await get_council(session, council_id)
    person = await rules.get_person(session, council_id, person_id)
    out = await rules.PERSONS.snapshot(session, person, full=sees_contacts(principal, council))
    return conditional.answer(out, vary=rules.PERSONS.vary)


@router.post("/persons", status_code=status.HTTP_201_CREATED, response_model=PersonOut,
             responses=WRITE_ERRORS)  # fmt: skip
async def create_person(
    body: PersonIn,
    council: ManagedCouncil,
    session: SessionDep,
    principal: Writer,
    conditional: Creating,
) -> Response:
    out = await rules.create_person(session, principal, council, body)
    location = f"/v1/councils/{council.id}/persons/{out.id}"
    return conditional.answer(out, status=201, location=location, vary=rules.PERSONS.vary)


@router.patch("/persons/{person_id}", response_model=PersonOut, responses=WRITE_ERRORS)
async def edit_person(
    body: PersonPatch,
    change: PersonChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_person(session, principal, change.row, change.before, body)
    return conditional.answer(out, vary=rules.PERSONS.vary)


# --- representatives ------------------------------------------------------------------------


@router.get("/representatives", summary="Who sits for whom: now, on a date, or ever")
async def list_representatives(
    council_id: uuid.UUID,
    session: SessionDep,
    principal: OptionalPrincipal,
    page: PageDep,
    member_id: uuid.UUID | None = None,
    on: Annotated[Day | None, Query(description="representatives sitting on this date")] = None,
    include_past: Annotated[bool, Query(description="also terms that have ended")] = False,
) -> Page[RepresentativeOut]:
    council = await get_council(session, council_id)
    statement = rules.representatives_query(
        council_id, member_id=member_id, on=on, include_past=include_past
    )
    items, cursor = await paginate(
        session, statement, keys=[Representative.term_start, Representative.id], page=page
    )
    views = await rules.representative_views(
        session, items, show_personal=sees_contacts(principal, council)
    )
    return Page(items=views, next_cursor=cursor)


@router.get(
    "/representatives/{representative_id}",
    response_model=RepresentativeOut,
    responses=problem_responses(404),
)
async def get_representative(
    council_id: uuid.UUID,
    representative_id: uuid.UUID,
    session: SessionDep,
    principal: OptionalPrincipal,
    conditional: Reading,
) -> Response:
    council = await get_council(session, council_id)
    rep = await rules.get_representative(session, council_id, representative_id)
    full = sees_contacts(principal, council)
    out = await rules.REPRESENTATIVES.snapshot(session, rep, full=full)
    return conditional.answer(out, vary=rules.REPRESENTATIVES.vary)


@router.post(
    "/representatives",
    status_code=status.HTTP_201_CREATED,
    response_model=RepresentativeOut,
    responses=WRITE_ERRORS,
    description=(
        "A principal takes a free seat of its member (409 when every seat is taken in that "
        "term: equal representation); a substitute names its principal. One person sits for "
        "one member at a time (409)."
    ),
)
async def appoint_representative(
    body: RepresentativeIn,
    council: ManagedCouncil,
    session: SessionDep,
    principal: Writer,
    conditional: Creating,
) -> Response:
    out = await rules.appoint(session, principal, council, body)
    location = f"/v1/councils/{council.id}/representatives/{out.id}"
    return conditional.answer(out, status=201, location=location, vary=rules.REPRESENTATIVES.vary)


@router.patch(
    "/representatives/{representative_id}",
    response_model=RepresentativeOut,
    responses=WRITE_ERRORS,
)
async def edit_representative(
    body: RepresentativePatch,
    council: ManagedCouncil,
    change: RepresentativeChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_representative(
        session, principal, council, change.row, change.before, body
    )
    return conditional.answer(out, vary=rules.REPRESENTATIVES.vary)


# --- guests -------------------------------------------------------------------------------


@router.get("/guests", summary="Guests without a vote")
async def list_guests(council_id: uuid.UUID, session: SessionDep, page: PageDep) -> Page[GuestOut]:
    await get_council(session, council_id)
    statement = select(Guest).where(Guest.council_id == council_id)
    items, cursor = await paginate(session, statement, keys=[Guest.starts_on, Guest.id], page=page)
    return Page(items=[rules.guest_out(g) for g in items], next_cursor=cursor)


@router.get("/guests/{guest_id}", response_model=GuestOut, responses=problem_responses(404))
async def get_guest(
    council_id: uuid.UUID, guest_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    guest = await rules.get_guest(session, council_id, guest_id)
    return conditional.answer(await rules.GUESTS.snapshot(session, guest))


@router.post("/guests", status_code=status.HTTP_201_CREATED, response_model=GuestOut,
             responses=WRITE_ERRORS)  # fmt: skip
async def invite_guest(
    body: GuestIn,
    council: ManagedCouncil,
    session: SessionDep,
    principal: Writer,
    conditional: Creating,
) -> Response:
    out = await rules.invite_guest(session, principal, council, body)
    return conditional.answer(
        out, status=201, location=f"/v1/councils/{council.id}/guests/{out.id}"
    )


@router.patch("/guests/{guest_id}", response_model=GuestOut, responses=WRITE_ERRORS)
async def edit_guest(
    body: GuestPatch,
    change: GuestChange,
    session: SessionDep,
    principal: Writer,
    conditional: Changing,
) -> Response:
    out = await rules.edit_guest(session, principal, change.row, change.before, body)
    return conditional.answer(out)
