"""Minutes: drafted from the record in Armenian (and English), edited as a draft, approved by a
later session, then immutable; the PDF's text layer holds the Armenian words."""

from __future__ import annotations

import io
from typing import Any

import httpx
from pypdf import PdfReader

from services.councils.tests.conftest import FakeRegistry, Headers, post
from services.councils.tests.test_sessions import Council, seated


async def held(
    client: httpx.AsyncClient,
    admin: Headers,
    council: Council,
    starts_at: str,
    convened_on: str,
    motion: dict[str, Any],
) -> dict[str, Any]:
    planned = await post(
        client,
        f"/v1/councils/{council.id}/sessions",
        admin,
        format="in_person",
        starts_at=starts_at,
        place="Մասիս",
    )
    url = f"/v1/sessions/{planned['id']}"
    await post(client, f"{url}/convene", admin, by="secretary", convened_on=convened_on)
    s = await post(
        client, f"{url}/agenda", admin, title={"hy": "Ծրագրի քննարկում"}, kind="decision"
    )
    for rep in council.principals:
        await post(client, f"{url}/check-in", admin, representative_id=rep, mode="in_person")
    await post(client, f"{url}/open", admin)
    s = await post(client, f"{url}/motions", admin, item_id=s["agenda"][0]["id"], **motion)
    motion_id = s["motions"][0]["id"]
    for rep in council.principals:
        await post(
            client, f"{url}/motions/{motion_id}/votes", admin, representative_id=rep, choice="yes"
        )
    await post(client, f"{url}/motions/{motion_id}/decide", admin)
    return await post(client, f"{url}/close", admin)


async def test_minutes_from_draft_to_approved(
    client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
) -> None:
    council = await seated(client, admin, registry, size=3)
    first = await held(
        client,
        admin,
        council,
        "2024-06-20T15:00:00+04:00",
        "2024-06-10",
        {"decision_kind": "ordinary", "text": {"hy": "Հաստատել ծրագիրը"}},
    )
    url = f"/v1/sessions/{first['id']}/minutes"
    drafted = await post(client, url, admin)
    assert drafted["status"] == "draft"
    assert "Ներկա էին" in drafted["text_hy"]
    assert "Հաստատել ծրագիրը" in drafted["text_hy"]
    assert "Ներկայացուցիչ 0" in drafted["text_hy"]
    assert "decision no. 1/2024" in drafted["text_en"]
    again = await client.post(url, headers=admin)
    assert again.status_code == 409
    edited = await client.patch(
        url,
        json={"text_hy": drafted["text_hy"] + "\nԼրացում՝ քննարկվել է բյուջեն։"},
        headers=admin,
    )
    assert edited.status_code == 200, edited.text

    pdf = await client.get(f"{url}.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for words in ("Ներկա էին", "Հաստատել ծրագիրը", "Լրացում", "բյուջեն", "Decisions"):
        assert words in text, words

    # Approved at the next session by a motion of the kind minutes_approval.
    await held(
        client,
        admin,
        council,
        "2024-07-20T15:00:00+04:00",
        "2024-07-01",
        {
            "decision_kind": "minutes_approval",
            "text": {"hy": "Հաստատել արձանագրությունը"},
            "minutes_of": first["id"],
        },
    )
    approved = (await client.get(url)).json()
    assert approved["status"] == "approved"
    assert approved["approved_on"] == "2024-07-20"
    assert approved["approved_by"]["decision"] == "2/2024"
    refused = await client.patch(url, json={"text_hy": "Այլ"}, headers=admin)
    assert refused.status_code == 409
