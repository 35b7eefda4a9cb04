"""The demo: Masis's coordinating council with every member seated, Yerevan's council of 19."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.councils import demo
from services.councils.clients import Registry
from services.councils.tests.conftest import YEREVAN, FakeRegistry, members_of
from shared.http import ServiceClient


async def test_the_demo_loads_once(
    app: FastAPI, client: httpx.AsyncClient, registry: FakeRegistry
) -> None:
    network = registry.add_network(name_en=demo.MASIS_NETWORK)
    for name in ("Համայնքապետարան", "Կանանց կենտրոն", "Ասոցիացիա", "Հացատուն", "Փոխադրող"):
        registry.join(network, name, joined_on="2021-02-15")
    service = ServiceClient("http://registry", caller="test", transport=registry.transport())
    try:
        loaded = await demo.load(app.state.database, Registry(service))
        assert len(loaded) == 2
        assert await demo.load(app.state.database, Registry(service)) == []
    finally:
        await service.aclose()
    (masis,) = (await client.get("/v1/councils", params={"network_id": network})).json()["items"]
    assert masis["status"] == "active"
    assert masis["current_members"] == 5
    members = await members_of(client, masis["id"])
    assert all(m["complete"] for m in members)
    in_force = await client.get(f"/v1/councils/{masis['id']}/bylaws-in-force")
    assert in_force.json()["number"] == 1
    groups = (await client.get(f"/v1/councils/{masis['id']}/working-groups")).json()["items"]
    assert len(groups) == 1
    (yerevan,) = (await client.get("/v1/councils", params={"community_id": YEREVAN})).json()[
        "items"
    ]
    assert yerevan["current_members"] == 19
    guests = (await client.get(f"/v1/councils/{yerevan['id']}/guests")).json()["items"]
    assert {g["role"] for g in guests} == {"community_council_representative", "independent_expert"}
    (session,) = (await client.get("/v1/sessions", params={"council_id": yerevan["id"]})).json()[
        "items"
    ]
    assert session["starts_at"].startswith("2020-07-23")
    assert session["format"] == "remote"
    assert len([a for a in session["attendance"] if a["role"] == "principal"]) == 19
    assert len([a for a in session["attendance"] if a["role"] == "guest"]) == 2
    (decision,) = session["motions"]
    assert decision["decision"] == "2/2020"  # 1/2020 adopted the bylaws
    groups = (await client.get(f"/v1/councils/{yerevan['id']}/working-groups")).json()["items"]
    assert [g["formed_on"] for g in groups] == ["2020-07-23"]

    first, second = (await client.get("/v1/sessions", params={"council_id": masis["id"]})).json()[
        "items"
    ]
    assert first["motions"][0]["decision_kind"] == "bylaws_amendment"
    minutes = (await client.get(f"/v1/sessions/{first['id']}/minutes")).json()
    assert minutes["status"] == "approved"
    assert minutes["approved_by"]["session_id"] == second["id"]
