"""Conditional requests from the representation the caller receives.

The ETag is a hash of the JSON bytes of the answer, so anything that changes what the caller
sees changes it: a derived field (a member count), hidden personal data, a child row. One
object, `Conditional`, does it for every route: it answers a representation with its ETag
(304 to a matching `If-None-Match`) and refuses a stale `If-Match` with 412. Concurrent
writers are still guarded by the row version in the database (`VersionedMixin`).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel

from shared.errors import PreconditionFailed
from shared.i18n import _

JSON = "application/json"


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def representation_bytes(model: BaseModel) -> bytes:
    """The JSON the caller receives, serialised once (pydantic-core, no re-validation)."""
    return model.__pydantic_serializer__.to_json(model)


def _listed(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


class Conditional:
    """The conditional headers of one request, and the answer that goes with them."""

    def __init__(
        self, request: Request, if_match: str | None = None, if_none_match: str | None = None
    ) -> None:
        self.request = request
        self.if_match = if_match
        self.if_none_match = if_none_match

    def check(self, current: BaseModel) -> None:
        """412 when `If-Match` names another representation than the current one."""
        if self.if_match is None:
            return
        tags = _listed(self.if_match)
        tag = etag_of(representation_bytes(current))
        if "*" in tags or tag in tags:
            return
        raise PreconditionFailed(
            _("The resource has changed since you read it; read it again and repeat your change."),
            extra={"current_etag": tag},
        )

    def answer(
        self,
        model: BaseModel,
        *,
        status: int = 200,
        location: str | None = None,
        vary: str | None = None,
    ) -> Response:
        """The representation with its ETag, or 304 when the caller already holds it."""
        body = representation_bytes(model)
        headers = {"ETag": etag_of(body)}
        if vary:
            headers["Vary"] = vary
        if location:
            headers["Location"] = location
        if self.if_none_match is not None and status == 200:
            tags = _listed(self.if_none_match)
            if "*" in tags or headers["ETag"] in tags:
                return Response(status_code=304, headers=headers)
        return Response(body, status_code=status, media_type=JSON, headers=headers)


_IF_MATCH = Header(
    alias="If-Match",
    description="The ETag you read: the change is refused (412) if the resource changed since.",
)
_IF_NONE_MATCH = Header(
    alias="If-None-Match",
    description="The ETag you hold: answered 304 with no body if it is still current.",
)


async def _reading(
    request: Request, if_none_match: Annotated[str | None, _IF_NONE_MATCH] = None
) -> Conditional:
    return Conditional(request, if_none_match=if_none_match)


async def _changing(
    request: Request, if_match: Annotated[str | None, _IF_MATCH] = None
) -> Conditional:
    return Conditional(request, if_match=if_match)


async def _creating(request: Request) -> Conditional:
    return Conditional(request)


# A GET of one resource; a PATCH, PUT, DELETE or action on one; a POST that creates one.
Reading = Annotated[Conditional, Depends(_reading)]
Changing = Annotated[Conditional, Depends(_changing)]
Creating = Annotated[Conditional, Depends(_creating)]


Model = TypeVar("Model", bound=BaseModel)


def merge_patch(model: type[Model], current: BaseModel, patch: BaseModel, **fixed: Any) -> Model:
    """PATCH semantics: the stored representation with the fields the caller sent, checked as a
    whole by the create schema, so every rule holds after a partial change too. A rule the
    merged whole breaks is a 422 naming the field (see shared.errors)."""
    stored = current.model_dump(include=set(model.model_fields))
    return model.model_validate(stored | fixed | patch.model_dump(exclude_unset=True))
