import httpx

from shared.tests.conftest import notes_app


async def test_health_and_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).status_code == 200
    await client.get("/v1/notes")
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert 'spn_http_requests_total{method="GET",route="/v1/notes",service="notes"' in metrics.text


async def test_readyz_is_503_when_the_database_does_not_answer() -> None:
    # A PostgreSQL URL on a port nothing listens on: the app starts, the database is away.
    app = notes_app("postgresql://nobody@127.0.0.1:9/none", create_tables=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/readyz")
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            assert (await client.get("/healthz")).status_code == 200
