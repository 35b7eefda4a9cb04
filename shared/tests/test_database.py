import httpx
from fastapi import FastAPI

from shared.testing import StatementLog


async def test_a_read_sends_its_statements_only_and_a_write_one_transaction(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    created = await client.post("/v1/notes", json={"text": "a"})
    await client.get(f"/v1/notes/{created.json()['id']}")
    log = StatementLog(app.state.database.engine)
    try:
        await log.taken()
        assert (await client.get(f"/v1/notes/{created.json()['id']}")).status_code == 200
        read = await log.taken()
        assert (await client.post("/v1/notes", json={"text": "b"})).status_code == 201
        written = await log.taken()
    finally:
        log.close()
    # No BEGIN/ROLLBACK around a read; a write is one transaction that takes SQLite's write
    # lock at BEGIN and is committed before the answer.
    assert [s.split()[0] for s in read] == ["SELECT"]
    # The note and its audit entry (shared.journal), in the one transaction.
    assert [s.split()[0] for s in written] == ["BEGIN", "INSERT", "INSERT", "COMMIT"]
    assert written[0] == "BEGIN IMMEDIATE"
