"""The gateway's parts without processes: circuits, the ownership table, the merged OpenAPI."""

from __future__ import annotations

import time
from typing import Any

import pytest

from services.gateway.backends import Circuit, CircuitState
from services.gateway.openapi import merge
from services.gateway.ownership import OwnershipTable


def state(circuit: Circuit) -> CircuitState:
    return circuit.state


class TestCircuit:
    def test_opens_after_consecutive_failures_only(self) -> None:
        circuit = Circuit("trial-a", failures=5, cool_off=60)
        for _ in range(4):
            circuit.failed()
        circuit.succeeded()  # a success in between starts the count again
        for _ in range(4):
            circuit.failed()
        assert circuit.wait() is None
        circuit.failed()
        assert circuit.state is CircuitState.open
        assert circuit.wait() == pytest.approx(60, abs=1)

    def test_one_probe_after_the_cool_off_closes_or_opens_it_again(self) -> None:
        closed = []
        circuit = Circuit("trial-b", failures=1, cool_off=0.05, on_close=lambda: closed.append(1))
        circuit.failed()
        assert circuit.wait() is not None
        time.sleep(0.06)
        assert circuit.wait() is None  # the probe
        assert circuit.state is CircuitState.half_open
        assert circuit.wait() is not None  # no second probe while the first runs
        circuit.failed()
        assert state(circuit) is CircuitState.open
        time.sleep(0.06)
        assert circuit.wait() is None
        circuit.succeeded()
        assert state(circuit) is CircuitState.closed
        assert closed == [1]

    def test_a_probe_that_never_came_back_is_replaced(self) -> None:
        circuit = Circuit("trial-c", failures=1, cool_off=0.05)
        circuit.failed()
        time.sleep(0.06)
        assert circuit.wait() is None  # a probe whose caller went away
        time.sleep(0.06)
        assert circuit.wait() is None


def spec(*paths: str) -> dict[str, Any]:
    return {"paths": {p: {"get": {"operationId": p.strip("/").replace("/", "_")}} for p in paths}}


class TestOwnership:
    def test_the_most_literal_template_wins_and_a_prefix_falls_back(self) -> None:
        table = OwnershipTable(["/v1/status", "/v1/views/actors/{actor_id}"])
        table.build({
            "registry": spec("/v1/centers", "/v1/centers/{center_id}", "/v1/centers/{id}/map"),
            "councils": spec("/v1/councils/{council_id}", "/v1/centers/{center_id}/councils"),
        })  # fmt: skip
        assert table.complete
        assert table.owner("/v1/centers/abc") == "registry"
        assert table.owner("/v1/centers/abc/map") == "registry"
        assert table.owner("/v1/centers/abc/councils") == "councils"
        assert table.owner("/v1/centers/abc/unknown") == "registry"  # its own 404
        assert table.owner("/v1/councils/x") == "councils"
        assert table.owner("/v1/nothing") is None
        assert table.owner("/v1/status") is None
        assert table.owner("/v1/views/actors/x") is None

    def test_a_backend_not_read_yet_leaves_the_table_incomplete(self) -> None:
        table = OwnershipTable()
        table.build({"registry": spec("/v1/centers"), "grants": None})
        assert not table.complete
        assert table.owner("/v1/grants") is None


def schema(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


class TestMergedOpenAPI:
    def test_clashing_schemas_are_prefixed_and_equal_ones_shared(self) -> None:
        own = {"openapi": "3.1.0", "paths": {}, "components": {"schemas": {}}}
        ref = {"$ref": "#/components/schemas/Money"}
        registry = {
            "paths": {"/v1/actors": {"get": {"operationId": "list_actors", "responses": {
                "200": {"content": {"application/json": {"schema": ref}}}}}}},
            "components": {"schemas": {"Money": schema(amount={"type": "string"}),
                                       "Problem": schema(title={"type": "string"})}},
        }  # fmt: skip
        grants = {
            "paths": {"/v1/grants": {"get": {"operationId": "list_grants", "responses": {
                "200": {"content": {"application/json": {"schema": ref}}}}}},
                      "/healthz": {"get": {"operationId": "healthz"}}},
            "components": {"schemas": {"Money": schema(minor={"type": "integer"}),
                                       "Problem": schema(title={"type": "string"})}},
        }  # fmt: skip
        merged = merge(own, {"registry": registry, "grants": grants, "councils": None})
        schemas = merged["components"]["schemas"]
        assert set(schemas) == {"Money", "GrantsMoney", "Problem"}
        grants_answer = merged["paths"]["/v1/grants"]["get"]["responses"]["200"]
        assert grants_answer["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/GrantsMoney"
        }
        assert merged["paths"]["/v1/actors"]["get"]["operationId"] == "list_actors"
        assert "/healthz" not in merged["paths"]
        assert schemas["GrantsMoney"]["title"] == "GrantsMoney"

    def test_a_views_parts_refer_to_the_backends_schemas_under_their_merged_names(self) -> None:
        plain = {"type": "object", "additionalProperties": True}
        own = {"paths": {}, "components": {"schemas": {"View": schema(
            one={"anyOf": [plain, {"type": "null"}], "x-spn-schema": "grants:Money"},
            many={"type": "array", "items": plain, "x-spn-schema": "registry:Money"},
            away={"anyOf": [plain, {"type": "null"}], "x-spn-schema": "councils:Seat"},
        )}}}  # fmt: skip
        money = {"components": {"schemas": {"Money": schema(amount={"type": "string"})}}}
        other = {"components": {"schemas": {"Money": schema(minor={"type": "integer"})}}}
        merged = merge(own, {"registry": money, "grants": other, "councils": None})
        view = merged["components"]["schemas"]["View"]["properties"]
        assert view["one"]["anyOf"][0] == {"$ref": "#/components/schemas/GrantsMoney"}
        assert view["many"]["items"] == {"$ref": "#/components/schemas/Money"}
        assert view["away"]["anyOf"][0] == plain  # councils' OpenAPI is not known
        assert "x-spn-schema" not in str(merged)
