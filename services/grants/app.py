import httpx
from fastapi import FastAPI

from services.grants.access import ADMIN, FEED_PUBLISHER
from services.grants.clients import make_registry
from services.grants.config import GrantsSettings
from services.grants.models import idempotency_keys, inbox_positions
from services.grants.routes import (
    applications,
    audit,
    calls,
    events,
    exports,
    finances,
    grants,
    plans,
    programmes,
    results,
    standards,
    totals,
)
from services.grants.rules.feed import apply_registry_event
from shared.app import create_service_app
from shared.auth import require_roles
from shared.inbox import Inbox

# Where the registry pushes its change feed (its SPN_REGISTRY_SUBSCRIBERS names this URL).
INBOX_PATH = "/v1/inbox/registry"


def create_app(
    settings: GrantsSettings | None = None,
    *,
    registry_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """`registry_transport`: how the registry is reached (tests pass an in-process one)."""
    settings = settings or GrantsSettings()
    registry = make_registry(
        settings.registry_url,
        timeout=settings.registry_timeout_seconds,
        transport=registry_transport,
    )
    # Recipients changed or deleted in the registry: pushed here, and read from its feed at
    # start and every feed_poll_seconds (shared.inbox).
    inbox = Inbox(
        source="registry",
        table=inbox_positions,
        handle=apply_registry_event,
        feed=registry.client,
        poll_seconds=settings.feed_poll_seconds,
    )

    async def start(app: FastAPI) -> None:
        app.state.registry = registry
        app.state.inbox = inbox
        await inbox.start(app.state.database)

    async def stop(app: FastAPI) -> None:
        await inbox.stop()
        await registry.client.aclose()

    return create_service_app(
        settings=settings,
        title="SPN grants",
        description=(
            "Local social plans drawn up with the community and their priorities, grant "
            "programmes, calls, applications and their assessment, and grants."
        ),
        routers=[
            plans.router,
            programmes.router,
            calls.router,
            applications.router,
            grants.router,
            finances.router,
            totals.router,
            exports.router,
            events.router,
            audit.router,
            results.router,
            standards.router,
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
