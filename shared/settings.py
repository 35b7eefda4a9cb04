"""Settings every service reads the same way: one env prefix per service, one for auth."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_SECRET = "spn-local-development-secret-change-me"
Environment = Literal["local", "test", "production"]


def data_dir() -> Path:
    """Where the embedded default keeps its SQLite files (`SPN_DATA_DIR`, else `./data`)."""
    import os

    return Path(os.environ.get("SPN_DATA_DIR", "data")).resolve()


class AuthSettings(BaseSettings):
    """How bearer tokens are checked. Shared by all services: `SPN_AUTH_*`."""

    model_config = SettingsConfigDict(env_prefix="SPN_AUTH_", extra="ignore", populate_by_name=True)

    environment: Environment = Field(default="local", validation_alias="SPN_ENV")
    secret: str = LOCAL_SECRET
    # RS256 in production: a PEM public key, or a JWKS URL of the identity provider.
    public_key: str | None = None
    jwks_url: str | None = None
    issuer: str = "spn"
    audience: str = "spn"

    @model_validator(mode="after")
    def _refuse_default_secret_outside_local(self) -> AuthSettings:
        uses_hs256 = not (self.public_key or self.jwks_url)
        if self.environment == "production" and uses_hs256 and self.secret == LOCAL_SECRET:
            raise ValueError(
                "SPN_AUTH_SECRET still has its local default; set a secret, "
                "SPN_AUTH_PUBLIC_KEY or SPN_AUTH_JWKS_URL before running in production"
            )
        return self


class ServiceSettings(BaseSettings):
    """Base of each service's settings; subclasses set `env_prefix`, e.g. `SPN_REGISTRY_`."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "spn"
    log_level: str = "INFO"
    auth: AuthSettings = Field(default_factory=AuthSettings)


class DataServiceSettings(ServiceSettings):
    """A service that owns a database. An empty URL means the embedded SQLite file."""

    database_url: str = ""

    @model_validator(mode="after")
    def _default_database(self) -> DataServiceSettings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{data_dir() / (self.service_name + '.db')}"
        return self
