"""The grants service's catalog of problem texts (`locales/`), in Armenian and English."""

from pathlib import Path

from shared.i18n import TextDomain

_ = TextDomain("grants", Path(__file__).parent / "locales")
