"""The one way a service app is put together: lifespan, error model, auth, observability."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Table
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from shared.auth import TokenVerifier
from shared.database import Database
from shared.errors import install_error_handlers, problem_response
from shared.i18n import LocaleMiddleware, _
from shared.idempotency import IdempotencyMiddleware
from shared.inputs import UnstorableTextMiddleware
from shared.logs import configure_logging
from shared.observability import install_observability
from shared.openapi import install_openapi
from shared.settings import DataServiceSettings, ServiceSettings

Hook = Callable[[FastAPI], Awaitable[None]]


def operation_id(route: APIRoute) -> str:
    """Stable OpenAPI operation ids (the endpoint's name): generated clients rely on them."""
    return route.name


async def _stale(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(
        412,
        _("Precondition failed"),
        _(
            "The resource was changed by someone else while you were changing it; "
            "read it again and repeat your change."
        ),
        slug="precondition-failed",
        request=request,
    )


async def _busy(request: Request, exc: Exception) -> JSONResponse:
    # SQLite (the embedded default) lets one writer at a time; a writer that lost the race
    # is told to retry rather than shown a 500. Anything else is unexpected.
    if "database is locked" not in str(exc):
        raise exc
    return problem_response(
        503,
        _("Busy"),
        _("Another change was being saved at the same moment; retry in a second."),
        slug="busy",
        request=request,
        headers={"Retry-After": "1"},
    )


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    routers: Sequence[APIRouter] = (),
    idempotency: Table | None = None,
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
    version: str = "0.1.0",
    edge: Sequence[tuple[type[Any], dict[str, Any]]] = (),
) -> FastAPI:
    """`edge`: ASGI middleware (class, options) run inside the request context (request id,
    metrics, language) but before everything else, innermost last."""
    configure_logging(settings.service_name, settings.log_level)
    is_data_service = isinstance(settings, DataServiceSettings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.token_verifier = TokenVerifier(settings.auth)
        if isinstance(settings, DataServiceSettings):
            app.state.database = Database(settings.database_url)
        try:
            for hook in on_startup:
                await hook(app)
            if settings.auth.environment != "test":  # tests start hundreds of apps in one process
                # What start-up built (modules, routes, schemas, pools) lives as long as the
                # process: out of the collector's way, full collections no longer walk it.
                gc.collect()
                gc.freeze()
            yield
        finally:
            for hook in on_shutdown:
                await hook(app)
            if is_data_service:
                await app.state.database.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
    )
    install_docs(app)
    install_openapi(app, idempotency=idempotency is not None)
    install_error_handlers(app)
    app.add_exception_handler(StaleDataError, _stale)
    app.add_exception_handler(OperationalError, _busy)
    for router in routers:
        app.include_router(router)

    async def readiness() -> None:
        await app.state.database.ping()

    app.add_middleware(UnstorableTextMiddleware)
    if idempotency is not None:
        app.add_middleware(
            IdempotencyMiddleware, database_of=lambda: app.state.database, table=idempotency
        )
    for middleware, options in reversed(edge):
        app.add_middleware(middleware, **options)
    install_observability(app, settings.service_name, readiness if is_data_service else None)
    # Outermost, so that every answer (the 500 of the request context middleware too) knows
    # the language the request asked for.
    app.add_middleware(LocaleMiddleware)
    return app


# Swagger UI and ReDoc from files installed with the project (fastapi-offline ships them),
# so the docs work on a network without internet.
DOCS_FILES = Path(fastapi_offline.__file__).parent / "static"


def install_docs(app: FastAPI) -> None:
    app.mount("/docs-files", StaticFiles(directory=DOCS_FILES), name="docs-files")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title}: API",
            swagger_js_url="/docs-files/swagger-ui-bundle.js",
            swagger_css_url="/docs-files/swagger-ui.css",
            swagger_favicon_url="/docs-files/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title=f"{app.title}: API",
            redoc_js_url="/docs-files/redoc.standalone.js",
            redoc_favicon_url="/docs-files/favicon.png",
            with_google_fonts=False,
        )


def openapi_examples(**examples: Any) -> dict[str, Any]:
    """`json_schema_extra` for a schema with one example, as the OpenAPI should show it."""
    return {"examples": [examples]}
