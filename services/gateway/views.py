"""Views composed from the backends: fetched in parallel within one total deadline.

A part whose backend fails, is open-circuited or misses the deadline is left empty and named
in `missing` (and the `X-SPN-Partial` header); the view still answers 200. Only the view's own
subject answering 404 makes the view a 404.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from services.gateway.backends import Backend
from services.gateway.config import GatewaySettings
from services.gateway.messages import _
from shared.errors import NotFound, problem_responses
from shared.http import UpstreamUnavailable
from shared.logs import request_id_var

T = TypeVar("T")
PARTIAL_HEADER = "X-SPN-Partial"
Json = dict[str, Any]

router = APIRouter(prefix="/v1/views", tags=["views"])


class Composition:
    """One view being put together: the caller's headers, one deadline, what went missing."""

    def __init__(self, request: Request) -> None:
        settings: GatewaySettings = request.app.state.settings
        self.backends: dict[str, Backend] = request.app.state.edge.backends
        self.deadline = settings.view_deadline_seconds
        loop = asyncio.get_running_loop()
        self.ends_at = loop.time() + self.deadline
        self.headers = {"X-SPN-Caller": "gateway", "Accept": "application/json"}
        for name in ("authorization", "accept-language"):
            if value := request.headers.get(name):
                self.headers[name] = value
        if request_id := request_id_var.get():
            self.headers["X-Request-ID"] = request_id
        self.missing: list[str] = []

    def _left(self) -> float:
        return max(0.0, self.ends_at - asyncio.get_running_loop().time())

    async def get(self, backend: str, path: str, **query: Any) -> tuple[int, Any]:
        params = {k: v for k, v in query.items() if v is not None}
        if params:
            path += "?" + urlencode(params, doseq=True)
        return await self.backends[backend].get_json(
            path, headers=self.headers, deadline=self._left()
        )

    async def subject(self, backend: str, path: str, detail: Any) -> Json | None:
        """The view's own subject: a 404 is the view's 404; a failure leaves it missing."""
        try:
            status, body = await self.get(backend, path)
        except (UpstreamUnavailable, TimeoutError):
            self.missing.append(path.split("/")[2].rstrip("s") or path)
            return None
        if status == 404:
            raise NotFound(detail)
        return body if status == 200 else None

    async def part(self, name: str, fetch: Awaitable[T]) -> T | None:
        """A part of the view, or None (and `name` missing) when its backend failed."""
        try:
            async with asyncio.timeout(self._left()):
                return await fetch
        except (UpstreamUnavailable, TimeoutError):
            self.missing.append(name)
            return None

    async def items(self, backend: str, path: str, **query: Any) -> list[Json]:
        """A list's items (its first page, up to 200), or [] when nothing answers there."""
        status, body = await self.get(backend, path, limit=200, **query)
        if status != 200 or not isinstance(body, dict):
            return []
        return list(body.get("items", []))

    def answer(self, model: Partial) -> Response:
        missing = sorted(set(self.missing))
        model.partial = bool(missing)
        model.missing = missing
        headers = {PARTIAL_HEADER: ", ".join(missing)} if missing else {}
        return Response(model.model_dump_json(), media_type="application/json", headers=headers)


class Partial(BaseModel):
    partial: bool = Field(
        default=False, description="True when some parts could not be fetched in time"
    )
    missing: list[str] = Field(
        default_factory=list,
        description="The parts left empty because their service failed or was too slow",
    )


class ActorView(Partial):
    actor: Json | None = Field(description="The actor's registry record (the registry's ActorOut)")
    networks: list[Json] | None = Field(
        description="The networks the actor is a member of (the registry's NetworkOut)"
    )


class CenterView(Partial):
    center: Json | None = Field(description="The center (the registry's CenterOut)")
    territory: list[Json] | None = Field(
        description="The communities of its service territory (CommunityOut)"
    )
    networks: list[Json] | None = Field(description="Its networks (NetworkOut)")
    members: list[Json] | None = Field(description="The members of its networks (MemberOut)")
    gaps: list[Json] | None = Field(description="What no active service of its territory covers")


class CommunityView(Partial):
    community: Json | None = Field(description="The community (CommunityOut)")
    region: Json | None = Field(description="Its region (RegionOut)")
    centers: list[Json] | None = Field(description="The centers whose territory has it")
    actors: list[Json] | None = Field(description="Actors there (first 200, ActorOut)")
    services: list[Json] | None = Field(description="Services there (first 200, ServiceOut)")
    gaps: list[Json] | None = Field(description="What no active service of its centers covers")


VIEW_RESPONSES = problem_responses(404)


@router.get(
    "/actors/{actor_id}",
    response_model=ActorView,
    responses=VIEW_RESPONSES,
    summary="An actor: its record, its networks, composed from every service",
)
async def view_actor(actor_id: uuid.UUID, request: Request) -> Response:
    view = Composition(request)
    actor, networks = await asyncio.gather(
        view.subject(
            "registry",
            f"/v1/actors/{actor_id}",
            _("There is no actor {actor_id}.", actor_id=actor_id),
        ),
        view.part("networks", view.items("registry", "/v1/networks", actor_id=actor_id)),
    )
    return view.answer(ActorView(actor=actor, networks=networks))


@router.get(
    "/centers/{center_id}",
    response_model=CenterView,
    responses=VIEW_RESPONSES,
    summary="A center: territory, networks and members, gaps",
)
async def view_center(center_id: uuid.UUID, request: Request) -> Response:
    view = Composition(request)

    async def networks_and_members() -> tuple[list[Json], list[Json]]:
        networks = await view.items("registry", "/v1/networks", center_id=center_id)
        pages = await asyncio.gather(
            *(view.items("registry", f"/v1/networks/{n['id']}/members") for n in networks)
        )
        return networks, [member for page in pages for member in page]

    center, both, gaps = await asyncio.gather(
        view.subject(
            "registry",
            f"/v1/centers/{center_id}",
            _("There is no center {center_id}.", center_id=center_id),
        ),
        view.part("networks", networks_and_members()),
        view.part("gaps", view.items("registry", f"/v1/centers/{center_id}/gaps")),
    )
    territory = None
    if center is not None and center.get("territory"):
        territory = await view.part(
            "territory", view.items("registry", "/v1/communities", ids=center["territory"])
        )
    elif center is not None:
        territory = []
    else:
        view.missing.append("territory")
    networks, members = both if both is not None else (None, None)
    if both is None:
        view.missing.append("members")
    return view.answer(
        CenterView(
            center=center, territory=territory, networks=networks, members=members, gaps=gaps
        )
    )


@router.get(
    "/communities/{community_id}",
    response_model=CommunityView,
    responses=VIEW_RESPONSES,
    summary="A community: region, centers, actors and services there, gaps",
)
async def view_community(community_id: uuid.UUID, request: Request) -> Response:
    view = Composition(request)

    async def centers_and_gaps() -> tuple[list[Json], list[Json]]:
        centers = await view.items("registry", "/v1/centers", community_id=community_id)
        pages = await asyncio.gather(
            *(view.items("registry", f"/v1/centers/{c['id']}/gaps") for c in centers)
        )
        return centers, [gap for page in pages for gap in page]

    community, both, actors, services = await asyncio.gather(
        view.subject(
            "registry",
            f"/v1/communities/{community_id}",
            _("There is no community {community_id}.", community_id=community_id),
        ),
        view.part("centers", centers_and_gaps()),
        view.part("actors", view.items("registry", "/v1/actors", community_id=community_id)),
        view.part("services", view.items("registry", "/v1/services", community_id=community_id)),
    )
    region = None
    if community is not None:
        region = await view.part(
            "region", _json(view.get("registry", f"/v1/regions/{community['region_code']}"))
        )
    else:
        view.missing.append("region")
    centers, gaps = both if both is not None else (None, None)
    if both is None:
        view.missing.append("gaps")
    return view.answer(
        CommunityView(
            community=community,
            region=region,
            centers=centers,
            actors=actors,
            services=services,
            gaps=gaps,
        )
    )


async def _json(call: Awaitable[tuple[int, Any]]) -> Json | None:
    status, body = await call
    return body if status == 200 and isinstance(body, dict) else None
