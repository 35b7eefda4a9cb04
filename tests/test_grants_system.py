"""Grants as the run command starts it, with the registry as a real process: a plan, a call,
two applications, their assessment and an award go through while the registry answers, and a
recipient renamed there reaches the grant through the pushed change feed; while the registry is
stopped, a write that needs it is a 503 problem and nothing is written."""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import mint_token
from shared.settings import AuthSettings
from shared.testing import free_port
from tests.test_system import ROOT, System, _procfile

pytestmark = pytest.mark.e2e

GYUMRI = str(uuid.uuid5(uuid.UUID("6f1c0f5e-0d3b-4c59-9a57-5e0b7c1a2f10"), "gyumri"))


class Services(System):
    def __init__(self, env: dict[str, str], ports: dict[str, int]) -> None:
        super().__init__(env, gateway="")
        self.ports = ports

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def wait_ready(self, name: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url(name)}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{name} never became ready")

    def wait_down(self, name: str, timeout: float = 30) -> None:
        """Until the port refuses: the shell stops at once, the server once it has shut down."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url(name)}/healthz", timeout=1)
            except httpx.TransportError:
                return
            time.sleep(0.1)
        raise AssertionError(f"{name} still answers")


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    import subprocess

    ports = {name: free_port() for name in ("registry", "grants")}
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "SPN_DATA_DIR": str(tmp_path / "data"),
        "SPN_ENV": "local",
        "SPN_WORKERS": "1",
        "SPN_REGISTRY_PORT": str(ports["registry"]),
        "SPN_GRANTS_PORT": str(ports["grants"]),
        # The registry pushes its change feed to the grants' inbox only (no councils here).
        "SPN_REGISTRY_SUBSCRIBERS": f"http://127.0.0.1:{ports['grants']}/v1/inbox/registry",
    }
    for key in ("SPN_REGISTRY_DATABASE_URL", "SPN_GRANTS_DATABASE_URL", "SPN_GRANTS_REGISTRY_URL"):
        env.pop(key, None)
    for service in ("registry", "grants"):
        subprocess.run([sys.executable, "-m", f"services.{service}", "migrate"], cwd=ROOT,
                       env=env, check=True, capture_output=True)  # fmt: skip
    running = Services(env, ports)
    commands = _procfile()
    try:
        for name in ("registry", "grants"):
            running.start(name, commands[name], tmp_path / f"{name}.log")
        for name in ("registry", "grants"):
            running.wait_ready(name)
        yield running
    finally:
        for name in running.processes:
            running.stop(name)


def bearer(role: str, **scopes: list[str]) -> dict[str, str]:
    token = mint_token(AuthSettings(), subject=f"e2e-{role}", roles=[role], scopes=scopes)
    return {"Authorization": f"Bearer {token}"}


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_call_goes_through_and_stops_when_the_registry_does(services: Services) -> None:
    registry = httpx.Client(base_url=services.url("registry"), timeout=10)
    grants = httpx.Client(base_url=services.url("grants"), timeout=20)
    admin, officer = bearer("admin"), bearer("grants_officer")
    official = bearer("community_official", communities=[GYUMRI])

    actors = [
        created(registry.post("/v1/actors", headers=admin, json={
            "kind": "legal_entity", "legal_form": "cso", "name": {"hy": name},
            "located_in": [GYUMRI]}))
        for name in ("Հույս", "Կամուրջ")
    ]  # fmt: skip
    plan = created(grants.post("/v1/plans", headers=official, json={
        "community_id": GYUMRI, "period_from": 2024, "period_to": 2026,
        "title": {"hy": "Գյումրու տեղական սոցիալական պլան"},
        "priorities": [{"title": {"hy": "Տարեցների տնային խնամք"}, "target_groups": ["elderly"],
                        "service_categories": ["home_care"]}]}))  # fmt: skip
    url = f"/v1/plans/{plan['id']}"
    assert grants.post(f"{url}/consultation", headers=official).status_code == 200
    created(
        grants.post(
            f"{url}/consultations",
            headers=official,
            json={
                "held_on": "2024-02-01",
                "format": "focus_group",
                "groups": [{"group": "Տարեցներ", "participants": 12}],
                "summary": "Տնային խնամք",
            },
        )
    )
    adopted = grants.post(f"{url}/adoption", headers=official,
                          json={"number": "5-Ն", "date": "2024-03-01"})  # fmt: skip
    assert adopted.status_code == 200, adopted.text
    priority = adopted.json()["priorities"][0]["id"]

    programme = created(grants.post("/v1/grant-programmes", headers=officer, json={
        "name": {"hy": "Համայնքային ծառայություններ"},
        "funders": [{"name": {"hy": "Եվրոպական միություն"}, "country": "BE"}],
        "budget": [{"amount": "20000000", "currency": "AMD"}],
        "starts_on": "2024-01-01", "ends_on": "2030-12-31"}))  # fmt: skip
    today = time.strftime("%Y-%m-%d", time.gmtime())
    call = created(grants.post("/v1/calls", headers=officer, json={
        "programme_id": programme["id"], "title": {"hy": "Փորձնական ծառայություններ"},
        "opens_on": "2024-01-01", "closes_on": "2099-12-31", "eligible_communities": [GYUMRI],
        "applicant_kinds": ["cso"],
        "criteria": [{"code": "need", "name": {"hy": "Կարիք"}, "weight": 1}],
        "budget": {"amount": "10000000", "currency": "AMD"},
        "max_grant": {"amount": "8000000", "currency": "AMD"},
        "cofunding_share": "5"}))  # fmt: skip
    applications = []
    for actor, amount in zip(actors, ("6000000", "5000000"), strict=True):
        money = {"amount": amount, "currency": "AMD"}
        applications.append(created(grants.post(
            "/v1/applications", headers=bearer("applicant", actors=[actor["id"]]),
            json={"call_id": call["id"], "applicant_id": actor["id"], "community_id": GYUMRI,
                  "priority_id": priority, "title": "Տնային խնամք", "requested": money,
                  "budget_lines": [{"item": "Աշխատավարձ", "amount": money}],
                  "cofunding": [{"source": "community",
                                 "amount": {"amount": "300000", "currency": "AMD"}}]},
        )))  # fmt: skip
    for application, score in zip(applications, (9, 6), strict=True):
        created(grants.post(f"/v1/applications/{application['id']}/assessments", headers=officer,
                            json={"scores": {"need": score},
                                  "reasons": "Հիմնավորված"}))  # fmt: skip
    ranking = grants.get(f"/v1/calls/{call['id']}/ranking", headers=officer).json()["items"]
    assert [r["application_id"] for r in ranking] == [a["id"] for a in applications]
    award = {"awarded_on": today, "starts_on": today, "ends_on": "2099-12-31"}
    grant = created(grants.post(f"/v1/applications/{applications[0]['id']}/award",
                                headers=officer, json=award))  # fmt: skip
    over = grants.post(
        f"/v1/applications/{applications[1]['id']}/award", headers=officer, json=award
    )  # 6 + 5 million > the call's 10 million
    assert over.status_code == 409
    listed = grants.get("/v1/grants", params={"community_id": GYUMRI}).json()["items"]
    assert [g["id"] for g in listed] == [grant["id"]]

    # The recipient renamed in the registry: pushed through its change feed to the grant.
    renamed = registry.patch(f"/v1/actors/{actors[0]['id']}", headers=admin,
                             json={"name": {"hy": "Նոր հույս"}})  # fmt: skip
    assert renamed.status_code == 200, renamed.text
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        recipient = grants.get(f"/v1/grants/{grant['id']}").json()["recipient"]
        if recipient["flag"] == "changed":
            break
        time.sleep(0.2)
    assert (recipient["name"], recipient["flag"]) == ("Նոր հույս", "changed")

    services.stop("registry")
    services.wait_down("registry")
    refused = grants.post("/v1/plans", headers=official, json={
        "community_id": GYUMRI, "period_from": 2027, "period_to": 2029,
        "title": {"hy": "Հաջորդ պլանը"}})  # fmt: skip
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    direct = grants.post("/v1/grants", headers=officer, json={
        "programme_id": programme["id"], "recipient_id": actors[1]["id"], "community_id": GYUMRI,
        "title": {"hy": "Ուղղակի դրամաշնորհ"}, "amount": {"amount": "1", "currency": "AMD"},
        "awarded_on": today, "starts_on": today, "ends_on": today})  # fmt: skip
    assert direct.status_code == 503
    plans = grants.get("/v1/plans", params={"community_id": GYUMRI}).json()["items"]
    assert [p["id"] for p in plans] == [plan["id"]]
    assert [g["id"] for g in grants.get("/v1/grants").json()["items"]] == [grant["id"]]
