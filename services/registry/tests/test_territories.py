from collections.abc import Callable

import httpx

from services.registry.tests.conftest import community


class TestRegions:
    async def test_the_eleven_regions_with_iso_codes(self, client: httpx.AsyncClient) -> None:
        page = (await client.get("/v1/regions")).json()
        assert page["next_cursor"] is None
        regions = page["items"]
        assert [r["code"] for r in regions][:3] == ["AM-AG", "AM-AR", "AM-AV"]
        assert len(regions) == 11
        ararat = next(r for r in regions if r["code"] == "AM-AR")
        assert ararat["name"] == {"hy": "Արարատ", "en": "Ararat", "ru": None}
        assert ararat["ocd_id"] == "ocd-division/country:am/region:ar"

    async def test_unknown_region_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/regions/AM-XX")
        assert response.status_code == 404
        assert "ISO 3166-2:AM" in response.json()["detail"]


class TestCommunities:
    async def test_filter_by_region_and_search_in_both_scripts(
        self, client: httpx.AsyncClient
    ) -> None:
        ararat = (await client.get("/v1/communities", params={"region": "am-ar"})).json()
        names = {c["name"]["en"] for c in ararat["items"]}
        assert {"Ararat", "Masis", "Artashat", "Vedi"} <= names
        upper = (await client.get("/v1/communities", params={"q": "ՄԱՍԻ"})).json()["items"]
        assert [c["code"] for c in upper] == ["masis"]
        latin = (await client.get("/v1/communities", params={"q": "GYUM"})).json()["items"]
        assert [c["code"] for c in latin] == ["gyumri"]

    async def test_a_batch_read_by_ids(self, client: httpx.AsyncClient) -> None:
        wanted = [community("masis"), community("gyumri")]
        page = (await client.get("/v1/communities", params={"ids": wanted})).json()
        assert sorted(c["code"] for c in page["items"]) == ["gyumri", "masis"]
        too_many = await client.get("/v1/communities", params={"ids": wanted * 101})
        assert too_many.status_code == 422

    async def test_yerevan_districts_sit_under_yerevan(self, client: httpx.AsyncClient) -> None:
        params: dict[str, str | int] = {"parent_id": community("yerevan"), "limit": 200}
        districts = (await client.get("/v1/communities", params=params)).json()["items"]
        assert len(districts) == 12
        assert all(d["region_code"] == "AM-ER" for d in districts)

    async def test_admin_adds_and_edits_a_community(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        body = {"code": "Nor-Kharberd", "region_code": "AM-AR", "name": {"hy": "Նոր Խարբերդ"}}
        created = await client.post("/v1/communities", json=body, headers=admin)
        assert created.status_code == 201
        assert created.json()["code"] == "nor-kharberd"
        url = created.headers["location"]
        edited = await client.patch(
            url,
            json={"name": {"hy": "Նոր Խարբերդ", "en": "Nor Kharberd"}},
            headers=admin | {"If-Match": created.headers["etag"]},
        )
        assert edited.status_code == 200
        assert edited.json()["name"]["en"] == "Nor Kharberd"
        stale = await client.patch(
            url, json={"name": {"hy": "X"}}, headers=admin | {"If-Match": created.headers["etag"]}
        )
        assert stale.status_code == 412
        assert (await client.get(url)).json()["name"]["hy"] == "Նոր Խարբերդ"

    async def test_bad_communities_are_refused(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        token_for: Callable[..., str],
    ) -> None:
        before = await codes_in(client, "AM-AR")
        empty_name = {"code": "x-town", "region_code": "AM-AR", "name": {"hy": "  "}}
        response = await client.post("/v1/communities", json=empty_name, headers=admin)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "name.hy"
        wrong_region = {"code": "x-town", "region_code": "AM-ZZ", "name": {"hy": "Ք"}}
        response = await client.post("/v1/communities", json=wrong_region, headers=admin)
        assert response.status_code == 422
        assert "region_code" in response.json()["detail"]
        taken = {"code": "masis", "region_code": "AM-AR", "name": {"hy": "Մասիս 2"}}
        assert (await client.post("/v1/communities", json=taken, headers=admin)).status_code == 409
        official = {"Authorization": f"Bearer {token_for('center_official')}"}
        good = {"code": "x-town", "region_code": "AM-AR", "name": {"hy": "Ք"}}
        assert (
            await client.post("/v1/communities", json=good, headers=official)
        ).status_code == 403
        assert (await client.post("/v1/communities", json=good)).status_code == 401
        assert await codes_in(client, "AM-AR") == before
        assert "x-town" not in before
        masis = (await client.get(f"/v1/communities/{community('masis')}")).json()
        assert masis["name"]["hy"] == "Մասիս"


async def codes_in(client: httpx.AsyncClient, region: str) -> list[str]:
    """Every community code of a region, following the pages."""
    codes: list[str] = []
    params: dict[str, str | int] = {"region": region, "limit": 200}
    while True:
        page = (await client.get("/v1/communities", params=params)).json()
        codes += [c["code"] for c in page["items"]]
        if not page["next_cursor"]:
            return codes
        params["cursor"] = page["next_cursor"]
