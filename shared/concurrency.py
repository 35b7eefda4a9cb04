"""ETags from row versions, and `If-Match` / `If-None-Match` on top of them."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request, Response
from pydantic import BaseModel

from shared.errors import PreconditionFailed


def etag_of(version: int | str) -> str:
    return f'"{version}"'


def _listed(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def check_if_match(request: Request, current: str) -> None:
    """412 when the caller's `If-Match` names a version other than the current one."""
    header = request.headers.get("if-match")
    if header is None:
        return
    tags = _listed(header)
    if "*" in tags or current in tags:
        return
    raise PreconditionFailed(
        f"The resource has changed since you read it (it is now at version {current}); "
        "read it again and repeat your change.",
        extra={"current_etag": current},
    )


def not_modified(request: Request, current: str) -> bool:
    header = request.headers.get("if-none-match")
    return header is not None and ("*" in _listed(header) or current in _listed(header))


def set_etag(response: Response, version: int | str) -> str:
    tag = etag_of(version)
    response.headers["ETag"] = tag
    return tag


Model = TypeVar("Model", bound=BaseModel)


def merge_patch(model: type[Model], current: BaseModel, patch: BaseModel, **fixed: Any) -> Model:
    """PATCH semantics: the stored representation with the fields the caller sent, checked as a
    whole by the create schema, so every rule holds after a partial change too. A rule the
    merged whole breaks is a 422 naming the field (see shared.errors)."""
    stored = current.model_dump(include=set(model.model_fields))
    return model.model_validate(stored | fixed | patch.model_dump(exclude_unset=True))
