"""Views composed from the backends: fetched in parallel within one total deadline.

A part whose backend fails, is open-circuited or misses the deadline is left empty and named
in `missing` (and the `X-SPN-Partial` header); the view still answers 200. Only the view's own
subject answering 404 makes the view a 404.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime
from decimal import Decimal
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
MAX_PAGES = 10
BATCH = 200  # the most ids a backend's batch read takes (`?ids=`, repeated `community_id`)
MAX_COUNCILS = 100  # the most councils councils' `GET /v1/sessions?council_ids=` takes
SCHEMA_KEY = "x-spn-schema"

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

    async def subject(self, name: str, backend: str, path: str, detail: Any) -> Json | None:
        """The view's own subject: a 404 is the view's 404; a failure leaves it missing."""
        try:
            async with asyncio.timeout(self._left()):
                status, body = await self.get(backend, path)
        except (UpstreamUnavailable, TimeoutError):
            self.missing.append(name)
            return None
        if status == 404:
            raise NotFound(detail)
        return body if status == 200 else None

    async def part(self, name: str, fetch: Awaitable[T]) -> T | None:
        """A part of the view, or None (and `name` missing) when its backend failed."""
        try:
            async with asyncio.timeout(self._left()):
                return await fetch
        except (UpstreamUnavailable, TimeoutError, ValueError, KeyError, TypeError):
            # No answer, too late, or not the JSON expected: the part is missing, not the view.
            self.missing.append(name)
            return None

    async def items(self, backend: str, path: str, **query: Any) -> list[Json]:
        """A list's items (up to `MAX_PAGES` pages of 200), or [] when nothing answers there."""
        found: list[Json] = []
        cursor = None
        for _page in range(MAX_PAGES):
            status, body = await self.get(backend, path, limit=200, cursor=cursor, **query)
            if status != 200 or not isinstance(body, dict):
                break
            found += body.get("items", [])
            cursor = body.get("next_cursor")
            if not cursor:
                break
        return found

    def answer(self, model: Partial) -> Response:
        missing = sorted(set(self.missing))
        model.partial = bool(missing)
        model.missing = missing
        headers = {PARTIAL_HEADER: ", ".join(missing)} if missing else {}
        return Response(model.model_dump_json(), media_type="application/json", headers=headers)


def part(description: str, schema: str) -> Any:
    """A field holding a backend's representation: `schema` ("registry:ActorOut") becomes a
    reference to that schema in the merged OpenAPI (services.gateway.openapi)."""
    return Field(description=description, json_schema_extra={SCHEMA_KEY: schema})


class Partial(BaseModel):
    partial: bool = Field(
        default=False, description="True when some parts could not be fetched in time"
    )
    missing: list[str] = Field(
        default_factory=list,
        description="The parts left empty because their service failed or was too slow",
    )


class FundingTotal(BaseModel):
    amount: str = Field(description="The sum of the grants' amounts, exact (a decimal)")
    currency: str


class ActorView(Partial):
    actor: Json | None = part("The actor's registry record", "registry:ActorOut")
    networks: list[Json] | None = part(
        "The networks the actor is a member of now", "registry:NetworkOut"
    )
    council_seats: list[Json] | None = part(
        "Its memberships, with their seats, in every council (coordinating and municipal)",
        "councils:CouncilMemberOut",
    )
    grants: list[Json] | None = part("The grants it received", "grants:GrantOut")


class CenterView(Partial):
    center: Json | None = part("The center", "registry:CenterOut")
    territory: list[Json] | None = part(
        "The communities of its service territory", "registry:CommunityOut"
    )
    networks: list[Json] | None = part("Its networks", "registry:NetworkOut")
    members: list[Json] | None = part("The members of its networks", "registry:MemberOut")
    councils: list[Json] | None = part("The councils of its networks", "councils:CouncilOut")
    next_sessions: list[Json] | None = part(
        "Its councils' sessions from now on, by start time", "councils:CouncilSessionOut"
    )
    grants: list[Json] | None = part("Grants in its territory", "grants:GrantOut")
    gaps: list[Json] | None = part(
        "What no active service of its territory covers", "registry:CommunityGaps"
    )


class CommunityView(Partial):
    community: Json | None = part("The community", "registry:CommunityOut")
    region: Json | None = part("Its region", "registry:RegionOut")
    centers: list[Json] | None = part("The centers whose territory has it", "registry:CenterOut")
    actors: list[Json] | None = part("Actors there", "registry:ActorOut")
    services: list[Json] | None = part("Services there", "registry:ServiceOut")
    gaps: list[Json] | None = part(
        "What no active service of its centers covers", "registry:CommunityGaps"
    )
    plans: list[Json] | None = part(
        "Its local social plans with their priorities", "grants:PlanOut"
    )
    grants: list[Json] | None = part("Grants in the community", "grants:GrantOut")
    funding: list[FundingTotal] | None = Field(description="The grants' amounts, per currency")
    councils: list[Json] | None = part(
        "Its councils and those of its centers' networks", "councils:CouncilOut"
    )
    next_sessions: list[Json] | None = part(
        "Those councils' sessions from now on, by start time", "councils:CouncilSessionOut"
    )


class SessionView(Partial):
    session: Json | None = part(
        "The session's full record: agenda, attendance, quorum, motions and results",
        "councils:CouncilSessionOut",
    )
    council: Json | None = part("Its council", "councils:CouncilOut")
    members: list[Json] | None = part(
        "The council's members (also those who have left since), with their seats",
        "councils:CouncilMemberOut",
    )
    actors: list[Json] | None = part(
        "The registry's record of every member that is an actor", "registry:ActorOut"
    )


class PriorityCoverage(BaseModel):
    priority: Json = part("The plan's priority", "grants:PriorityOut")
    served: bool = Field(description="Some active service there covers it")
    services: list[Json] | None = part(
        "Active services of the community in its categories or for its target groups",
        "registry:ServiceOut",
    )
    grants: list[Json] | None = part("Grants piloting it", "grants:GrantOut")


class PlanCoverage(Partial):
    plan: Json | None = part("The local social plan", "grants:PlanOut")
    priorities: list[PriorityCoverage] = Field(
        description="Each priority against the registry's active services in the community"
    )
    unserved: list[str] | None = Field(description="Ids of the priorities nobody serves")


VIEW_RESPONSES = problem_responses(404)


def funding(grants: list[Json]) -> list[FundingTotal]:
    totals: dict[str, Decimal] = {}
    for grant in grants:
        amount = grant.get("amount") or {}
        currency = amount.get("currency")
        if currency and amount.get("amount") is not None:
            totals[currency] = totals.get(currency, Decimal(0)) + Decimal(str(amount["amount"]))
    return [FundingTotal(amount=str(v), currency=k) for k, v in sorted(totals.items())]


@router.get(
    "/actors/{actor_id}",
    response_model=ActorView,
    responses=VIEW_RESPONSES,
    summary="An actor: its record, its networks, its council seats, the grants it received",
)
async def view_actor(actor_id: uuid.UUID, request: Request) -> Response:
    view = Composition(request)
    actor, nets, council_seats, grants = await asyncio.gather(
        view.subject(
            "actor",
            "registry",
            f"/v1/actors/{actor_id}",
            _("There is no actor {actor_id}.", actor_id=actor_id),
        ),
        view.part("networks", view.items("registry", "/v1/networks", actor_id=actor_id)),
        view.part(
            "council_seats", view.items("councils", "/v1/council-members", actor_id=actor_id)
        ),
        view.part("grants", view.items("grants", "/v1/grants", recipient_id=actor_id)),
    )
    return view.answer(
        ActorView(actor=actor, networks=nets, council_seats=council_seats, grants=grants)
    )


@router.get(
    "/centers/{center_id}",
    response_model=CenterView,
    responses=VIEW_RESPONSES,
    summary="A center: territory, networks and members, councils, grants, gaps",
)
async def view_center(center_id: uuid.UUID, request: Request) -> Response:
    view = Composition(request)
    center_path = f"/v1/centers/{center_id}"
    networks_ready: asyncio.Future[list[Json] | None] = asyncio.get_running_loop().create_future()

    async def networks() -> list[Json] | None:
        found = None
        try:
            found = await view.part(
                "networks", view.items("registry", "/v1/networks", center_id=center_id)
            )
        finally:
            networks_ready.set_result(found)
        return found

    async def of_networks(backend: str, path: str, query: str | None = None) -> list[Json]:
        """`path` (with `{id}`), or `path?query={id}`, for each of the center's networks."""
        found = await networks_ready
        if found is None:
            raise TimeoutError  # left missing, as the networks are
        pages = await asyncio.gather(
            *(
                view.items(backend, path.format(id=n["id"]), **({query: n["id"]} if query else {}))
                for n in found
            )
        )
        return [item for page in pages for item in page]

    councils_task = asyncio.create_task(
        view.part("councils", of_networks("councils", "/v1/councils", "network_id"))
    )
    center, nets, members, councils, sessions, gaps = await asyncio.gather(
        view.subject(
            "center",
            "registry",
            center_path,
            _("There is no center {center_id}.", center_id=center_id),
        ),
        networks(),
        view.part("members", of_networks("registry", "/v1/networks/{id}/members")),
        councils_task,
        view.part("next_sessions", next_sessions(view, councils_task)),
        view.part("gaps", view.items("registry", center_path + "/gaps")),
    )
    territory = grants = None
    if center is None:
        view.missing += ["territory", "grants"]
    else:
        ids = center.get("territory") or []

        async def grants_there() -> list[Json]:
            pages = await asyncio.gather(
                *(view.items("grants", "/v1/grants", community_id=batch)
                  for batch in batches(ids, BATCH))
            )  # fmt: skip
            return [grant for page in pages for grant in page]

        territory, grants = await asyncio.gather(
            view.part("territory", view.items("registry", "/v1/communities", ids=ids))
            if ids
            else _nothing(),
            view.part("grants", grants_there()),
        )
    return view.answer(
        CenterView(
            center=center,
            territory=territory,
            networks=nets,
            members=members,
            councils=councils,
            next_sessions=sessions,
            grants=grants,
            gaps=gaps,
        )
    )


async def _nothing() -> list[Json]:
    return []


def batches(ids: list[Any], size: int) -> list[list[Any]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


async def next_sessions(view: Composition, councils: Awaitable[list[Json] | None]) -> list[Json]:
    """The sessions of `councils` starting from now: one request per 100 councils."""
    found = await councils
    if found is None:
        raise TimeoutError  # left missing, as the councils are
    ids = [c["id"] for c in found]
    now = datetime.now(UTC).isoformat()
    pages = await asyncio.gather(
        *(view.items("councils", "/v1/sessions", council_ids=batch, **{"from": now})
          for batch in batches(ids, MAX_COUNCILS))
    )  # fmt: skip
    return sorted(
        (s for page in pages for s in page), key=lambda s: (s.get("starts_at") or "", s["id"])
    )


@router.get(
    "/communities/{community_id}",
    response_model=CommunityView,
    responses=VIEW_RESPONSES,
    summary="A community: region, centers, actors, services, gaps, plans, grants, councils",
)
async def view_community(community_id: uuid.UUID, request: Request) -> Response:
    view = Composition(request)
    # Each part starts as soon as what it needs has come, not when a whole round has.
    community_task = asyncio.create_task(
        view.subject(
            "community",
            "registry",
            f"/v1/communities/{community_id}",
            _("There is no community {community_id}.", community_id=community_id),
        )
    )
    centers_task = asyncio.create_task(
        view.part("centers", view.items("registry", "/v1/centers", community_id=community_id))
    )

    async def per_center(path: str, **query: str) -> list[Json]:
        centers = await centers_task
        if centers is None:
            raise TimeoutError  # left missing, as the centers are
        pages = await asyncio.gather(
            *(view.items("registry", path.format(id=c["id"]),
                         **{k: v.format(id=c["id"]) for k, v in query.items()})
              for c in centers)
        )  # fmt: skip
        return [item for page in pages for item in page]

    async def councils() -> list[Json]:
        async def of_networks() -> list[Json]:
            networks = await per_center("/v1/networks", center_id="{id}")
            pages = await asyncio.gather(
                *(view.items("councils", "/v1/councils", network_id=n["id"]) for n in networks)
            )
            return [c for page in pages for c in page]

        theirs, of_community = await asyncio.gather(
            of_networks(), view.items("councils", "/v1/councils", community_id=community_id)
        )
        return list({c["id"]: c for c in [*of_community, *theirs]}.values())

    councils_task = asyncio.create_task(view.part("councils", councils()))

    async def region() -> Json | None:
        community = await community_task
        if community is None:
            raise TimeoutError  # left missing, as the community is
        return await _json(view.get("registry", f"/v1/regions/{community['region_code']}"))

    (
        community,
        centers,
        gaps,
        region_,
        councils_,
        sessions,
        actors,
        services,
        plans,
        grants,
    ) = await asyncio.gather(
        community_task,
        centers_task,
        view.part("gaps", per_center("/v1/centers/{id}/gaps")),
        view.part("region", region()),
        councils_task,
        view.part("next_sessions", next_sessions(view, councils_task)),
        view.part("actors", view.items("registry", "/v1/actors", community_id=community_id)),
        view.part("services", view.items("registry", "/v1/services", community_id=community_id)),
        view.part("plans", view.items("grants", "/v1/plans", community_id=community_id)),
        view.part("grants", view.items("grants", "/v1/grants", community_id=community_id)),
    )
    return view.answer(
        CommunityView(
            community=community,
            region=region_,
            centers=centers,
            actors=actors,
            services=services,
            gaps=gaps,
            plans=plans,
            grants=grants,
            funding=funding(grants) if isinstance(grants, list) else None,
            councils=councils_,
            next_sessions=sessions,
        )
    )


@router.get(
    "/sessions/{session_id}",
    response_model=SessionView,
    responses=VIEW_RESPONSES,
    summary="A council session: agenda, attendance, quorum, motions, results, every actor named",
)
async def view_session(session_id: uuid.UUID, request: Request) -> Response:
    view = Composition(request)
    session = await view.subject(
        "session",
        "councils",
        f"/v1/sessions/{session_id}",
        _("There is no council session {session_id}.", session_id=session_id),
    )
    if session is None:
        view.missing += ["council", "members", "actors"]
        return view.answer(SessionView(session=None, council=None, members=None, actors=None))
    council_path = f"/v1/councils/{session['council_id']}"
    members_task = asyncio.create_task(
        view.part("members", view.items("councils", council_path + "/members", include_past="true"))
    )

    async def actors() -> list[Json]:
        members = await members_task
        if members is None:
            raise TimeoutError  # left missing, as the members are
        ids = sorted({m["actor_id"] for m in members if m.get("actor_id")})
        pages = await asyncio.gather(
            *(view.items("registry", "/v1/actors", ids=batch) for batch in batches(ids, BATCH))
        )
        return [actor for page in pages for actor in page]

    council, members, actors_ = await asyncio.gather(
        view.part("council", _json(view.get("councils", council_path))),
        members_task,
        view.part("actors", actors()),
    )
    return view.answer(
        SessionView(session=session, council=council, members=members, actors=actors_)
    )


def _serves(priority: Json, service: Json) -> bool:
    """A service covers a priority in one of its categories, for one of its target groups
    (each where the priority names any)."""
    categories = set(priority.get("service_categories") or [])
    groups = set(priority.get("target_groups") or [])
    if not categories and not groups:
        return False
    if categories and service.get("category_code") not in categories:
        return False
    return not groups or bool(groups & set(service.get("target_groups") or []))


@router.get(
    "/plans/{plan_id}/coverage",
    response_model=PlanCoverage,
    responses=VIEW_RESPONSES,
    summary="A plan's coverage: each priority against the active services and the grants",
)
async def view_plan_coverage(plan_id: uuid.UUID, request: Request) -> Response:
    view = Composition(request)
    plan, grants = await asyncio.gather(
        view.subject(
            "plan", "grants", f"/v1/plans/{plan_id}",
            _("There is no local social plan {plan_id}.", plan_id=plan_id),
        ),
        view.part("grants", view.items("grants", "/v1/grants", plan_id=plan_id)),
    )  # fmt: skip
    if plan is None:
        view.missing.append("services")
        return view.answer(PlanCoverage(plan=None, priorities=[], unserved=None))
    services = await view.part(
        "services",
        view.items("registry", "/v1/services", community_id=plan["community_id"], status="active"),
    )
    coverage = []
    for priority in plan.get("priorities", []):
        serving = None if services is None else [s for s in services if _serves(priority, s)]
        piloting = None if grants is None else [
            g for g in grants if g.get("priority_id") == priority["id"]
        ]  # fmt: skip
        coverage.append(
            PriorityCoverage(
                priority=priority, served=bool(serving), services=serving, grants=piloting
            )
        )
    unserved = None if services is None else [c.priority["id"] for c in coverage if not c.served]
    return view.answer(PlanCoverage(plan=plan, priorities=coverage, unserved=unserved))


async def _json(call: Awaitable[tuple[int, Any]]) -> Json | None:
    status, body = await call
    return body if status == 200 and isinstance(body, dict) else None
