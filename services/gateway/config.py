from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SPN_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    registry_url: str = "http://127.0.0.1:8001"
    councils_url: str = "http://127.0.0.1:8002"
    grants_url: str = "http://127.0.0.1:8003"
    # A backend slower than this to say it is ready is reported down.
    status_deadline_seconds: float = 2.0

    def backends(self) -> dict[str, str]:
        return {
            "registry": self.registry_url,
            "councils": self.councils_url,
            "grants": self.grants_url,
        }
