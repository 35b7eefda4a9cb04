"""Input every service reads the same way.

Text no database can store is refused before it reaches a route (422, in one place).

PostgreSQL refuses the NUL character in text, and a lone UTF-16 surrogate (`"\\ud800"` in JSON)
cannot be encoded as UTF-8 at all: either would otherwise fail deep inside a write or a query as
a 500. SQLite would store them; the API refuses them on every database alike.

Days and moments are read from ISO 8601 text only: pydantic would also take a number of seconds
(`0` is 1970-01-01), which the OpenAPI does not promise.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import unquote_to_bytes

from pydantic import AfterValidator, BeforeValidator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import problem_response
from shared.i18n import Message as I18nMessage
from shared.i18n import _

# A JSON escape is the backslash after an even number of backslashes.
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_SURROGATE_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u[dD]([89abAB]|[c-fC-F])[0-9a-fA-F]{2}")


def _lone_surrogate(body: bytes) -> bool:
    """A high surrogate escape not followed at once by a low one, or a low one alone."""
    expecting_low_at = -1
    for match in _SURROGATE_ESCAPE.finditer(body):
        low = match.group(1) in b"cdefCDEF"
        start = match.end() - 6
        if low:
            if start != expecting_low_at:
                return True
            expecting_low_at = -1
        else:
            if expecting_low_at != -1:
                return True
            expecting_low_at = match.end()
    return expecting_low_at != -1


def unstorable(where: str, raw: bytes, *, json: bool) -> I18nMessage | None:
    """Why `raw` (a query string, path or body) cannot be stored, or None."""
    if b"\x00" in raw:
        return _("The {where} contains a NUL character, which SPN does not store.", where=where)
    if json and _NUL_ESCAPE.search(raw):
        return _(
            "The {where} contains a NUL character (\\u0000), which SPN does not store.", where=where
        )
    if json and _lone_surrogate(raw):
        return _(
            "The {where} contains a lone UTF-16 surrogate escape, which is not text.", where=where
        )
    return None


class UnstorableTextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = "query"
        reason = unstorable(where, unquote_to_bytes(scope.get("query_string", b"")), json=False)
        if reason is None:
            where = "path"
            reason = unstorable(where, scope["path"].encode("utf-8", "surrogateescape"), json=False)
        if reason is None and scope["method"] in ("POST", "PUT", "PATCH"):
            where = "body"
            chunks: list[bytes] = []
            more = True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                more = message.get("more_body", False)
            body = b"".join(chunks)
            content_type = dict(scope["headers"]).get(b"content-type", b"").lower()
            reason = unstorable(where, body, json=b"json" in content_type)
            receive = _replay(body, receive)
        if reason is None:
            await self.app(scope, receive, send)
            return
        response = problem_response(
            422, _("Invalid request"), reason, slug="validation", instance=scope["path"],
            errors=[{"field": where, "message": reason, "type": "unstorable_text"}],
        )  # fmt: skip
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    if isinstance(value, date | str) and not isinstance(value, datetime):
        if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
            raise ValueError(_("a day is written YYYY-MM-DD"))
        return value
    raise ValueError(_("a day is written YYYY-MM-DD"))


def _iso_moment(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and not _NUMBER.fullmatch(value.strip()):
        return value
    raise ValueError(_("a moment is written in ISO 8601, e.g. 2024-06-01T09:30:00+04:00"))


def _in_utc_range(value: datetime) -> datetime:
    try:
        (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(_("the moment is out of range once converted to UTC")) from exc
    return value


_NUMBER = re.compile(r"[-+]?\d+(\.\d*)?([eE][-+]?\d+)?")

# A calendar day as the API reads it: `YYYY-MM-DD` only (not a number of seconds).
Day = Annotated[date, BeforeValidator(_iso_day)]
# A moment as the API reads it: ISO 8601 only, and within range in UTC.
Moment = Annotated[datetime, BeforeValidator(_iso_moment), AfterValidator(_in_utc_range)]
