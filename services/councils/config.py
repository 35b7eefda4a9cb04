from pydantic_settings import SettingsConfigDict

from shared.settings import DataServiceSettings


class CouncilsSettings(DataServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SPN_COUNCILS_", extra="ignore")

    service_name: str = "councils"
    # The registry: networks and their members are checked there, its change feed read there.
    registry_url: str = "http://127.0.0.1:8001"
    # How often the registry's feed is read even when no push came (a safety net).
    feed_poll_seconds: float = 30.0
    # Off: the inbox is fed by the registry's pushes alone, never reads the feed itself
    # (bench/councils_feed.py measures the inbox so).
    feed_catch_up: bool = True
