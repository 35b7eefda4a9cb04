"""RFC 9457 problem details for every error a service answers.

Business code raises `AppError` subclasses; one set of handlers turns them, validation errors,
unknown routes and unexpected exceptions into `application/problem+json`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.field_messages import field_message
from shared.i18n import Message, Text, _, current_locale, negotiate, render
from shared.logs import request_id_var

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://spn.am/problems/"

logger = logging.getLogger("spn.errors")


class AppError(Exception):
    """An error a caller can act on. `slug` names the problem type, `detail` says why.

    Title and detail are `shared.i18n` messages (`_("...")`), translated when the problem is
    answered, into the language the request asked for; a plain `str` is sent as it is.
    """

    status: int = 400
    title: Text = _("Bad request")
    slug: str = "bad-request"

    def __init__(
        self,
        detail: Text,
        *,
        title: Text | None = None,
        slug: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.message = detail
        if title is not None:
            self.title = title
        if slug is not None:
            self.slug = slug
        self.extra = extra or {}
        self.headers = headers or {}

    @property
    def detail(self) -> str:
        """The detail in the current request's language (English outside a request)."""
        return str(self.message)


class NotFound(AppError):
    status, title, slug = 404, _("Not found"), "not-found"


class Conflict(AppError):
    status, title, slug = 409, _("Conflict"), "conflict"


class RuleViolation(AppError):
    """A business rule refused the request (422): the detail names the rule and why."""

    status, title, slug = 422, _("Rule violated"), "rule-violated"


class Unauthorized(AppError):
    status, title, slug = 401, _("Not authenticated"), "unauthorized"

    def __init__(self, detail: Text) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    status, title, slug = 403, _("Forbidden"), "forbidden"


class PreconditionFailed(AppError):
    status, title, slug = 412, _("Precondition failed"), "precondition-failed"


class ProblemField(BaseModel):
    field: str
    message: str
    type: str


class Problem(BaseModel):
    """The error body of every SPN service (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[ProblemField] | None = None


def problem_response(
    status: int,
    title: Text,
    detail: Text,
    *,
    slug: str,
    request: Request | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """The problem, its texts (also those inside `extra`) in the language the request asked for."""
    if request is not None:
        locale = negotiate(request.headers.get("accept-language"))
    else:
        locale = current_locale()
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": render(title, locale),
        "status": status,
        "detail": render(detail, locale),
        "request_id": request_id_var.get(),
    }
    if request is not None:
        body["instance"] = request.url.path
    body.update(render(extra, locale))
    headers = dict(headers or {})
    headers["Content-Language"] = locale
    vary = headers.get("Vary")
    headers["Vary"] = f"{vary}, Accept-Language" if vary else "Accept-Language"
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_name(location: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:] if parts[0] == "body" else parts
    return ".".join(parts) or "body"


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem_response(
        exc.status,
        exc.title,
        exc.message,
        slug=exc.slug,
        request=request,
        headers=exc.headers or None,
        **exc.extra,
    )


def _where_in(text: str, position: int) -> Message:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind(chr(10), 0, position) + 1) + 1
    return _("line {line}, column {column}", line=line, column=column)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    broken = next((e for e in exc.errors() if e["type"] == "json_invalid"), None)
    if broken is not None and isinstance(exc.body, str):
        where = _where_in(exc.body, int(broken["loc"][-1]))
        reason = broken.get("ctx", {}).get("error", "not JSON")
        return problem_response(
            422, _("Invalid request"),
            _("The body is not valid JSON: {reason} at {where}.", reason=reason, where=where),
            slug="validation", request=request,
            errors=[{"field": "body", "type": "json_invalid",
                     "message": _("{reason} at {where}", reason=reason, where=where)}],
        )  # fmt: skip
    locale = negotiate(request.headers.get("accept-language"))
    errors = [
        {
            "field": _field_name(tuple(e["loc"])),
            "message": field_message(e, locale),
            "type": e["type"],
        }
        for e in exc.errors()
    ]
    names = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return problem_response(
        422,
        _("Invalid request"),
        _("The request has invalid fields: {fields}.", fields=names),
        slug="validation",
        request=request,
        errors=errors,
    )


async def _model_error(request: Request, exc: Exception) -> JSONResponse:
    """A body that was valid alone but not once merged with what is stored (a PATCH)."""
    assert isinstance(exc, ValidationError)
    return await _validation_error(request, RequestValidationError(exc.errors()))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    titles = {404: _("Not found"), 405: _("Method not allowed"), 401: _("Not authenticated")}
    detail: Text = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":
        detail = _("There is no resource at {path}.", path=request.url.path)
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        allowed = _allowed_methods(request)
        headers["Allow"] = ", ".join(allowed)
        detail = _(
            "{method} is not allowed on {path}; use {allowed}.",
            method=request.method,
            path=request.url.path,
            allowed=headers["Allow"],
        )
    return problem_response(
        exc.status_code,
        titles.get(exc.status_code, _("Error")),
        detail,
        slug={404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error"),
        request=request,
        headers=headers or None,
    )


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers on this path (Starlette names only one)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.url.path):
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def internal_error_response(path: str) -> JSONResponse:
    """The 500 answer: no internals, only the request id that the error log line carries."""
    return problem_response(
        500,
        _("Internal server error"),
        _("Something went wrong on our side. Quote the request id when you report it."),
        slug="internal",
        instance=path,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _model_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # Unexpected exceptions are answered by the request context middleware (shared.observability),
    # which still knows the request id when it builds the 500.


# For `responses=` on routes, so the OpenAPI documents the problem shape.
def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Problem"}
        for status in statuses
    }
