import httpx


async def test_cursor_walks_every_item_once_in_order(client: httpx.AsyncClient) -> None:
    texts = ["delta", "Ալֆա", "alpha", "charlie", "bravo"]
    for text in texts:
        assert (await client.post("/v1/notes", json={"text": text})).status_code == 201
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/notes", params=params)).json()
        assert len(page["items"]) <= 2
        seen += [item["text"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(texts)
    assert pages == 3


async def test_default_limit_and_bounds(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/notes", params={"limit": 0})).status_code == 422
    too_many = await client.get("/v1/notes", params={"limit": 201})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "query.limit"
    assert (await client.get("/v1/notes")).json() == {"items": [], "next_cursor": None}


async def test_a_forged_cursor_is_a_clear_422(client: httpx.AsyncClient) -> None:
    # Well-formed cursors with values of the wrong types: ["a", 5], [5, "x"], [null, null].
    forged = ("WyJhIiw1XQ", "WzUsIngiXQ", "W251bGwsbnVsbF0", "WyJhIix7fV0")
    for cursor in ("garbage", "WyJhIl0", "WzEsMl0", *forged):
        response = await client.get("/v1/notes", params={"cursor": cursor})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "cursor"
