from pydantic_settings import SettingsConfigDict

from shared.settings import DataServiceSettings


class GrantsSettings(DataServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SPN_GRANTS_", extra="ignore")

    service_name: str = "grants"
    # The registry, asked over HTTP about communities, actors, networks and code lists.
    registry_url: str = "http://127.0.0.1:8001"
    registry_timeout_seconds: float = 3.0
    # How often the registry's change feed is read even when no push came (a safety net).
    feed_poll_seconds: float = 30.0
