"""Seats follow the network, with real processes: the registry and councils as the Procfile
starts them, the registry pushing its change feed to the councils' inbox."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import mint_token
from shared.settings import AuthSettings
from shared.testing import free_port
from tests.test_system import ROOT, System, _procfile

pytestmark = pytest.mark.e2e
SERVICES = ("registry", "councils")


class Running:
    def __init__(self, system: System, ports: dict[str, int], tmp_path: Path) -> None:
        self.system = system
        self.ports = ports
        self.tmp_path = tmp_path
        self.starts = 0
        token = mint_token(AuthSettings(), subject="system-test", roles=["admin"])
        self.headers = {"Authorization": f"Bearer {token}"}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str) -> None:
        self.starts += 1
        self.system.start(name, _procfile()[name], self.tmp_path / f"{name}-{self.starts}.log")
        wait_for(lambda: httpx.get(f"{self.url(name)}/readyz", timeout=2).status_code == 200)

    def post(self, name: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(self.url(name) + path, json=body, headers=self.headers, timeout=30)
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    def get(self, name: str, path: str, **params: Any) -> dict[str, Any]:
        response = httpx.get(self.url(name) + path, params=params, timeout=30)
        assert response.status_code == 200, response.text
        return dict(response.json())


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> float:
    """Seconds until `condition` holds (polled), or fail."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if condition():
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("the condition never held")


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    ports = {name: free_port() for name in SERVICES}
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "SPN_DATA_DIR": str(tmp_path / "data"),
        "SPN_ENV": "local",
        "SPN_WORKERS": "1",
        **{f"SPN_{name.upper()}_PORT": str(port) for name, port in ports.items()},
        # The registry also pushes to grants (the Procfile); nobody listens there in this test.
        "SPN_GRANTS_PORT": str(free_port()),
    }
    for key in ("SPN_REGISTRY_DATABASE_URL", "SPN_COUNCILS_DATABASE_URL",
                "SPN_REGISTRY_SUBSCRIBERS", "SPN_COUNCILS_REGISTRY_URL"):  # fmt: skip
        env.pop(key, None)
    for service in SERVICES:
        subprocess.run(
            [sys.executable, "-m", f"services.{service}", "migrate"], cwd=ROOT, env=env, check=True
        )
    system = System(env, "")
    result = Running(system, ports, tmp_path)
    try:
        for name in SERVICES:
            result.start(name)
        yield result
    finally:
        for name in system.processes:
            system.stop(name)


def seated(running: Running, council_id: str) -> set[str]:
    members = running.get("councils", f"/v1/councils/{council_id}/members", limit=200)
    return {m["actor_id"] for m in members["items"]}


def in_network(running: Running, network_id: str) -> set[str]:
    members = running.get("registry", f"/v1/networks/{network_id}/members", limit=200)
    return {m["actor"]["id"] for m in members["items"]}


def test_seats_follow_the_network_and_catch_up_after_a_restart(running: Running) -> None:
    (masis,) = running.get("registry", "/v1/communities", q="Masis")["items"][:1]
    center = running.post("registry", "/v1/centers", {
        "name": {"hy": "Մասիսի կենտրոն"}, "region_code": "AM-AR", "territory": [masis["id"]],
    })  # fmt: skip
    actors = [
        running.post("registry", "/v1/actors", {
            "kind": "legal_entity", "legal_form": "cso", "name": {"hy": f"Կազմակերպություն {n}"},
            "located_in": [masis["id"]],
        })["id"]
        for n in range(5)
    ]  # fmt: skip
    network = running.post("registry", "/v1/networks", {
        "center_id": center["id"], "name": {"hy": "Մասիսի ցանց"}, "form": "mixed",
        "founded_on": "2024-03-01",
    })["id"]  # fmt: skip

    def join(actor: str) -> dict[str, Any]:
        body = {"actor_id": actor, "joined_on": "2024-04-01"}
        return running.post("registry", f"/v1/networks/{network}/members", body)

    first = join(actors[0])
    council = running.post("councils", "/v1/councils", {
        "kind": "coordinating", "network_id": network, "founded_on": "2024-04-01",
        "name": {"hy": "Մասիսի ցանցի համակարգող խորհուրդ"},
    })  # fmt: skip
    assert seated(running, council["id"]) == {actors[0]}

    # a member joins in the registry: within seconds it has its seat in the council
    second = join(actors[1])
    delay = wait_for(lambda: actors[1] in seated(running, council["id"]), timeout=15)
    assert delay < 10
    (member,) = [
        m for m in running.get("councils", f"/v1/councils/{council['id']}/members")["items"]
        if m["actor_id"] == actors[1]
    ]  # fmt: skip
    assert len([s for s in member["seats"] if s["closed_on"] is None]) == 1

    # councils is down while two members join and one leaves
    running.system.stop("councils")
    join(actors[2])
    join(actors[3])
    running.post("registry", f"/v1/networks/{network}/members/{second['id']}/leave",
                 {"left_on": "2024-09-01", "reason": "Դուրս եկավ"})  # fmt: skip
    running.start("councils")
    wait_for(lambda: seated(running, council["id"]) == in_network(running, network), timeout=30)
    assert seated(running, council["id"]) == {actors[0], actors[2], actors[3]}
    assert first["actor"]["id"] == actors[0]
    report = running.post("councils", f"/v1/councils/{council['id']}/reconciliation",
                          {"on": time.strftime("%Y-%m-%d"), "repair": False})  # fmt: skip
    assert report["differences"] == []
