from fastapi import FastAPI

from services.grants.config import GrantsSettings
from services.grants.models import idempotency_keys
from shared.app import create_service_app


def create_app(settings: GrantsSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or GrantsSettings(),
        title="SPN grants",
        description=(
            "Local social plans and their priorities, grant programmes, grants, "
            "disbursements and open funding data."
        ),
        routers=[],
        idempotency=idempotency_keys,
    )
