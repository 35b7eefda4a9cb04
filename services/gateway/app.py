from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel

from services.gateway.clients import Backends, BackendStatus
from services.gateway.config import GatewaySettings
from shared.app import create_service_app
from shared.http import ServiceClient

router = APIRouter(prefix="/v1", tags=["status"])


class SystemStatus(BaseModel):
    status: Literal["ok", "degraded"]
    services: dict[str, BackendStatus]


@router.get("/status", summary="Whether each backend service is up")
async def system_status(request: Request) -> SystemStatus:
    settings: GatewaySettings = request.app.state.settings
    backends: Backends = request.app.state.backends
    services = await backends.statuses(settings.status_deadline_seconds)
    healthy = all(s.status == "up" for s in services.values())
    return SystemStatus(status="ok" if healthy else "degraded", services=services)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    async def open_clients(app: FastAPI) -> None:
        app.state.backends = Backends(
            {
                name: ServiceClient(url, caller="gateway", retries=0)
                for name, url in settings.backends().items()
            }
        )

    async def close_clients(app: FastAPI) -> None:
        await app.state.backends.aclose()

    return create_service_app(
        settings=settings,
        title="SPN gateway",
        description="The one front door of SPN for mobile apps and municipal systems.",
        routers=[router],
        on_startup=[open_clients],
        on_shutdown=[close_clients],
    )
