import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from shared.tests.conftest import Note


@pytest.fixture
def admin(token_for) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {token_for('admin')}"}


class TestETags:
    async def test_get_returns_an_etag_and_honours_if_none_match(
        self, client: httpx.AsyncClient
    ) -> None:
        created = await client.post("/v1/notes", json={"text": "a"})
        url = f"/v1/notes/{created.json()['id']}"
        first = await client.get(url)
        assert first.headers["etag"] == created.headers["etag"]
        again = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304

    async def test_stale_if_match_is_412_and_changes_nothing(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        created = await client.post("/v1/notes", json={"text": "a"})
        url = f"/v1/notes/{created.json()['id']}"
        etag = created.headers["etag"]
        changed = await client.patch(url, json={"text": "b"}, headers=admin | {"If-Match": etag})
        assert changed.status_code == 200
        assert changed.headers["etag"] not in (etag, None)
        stale = await client.patch(url, json={"text": "c"}, headers=admin | {"If-Match": etag})
        assert stale.status_code == 412
        assert stale.headers["content-type"] == "application/problem+json"
        assert (await client.get(url)).json()["text"] == "b"

    async def test_concurrent_writer_loses_with_412(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        created = await client.post("/v1/notes", json={"text": "a"})
        sessionmaker = app.state.database.sessionmaker
        async with sessionmaker() as one, sessionmaker() as two:
            # Both read version 1, each in a transaction of its own that has ended.
            note_one = (await one.execute(select(Note))).scalar_one()
            note_two = (await two.execute(select(Note))).scalar_one()
            await one.commit()
            await two.commit()
            note_one.text = "first"
            await one.commit()
            note_two.text = "second"
            with pytest.raises(StaleDataError):
                await two.commit()
        assert (await client.get(f"/v1/notes/{created.json()['id']}")).json()["text"] == "first"
