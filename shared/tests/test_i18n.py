"""Problems answer in the language the caller asks for: Armenian or English."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from shared.i18n import Joined, TextDomain, _, negotiate

ARMENIAN = {"Accept-Language": "hy"}
Headers = dict[str, str]


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("hy", "hy"),
        ("hy-AM", "hy"),
        ("HY-am", "hy"),
        ("en-US,en;q=0.9", "en"),
        ("ru-RU, ru;q=0.9, hy;q=0.8, en;q=0.7", "hy"),
        ("ru, en;q=0.5, hy;q=0.6", "hy"),
        ("en;q=0.4, hy;q=0.5", "hy"),
        ("hy;q=0, en;q=0.1", "en"),
        ("hy;q=0", "en"),
        ("fr, de;q=0.5", "en"),
        ("*", "en"),
        ("fr, *;q=0.5, hy;q=0.4", "en"),
        ("hy;q=abc, en;q=0.2", "en"),
        ("hy;q=2", "en"),
        ("hye, hy-Latn;q=0.3", "hy"),
    ],
)
def test_the_language_is_negotiated(header: str | None, language: str) -> None:
    assert negotiate(header) == language


class TestMessages:
    def test_a_message_is_translated_when_rendered(self) -> None:
        message = _("The token is not valid: {reason}.", reason="bad signature")
        assert message.render("en") == "The token is not valid: bad signature."
        assert message.render("hy") == "Թոքենն անվավեր է (bad signature)։"
        assert str(message) == "The token is not valid: bad signature."  # outside a request

    def test_messages_inside_messages_follow_the_same_language(self) -> None:
        held = Joined("; ", [_("Not found"), _("Conflict")])
        message = _("The request has invalid fields: {fields}.", fields=held)
        assert (
            message.render("hy") == "Հարցման հետևյալ դաշտերն անվավեր են՝ Չի գտնվել; Հակասություն։"
        )
        assert _("not in any catalog").capitalized().render("hy") == "Not in any catalog"

    def test_a_translation_with_a_wrong_placeholder_falls_back_to_english(
        self, tmp_path: Any
    ) -> None:
        po = tmp_path / "hy" / "LC_MESSAGES" / "broken.po"
        po.parent.mkdir(parents=True)
        po.write_text('msgid "Hello {name}"\nmsgstr "Բարև {anun}"\n', encoding="utf-8")
        domain = TextDomain("broken", tmp_path)
        assert domain("Hello {name}", name="Ani").render("hy") == "Hello Ani"


def _same_problem(english: httpx.Response, armenian: httpx.Response) -> tuple[Any, Any]:
    """The same problem (type, status) in two languages, each saying which it is."""
    en, hy = english.json(), armenian.json()
    assert english.status_code == armenian.status_code == en["status"] == hy["status"]
    assert en["type"] == hy["type"]
    assert english.headers["content-language"] == "en"
    assert armenian.headers["content-language"] == "hy"
    for response in (english, armenian):
        assert response.headers["content-type"] == "application/problem+json"
        assert "accept-language" in response.headers["vary"].lower()
    assert en["title"] != hy["title"]
    assert en["detail"] != hy["detail"]
    return en, hy


class TestProblemsInArmenian:
    async def test_no_token_is_401_in_armenian(self, client: httpx.AsyncClient) -> None:
        english = await client.get("/v1/notes/-/me")
        armenian = await client.get("/v1/notes/-/me", headers={"Accept-Language": "hy-AM"})
        en, hy = _same_problem(english, armenian)
        assert en["title"] == "Not authenticated"
        assert hy["title"] == "Նույնականացումը բացակայում է"
        assert (
            hy["detail"] == "Այս հարցման համար անհրաժեշտ է թոքեն (Authorization: Bearer <token>)։"
        )
        assert armenian.headers["www-authenticate"] == "Bearer"

    async def test_unknown_path_is_404_in_armenian(self, client: httpx.AsyncClient) -> None:
        _en, hy = _same_problem(
            await client.get("/v1/nowhere"), await client.get("/v1/nowhere", headers=ARMENIAN)
        )
        assert hy["title"] == "Չի գտնվել"
        assert hy["detail"] == "/v1/nowhere հասցեում ոչինչ չկա։"

    async def test_invalid_body_is_422_in_armenian(self, client: httpx.AsyncClient) -> None:
        english = await client.post("/v1/notes", json={"text": ""})
        armenian = await client.post("/v1/notes", json={"text": ""}, headers=ARMENIAN)
        en, hy = _same_problem(english, armenian)
        assert hy["title"] == "Անվավեր հարցում"
        assert hy["detail"] == "Հարցման հետևյալ դաշտերն անվավեր են՝ text։"
        assert [e["field"] for e in hy["errors"]] == [e["field"] for e in en["errors"]] == ["text"]
        assert en["errors"][0]["message"] == "String should have at least 1 character"
        assert hy["errors"][0]["message"] == "Տեքստը պետք է պարունակի առնվազն 1 նիշ"

    async def test_field_messages_of_validation_are_in_armenian(
        self, client: httpx.AsyncClient
    ) -> None:
        missing = await client.post("/v1/notes", json={}, headers=ARMENIAN)
        assert missing.json()["errors"][0]["message"] == "Պարտադիր դաշտ է"
        not_text = await client.post("/v1/notes", json={"text": 5}, headers=ARMENIAN)
        assert not_text.json()["errors"][0]["message"] == "Արժեքը պետք է լինի տեքստ"
        bad_id = await client.get("/v1/notes/not-a-uuid", headers=ARMENIAN)
        assert bad_id.json()["errors"][0] == {
            "field": "path.note_id",
            "message": "Արժեքը պետք է լինի վավեր UUID նույնացուցիչ",
            "type": "uuid_parsing",
        }
        english = await client.get("/v1/notes/not-a-uuid")
        assert english.json()["errors"][0]["message"].startswith("Input should be a valid UUID")

    async def test_stale_if_match_is_412_in_armenian(
        self, client: httpx.AsyncClient, token_for: Callable[..., str]
    ) -> None:
        admin = {"Authorization": f"Bearer {token_for('admin')}"}
        url = f"/v1/notes/{(await client.post('/v1/notes', json={'text': 'a'})).json()['id']}"
        stale = admin | {"If-Match": '"7"'}
        english = await client.patch(url, json={"text": "b"}, headers=stale)
        armenian = await client.patch(url, json={"text": "b"}, headers=stale | ARMENIAN)
        en, hy = _same_problem(english, armenian)
        assert hy["title"] == "Նախապայմանը չի բավարարվել"
        assert hy["detail"] == (
            "Գրառումը փոխվել է այն պահից ի վեր, երբ դուք այն կարդացել եք։ "
            "Կրկին կարդացեք այն և կրկնեք ձեր փոփոխությունը։"
        )
        assert hy["current_etag"] == en["current_etag"]

    async def test_a_role_missing_is_403_in_armenian(
        self, client: httpx.AsyncClient, token_for: Callable[..., str]
    ) -> None:
        reader = {"Authorization": f"Bearer {token_for('network_member')}"}
        url = f"/v1/notes/{(await client.post('/v1/notes', json={'text': 'a'})).json()['id']}"
        english = await client.patch(url, json={"text": "b"}, headers=reader)
        armenian = await client.patch(url, json={"text": "b"}, headers=reader | ARMENIAN)
        _en, hy = _same_problem(english, armenian)
        assert hy["detail"] == "Սրա համար անհրաժեշտ է հետևյալ դերերից մեկը՝ admin։"

    async def test_a_reused_idempotency_key_is_refused_in_armenian(
        self, client: httpx.AsyncClient
    ) -> None:
        await client.post("/v1/notes", json={"text": "a"}, headers={"Idempotency-Key": "k"})
        other = {"Idempotency-Key": "k"}
        english = await client.post("/v1/notes", json={"text": "b"}, headers=other)
        armenian = await client.post("/v1/notes", json={"text": "b"}, headers=other | ARMENIAN)
        _en, hy = _same_problem(english, armenian)
        assert hy["title"] == "Idempotency-Key բանալին արդեն օգտագործվել է"

    async def test_the_unexpected_500_is_in_armenian(self, client: httpx.AsyncClient) -> None:
        english = await client.get("/v1/notes/-/boom")
        armenian = await client.get("/v1/notes/-/boom", headers=ARMENIAN)
        _en, hy = _same_problem(english, armenian)
        assert hy["title"] == "Սերվերի ներքին սխալ"

    @pytest.mark.parametrize("header", ["fr", "hy;q=0, en;q=0.5", "en-GB", "*"])
    async def test_english_unless_armenian_is_preferred(
        self, client: httpx.AsyncClient, header: str
    ) -> None:
        response = await client.get("/v1/notes/-/me", headers={"Accept-Language": header})
        assert response.headers["content-language"] == "en"
        assert response.json()["detail"] == "This request needs a bearer token."
