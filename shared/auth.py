"""Bearer JWT authentication: who calls, with which roles, scoped where.

Local runs sign with HS256 and a shared secret (`python -m shared.auth mint --role admin`);
production verifies RS256 with a PEM public key or the identity provider's JWKS.

This module knows tokens, roles and scope claims in general. Which roles a service has, and
which claim scopes each (a list of ids the role applies to, e.g. the token's `centers`), is the
service's own configuration: a tuple of `Role`s.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from shared.errors import Forbidden, Unauthorized
from shared.i18n import _
from shared.settings import AuthSettings


@dataclass(frozen=True)
class Role:
    """A role a service knows. `scope`: the token claim listing the ids it applies to (the role
    then acts only there); None for a role that acts everywhere (an admin)."""

    name: str
    scope: str | None = None


@dataclass(frozen=True)
class Principal:
    """Who calls: the token's subject, its roles, and its scope claims (lists of ids)."""

    subject: str
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    token: str = field(default="", repr=False)

    def has_role(self, *roles: Role | str) -> bool:
        names = {r.name if isinstance(r, Role) else r for r in roles}
        return bool(self.roles & names)

    def scope(self, claim: str) -> frozenset[str]:
        return self.scopes.get(claim, frozenset())

    def acts_for(self, roles: Iterable[Role], scope_id: uuid.UUID | str | None) -> bool:
        """Holds one of `roles` that applies to `scope_id`: an unscoped role applies anywhere,
        a scoped one only to the ids its claim lists (and never when there is no id)."""
        for role in roles:
            if role.name not in self.roles:
                continue
            if role.scope is None:
                return True
            if scope_id is not None and str(scope_id) in self.scope(role.scope):
                return True
        return False

    @classmethod
    def system(cls, subject: str, *roles: Role) -> Principal:
        """A principal for work the system does itself (demo data, jobs), audited as such."""
        return cls(subject=f"system:{subject}", roles=frozenset(r.name for r in roles))


# Claims of a JWT that are not scopes.
_REGISTERED = frozenset({"sub", "roles", "iss", "aud", "iat", "exp", "nbf", "jti", "scope"})


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
            raise Unauthorized(
                _("The token is signed by a key the identity provider does not list.")
            )
        return self._jwks[kid]

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in self.algorithms:
                raise Unauthorized(
                    _(
                        "The token's algorithm {algorithm!r} is not accepted; use {accepted}.",
                        algorithm=header.get("alg"),
                        accepted=", ".join(self.algorithms),
                    )
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
            raise Unauthorized(_("The token has expired; get a new one.")) from exc
        except (jwt.InvalidTokenError, httpx.HTTPError, ValueError) as exc:
            raise Unauthorized(_("The token is not valid: {reason}.", reason=str(exc))) from exc
        roles = claims.get("roles", [])
        if not isinstance(roles, list):
            raise Unauthorized(_("The token's roles must be a list."))
        scopes: dict[str, frozenset[str]] = {}
        for claim, value in claims.items():
            if claim in _REGISTERED or not isinstance(value, list):
                continue
            if not all(isinstance(v, str) for v in value):
                raise Unauthorized(_("The token's {claim} must be a list of ids.", claim=claim))
            scopes[claim] = frozenset(value)
        return Principal(
            subject=str(claims["sub"]),
            roles=frozenset(str(r) for r in roles),
            scopes=MappingProxyType(scopes),
            token=token,
        )


class _BearerPrincipal(HTTPBearer):
    """The bearer scheme (as the OpenAPI declares it) and the caller its token names, in one
    dependency: one level fewer for FastAPI to solve on every request that may be signed."""

    async def __call__(self, request: Request) -> Principal | None:  # type: ignore[override]
        credentials = await super().__call__(request)
        if credentials is None:
            if request.headers.get("authorization"):
                raise Unauthorized(_("The Authorization header must be `Bearer <token>`."))
            return None
        verifier: TokenVerifier = request.app.state.token_verifier
        return await verifier.verify(credentials.credentials)


_optional_principal = _BearerPrincipal(
    auto_error=False,
    scheme_name="HTTPBearer",
    description="A JWT: `Authorization: Bearer <token>`",
)


async def _current_principal(
    principal: Annotated[Principal | None, Depends(_optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized(_("This request needs a bearer token."))
    return principal


# Anonymous callers are None; a token that is present but bad is still a 401.
OptionalPrincipal = Annotated[Principal | None, Depends(_optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(_current_principal)]


def require_roles(*roles: Role) -> Any:
    """A dependency: the caller must hold one of `roles` (401 without a token, 403 otherwise).
    Scoped roles are checked against the resource by the service's own loaders."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            names = ", ".join(r.name for r in roles)
            raise Forbidden(_("This needs one of the roles: {roles}.", roles=names))
        return principal

    return Depends(check)


def mint_token(
    settings: AuthSettings,
    *,
    subject: str,
    roles: list[str],
    scopes: Mapping[str, list[str]] | None = None,
    ttl_seconds: int = 3600,
    now: int | None = None,
) -> str:
    """An HS256 token for local runs and tests; production ones come from the identity provider.
    `scopes`: claims listing the ids a scoped role applies to, e.g. `{"centers": [id]}`."""
    issued = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        **{claim: list(ids) for claim, ids in (scopes or {}).items()},
        "sub": subject,
        "roles": roles,
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
    mint.add_argument("--role", action="append", required=True, help="e.g. admin")
    mint.add_argument(
        "--scope",
        action="append",
        default=[],
        metavar="CLAIM=ID",
        help="an id a scoped role covers, e.g. centers=<center id>; repeat for more",
    )
    mint.add_argument("--subject", default="local-user")
    mint.add_argument("--ttl", type=int, default=8 * 3600, help="seconds the token lives")
    args = parser.parse_args(argv)
    settings = AuthSettings()
    if settings.environment == "production":
        parser.error("local tokens are not minted in production; use the identity provider")
    scopes: dict[str, list[str]] = {}
    for item in args.scope:
        claim, sep, value = item.partition("=")
        if not sep or not claim or not value:
            parser.error(f"--scope takes CLAIM=ID, not {item!r}")
        scopes.setdefault(claim, []).append(value)
    token = mint_token(
        settings, subject=args.subject, roles=args.role, scopes=scopes, ttl_seconds=args.ttl
    )
    print(token)  # noqa: T201


if __name__ == "__main__":
    main()
