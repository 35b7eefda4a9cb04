from collections.abc import Callable

import httpx

from services.registry.tests.conftest import community, create_center


class TestCenters:
    async def test_create_and_read_a_center(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        center = await create_center(
            client,
            admin,
            address={"street": "Երևանյան 5", "community_id": community("masis"),
                     "postal_code": "0801"},
            contacts={"phone": "0236 42000"},
            head={"name": "Անի Պետրոսյան", "position": "Ղեկավար"},
            opened_on="2012-12-01",
            territory=[community("masis"), community("ararat")],
        )  # fmt: skip
        got = await client.get(f"/v1/centers/{center['id']}")
        assert got.json()["version"] == 1
        assert got.json()["created_at"] == got.json()["updated_at"]
        body = got.json()
        assert body["contacts"]["phone"] == "+37423642000"
        assert set(body["territory"]) == {community("masis"), community("ararat")}
        listed = await client.get("/v1/centers", params={"community_id": community("ararat")})
        assert [c["id"] for c in listed.json()["items"]] == [center["id"]]

    async def test_a_community_is_served_by_one_active_center(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        await create_center(client, admin, territory=[community("masis")])
        second = await client.post(
            "/v1/centers",
            json={"name": {"hy": "Արարատի կենտրոն"}, "region_code": "AM-AR",
                  "territory": [community("ararat"), community("masis")]},
            headers=admin,
        )  # fmt: skip
        assert second.status_code == 409
        assert "Մասիս" in second.json()["detail"]
        assert "Մասիսի տարածքային կենտրոն" in second.json()["detail"]
        listed = (await client.get("/v1/centers")).json()["items"]
        assert len(listed) == 1

    async def test_a_closed_center_frees_its_communities(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        first = await create_center(client, admin, territory=[community("masis")])
        closed = await client.patch(
            f"/v1/centers/{first['id']}", json={"status": "closed"}, headers=admin
        )
        assert closed.status_code == 200
        assert closed.json()["version"] == 2
        await create_center(client, admin, name={"hy": "Նոր կենտրոն"})

    async def test_territory_must_be_in_the_region(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await client.post(
            "/v1/centers",
            json={"name": {"hy": "Կ"}, "region_code": "AM-AR", "territory": [community("gyumri")]},
            headers=admin,
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "territory"

    async def test_unknown_community_and_bad_postal_code(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        unknown = await client.post(
            "/v1/centers",
            json={"name": {"hy": "Կ"}, "region_code": "AM-AR",
                  "territory": ["00000000-0000-0000-0000-000000000001"]},
            headers=admin,
        )  # fmt: skip
        assert unknown.status_code == 422
        postal = await client.post(
            "/v1/centers",
            json={"name": {"hy": "Կ"}, "region_code": "AM-AR", "address": {"postal_code": "801"}},
            headers=admin,
        )
        assert postal.status_code == 422
        assert postal.json()["errors"][0]["field"] == "address.postal_code"
        assert (await client.get("/v1/centers")).json()["items"] == []

    async def test_only_admins_manage_centers(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        token_for: Callable[..., str],
    ) -> None:
        center = await create_center(client, admin)
        official = {
            "Authorization": f"Bearer {token_for('center_official', centers=[center['id']])}"
        }
        response = await client.patch(
            f"/v1/centers/{center['id']}", json={"status": "closed"}, headers=official
        )
        assert response.status_code == 403
