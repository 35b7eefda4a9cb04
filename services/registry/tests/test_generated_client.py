"""An integrator's view: a client generated from the registry's OpenAPI with
openapi-python-client, driving the registry through a whole scenario (issue 9)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.registry.tests.conftest import community

ROOT = Path(__file__).resolve().parents[3]
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture
def generated(app: FastAPI, tmp_path: Path) -> Iterator[Callable[[str], ModuleType]]:
    """`generated("api.centers.create_center")`: a module of a client generated right now."""
    package = f"registry_client_{uuid.uuid4().hex[:8]}"
    schema = tmp_path / "openapi.json"
    schema.write_text(json.dumps(app.openapi()))
    result = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(schema), "--output-path",
         str(tmp_path / package), "--meta", "none",
         "--config", str(ROOT / ".ci" / "openapi-python-client.yaml")],
        capture_output=True, text=True, cwd=tmp_path,
        # The generator formats its output with ruff, a dev dependency beside it.
        env={**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ['PATH']}"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower(), result.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        yield lambda name: importlib.import_module(f"{package}.{name}")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith(package)]:
            del sys.modules[name]


async def test_an_integrator_drives_the_registry_through_a_generated_client(
    app: FastAPI, generated: Callable[[str], ModuleType], token_for: Callable[..., str]
) -> None:
    client_module = generated("client")
    models = generated("models")
    create_center = generated("api.centers.create_center")
    get_center = generated("api.centers.get_center")
    edit_center = generated("api.centers.edit_center")
    list_centers = generated("api.centers.list_centers")
    import_actors = generated("api.imports.import_actors")
    types = generated("types")

    client: Any = client_module.AuthenticatedClient(
        base_url="http://registry", token=token_for("admin")
    )
    client.set_async_httpx_client(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registry",
                          headers={"Authorization": f"Bearer {token_for('admin')}"})
    )  # fmt: skip
    body = models.CenterIn.from_dict({
        "name": {"hy": "Մասիսի կենտրոն", "en": "Masis center"},
        "region_code": "AM-AR",
        "territory": [community("masis")],
    })  # fmt: skip

    # Create, with an Idempotency-Key, then retry: the same center, not a second one.
    created = await create_center.asyncio_detailed(client=client, body=body, idempotency_key="k1")
    assert created.status_code == 201
    center = created.parsed
    assert isinstance(center, models.CenterOut)
    assert center.name.hy == "Մասիսի կենտրոն"
    retried = await create_center.asyncio_detailed(client=client, body=body, idempotency_key="k1")
    assert retried.status_code == 201
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert retried.parsed.id == center.id
    page = (await list_centers.asyncio_detailed(client=client)).parsed
    assert isinstance(page, models.PageCenterOut)
    assert [c.id for c in page.items] == [center.id]

    # Read, then change it conditionally: the ETag read is accepted once, then stale.
    read = await get_center.asyncio_detailed(center_id=center.id, client=client)
    assert isinstance(read.parsed, models.CenterOut)
    etag = read.headers["ETag"]
    unchanged = await get_center.asyncio_detailed(
        center_id=center.id, client=client, if_none_match=etag
    )
    assert unchanged.status_code == 304
    patch = models.CenterPatch.from_dict({"name": {"hy": "Մասիսի նոր կենտրոն"}})
    edited = await edit_center.asyncio_detailed(
        center_id=center.id, client=client, body=patch, if_match=etag
    )
    assert edited.status_code == 200
    assert edited.parsed.name.hy == "Մասիսի նոր կենտրոն"
    stale = await edit_center.asyncio_detailed(
        center_id=center.id, client=client, body=patch, if_match=etag
    )

    # A refused request comes back parsed as a Problem, not as an exception.
    assert stale.status_code == 412
    assert isinstance(stale.parsed, models.Problem)
    assert stale.parsed.status == 412
    invalid = await list_centers.asyncio_detailed(client=client, limit=0)
    assert isinstance(invalid.parsed, models.Problem)
    assert invalid.parsed.errors[0].field == "query.limit"

    # The CSV import is generated too, with its media type and both of its answers.
    csv = "kind,legal_form,name_hy,located_in\nlegal_entity,cso,Ա ՀԿ,masis\n".encode()
    report = await import_actors.asyncio_detailed(
        client=client, body=types.File(payload=csv), dry_run=True
    )
    assert report.status_code == 200
    assert isinstance(report.parsed, models.ImportReport)
    assert report.parsed.valid is True
