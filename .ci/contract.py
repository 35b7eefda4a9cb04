"""The API contract, checked against the four services running as real processes.

    python .ci/contract.py [--postgres URL] [--clients] [--docs] [--max-examples 30]

Starts registry and councils (with their demo data), grants and the gateway with uvicorn on free
ports, on fresh SQLite files or, with --postgres, on fresh PostgreSQL databases; then:
- --clients: generates a Python client with openapi-python-client from each service's
  /openapi.json and fails on any warning;
- schemathesis (every check, --max-examples cases per operation, no stateful phase) against
  each service, with an admin token for the writes; fails on any server error or answer that
  breaks the schema;
- --docs: opens each service's /docs in headless Chromium (no network needed: Swagger UI is
  served by the service) and checks that every operation is rendered.
Prints one line of figures per service, and exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATA_SERVICES = ("registry", "councils", "grants")
SERVICES = (*DATA_SERVICES, "gateway")
GENERATOR_CONFIG = ROOT / ".ci" / "openapi-python-client.yaml"


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(command: list[str], env: dict[str, str], **kwargs: object) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True, **kwargs)  # type: ignore[call-overload]


class System:
    """The four services as real processes on free ports."""

    def __init__(self, workdir: Path, postgres: str | None) -> None:
        self.workdir = workdir
        self.postgres = postgres
        self.ports = {name: free_port() for name in SERVICES}
        self.databases: list[str] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        self.env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "SPN_DATA_DIR": str(workdir / "data"),
            "SPN_ENV": "local",
            "SPN_REGISTRY_LOG_LEVEL": "WARNING",
            "SPN_COUNCILS_LOG_LEVEL": "WARNING",
            "SPN_GRANTS_LOG_LEVEL": "WARNING",
            "SPN_GATEWAY_LOG_LEVEL": "WARNING",
            # schemathesis asks faster than any client may.
            "SPN_GATEWAY_RATE_LIMIT_VIEW": "10000/second",
            "SPN_GATEWAY_RATE_LIMIT_READ": "10000/second",
        }
        for name in SERVICES:
            self.env[f"SPN_GATEWAY_{name.upper()}_URL"] = self.url(name)
        self.env["SPN_COUNCILS_REGISTRY_URL"] = self.url("registry")
        self.env["SPN_GRANTS_REGISTRY_URL"] = self.url("registry")
        for name in DATA_SERVICES:
            self.env.pop(f"SPN_{name.upper()}_DATABASE_URL", None)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self) -> None:
        for name in DATA_SERVICES:
            if self.postgres:
                self.env[f"SPN_{name.upper()}_DATABASE_URL"] = self._create_database(name)
            run([sys.executable, "-m", f"services.{name}", "migrate"], self.env)
        run([sys.executable, "-m", "services.registry", "demo"], self.env,
            stdout=subprocess.DEVNULL)  # fmt: skip
        run([sys.executable, "-m", "services.councils", "demo"], self.env,
            stdout=subprocess.DEVNULL)  # fmt: skip
        run([sys.executable, "-m", "services.grants", "demo"], self.env,
            stdout=subprocess.DEVNULL)  # fmt: skip
        for name in SERVICES:
            log = (self.workdir / f"{name}.log").open("wb")
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", f"services.{name}", "serve",
                     "--port", str(self.ports[name])],
                    cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )  # fmt: skip
        for name in SERVICES:
            self._wait_ready(name)

    def _create_database(self, name: str) -> str:
        database = f"spn_contract_{name}_{uuid.uuid4().hex[:8]}"
        admin = self.postgres or ""
        sql = (f"CREATE DATABASE {database} TEMPLATE template0 ENCODING 'UTF8' "
               "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")  # fmt: skip
        run(["psql", "-q", admin, "-c", sql], self.env)
        self.databases.append(database)
        return admin.rsplit("/", 1)[0] + "/" + database

    def _wait_ready(self, name: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url(name) + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        log = (self.workdir / f"{name}.log").read_text()[-3000:]
        raise SystemExit(f"{name} never became ready:\n{log}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for database in self.databases:
            run(["psql", "-q", self.postgres or "", "-c",
                 f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], self.env)  # fmt: skip


def check_client(system: System, name: str, workdir: Path) -> list[str]:
    """The generator's warnings for one service's OpenAPI (none is the target)."""
    schema = workdir / f"{name}.openapi.json"
    schema.write_bytes(httpx.get(system.url(name) + "/openapi.json", timeout=30).content)
    output = workdir / f"{name}-client"
    shutil.rmtree(output, ignore_errors=True)
    result = subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", str(schema),
         "--output-path", str(output), "--meta", "none", "--config", str(GENERATOR_CONFIG)],
        cwd=workdir, env=system.env, capture_output=True, text=True,
    )  # fmt: skip
    text = result.stdout + result.stderr
    # The generator's own formatting step is not part of the contract.
    text = re.sub(r"\n*Skipping Integration\n+ruff is not in PATH\n*", "\n", text)
    problems = [
        line for line in text.splitlines()
        if re.search(r"warning|error|unable|cannot|could not", line, re.IGNORECASE)
    ]  # fmt: skip
    if result.returncode != 0 and not problems:
        problems = [f"exit status {result.returncode}"]
    if problems:
        say(text)
    return problems


def check_with_schemathesis(
    system: System,
    name: str,
    token: str,
    max_examples: int,
    workdir: Path,
    reports: Path | None,
) -> dict[str, object]:
    report = workdir / f"{name}-schemathesis.json"
    command = [
        str(BIN / "schemathesis"), "--config-file", str(ROOT / ".ci" / "schemathesis.toml"),
        "run", system.url(name) + "/openapi.json",
        "--checks", "all", "--max-examples", str(max_examples),
        "--phases", "examples,coverage,fuzzing", "--workers", "1", "--seed", "9",
        "--header", f"Authorization: Bearer {token}", "--request-timeout", "30",
        "--report", "ndjson", "--report-ndjson-path", str(report), "--warnings", "off",
    ]  # fmt: skip
    if name == "gateway":
        # Its own operations: the proxied ones are the backends', checked there.
        command += ["--include-path-regex", "^/v1/(views/|status$)"]
    started = time.monotonic()
    result = subprocess.run(command, cwd=workdir, env=system.env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    summary = _summary(report)
    summary.update(seconds=round(elapsed), exit=result.returncode)
    if reports is not None:
        reports.mkdir(parents=True, exist_ok=True)
        (reports / f"{name}-schemathesis.txt").write_text(result.stdout + result.stderr)
        if report.exists():
            shutil.copy(report, reports / report.name)
    if result.returncode != 0:
        say(result.stdout[-20000:])
        say(result.stderr[-5000:])
    return summary


def _summary(report: Path) -> dict[str, object]:
    """Operations, generated cases and failed checks, from schemathesis' NDJSON report."""
    operations: set[str] = set()
    examples = failures = 0
    if report.exists():
        for line in report.read_text().splitlines():
            scenario = json.loads(line).get("ScenarioFinished")
            if scenario is None:
                continue
            recorder = scenario.get("recorder", {})
            operations.add(recorder.get("label", ""))
            examples += len(recorder.get("cases", {}))
            for checks in recorder.get("checks", {}).values():
                failures += sum(1 for check in checks if check.get("status") == "failure")
    return {"operations": len(operations), "examples": examples, "failures": failures}


def check_docs(system: System, name: str) -> list[str]:
    """Swagger UI rendered by headless Chromium shows every operation of the service."""
    schema = httpx.get(system.url(name) + "/openapi.json", timeout=30).json()
    # Swagger UI shows an operation once under each of its tags (none: under "default").
    expected = sum(
        max(1, len(operation.get("tags", [])))
        for operations in schema["paths"].values()
        for operation in operations.values()
    )
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        return ["chromium is not installed"]
    profile = tempfile.mkdtemp(prefix="spn-chromium-")
    try:
        dom = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-dev-shm-usage",
             f"--user-data-dir={profile}", "--virtual-time-budget=20000", "--dump-dom",
             system.url(name) + "/docs"],
            capture_output=True, text=True, timeout=120,
        ).stdout  # fmt: skip
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    rendered = len(re.findall(r'class="opblock opblock-', dom))
    if rendered != expected:
        return [f"/docs rendered {rendered} of {expected} operations"]
    say(f"{name}: /docs renders {rendered} operations")
    return []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="a server URL, e.g. postgresql://postgres@host/postgres")
    parser.add_argument("--clients", action="store_true")
    parser.add_argument("--docs", action="store_true")
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--services", default=",".join(SERVICES))
    parser.add_argument("--reports", type=Path, help="keep schemathesis' output and reports here")
    args = parser.parse_args()
    database = "PostgreSQL" if args.postgres else "SQLite"
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="spn-contract-") as tmp:
        workdir = Path(tmp)
        system = System(workdir, args.postgres)
        try:
            system.start()
            token = subprocess.run(
                [sys.executable, "-m", "shared.auth", "mint", "--role", "admin"],
                cwd=ROOT, env=system.env, capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
            for name in args.services.split(","):
                if args.clients:
                    warnings = check_client(system, name, workdir)
                    say(f"{name}: openapi-python-client warnings: {len(warnings)}")
                    failed += [f"{name} client: {w}" for w in warnings]
                if args.docs:
                    failed += [f"{name} docs: {p}" for p in check_docs(system, name)]
                if args.max_examples > 0:
                    figures = check_with_schemathesis(
                        system, name, token, args.max_examples, workdir, args.reports
                    )
                    say(f"{name} on {database}: schemathesis {figures}")
                    if figures["exit"] != 0:
                        failed.append(f"{name} on {database}: schemathesis found failures")
        finally:
            system.stop()
            for name in SERVICES:
                log = workdir / f"{name}.log"
                if log.exists() and "Traceback" in log.read_text():
                    say(f"--- {name}.log (errors)\n{log.read_text()[-6000:]}")
    if failed:
        say("\n".join(["contract FAILED:", *failed]))
        sys.exit(1)
    say(f"contract on {database}: passed")


if __name__ == "__main__":
    main()
