"""The OpenAPI as a contract: what FastAPI generates, completed from route metadata.

FastAPI documents what a route's signature says. What the shared layers answer around it is
added here, once for every service, so that a client generated from `/openapi.json` is typed
and parses every answer:

- every error is `application/problem+json` with the `Problem` schema (FastAPI's own
  `HTTPValidationError` is replaced), and the statuses the layers really answer are listed:
  422 for any input, 404 for a path id, 401/403 where a token is read or required, 412 where
  `If-Match` is honoured, 409/422 for `Idempotency-Key`, 503 for a busy writer;
- request header `Idempotency-Key` (POST, where the service keeps keys); `If-Match` and
  `If-None-Match` are declared by the conditional-request dependency of the routes that honour
  them, and bring 412, 304 and the `ETag` response header; response headers `ETag`,
  `Location`, `Idempotent-Replayed` and `X-Request-ID`; `Accept-Language` on every operation
  that may answer a problem, and `Content-Language` on the problem;
- optional sign-in documented as optional;
- every schema title unique (one generated class per schema).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from shared.auth import CurrentPrincipal, OptionalPrincipal
from shared.errors import PROBLEM_JSON, Problem

ERROR_TEXTS = {
    400: "The request could not be read",
    401: "No valid bearer token (missing, expired or badly signed)",
    403: "The token does not allow this",
    404: "There is no such resource",
    409: "Conflicts with the current state (or an `Idempotency-Key` still in progress)",
    412: "`If-Match` names a version that is no longer current",
    413: "The body is too large",
    415: "The body is not of the media type this operation reads",
    422: "Invalid input, or a business rule refused it; `errors` names each bad field",
    503: "Busy or not ready; retry after `Retry-After` seconds",
}
WRITES = frozenset({"post", "put", "patch", "delete"})
HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id (yours, if you sent one), as in the service's logs",
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": "The version of the representation; send it as `If-Match` to change it",
        "schema": {"type": "string"},
    },
    "Location": {"description": "Where the created resource is", "schema": {"type": "string"}},
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same `Idempotency-Key`",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}},
    "WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}},
    "Allow": {"description": "The methods the resource allows", "schema": {"type": "string"}},
    "Content-Language": {
        "description": "The language of the problem's `title` and `detail` (see `Accept-Language`)",
        "schema": {"type": "string", "enum": ["en", "hy"]},
    },
}
REQUEST_HEADERS: dict[str, dict[str, Any]] = {
    "If-Match": {
        "description": "The `ETag` you read: the change is refused (412) if the resource has "
        "changed since",
        "schema": {"type": "string"},
    },
    "If-None-Match": {
        "description": "The `ETag` you hold: 304 with no body while it is still current",
        "schema": {"type": "string"},
    },
    "Accept-Language": {
        "description": "`hy` (or `hy-AM`) for problems in Armenian; English otherwise. q-values "
        "are honoured: `hy;q=0.9, en;q=0.8`",
        "schema": {"type": "string"},
    },
    "Idempotency-Key": {
        "description": "Any unique string (1 to 255 printable characters): a retry with the same "
        "key and body answers the first answer again instead of repeating the write",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    },
}
_REF = "#/components/schemas/"


def install_openapi(app: FastAPI, *, idempotency: bool) -> None:
    """Serve the completed schema at `/openapi.json` (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
                separate_input_output_schemas=app.separate_input_output_schemas,
            )
            complete(schema, api_routes(app), idempotency)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def api_routes(app: FastAPI) -> list[Any]:
    """The app's API routes as served (with their routers' prefixes and dependencies)."""
    return [c for c in iter_route_contexts(app.routes) if isinstance(c.original_route, APIRoute)]


def complete(schema: dict[str, Any], routes: list[Any], idempotency: bool) -> None:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, model in Problem.model_json_schema(ref_template=_REF + "{model}")["$defs"].items():
        schemas.setdefault(name, model)
    schemas["Problem"] = {
        k: v for k, v in Problem.model_json_schema(ref_template=_REF + "{model}").items()
        if k != "$defs"
    }  # fmt: skip
    components["headers"] = HEADERS
    by_operation = {(m.lower(), r.path_format): r for r in routes for m in r.methods or ()}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            route = by_operation.get((method, path))
            if route is not None:
                _complete_operation(method, path, operation, route, idempotency)
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    _unique_titles(schema)


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


def _dependency_of(alias: Any) -> Callable[..., Any]:
    return typing.get_args(alias)[1].dependency  # type: ignore[no-any-return]


def _complete_operation(
    method: str, path: str, operation: dict[str, Any], route: Any, idempotency: bool
) -> None:
    calls = {d.call for d in _dependencies(route.dependant)}
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    declared = {p["name"].lower() for p in parameters if p.get("in") == "header"}
    has_path_id = "{" in path

    def add_header(name: str) -> None:
        if name.lower() not in declared:
            parameters.append({"name": name, "in": "header", "required": False}
                              | REQUEST_HEADERS[name])  # fmt: skip
            declared.add(name.lower())

    errors: set[int] = {int(s) for s in operation.get("responses", {}) if s[0] in "45"}
    if parameters or "requestBody" in operation:
        errors.add(422)
    if "requestBody" in operation:
        errors.add(400)  # a body that is not text in its charset cannot be read at all
    if has_path_id:
        errors.add(404)
    if _dependency_of(CurrentPrincipal) in calls:
        errors |= {401, 403}
    elif _dependency_of(OptionalPrincipal) in calls:
        errors.add(401)
        # A token is read when sent, and not needed: anonymous callers see public data.
        operation["security"] = [{}, *operation.get("security", [])]
    conditional = False
    if "if-match" in declared:
        errors.add(412)
        conditional = True
    if "if-none-match" in declared:
        conditional = True
        operation["responses"].setdefault(
            "304", {"description": "Not modified: the `ETag` you sent is still current"}
        )
    replayable = idempotency and method == "post"
    if replayable:
        add_header("Idempotency-Key")
        errors |= {409, 422}
    if method in WRITES:
        errors.add(503)
    if errors:
        add_header("Accept-Language")
    if not parameters:
        operation.pop("parameters")
    responses = operation["responses"]
    for status, response in responses.items():
        names = ["X-Request-ID"]
        if status.startswith("2"):
            names += ["ETag"] if conditional or status == "201" else []
            names += ["Location"] if status == "201" else []
            names += ["Idempotent-Replayed"] if replayable else []
        headers = response.setdefault("headers", {})
        headers.update({name: {"$ref": "#/components/headers/" + name} for name in names})
    for status in sorted(errors):
        response = responses.setdefault(str(status), {})
        response["description"] = ERROR_TEXTS.get(status, response.get("description", "Problem"))
        response["content"] = {PROBLEM_JSON: {"schema": {"$ref": _REF + "Problem"}}}
        headers = response.setdefault("headers", {})
        headers["X-Request-ID"] = {"$ref": "#/components/headers/X-Request-ID"}
        headers["Content-Language"] = {"$ref": "#/components/headers/Content-Language"}
        extra = {401: "WWW-Authenticate", 503: "Retry-After"}.get(status)
        if extra:
            headers[extra] = {"$ref": "#/components/headers/" + extra}
    operation["responses"] = dict(sorted(responses.items()))


def _pascal(text: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", text) if p)


def _unique_titles(schema: dict[str, Any]) -> None:
    """One title per schema, so a generator makes one class per schema and no two alike.

    FastAPI names two models of one name from different modules by their module path
    (`services__registry__schemas__hsds__Address`): they become `HsdsAddress`. Models that
    differ between request and response (`Money-Input`, `Money-Output`) keep both forms.
    """
    schemas: dict[str, Any] = schema["components"]["schemas"]
    renamed: dict[str, str] = {}
    for key in list(schemas):
        if "__" in key:
            *module, name = key.split("__")
            renamed[key] = _pascal(module[-1]) + name
    if renamed:
        for old, new in renamed.items():
            schemas[new] = schemas.pop(old)
        _rewrite_refs(schema, {_REF + old: _REF + new for old, new in renamed.items()})
    titles = {key: _pascal(key) for key in schemas}
    for key, model in schemas.items():
        model["title"] = titles[key]
    # A generator names an enum declared inside a model after the model and the field
    # (`Service` + `status`); where that is also a schema's name, the field's enum is renamed.
    taken = set(titles.values())
    for key, model in schemas.items():
        for field, prop in model.get("properties", {}).items():
            if "enum" in prop and titles[key] + _pascal(prop.get("title", field)) in taken:
                prop["title"] = _pascal(prop.get("title", field)) + "Value"


def _rewrite_refs(node: Any, renamed: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in renamed:
            node["$ref"] = renamed[ref]
        for value in node.values():
            _rewrite_refs(value, renamed)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value, renamed)
