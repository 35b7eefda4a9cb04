"""A clerk whose client asks for Armenian reads every refusal of the registry in Armenian; any
other caller reads the same problem (type, status) in English."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx

from services.registry.tests.conftest import (
    community,
    create_actor,
    create_network,
    join,
    official_of,
)

Headers = dict[str, str]
ARMENIAN = {"Accept-Language": "hy-AM,hy;q=0.9,en;q=0.5"}


def same_problem(english: httpx.Response, armenian: httpx.Response) -> tuple[Any, Any]:
    en, hy = english.json(), armenian.json()
    assert english.status_code == armenian.status_code
    assert (en["type"], en["status"]) == (hy["type"], hy["status"])
    assert (english.headers["content-language"], armenian.headers["content-language"]) == (
        "en",
        "hy",
    )
    assert "Accept-Language" in armenian.headers["vary"]
    return en, hy


class TestRefusalsInArmenian:
    async def test_a_write_without_token_is_401(self, client: httpx.AsyncClient) -> None:
        body = {"kind": "legal_entity", "legal_form": "cso", "name": {"hy": "Ա"}}
        english = await client.post("/v1/actors", json=body)
        armenian = await client.post("/v1/actors", json=body, headers=ARMENIAN)
        en, hy = same_problem(english, armenian)
        assert english.status_code == 401
        assert (en["title"], hy["title"]) == ("Not authenticated", "Նույնականացումը բացակայում է")

    async def test_an_unknown_network_is_404(self, client: httpx.AsyncClient) -> None:
        url = f"/v1/networks/{uuid.uuid4()}"
        en, hy = same_problem(await client.get(url), await client.get(url, headers=ARMENIAN))
        network_id = url.rsplit("/", 1)[1]
        assert en["detail"] == f"There is no network {network_id}."
        assert hy["title"] == "Չի գտնվել"
        assert hy["detail"] == f"{network_id} նույնացուցիչով ցանց չկա։"

    async def test_a_second_active_network_is_a_409_naming_the_rule(
        self, client: httpx.AsyncClient, admin: Headers, masis_center: dict[str, Any]
    ) -> None:
        first = await create_network(client, admin, masis_center["id"])
        body = {"center_id": masis_center["id"], "name": {"hy": "Երկրորդ ցանց"}, "form": "mixed",
                "goals": ["poverty_reduction"], "founded_on": "2024-05-01"}  # fmt: skip
        english = await client.post("/v1/networks", json=body, headers=admin)
        armenian = await client.post("/v1/networks", json=body, headers=admin | ARMENIAN)
        en, hy = same_problem(english, armenian)
        assert english.status_code == 409
        assert en["title"] == "Center already has a network"
        assert hy["title"] == "Կենտրոնն արդեն ունի ցանց"
        assert hy["detail"] == (
            f"Կենտրոնն (Մասիսի տարածքային կենտրոն) արդեն ունի գործող ցանց՝ "
            f"Մասիսի սոցիալական համագործակցության ցանց ({first['id']})։ Կենտրոնը կարող է ունենալ "
            "սոցիալական համագործակցության միայն մեկ գործող տեղական ցանց։ Նախ լուծարեք այդ ցանցը։"
        )

    async def test_a_community_served_by_another_center_is_a_409_naming_both(
        self, client: httpx.AsyncClient, admin: Headers, masis_center: dict[str, Any]
    ) -> None:
        body = {"name": {"hy": "Արարատի կենտրոն"}, "region_code": "AM-AR",
                "territory": [community("ararat"), community("masis")]}  # fmt: skip
        english = await client.post("/v1/centers", json=body, headers=admin)
        armenian = await client.post("/v1/centers", json=body, headers=admin | ARMENIAN)
        en, hy = same_problem(english, armenian)
        assert english.status_code == 409
        assert "Մասիս is served by Մասիսի տարածքային կենտրոն" in en["detail"]
        assert hy == hy | {
            "title": "Համայնքն արդեն սպասարկվում է",
            "detail": "Համայնքը կարող է լինել միայն մեկ գործող կենտրոնի սպասարկման տարածքում․ "
            "Մասիս համայնքի սպասարկող կենտրոնն է՝ Մասիսի տարածքային կենտրոն։ "
            "Նախ հանեք այն այդ կենտրոնի տարածքից։",
        }

    async def test_joining_before_the_network_was_founded_names_the_field_in_armenian(
        self, client: httpx.AsyncClient, admin: Headers, masis_center: dict[str, Any]
    ) -> None:
        network = await create_network(client, admin, masis_center["id"])
        actor = await create_actor(client, admin)
        english = await join(client, admin, network["id"], actor["id"], joined_on="2024-01-01")
        armenian = await client.post(
            f"/v1/networks/{network['id']}/members",
            json={"actor_id": actor["id"], "joined_on": "2024-01-01"},
            headers=admin | ARMENIAN,
        )
        en, hy = same_problem(english, armenian)
        assert english.status_code == 422
        assert hy["title"] == "Միացման ամսաթիվը չափազանց վաղ է"
        assert hy["detail"] == (
            "joined_on: ցանցի հիմնադրման ամսաթիվն է 2024-03-01․ "
            "դրանից առաջ ոչ ոք չի կարող միանալ դրան"
        )
        assert en["errors"][0]["field"] == hy["errors"][0]["field"] == "joined_on"
        assert en["errors"][0]["message"].startswith("the network was founded on 2024-03-01")
        assert hy["errors"][0]["message"].startswith("ցանցի հիմնադրման ամսաթիվն է 2024-03-01")

    async def test_an_invalid_body_is_422(self, client: httpx.AsyncClient, admin: Headers) -> None:
        body = {"kind": "legal_entity", "name": {"hy": ""}}
        english = await client.post("/v1/actors", json=body, headers=admin)
        armenian = await client.post("/v1/actors", json=body, headers=admin | ARMENIAN)
        en, hy = same_problem(english, armenian)
        assert english.status_code == 422
        assert (en["title"], hy["title"]) == ("Invalid request", "Անվավեր հարցում")
        assert hy["detail"].startswith("Հարցման հետևյալ դաշտերն անվավեր են՝ ")
        assert [e["field"] for e in hy["errors"]] == [e["field"] for e in en["errors"]]

    async def test_the_registry_own_field_checks_are_in_armenian(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        body = {"kind": "natural_person", "legal_form": "cso", "name": {"hy": "Անի"},
                "contacts": {"phone": "12345"}}  # fmt: skip
        english = await client.post("/v1/actors", json=body, headers=admin)
        armenian = await client.post("/v1/actors", json=body, headers=admin | ARMENIAN)
        en, hy = same_problem(english, armenian)
        assert [e["message"] for e in en["errors"]] == [
            "Value error, an Armenian phone number is +374 followed by 8 digits"
        ]
        assert [e["message"] for e in hy["errors"]] == [
            "հայաստանյան հեռախոսահամարը +374 է և 8 թվանշան"
        ]
        body["contacts"] = {}
        whole = await client.post("/v1/actors", json=body, headers=admin | ARMENIAN)
        assert whole.json()["errors"][0]["message"] == (
            "legal_form: կազմակերպաիրավական ձև ունեն միայն իրավաբանական անձինք, "
            "իսկ այս դերակատարի տեսակն է՝ natural_person"
        )

    async def test_a_stale_if_match_is_412(self, client: httpx.AsyncClient, admin: Headers) -> None:
        url = f"/v1/actors/{(await create_actor(client, admin))['id']}"
        stale = admin | {"If-Match": '"9"'}
        english = await client.patch(url, json={"description": "x"}, headers=stale)
        armenian = await client.patch(url, json={"description": "x"}, headers=stale | ARMENIAN)
        _en, hy = same_problem(english, armenian)
        assert english.status_code == 412
        assert hy["title"] == "Նախապայմանը չի բավարարվել"
        assert hy["detail"].startswith(
            "Գրառումը փոխվել է այն պահից ի վեր, երբ դուք այն կարդացել եք"
        )

    async def test_an_official_outside_their_territory_is_403(
        self,
        client: httpx.AsyncClient,
        token_for: Callable[..., str],
        masis_center: dict[str, Any],
    ) -> None:
        official = official_of(token_for, masis_center["id"])
        body = {"kind": "legal_entity", "legal_form": "cso", "name": {"hy": "Գ"},
                "located_in": [community("gyumri")]}  # fmt: skip
        english = await client.post("/v1/actors", json=body, headers=official)
        armenian = await client.post("/v1/actors", json=body, headers=official | ARMENIAN)
        en, hy = same_problem(english, armenian)
        assert english.status_code == 403
        assert en["detail"].startswith("The actor as sent is outside the service territory")
        assert hy["title"] == "Արգելված է"
        assert hy["detail"].startswith(
            "Ուղարկված տեսքով դերակատարը ձեր կենտրոնի սպասարկման տարածքից դուրս է․"
        )

    async def test_a_refused_import_names_its_bad_rows_in_armenian(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        csv = "kind,legal_form,name_hy,community\nlegal_entity,cso,Գ ՀԿ,atlantis\n"
        headers = admin | {"Content-Type": "text/csv"}
        english = await client.post("/v1/imports/actors", content=csv, headers=headers)
        armenian = await client.post("/v1/imports/actors", content=csv, headers=headers | ARMENIAN)
        en, hy = same_problem(english, armenian)
        assert english.status_code == 422
        assert hy["title"] == "Ներմուծումը մերժված է"
        assert hy["detail"].startswith("Ֆայլում կա 1 խնդիր, ոչինչ չի ներմուծվել։")
        assert [(e["line"], e["field"], e["message"]) for e in en["errors"]] == [
            (2, "community", "no community has the code 'atlantis'")
        ]
        assert [(e["line"], e["field"], e["message"]) for e in hy["errors"]] == [
            (2, "community", "'atlantis' ծածկագրով համայնք չկա")
        ]
