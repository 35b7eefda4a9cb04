from fastapi import FastAPI

from services.registry.config import RegistrySettings
from services.registry.models import idempotency_keys, outbox
from services.registry.routes import (
    actors,
    audit,
    centers,
    events,
    exchange,
    hsda,
    imports,
    map,
    networks,
    programmes,
    reference,
    search,
    services,
    territories,
)
from shared.app import create_service_app
from shared.auth import mint_token
from shared.outbox import Dispatcher


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()

    def credentials() -> dict[str, str]:
        token = settings.subscriber_token or mint_token(
            settings.auth, subject="registry", roles=["feed_publisher"], ttl_seconds=300
        )
        return {"Authorization": f"Bearer {token}"}

    async def start_dispatcher(app: FastAPI) -> None:
        app.state.dispatcher = Dispatcher(
            app.state.database,
            outbox,
            settings.subscribers,
            caller="registry",
            poll_interval=settings.outbox_poll_seconds,
            credentials=credentials,
        )
        await app.state.dispatcher.start()

    async def stop_dispatcher(app: FastAPI) -> None:
        await app.state.dispatcher.stop()

    return create_service_app(
        settings=settings,
        title="SPN registry",
        description=(
            "Territories, integrated social services territorial centers, actors, "
            "their services and programmes, and local social cooperation networks."
        ),
        routers=[
            territories.router,
            centers.router,
            actors.router,
            services.router,
            programmes.router,
            search.router,
            exchange.router,
            hsda.router,
            imports.router,
            networks.router,
            map.router,
            events.router,
            reference.router,
            audit.router,
        ],
        idempotency=idempotency_keys,
        on_startup=[start_dispatcher],
        on_shutdown=[stop_dispatcher],
    )
