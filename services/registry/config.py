from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from shared.settings import DataServiceSettings


class RegistrySettings(DataServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SPN_REGISTRY_", extra="ignore")

    service_name: str = "registry"
    # Where the change feed is pushed: comma-separated URLs that accept POST {"events": [...]}.
    subscribers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    outbox_poll_seconds: float = 1.0
    # The bearer token pushes carry (subscribers such as councils accept the feed_publisher
    # role). Empty: one is minted for each push with the local HS256 secret, which serves
    # local runs and deployments that sign with SPN_AUTH_SECRET; set it where tokens come
    # from an identity provider.
    subscriber_token: str = ""

    @field_validator("subscribers", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [url.strip() for url in value.split(",") if url.strip()]
        return value
