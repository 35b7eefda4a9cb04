from pathlib import Path

from services.councils.config import CouncilsSettings
from shared.cli import run_service_cli

run_service_cli(
    name="councils",
    app_factory="services.councils.app:create_app",
    default_port=8002,
    settings_factory=CouncilsSettings,
    service_dir=Path(__file__).parent,
)
