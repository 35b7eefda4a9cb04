import argparse
from pathlib import Path

from services.councils.config import CouncilsSettings
from shared.cli import run_service_cli


def load_demo(_: argparse.Namespace) -> None:
    from services.councils import demo  # only this command needs it

    demo.run()


def reconcile(args: argparse.Namespace) -> None:
    from services.councils import reconciliation

    reconciliation.run(council=args.council, on=args.on, repair=not args.report_only)


def reconcile_options(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Compare the seats of coordinating councils with their networks' membership in the "
        "registry on a date, report the differences and repair them."
    )
    parser.add_argument("--council", help="one council's id (default: every coordinating one)")
    parser.add_argument("--on", help="the date, YYYY-MM-DD (default: today)")
    parser.add_argument("--report-only", action="store_true", help="report, change nothing")


run_service_cli(
    name="councils",
    app_factory="services.councils.app:create_app",
    default_port=8002,
    settings_factory=CouncilsSettings,
    service_dir=Path(__file__).parent,
    extra_commands={"demo": load_demo, "reconcile": reconcile},
    command_arguments={"reconcile": reconcile_options},
)
