import httpx
from fastapi import FastAPI

from services.councils.access import ADMIN, FEED_PUBLISHER
from services.councils.clients import Registry
from services.councils.config import CouncilsSettings
from services.councils.live import SessionStreams
from services.councils.models import idempotency_keys, inbox_positions
from services.councils.routes import (
    audit,
    bylaws,
    councils,
    events,
    live,
    minutes,
    people,
    sessions,
    working_groups,
)
from services.councils.rules.feed import apply_registry_event
from shared.app import create_service_app
from shared.auth import require_roles
from shared.http import ServiceClient
from shared.inbox import Inbox

# Where the registry pushes its change feed (its SPN_REGISTRY_SUBSCRIBERS names this URL).
INBOX_PATH = "/v1/inbox/registry"


def create_app(
    settings: CouncilsSettings | None = None,
    *,
    registry_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """`registry_transport`: how the registry is reached (tests give one; HTTP otherwise)."""
    settings = settings or CouncilsSettings()
    client = ServiceClient(settings.registry_url, caller="councils", transport=registry_transport)
    inbox = Inbox(
        source="registry",
        table=inbox_positions,
        handle=apply_registry_event,
        feed=client if settings.feed_catch_up else None,
        poll_seconds=settings.feed_poll_seconds,
    )

    async def start(app: FastAPI) -> None:
        app.state.registry = Registry(client)
        app.state.inbox = inbox
        await inbox.start(app.state.database)
        app.state.session_streams = SessionStreams(app.state.database)

    async def stop(app: FastAPI) -> None:
        await inbox.stop()
        await app.state.session_streams.stop()
        await client.aclose()

    return create_service_app(
        settings=settings,
        title="SPN councils",
        description=(
            "Coordinating councils of local social cooperation networks and municipal social "
            "councils: members and their equal seats, representatives, guests, bylaws the "
            "council adopts, working groups. Seats follow the network through the registry's "
            "change feed."
        ),
        routers=[
            councils.router,
            councils.seats_router,
            people.router,
            bylaws.router,
            bylaws.in_force_router,
            working_groups.router,
            sessions.council_router,
            sessions.router,
            minutes.router,
            live.router,
            events.router,
            audit.router,
            # Service to service: the registry pushes its events here with a feed_publisher
            # (or admin) token; not part of the public API.
            inbox.router(
                INBOX_PATH,
                dependencies=[require_roles(ADMIN, FEED_PUBLISHER)],
                include_in_schema=False,
            ),
        ],
        idempotency=idempotency_keys,
        on_startup=[start],
        on_shutdown=[stop],
    )
