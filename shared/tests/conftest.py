"""A small resource (notes) built only from `shared` parts, to test them without a domain."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.app import create_service_app
from shared.auth import CurrentPrincipal, OptionalPrincipal, Principal, Role, require_roles
from shared.concurrency import Changing, Creating, Reading
from shared.database import IdMixin, SessionDep, TimestampMixin, VersionedMixin, make_metadata
from shared.errors import NotFound
from shared.idempotency import idempotency_table
from shared.journal import Journal, audit_table
from shared.pagination import Page, PageDep, paginate
from shared.settings import DataServiceSettings


class Base(DeclarativeBase):
    metadata = make_metadata()


class Note(IdMixin, VersionedMixin, TimestampMixin, Base):
    __tablename__ = "notes"
    text: Mapped[str] = mapped_column(String(200))


idempotency_keys = idempotency_table(Base.metadata)
ADMIN = Role("admin")


class NoteIn(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=200)]


class NoteOut(BaseModel):
    id: uuid.UUID
    text: str
    version: int
    created_at: datetime
    updated_at: datetime


async def _note_out(session: AsyncSession, note: Note, full: bool) -> NoteOut:
    return NoteOut.model_validate(note, from_attributes=True)


journal = Journal(audit_table(Base.metadata))
NOTES = journal.resource("note", _note_out, publish=False)


router = APIRouter(prefix="/v1/notes")
# Lets a test hold a POST open, to send a concurrent duplicate meanwhile.
gate: dict[str, asyncio.Event] = {}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=NoteOut)
async def create_note(
    body: NoteIn, session: SessionDep, principal: OptionalPrincipal, conditional: Creating
) -> Response:
    if body.text in gate:
        await gate[body.text].wait()
    note = Note(text=body.text)
    session.add(note)
    author = principal or Principal(subject="anonymous")
    out = await NOTES.created(session, author, note)
    return conditional.answer(out, status=201, location=f"/v1/notes/{note.id}")


@router.get("")
async def list_notes(session: SessionDep, page: PageDep) -> Page[NoteOut]:
    notes, cursor = await paginate(session, select(Note), keys=[Note.text, Note.id], page=page)
    return Page(items=[NoteOut.model_validate(n, from_attributes=True) for n in notes],
                next_cursor=cursor)  # fmt: skip


async def _note(session: AsyncSession, note_id: uuid.UUID) -> Note:
    note = await session.get(Note, note_id)
    if note is None:
        raise NotFound(f"There is no note {note_id}.")
    return note


@router.get("/{note_id}", response_model=NoteOut)
async def get_note(note_id: uuid.UUID, session: SessionDep, conditional: Reading) -> Response:
    note = await _note(session, note_id)
    return conditional.answer(await NOTES.snapshot(session, note))


@router.patch("/{note_id}", response_model=NoteOut)
async def edit_note(
    note_id: uuid.UUID,
    body: NoteIn,
    session: SessionDep,
    principal: Annotated[Principal, require_roles(ADMIN)],
    conditional: Changing,
) -> Response:
    note = await _note(session, note_id)
    before = await NOTES.snapshot(session, note)
    conditional.check(before)
    note.text = body.text
    out = await NOTES.updated(session, principal, note, before)
    return conditional.answer(out)


@router.get("/-/me")
async def whoami(principal: CurrentPrincipal) -> dict[str, object]:
    return {"subject": principal.subject, "roles": sorted(principal.roles)}


@router.get("/-/boom")
async def boom() -> None:
    raise RuntimeError("secret internals: password=hunter2")


class NotesSettings(DataServiceSettings):
    service_name: str = "notes"


def notes_app(database_url: str, *, create_tables: bool = True) -> FastAPI:
    async def make_tables(app: FastAPI) -> None:
        async with app.state.database.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)

    return create_service_app(
        settings=NotesSettings(database_url=database_url),
        title="notes",
        description="shared/ test app",
        routers=[router],
        idempotency=idempotency_keys,
        on_startup=[make_tables] if create_tables else [],
    )


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    app = notes_app(f"sqlite+aiosqlite:///{tmp_path / 'notes.db'}")
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
