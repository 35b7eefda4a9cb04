from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SPN_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    registry_url: str = "http://127.0.0.1:8001"
    councils_url: str = "http://127.0.0.1:8002"
    grants_url: str = "http://127.0.0.1:8003"
    # More backends, proxied and documented the same way: "name=http://host:port,...".
    extra_backends: str = ""
    # A backend slower than this to say it is ready is reported down.
    status_deadline_seconds: float = 2.0
    # A proxied request gets this long for the backend to start answering (a stream may then
    # go on as long as the caller reads it); a view gets `view_deadline_seconds` in all.
    deadline_seconds: float = 15.0
    view_deadline_seconds: float = 3.0
    # The circuit of a backend opens after this many failures in a row (no answer, or a 5xx)
    # and lets one probe through after the cool-off.
    circuit_failures: int = 5
    circuit_cool_off_seconds: float = 5.0
    # How often the OpenAPI of a backend that was down is asked for again.
    spec_retry_seconds: float = 1.0
    # Comma-separated origins allowed by CORS (`*` for any); none by default.
    cors_origins: str = ""
    # Requests per client (the token's subject, else the address) per route class, in the
    # notation of `limits` ("100/second;2000/minute"); empty turns a class's limit off.
    rate_limit_read: str = "50/second;1200/minute"
    rate_limit_write: str = "10/second;300/minute"
    rate_limit_view: str = "20/second;600/minute"
    # Empty: counts kept in each process's memory. `redis://host:6379/0`: shared by replicas.
    rate_limit_storage: str = ""

    def backends(self) -> dict[str, str]:
        extra = (item.partition("=") for item in self.extra_backends.split(",") if item.strip())
        return {
            "registry": self.registry_url,
            "councils": self.councils_url,
            "grants": self.grants_url,
            **{name.strip(): url.strip() for name, _sep, url in extra},
        }

    def allowed_origins(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]
