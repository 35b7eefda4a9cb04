import argparse
from pathlib import Path

from services.registry.config import RegistrySettings
from shared.cli import run_service_cli


def load_demo(_: argparse.Namespace) -> None:
    from services.registry import demo  # only this command needs it

    demo.run()


run_service_cli(
    name="registry",
    app_factory="services.registry.app:create_app",
    default_port=8001,
    settings_factory=RegistrySettings,
    service_dir=Path(__file__).parent,
    extra_commands={"demo": load_demo},
)
