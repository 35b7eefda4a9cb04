"""Texts people read, in Armenian and English, chosen per request by `Accept-Language`.

Code writes English message ids with named placeholders and passes the values apart:
`raise NotFound(_("There is no network {network_id}.", network_id=network_id))`. The result
is a `Message`, translated only when it is rendered, for the language of the request that
is being answered: a rule deep in a service raises it without knowing who reads it.

Each package keeps its own gettext catalog (`<package>/locales/hy/LC_MESSAGES/<name>.po`),
read with Babel when the package is imported; `make messages` extracts the ids and updates
the catalogs. English is the source language and needs no catalog.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from starlette.types import ASGIApp, Receive, Scope, Send

ENGLISH = "en"
ARMENIAN = "hy"
LANGUAGES = (ENGLISH, ARMENIAN)
TRANSLATED = (ARMENIAN,)  # the languages with catalogs; English is the message ids themselves

locale_var: ContextVar[str] = ContextVar("spn_locale", default=ENGLISH)
_formatter = string.Formatter()


@lru_cache(maxsize=512)  # clients send the same few headers again and again
def negotiate(accept_language: str | None) -> str:
    """The language to answer in: the caller's most preferred one that SPN speaks (RFC 9110
    q-values, `hy-AM` counts as `hy`), English when the header asks for neither."""
    if not accept_language:
        return ENGLISH
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")[:32]):
        tag, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _sep, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and 0 < quality <= 1:
            ranked.append((-quality, position, tag.lower()))
    for _quality, _position, tag in sorted(ranked):
        if tag == "*":
            return ENGLISH
        language = tag.split("-", 1)[0]
        if language in LANGUAGES:
            return language
    return ENGLISH


def current_locale() -> str:
    return locale_var.get()


class Message:
    """A text to be translated when it is rendered: a message id, its catalog and its values."""

    __slots__ = ("capitalize_first", "domain", "msgid", "params")

    def __init__(
        self,
        domain: TextDomain,
        msgid: str,
        params: dict[str, Any],
        *,
        capitalize_first: bool = False,
    ) -> None:
        self.domain = domain
        self.msgid = msgid
        self.params = params
        self.capitalize_first = capitalize_first

    def render(self, locale: str) -> str:
        values = {name: render(value, locale) for name, value in self.params.items()}
        text = self.msgid
        for template in (self.domain.gettext(self.msgid, locale), self.msgid):
            try:
                text = template.format(**values)
                break
            except (KeyError, IndexError, ValueError, AttributeError):
                # A translation naming a placeholder the id lacks (the catalog test forbids it)
                # or a value missing: the English text, or the bare id, is better than a 500.
                continue
        return text[:1].upper() + text[1:] if self.capitalize_first else text

    def capitalized(self) -> Message:
        """The same text with its first letter in capitals, to open a sentence."""
        return Message(self.domain, self.msgid, self.params, capitalize_first=True)

    def __str__(self) -> str:
        return self.render(current_locale())

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, {self.params!r})"


class Joined:
    """Texts joined by a separator once each is rendered: a list inside a message."""

    __slots__ = ("items", "separator")

    def __init__(self, separator: str, items: Iterable[Text]) -> None:
        self.separator = separator
        self.items = list(items)

    def render(self, locale: str) -> str:
        return self.separator.join(render(item, locale) for item in self.items)

    def __str__(self) -> str:
        return self.render(current_locale())


Text = str | Message | Joined


def render(value: Any, locale: str) -> Any:
    """`value` with every `Message` in it (also inside lists and dicts) rendered for `locale`."""
    if isinstance(value, Message | Joined):
        return value.render(locale)
    if isinstance(value, dict):
        return {key: render(item, locale) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [render(item, locale) for item in value]
    return value


def placeholders(text: str) -> set[str]:
    """The names of the `{placeholders}` in a message id or translation."""
    return {name for _literal, name, _spec, _conv in _formatter.parse(text) if name is not None}


def catalog_path(directory: Path, name: str, locale: str) -> Path:
    return directory / locale / "LC_MESSAGES" / f"{name}.po"


def read_translations(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file; untranslated and fuzzy entries are left out (English)."""
    if not path.exists():
        return {}
    with path.open("rb") as po_file:
        catalog = read_po(po_file)
    return {
        message.id: message.string
        for message in catalog
        if isinstance(message.id, str)
        and message.id
        and isinstance(message.string, str)
        and message.string
        and not message.fuzzy
    }


class TextDomain:
    """One package's catalog; calling it makes a `Message` (`_ = TextDomain(...)`)."""

    def __init__(self, name: str, directory: Path) -> None:
        self.name = name
        self.directory = directory
        self.translations = {
            locale: read_translations(catalog_path(directory, name, locale))
            for locale in TRANSLATED
        }

    def __call__(self, msgid: str, /, **params: Any) -> Message:
        return Message(self, msgid, params)

    def gettext(self, msgid: str, locale: str) -> str:
        return self.translations.get(locale, {}).get(msgid, msgid)


class LocaleMiddleware:
    """Sets the request's language (from `Accept-Language`) for everything that answers it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = None
        for name, value in scope["headers"]:
            if name == b"accept-language":
                header = value.decode("latin-1")
                break
        token = locale_var.set(negotiate(header))
        try:
            await self.app(scope, receive, send)
        finally:
            locale_var.reset(token)


# The catalog of `shared` itself.
_ = TextDomain("shared", Path(__file__).parent / "locales")
