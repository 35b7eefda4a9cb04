"""The whole system as the run command starts it: four real processes from the Procfile."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.testing import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.e2e


def _procfile() -> dict[str, str]:
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    return entries


class System:
    def __init__(self, env: dict[str, str], gateway: str) -> None:
        self.env = env
        self.gateway = gateway
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: str, log: Path) -> None:
        self.processes[name] = subprocess.Popen(
            ["/bin/sh", "-c", command],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, name: str) -> None:
        process = self.processes[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def status(self, until: str, timeout: float = 90) -> dict[str, object]:
        """Poll the gateway's /v1/status until `until` holds of it, or fail."""
        deadline = time.monotonic() + timeout
        last: dict[str, object] = {}
        while time.monotonic() < deadline:
            try:
                last = httpx.get(f"{self.gateway}/v1/status", timeout=5).json()
                services = last["services"]
                assert isinstance(services, dict)
                states = {name: s["status"] for name, s in services.items()}
                if until == "all up" and set(states.values()) == {"up"}:
                    return last
                if until.startswith("only ") and {k for k, v in states.items() if v == "down"} == {
                    until.removeprefix("only ").removesuffix(" down")
                }:
                    return last
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"gateway never reported {until!r}; last: {last}")


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    ports = {name: free_port() for name in ("gateway", "registry", "councils", "grants")}
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "SPN_DATA_DIR": str(tmp_path / "data"),
        "SPN_ENV": "local",
        # One process per service: four services starting a worker per core each take long
        # on a small machine, and several workers are tested on their own (tests/test_workers).
        "SPN_WORKERS": "1",
        **{f"SPN_{name.upper()}_PORT": str(port) for name, port in ports.items()},
    }
    for key in (
        "SPN_REGISTRY_DATABASE_URL",
        "SPN_COUNCILS_DATABASE_URL",
        "SPN_GRANTS_DATABASE_URL",
    ):
        env.pop(key, None)
    for service in ("registry", "councils", "grants"):
        subprocess.run(
            [sys.executable, "-m", f"services.{service}", "migrate"], cwd=ROOT, env=env, check=True
        )
    running = System(env, f"http://127.0.0.1:{ports['gateway']}")
    try:
        for name, command in _procfile().items():
            running.start(name, command, tmp_path / f"{name}.log")
        yield running
    finally:
        for name in running.processes:
            running.stop(name)


def test_gateway_sees_every_backend_then_the_one_that_stopped(system: System) -> None:
    assert set(system.processes) == {"registry", "councils", "grants", "gateway"}
    healthy = system.status("all up")
    assert healthy["status"] == "ok"

    system.stop("councils")
    degraded = system.status("only councils down")
    assert degraded["status"] == "degraded"
    services = degraded["services"]
    assert isinstance(services, dict)
    assert services["registry"]["status"] == "up"
    assert services["grants"]["status"] == "up"
    assert httpx.get(f"{system.gateway}/readyz", timeout=5).status_code == 200
