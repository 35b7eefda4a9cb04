"""The councils service's audit trail: who changed a council, when and what; administrators
only."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from services.councils.tests.conftest import Headers, bearer, create_municipal


async def test_the_audit_trail_is_for_administrators(
    client: httpx.AsyncClient, admin: Headers, token_for: Callable[..., str]
) -> None:
    council = await create_municipal(client, admin)
    url = f"/v1/councils/{council['id']}"
    etag = (await client.get(url)).headers["etag"]
    changed = await client.patch(
        url, json={"name": {"hy": "Նոր անուն"}}, headers=admin | {"If-Match": etag}
    )
    assert changed.status_code == 200, changed.text
    params = {"resource_type": "council", "resource_id": council["id"]}

    entries = await client.get("/v1/council-audit", params=params, headers=admin)
    assert entries.status_code == 200, entries.text
    items = entries.json()["items"]
    assert [e["action"] for e in items] == ["create", "update"]
    assert {e["subject"] for e in items} == {"admin-anna"}
    assert "name" in items[1]["changes"]

    assert (await client.get("/v1/council-audit", params=params)).status_code == 401
    secretary = bearer(token_for("secretary", subject="secretary-sona"))
    refused = await client.get("/v1/council-audit", params=params, headers=secretary)
    assert refused.status_code == 403
    unknown = params | {"resource_type": "grant"}
    assert (await client.get("/v1/council-audit", params=unknown, headers=admin)).status_code == 422
