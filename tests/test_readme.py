"""The README's examples work as pasted: its curl lines, run against the system as `make run`
starts it (four real processes from the Procfile, demo data loaded)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.testing import free_port
from tests.test_system import ROOT, System, _procfile

pytestmark = pytest.mark.e2e
PORTS = {"8000": "gateway", "8001": "registry", "8002": "councils", "8003": "grants"}
LOCAL = re.compile(r"\b(localhost|127\.0\.0\.1):(800[0-3])\b")


def readme_examples() -> list[tuple[list[str], str]]:
    """Each curl line of the README's bash blocks that calls a local service, with the
    variable assignments of its block before it (e.g. TOKEN=$(...))."""
    text = (ROOT / "README.md").read_text()
    examples = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL):
        lines = [line.strip() for line in block.splitlines()]
        setup = [line for line in lines if re.match(r"^[A-Z_]+=\$\(", line)]
        examples += [(setup, line) for line in lines
                     if line.startswith("curl ") and LOCAL.search(line)]  # fmt: skip
    return examples


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    tmp_path = tmp_path_factory.mktemp("readme")
    ports = {name: free_port() for name in PORTS.values()}
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
        subprocess.run([sys.executable, "-m", f"services.{service}", "migrate"], cwd=ROOT,
                       env=env, check=True)  # fmt: skip
    subprocess.run([sys.executable, "-m", "services.registry", "demo"], cwd=ROOT, env=env,
                   check=True, capture_output=True)  # fmt: skip
    subprocess.run([sys.executable, "-m", "services.councils", "demo"], cwd=ROOT, env=env,
                   check=True, capture_output=True)  # fmt: skip
    subprocess.run([sys.executable, "-m", "services.grants", "demo"], cwd=ROOT, env=env,
                   check=True, capture_output=True)  # fmt: skip
    running = System(env, f"http://127.0.0.1:{ports['gateway']}")
    try:
        for name, command in _procfile().items():
            running.start(name, command, tmp_path / f"{name}.log")
        running.status("all up")
        yield ports
    finally:
        for name in running.processes:
            running.stop(name)


def test_the_readme_has_examples_to_try() -> None:
    lines = [line for _, line in readme_examples()]
    assert any("/v1/search" in line for line in lines)
    assert any("$TOKEN" in line for line in lines)


@pytest.mark.parametrize(("setup", "line"), readme_examples())
def test_a_readme_curl_line_works_as_pasted(
    system: dict[str, int], setup: list[str], line: str
) -> None:
    def local(match: re.Match[str]) -> str:
        return f"{match[1]}:{system[PORTS[match[2]]]}"

    script = "\n".join([
        "set -eo pipefail",
        # As pasted, but a 4xx or 5xx answer fails the line.
        'curl() { command curl --fail-with-body --show-error "$@"; }',
        *(LOCAL.sub(local, step) for step in setup),
        LOCAL.sub(local, line),
    ])  # fmt: skip
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
    assert result.stdout.strip()
    if "/v1/search" in line:
        assert '"items":[{' in result.stdout, result.stdout
