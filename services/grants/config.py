from pydantic_settings import SettingsConfigDict

from shared.settings import DataServiceSettings


class GrantsSettings(DataServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SPN_GRANTS_", extra="ignore")

    service_name: str = "grants"
