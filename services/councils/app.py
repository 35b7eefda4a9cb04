from fastapi import FastAPI

from services.councils.config import CouncilsSettings
from services.councils.models import idempotency_keys
from shared.app import create_service_app


def create_app(settings: CouncilsSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or CouncilsSettings(),
        title="SPN councils",
        description=(
            "Coordinating councils of local social cooperation networks: seats, "
            "bylaws, sessions, votes and minutes."
        ),
        routers=[],
        idempotency=idempotency_keys,
    )
