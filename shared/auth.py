"""Bearer JWT authentication with roles and center scopes.

Local runs sign with HS256 and a shared secret (`python -m shared.auth mint --role admin`);
production verifies RS256 with a PEM public key or the identity provider's JWKS.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.errors import Forbidden, Unauthorized
from shared.settings import AuthSettings

ADMIN = "admin"
CENTER_OFFICIAL = "center_official"
ROLES = (ADMIN, CENTER_OFFICIAL, "council_secretary", "grants_officer", "network_member")


@dataclass(frozen=True)
class Principal:
    """Who calls: the token's subject, roles, and the centers its role is scoped to."""

    subject: str
    roles: frozenset[str] = field(default_factory=frozenset)
    centers: frozenset[str] = field(default_factory=frozenset)
    token: str = field(default="", repr=False)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    def may_act_for_center(self, center_id: uuid.UUID | str) -> bool:
        return self.is_admin or str(center_id) in self.centers


class TokenVerifier:
    def __init__(self, settings: AuthSettings, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self._http = http
        self._jwks: dict[str, Any] = {}
        self._jwks_fetched_at = 0.0
        self._jwks_lock = asyncio.Lock()

    @property
    def algorithms(self) -> list[str]:
        if self.settings.public_key or self.settings.jwks_url:
            return ["RS256"]
        return ["HS256"]

    async def _jwks_key(self, kid: str | None) -> Any:
        async with self._jwks_lock:
            stale = time.monotonic() - self._jwks_fetched_at > 600
            # Refetch on an unknown kid (key rotation), at most every 30 s.
            unknown = kid not in self._jwks and time.monotonic() - self._jwks_fetched_at > 30
            if stale or unknown:
                assert self.settings.jwks_url
                http = self._http or httpx.AsyncClient(timeout=5.0)
                try:
                    response = await http.get(self.settings.jwks_url)
                    response.raise_for_status()
                    keys = jwt.PyJWKSet.from_dict(response.json()).keys
                finally:
                    if self._http is None:
                        await http.aclose()
                self._jwks = {k.key_id or "": k.key for k in keys}
                self._jwks_fetched_at = time.monotonic()
        if kid is None and len(self._jwks) == 1:
            return next(iter(self._jwks.values()))
        if kid is None or kid not in self._jwks:
            raise Unauthorized("The token is signed by a key the identity provider does not list.")
        return self._jwks[kid]

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in self.algorithms:
                raise Unauthorized(
                    f"The token's algorithm {header.get('alg')!r} is not accepted; "
                    f"use {', '.join(self.algorithms)}."
                )
            if self.settings.jwks_url:
                key: Any = await self._jwks_key(header.get("kid"))
            elif self.settings.public_key:
                key = self.settings.public_key
            else:
                key = self.settings.secret
            claims = jwt.decode(
                token,
                key,
                algorithms=self.algorithms,
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                options={"require": ["exp", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired; get a new one.") from exc
        except (jwt.InvalidTokenError, httpx.HTTPError, ValueError) as exc:
            raise Unauthorized(f"The token is not valid: {exc}.") from exc
        roles = claims.get("roles", [])
        centers = claims.get("centers", [])
        if not isinstance(roles, list) or not isinstance(centers, list):
            raise Unauthorized("The token's roles and centers must be lists.")
        return Principal(
            subject=str(claims["sub"]),
            roles=frozenset(str(r) for r in roles),
            centers=frozenset(str(c) for c in centers),
            token=token,
        )


_bearer = HTTPBearer(auto_error=False, description="A JWT: `Authorization: Bearer <token>`")


async def _optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    if credentials is None:
        if request.headers.get("authorization"):
            raise Unauthorized("The Authorization header must be `Bearer <token>`.")
        return None
    verifier: TokenVerifier = request.app.state.token_verifier
    return await verifier.verify(credentials.credentials)


async def _current_principal(
    principal: Annotated[Principal | None, Depends(_optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized("This request needs a bearer token.")
    return principal


# Anonymous callers are None; a token that is present but bad is still a 401.
OptionalPrincipal = Annotated[Principal | None, Depends(_optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(_current_principal)]


def require_roles(*roles: str) -> Any:
    """A dependency: the caller must hold one of `roles` (403 otherwise)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            raise Forbidden(f"This needs one of the roles: {', '.join(roles)}.")
        return principal

    return Depends(check)


def mint_token(
    settings: AuthSettings,
    *,
    subject: str,
    roles: list[str],
    centers: list[str] | None = None,
    ttl_seconds: int = 3600,
    now: int | None = None,
) -> str:
    """An HS256 token for local runs and tests; production ones come from the identity provider."""
    issued = int(time.time()) if now is None else now
    claims = {
        "sub": subject,
        "roles": roles,
        "centers": centers or [],
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    return jwt.encode(claims, settings.secret, algorithm="HS256")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m shared.auth", description="Mint a local HS256 token for SPN."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    mint = sub.add_parser("mint", help="print a token")
    mint.add_argument("--role", action="append", required=True, choices=ROLES)
    mint.add_argument("--center", action="append", default=[], help="a center id the role covers")
    mint.add_argument("--subject", default="local-user")
    mint.add_argument("--ttl", type=int, default=8 * 3600, help="seconds the token lives")
    args = parser.parse_args(argv)
    settings = AuthSettings()
    if settings.environment == "production":
        parser.error("local tokens are not minted in production; use the identity provider")
    token = mint_token(
        settings, subject=args.subject, roles=args.role, centers=args.center, ttl_seconds=args.ttl
    )
    print(token)  # noqa: T201


if __name__ == "__main__":
    main()
