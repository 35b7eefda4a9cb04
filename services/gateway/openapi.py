"""One OpenAPI for the one origin: the gateway's own operations and every `/v1/...` operation
of the backends, with their operation ids, and one set of schemas.

A schema two backends both name (`Problem`, `Money`) is kept once when they mean the same; when
they differ, the second backend's is prefixed with its name (`CouncilsMoney`) and its
references follow. Titles are then made unique as every service makes its own.
"""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

from services.gateway.views import SCHEMA_KEY
from shared.openapi import _pascal, _rewrite_refs, _unique_titles

logger = logging.getLogger("spn.gateway")
_REF = "#/components/schemas/"
COMPONENTS = ("schemas", "headers", "securitySchemes", "parameters", "responses")


def _same(a: Any, b: Any) -> bool:
    def plain(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: plain(v) for k, v in node.items() if k != "title"}
        if isinstance(node, list):
            return [plain(v) for v in node]
        return node

    return json.dumps(plain(a), sort_keys=True) == json.dumps(plain(b), sort_keys=True)


def merge(own: dict[str, Any], backends: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    merged = copy.deepcopy(own)
    paths: dict[str, Any] = merged.setdefault("paths", {})
    components: dict[str, Any] = merged.setdefault("components", {})
    operation_ids = {
        op.get("operationId")
        for ops in paths.values()
        for op in ops.values()
        if isinstance(op, dict)
    }
    tags = {tag["name"] for tag in merged.get("tags", [])}
    renames: dict[str, dict[str, str]] = {}
    for name, original in backends.items():
        if original is None:
            continue
        spec = copy.deepcopy(original)
        theirs = spec.get("components", {})
        # Schemas: rename those that clash until nothing clashes (a renamed schema changes
        # the schemas that refer to it).
        renamed: dict[str, str] = {}
        while True:
            schemas = theirs.get("schemas", {})
            clashing = {
                key: _pascal(name) + key
                for key, schema in schemas.items()
                if key in components.get("schemas", {})
                and not _same(schema, components["schemas"][key])
                and key not in renamed.values()
            }
            if not clashing:
                break
            for old, new in clashing.items():
                schemas[new] = schemas.pop(old)
            renamed.update(clashing)
            _rewrite_refs(spec, {_REF + old: _REF + new for old, new in clashing.items()})
        renames[name] = renamed
        for section in COMPONENTS:
            for key, value in theirs.get(section, {}).items():
                components.setdefault(section, {}).setdefault(key, value)
        for path, operations in spec.get("paths", {}).items():
            if not path.startswith("/v1/") or path in paths:
                continue
            for operation in operations.values():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                if operation["operationId"] in operation_ids:
                    logger.warning("%s: operation id %s taken", name, operation["operationId"])
                    operation["operationId"] = f"{name}_{operation['operationId']}"
                operation_ids.add(operation["operationId"])
                for tag in operation.get("tags", []):
                    tags.add(tag)
            paths[path] = operations
        for tag in spec.get("tags", []):
            if tag["name"] not in {t["name"] for t in merged.get("tags", [])}:
                merged.setdefault("tags", []).append(tag)
    _refer_to_backends(merged, renames)
    _unique_titles(merged)
    return merged


def _refer_to_backends(node: Any, renames: dict[str, dict[str, str]]) -> Any:
    """The gateway's fields marked `x-spn-schema: "registry:ActorOut"` (views holding a
    backend's representation) become references to that schema, under its merged name, when
    the backend's OpenAPI is known; otherwise they stay plain objects."""
    if isinstance(node, list):
        return [_refer_to_backends(item, renames) for item in node]
    if not isinstance(node, dict):
        return node
    target = node.pop(SCHEMA_KEY, None)
    for key, value in node.items():
        node[key] = _refer_to_backends(value, renames)
    if isinstance(target, str):
        backend, _sep, schema = target.partition(":")
        if backend in renames:
            ref = {"$ref": _REF + renames[backend].get(schema, schema)}
            return _objects_to(node, ref)
    return node


def _objects_to(node: Any, ref: dict[str, str]) -> Any:
    if isinstance(node, list):
        return [_objects_to(item, ref) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "object" and node.get("additionalProperties") is True:
        rest = {k: v for k, v in node.items() if k in ("description", "title")}
        return {**ref, **rest} if rest else dict(ref)
    return {key: _objects_to(value, ref) for key, value in node.items()}
