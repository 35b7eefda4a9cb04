"""GET /v1/search: one ranked search across actors, services and programmes."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.registry.models import (
    Programme,
    ProgrammeCommunity,
    ProgrammeTargetGroup,
    Service,
    ServiceCommunity,
    ServiceTargetGroup,
)
from services.registry.rules import search as search_rules
from services.registry.tests.conftest import community, create_actor, create_service
from shared.text import fold_all

Catalogue = dict[str, str]  # a readable name of each record -> its id


async def add_service(
    app: FastAPI,
    provider_id: str,
    *,
    hy: str,
    en: str,
    category: str,
    target_groups: list[str],
    communities: list[str],
    status: str = "active",
    description: str | None = None,
) -> str:
    service = Service(
        id=uuid.uuid4(),
        provider_id=uuid.UUID(provider_id),
        name_hy=hy,
        name_en=en,
        description=description,
        category_code=category,
        status=status,
        languages=["hy"],
        search_name=fold_all(hy, en),
        search_text=fold_all(hy, en, None, description),
        target_groups=[ServiceTargetGroup(code=code) for code in target_groups],
        communities=[ServiceCommunity(community_id=uuid.UUID(c)) for c in communities],
    )
    async with app.state.database.sessionmaker() as session, session.begin():
        session.add(service)
    return str(service.id)


async def add_programme(
    app: FastAPI,
    *,
    hy: str,
    en: str,
    starts_on: date | None,
    ends_on: date | None,
    target_groups: list[str],
    communities: list[str],
    status: str = "active",
) -> str:
    programme = Programme(
        id=uuid.uuid4(),
        name_hy=hy,
        name_en=en,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        search_name=fold_all(hy, en),
        search_text=fold_all(hy, en),
        actors=[],
        services=[],
        target_groups=[ProgrammeTargetGroup(code=code) for code in target_groups],
        communities=[ProgrammeCommunity(community_id=uuid.UUID(c)) for c in communities],
    )
    async with app.state.database.sessionmaker() as session, session.begin():
        session.add(programme)
    return str(programme.id)


@pytest.fixture
async def catalogue(app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]) -> Catalogue:
    """Five actors, three services and two programmes in Ararat, Shirak, Syunik and Yerevan."""
    ids: Catalogue = {}
    ids["municipality"] = (
        await create_actor(
            client, admin, kind="local_government", legal_form=None,
            name={"hy": "Մասիսի համայնքապետարան", "en": "Masis municipality"},
            located_in=[community("masis")],
        )
    )["id"]  # fmt: skip
    ids["hope"] = (
        await create_actor(
            client, admin,
            name={"hy": "Հույսի կամուրջ", "en": "Bridge of Hope"},
            description="Տարեցների խնամք Մասիսում և Արարատում",
            located_in=[community("masis")], operates_in=[community("ararat")],
        )
    )["id"]  # fmt: skip
    ids["caritas"] = (
        await create_actor(
            client, admin,
            name={"hy": "Գյումրու Կարիտաս", "en": "Gyumri Caritas"},
            description="Home care for the elderly",
            located_in=[community("gyumri")],
        )
    )["id"]  # fmt: skip
    ids["entrepreneur"] = (
        await create_actor(
            client, admin, kind="individual_entrepreneur", legal_form=None,
            name={"hy": "Անի Պետրոսյան ԱՁ", "en": "Ani Petrosyan IE"},
            contacts={"phone": "+37491000000", "email": "ani@example.am"},
            located_in=[community("goris")],
        )
    )["id"]  # fmt: skip
    ids["red_cross"] = (
        await create_actor(
            client, admin, legal_form="international_organisation",
            name={"hy": "Կարմիր Խաչի Երևանի մասնաճյուղ", "en": "Red Cross, Yerevan branch"},
            located_in=[community("yerevan")],
        )
    )["id"]  # fmt: skip
    ids["day_care"] = await add_service(
        app, ids["hope"],
        hy="Մասիսի տարեցների ցերեկային կենտրոն", en="Masis day centre for the elderly",
        category="day_care", target_groups=["elderly"], communities=[community("masis")],
    )  # fmt: skip
    ids["home_care"] = await add_service(
        app, ids["caritas"],
        hy="Տնային խնամք Գյումրիում", en="Home care in Gyumri", category="home_care",
        target_groups=["elderly", "persons_with_disabilities"],
        communities=[community("gyumri")],
    )  # fmt: skip
    ids["legal_aid"] = await add_service(
        app, ids["hope"],
        hy="Իրավաբանական խորհրդատվություն", en="Legal counselling", category="legal_aid",
        target_groups=["low_income_families"], communities=[community("ararat")],
        status="inactive", description="Մասիսի և Արարատի բնակիչների համար",
    )  # fmt: skip
    ids["inclusion"] = await add_programme(
        app, hy="Սոցիալական ներառում Մասիսում", en="Social inclusion in Masis",
        starts_on=date(2021, 7, 1), ends_on=date(2024, 6, 30),
        target_groups=["low_income_families"],
        communities=[community("masis"), community("gyumri")],
    )  # fmt: skip
    ids["children"] = await add_programme(
        app, hy="Երեխաների աջակցություն", en="Support for children",
        starts_on=date(2023, 1, 1), ends_on=None, target_groups=["children"],
        communities=[community("goris")], status="completed",
    )  # fmt: skip
    return ids


async def search(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/search", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    return list(body["items"])


def names(catalogue: Catalogue, hits: list[dict[str, Any]]) -> list[str]:
    by_id = {v: k for k, v in catalogue.items()}
    return [by_id[hit["id"]] for hit in hits]


async def test_ranks_names_that_start_with_the_query_first(
    client: httpx.AsyncClient, catalogue: Catalogue
) -> None:
    hits = await search(client, q="մասիս")
    assert names(catalogue, hits) == ["municipality", "day_care", "inclusion", "legal_aid", "hope"]
    assert [h["rank"] for h in hits] == [0, 0, 1, 2, 2]
    assert [h["type"] for h in hits] == ["actor", "service", "programme", "service", "actor"]


async def test_armenian_is_found_in_any_case(
    client: httpx.AsyncClient, catalogue: Catalogue
) -> None:
    lower = await search(client, q="մասիս")
    assert await search(client, q="ՄԱՍԻՍ") == lower
    assert await search(client, q="  Մասիս ") == lower


async def test_armenian_spellings_of_ev_are_one(
    client: httpx.AsyncClient, catalogue: Catalogue
) -> None:
    # և, ԵՎ and the old ԵՒ fold alike (shared.text.fold).
    for q in ("երևան", "ԵՐԵՎԱՆ", "ԵՐԵՒԱՆ", "Երեվան"):
        assert names(catalogue, await search(client, q=q)) == ["red_cross"], q


async def test_latin_is_case_insensitive_and_an_english_name_can_rank_first(
    client: httpx.AsyncClient, catalogue: Catalogue
) -> None:
    hits = await search(client, q="MASIS")
    assert names(catalogue, hits) == ["municipality", "day_care", "inclusion"]
    assert [h["rank"] for h in hits] == [0, 0, 1]
    assert await search(client, q="masis") == hits


async def test_parts_of_words_match_and_every_word_must(
    client: httpx.AsyncClient, catalogue: Catalogue
) -> None:
    assert names(catalogue, await search(client, q="կամուր")) == ["hope"]
    assert names(catalogue, await search(client, q="aritas")) == ["caritas"]
    # Both words, in any order and place: a name (rank 1) before a description (rank 2).
    hits = await search(client, q="care home")
    assert names(catalogue, hits) == ["home_care", "caritas"]
    assert [h["rank"] for h in hits] == [1, 2]
    assert await search(client, q="care nowhere") == []
    # The index's marks before each name ("qxmasis") never show as matches.
    assert await search(client, q="xma") == []
    assert await search(client, q="qxmasis") == []
    # LIKE wildcards are plain characters in a query.
    assert await search(client, q="%") == []
    assert await search(client, q="m_sis") == []


async def test_hits_carry_a_summary_and_no_personal_data(
    client: httpx.AsyncClient, catalogue: Catalogue, admin: dict[str, str]
) -> None:
    hits = {h["id"]: h for h in await search(client, q="i")}
    assert len(hits) == 9
    for hit in hits.values():
        assert set(hit) == {"type", "id", "name", "rank", "summary"}
    assert hits[catalogue["entrepreneur"]]["summary"] == "individual_entrepreneur"
    assert hits[catalogue["entrepreneur"]]["name"]["en"] == "Ani Petrosyan IE"
    assert hits[catalogue["home_care"]]["summary"] == "home_care"
    assert hits[catalogue["inclusion"]]["summary"] == "2021-07-01/2024-06-30"
    assert hits[catalogue["children"]]["summary"] == "2023-01-01/.."
    # The same answer with a token: search never shows contacts.
    response = await client.get("/v1/search", params={"q": "Petrosyan"}, headers=admin)
    assert "+374" not in response.text
    assert "ani@example.am" not in response.text


async def test_types_restrict_the_search(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    assert names(catalogue, await search(client, q="մասիս", types="programme")) == ["inclusion"]
    both = ["municipality", "day_care", "legal_aid", "hope"]
    assert names(catalogue, await search(client, q="մասիս", types="actor,service")) == both
    assert names(catalogue, await search(client, q="մասիս", types=["service", "actor"])) == both


async def test_actor_kind_restricts_to_actors(
    client: httpx.AsyncClient, catalogue: Catalogue
) -> None:
    assert names(catalogue, await search(client, q="մասիս", kind="legal_entity")) == ["hope"]
    assert await search(client, q="մասիս", kind="legal_entity", types="service") == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"region": "AM-SH"}, {"caritas", "home_care", "inclusion"}),
        ({"region": "am-ar"}, {"municipality", "hope", "day_care", "legal_aid", "inclusion"}),
        ({"region": "AM-SU"}, {"entrepreneur", "children"}),
        ({"region": "AM-TV"}, set()),
        ({"community_id": community("gyumri")}, {"caritas", "home_care", "inclusion"}),
        ({"community_id": community("ararat")}, {"hope", "legal_aid"}),
        ({"category": "home_care"}, {"home_care"}),
        ({"target_group": "low_income_families"}, {"legal_aid", "inclusion"}),
        ({"target_group": "elderly"}, {"day_care", "home_care"}),
        ({"target_group": "elderly", "types": "programme"}, set()),
        ({"status": "inactive"}, {"legal_aid"}),
        ({"status": "completed"}, {"children"}),
        ({"status": "active", "region": "AM-AR"}, {"day_care", "inclusion"}),
        ({"kind": "legal_entity", "region": "AM-SH"}, {"caritas"}),
        ({"kind": "legal_entity", "category": "home_care"}, set()),
    ],
)
async def test_filters_combine_with_and(
    client: httpx.AsyncClient,
    catalogue: Catalogue,
    filters: dict[str, str],
    expected: set[str],
) -> None:
    # "i" is in every English name, so the filters alone decide.
    assert set(names(catalogue, await search(client, q="i", **filters))) == expected


@pytest.mark.parametrize("walk", [2000, 3, 1])
async def test_pages_walk_every_hit_once_in_rank_order(
    client: httpx.AsyncClient, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch, walk: int
) -> None:
    # A short walk in name order makes the search fall back to the trigram indexes (see
    # rules/search.py); the answer must not change.
    monkeypatch.setattr(search_rules, "WALK", walk)
    everything = await search(client, q="i")
    assert len(everything) == 9
    ranks = [(h["rank"], h["name"]["hy"]) for h in everything]
    assert ranks == sorted(ranks)
    ranked = await search(client, q="մասիս")
    assert [h["rank"] for h in ranked] == [0, 0, 1, 2, 2]
    in_ararat = await search(client, q="i", region="AM-AR", types="service,programme,actor")
    assert len(in_ararat) == 5
    for q, expected, filters in (
        ("i", everything, {}),
        ("ՄԱՍԻՍ", ranked, {}),
        ("i", in_ararat, {"region": "AM-AR", "types": "service,programme,actor"}),
    ):
        for limit in (1, 2, 4):
            assert await walk_pages(client, q, limit, **filters) == expected


@pytest.mark.parametrize(
    ("glance", "probe", "walk"), [(200, 300, 2000), (1, 1, 2000), (1, 1, 1), (0, 0, 0)]
)
async def test_every_way_to_a_rank_gives_the_same_pages(
    client: httpx.AsyncClient,
    catalogue: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
    glance: int,
    probe: int,
    walk: int,
) -> None:
    # On PostgreSQL a rank's first hits come from a glance or a walk in name order, a few
    # trigram hits or every trigram hit sorted, picked as the statement runs
    # (rules/search.py); SQLite walks. Whichever way, the answer is the same.
    expected = {q: await search(client, q=q) for q in ("i", "ՄԱՍԻՍ", "care home", "ari")}
    monkeypatch.setattr(search_rules, "GLANCE", glance)
    monkeypatch.setattr(search_rules, "PROBE", probe)
    monkeypatch.setattr(search_rules, "WALK", walk)
    for q, hits in expected.items():
        assert await search(client, q=q) == hits, q
        for limit in (1, 3):
            assert await walk_pages(client, q, limit) == hits, (q, limit)


async def test_equal_names_are_ordered_by_id_then_type_on_every_page(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    same = {"hy": "Արևիկ համայնքային կենտրոն", "en": "Arevik community centre"}
    actors = [(await create_actor(client, admin, name=same))["id"] for _ in range(2)]
    services = [
        (await create_service(client, admin, provider, name=same))["id"] for provider in actors
    ]
    later = await create_actor(client, admin, name={"hy": "Նոր Արևիկ", "en": "New Arevik"})
    hits = await search(client, q="arevik")
    # The four equal names start with the query (the English one): by id, then type; the
    # name that only contains it comes after them, on whichever page the cut falls.
    tied = sorted([(i, "actor") for i in actors] + [(i, "service") for i in services])
    assert [(h["id"], h["type"]) for h in hits] == [*tied, (later["id"], "actor")]
    assert [h["rank"] for h in hits] == [0, 0, 0, 0, 1]
    for limit in (1, 2, 3, 4, 5):
        assert await walk_pages(client, "arevik", limit) == hits, limit


async def test_a_name_that_holds_the_separator_is_still_one_name(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    # search_name joins the names with " | "; a "|" inside a name is folded away
    # (shared.text.fold), so only the start of each whole name ranks first.
    many = await create_actor(
        client, admin, name={"hy": "Ալֆա | Բետա | Գամմա", "en": "Delta house"}
    )
    glued = await create_actor(client, admin, name={"hy": "Կապ|Դելտա", "en": "Link|Delta"})
    for q, rank in (("delta", 0), ("ալֆա", 0), ("բետա", 1), ("գամմա", 1)):
        hits = await search(client, q=q)
        assert (hits[0]["id"], hits[0]["rank"]) == (many["id"], rank), q
    hits = await search(client, q="delta")
    assert [(h["id"], h["rank"]) for h in hits] == [(many["id"], 0), (glued["id"], 1)]
    assert [h["id"] for h in await search(client, q="դելտա")] == [glued["id"]]


async def walk_pages(
    client: httpx.AsyncClient, q: str, limit: int, **filters: str
) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    for _ in range(20):
        params: dict[str, Any] = {"q": q, "limit": limit, **filters}
        params |= {"cursor": cursor} if cursor else {}
        response = await client.get("/v1/search", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert 1 <= len(page["items"]) <= limit
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len({h["id"] for h in seen}) == len(seen)
    return seen


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "query.q"),
        ({"q": ""}, "query.q"),
        ({"q": "   "}, "query.q"),
        ({"q": "ա" * 201}, "query.q"),
        ({"q": "masis", "types": "actor,person"}, "query.types.1"),
        ({"q": "masis", "kind": "alien"}, "query.kind"),
        ({"q": "masis", "category": "cooking"}, "query.category"),
        ({"q": "masis", "target_group": "aliens"}, "query.target_group"),
        ({"q": "masis", "region": "AM-XX"}, "query.region"),
        ({"q": "masis", "status": "closed"}, "query.status"),
        ({"q": "masis", "community_id": "masis"}, "query.community_id"),
        ({"q": "masis", "cursor": "garbage"}, "cursor"),
    ],
)
async def test_bad_input_is_a_problem_naming_the_field(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await client.get("/v1/search", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_a_query_of_two_hundred_letters_is_fine(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/search", params={"q": " " + "ա" * 200 + " "})
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}
