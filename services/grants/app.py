import httpx
from fastapi import FastAPI

from services.grants.clients import make_registry
from services.grants.config import GrantsSettings
from services.grants.models import idempotency_keys
from services.grants.routes import applications, calls, grants, plans, programmes
from shared.app import create_service_app


def create_app(
    settings: GrantsSettings | None = None,
    *,
    registry_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """`registry_transport`: how the registry is reached (tests pass an in-process one)."""
    settings = settings or GrantsSettings()

    async def connect_registry(app: FastAPI) -> None:
        app.state.registry = make_registry(
            settings.registry_url,
            timeout=settings.registry_timeout_seconds,
            transport=registry_transport,
        )

    async def close_registry(app: FastAPI) -> None:
        await app.state.registry.client.aclose()

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
        ],
        idempotency=idempotency_keys,
        on_startup=[connect_registry],
        on_shutdown=[close_registry],
    )
