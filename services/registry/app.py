from fastapi import FastAPI

from services.registry.config import RegistrySettings
from services.registry.models import idempotency_keys
from services.registry.routes import (
    actors,
    audit,
    centers,
    exchange,
    programmes,
    reference,
    search,
    services,
    territories,
)
from shared.app import create_service_app


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or RegistrySettings(),
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
            reference.router,
            audit.router,
        ],
        idempotency=idempotency_keys,
    )
