"""The two schema shapes every resource shares: its representation's bookkeeping fields, and a
PATCH body derived from the create body."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model


class Resource(BaseModel):
    """What every resource representation carries: its id, its version, and when it was created
    and last changed (`updated_at >= created_at`, both set by the database layer)."""

    id: uuid.UUID
    version: int = Field(description="Moves on every change of the resource")
    created_at: datetime
    updated_at: datetime


def patch_of(model: type[BaseModel], *, name: str, exclude: tuple[str, ...] = ()) -> Any:
    """A PATCH body with every field of `model` optional, each keeping its constraints: a
    field sent is checked as on create, one left out keeps its stored value, and the merged
    whole is checked again by `model` (see `shared.concurrency.merge_patch`)."""
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        if field_name in exclude:
            continue
        constrained: Any = info.annotation
        if info.metadata:
            constrained = Annotated[constrained, *info.metadata]
        fields[field_name] = (
            constrained | None,
            Field(default=None, description=info.description, examples=info.examples),
        )
    patch: Any = create_model(
        name,
        __config__=ConfigDict(extra="forbid"),
        __doc__=f"Fields of {model.__name__} to change; the others keep their values.",
        **fields,
    )
    return patch
