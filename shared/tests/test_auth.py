import base64
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import TokenVerifier, mint_token
from shared.errors import Unauthorized
from shared.settings import LOCAL_SECRET, AuthSettings


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestBearerTokens:
    async def test_no_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/notes/-/me")
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"

    async def test_valid_token_names_the_caller(
        self, client: httpx.AsyncClient, auth_settings: AuthSettings
    ) -> None:
        token = mint_token(auth_settings, subject="anna", roles=["center_official"])
        response = await client.get("/v1/notes/-/me", headers=_bearer(token))
        assert response.json() == {"subject": "anna", "roles": ["center_official"]}

    async def test_expired_token_is_401(
        self, client: httpx.AsyncClient, auth_settings: AuthSettings
    ) -> None:
        token = mint_token(auth_settings, subject="a", roles=["admin"], now=int(time.time()) - 7200)
        response = await client.get("/v1/notes/-/me", headers=_bearer(token))
        assert response.status_code == 401
        assert "expired" in response.json()["detail"]

    async def test_badly_signed_token_is_401(self, client: httpx.AsyncClient) -> None:
        forged = mint_token(
            AuthSettings(secret="not-the-secret-but-long-enough-for-hs256"),
            subject="a",
            roles=["admin"],
        )
        response = await client.get("/v1/notes/-/me", headers=_bearer(forged))
        assert response.status_code == 401

    async def test_alg_none_token_is_401(self, client: httpx.AsyncClient) -> None:
        def part(data: dict[str, object]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

        claims = {"sub": "a", "roles": ["admin"], "exp": int(time.time()) + 60,
                  "iss": "spn", "aud": "spn"}  # fmt: skip
        unsigned = f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."
        response = await client.get("/v1/notes/-/me", headers=_bearer(unsigned))
        assert response.status_code == 401

    async def test_garbage_and_wrong_scheme_are_401(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/v1/notes/-/me", headers=_bearer("x.y.z"))).status_code == 401
        basic = {"Authorization": "Basic dXNlcjpwYXNz"}
        assert (await client.get("/v1/notes/-/me", headers=basic)).status_code == 401

    async def test_token_without_the_role_is_403(
        self, client: httpx.AsyncClient, auth_settings: AuthSettings
    ) -> None:
        created = await client.post("/v1/notes", json={"text": "a"})
        token = mint_token(auth_settings, subject="a", roles=["center_official"])
        response = await client.patch(
            f"/v1/notes/{created.json()['id']}", json={"text": "b"}, headers=_bearer(token)
        )
        assert response.status_code == 403
        assert "admin" in response.json()["detail"]


def _rsa_pair() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, public_pem.decode()


def _rs256(key: rsa.RSAPrivateKey, kid: str | None = None, **claims: object) -> str:
    payload = {"sub": "idp-user", "roles": ["admin"], "iss": "spn", "aud": "spn",
               "exp": int(time.time()) + 60, **claims}  # fmt: skip
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid} if kid else None)


class TestProductionKeys:
    async def test_rs256_with_a_public_key(self) -> None:
        key, public_pem = _rsa_pair()
        verifier = TokenVerifier(AuthSettings(public_key=public_pem))
        principal = await verifier.verify(_rs256(key))
        assert principal.subject == "idp-user"
        assert principal.has_role("admin")

    async def test_hs256_token_is_refused_where_rs256_is_expected(self) -> None:
        _, public_pem = _rsa_pair()
        verifier = TokenVerifier(AuthSettings(public_key=public_pem))
        hs_token = mint_token(AuthSettings(), subject="a", roles=["admin"])
        with pytest.raises(Unauthorized):
            await verifier.verify(hs_token)

    async def test_rs256_with_jwks_url(self) -> None:
        key, _ = _rsa_pair()
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        jwk.update(kid="k1", use="sig", alg="RS256")
        calls = 0

        def jwks(request: httpx.Request) -> httpx.Response:
            nonlocal calls
            calls += 1
            return httpx.Response(200, json={"keys": [jwk]})

        http = httpx.AsyncClient(transport=httpx.MockTransport(jwks))
        verifier = TokenVerifier(AuthSettings(jwks_url="https://idp.test/jwks"), http=http)
        assert (await verifier.verify(_rs256(key, kid="k1"))).subject == "idp-user"
        assert (await verifier.verify(_rs256(key, kid="k1"))).subject == "idp-user"
        assert calls == 1, "the key set is cached"
        other, _ = _rsa_pair()
        with pytest.raises(Unauthorized):
            await verifier.verify(_rs256(other, kid="k1"))


class TestSettings:
    def test_production_refuses_the_local_secret(self) -> None:
        with pytest.raises(ValueError, match="SPN_AUTH_SECRET"):
            AuthSettings(environment="production", secret=LOCAL_SECRET)

    def test_production_accepts_a_public_key(self) -> None:
        settings = AuthSettings(environment="production", public_key="-----BEGIN...")
        assert settings.public_key
