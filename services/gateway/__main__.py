from services.gateway.config import GatewaySettings
from shared.cli import run_service_cli

run_service_cli(
    name="gateway",
    app_factory="services.gateway.app:create_app",
    default_port=8000,
    settings_factory=GatewaySettings,
)
