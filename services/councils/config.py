from pydantic_settings import SettingsConfigDict

from shared.settings import DataServiceSettings


class CouncilsSettings(DataServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SPN_COUNCILS_", extra="ignore")

    service_name: str = "councils"
