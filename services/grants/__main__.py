import argparse
from pathlib import Path

from services.grants.config import GrantsSettings
from shared.cli import run_service_cli


def load_demo(_: argparse.Namespace) -> None:
    from services.grants import demo  # only this command needs it

    demo.run()


run_service_cli(
    name="grants",
    app_factory="services.grants.app:create_app",
    default_port=8003,
    settings_factory=GrantsSettings,
    service_dir=Path(__file__).parent,
    extra_commands={"demo": load_demo},
)
