"""The gateway's catalog of problem texts (`locales/`), in Armenian and English."""

from pathlib import Path

from shared.i18n import TextDomain

_ = TextDomain("gateway", Path(__file__).parent / "locales")
