from pydantic_settings import SettingsConfigDict

from shared.settings import DataServiceSettings


class RegistrySettings(DataServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SPN_REGISTRY_", extra="ignore")

    service_name: str = "registry"
