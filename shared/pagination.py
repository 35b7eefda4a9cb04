"""Keyset pagination with an opaque cursor: `?limit=&cursor=` in, `{items, next_cursor}` out."""

from __future__ import annotations

import base64
import binascii
import json
import math
import uuid
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, String, and_, literal_column, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from shared.errors import RuleViolation
from shared.i18n import _

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None


def _page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(description="`next_cursor` of the previous page", max_length=1024)
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


PageDep = Annotated[PageParams, Depends(_page_params)]


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID | datetime | date | Decimal):
        return str(value)
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_jsonable(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _bad_cursor() -> RuleViolation:
    return RuleViolation(
        _("The cursor is not one this list gave out; start again without it."),
        title=_("Invalid cursor"),
        slug="validation",
        extra={"errors": [{"field": "cursor", "message": "unknown cursor", "type": "cursor"}]},
    )


# The widest integer both databases store (a cursor may not carry a wider one).
_INT64 = 2**63 - 1


def _typed(column: ColumnElement[Any], value: Any) -> Any:
    """The cursor's value as the column's Python type; ValueError when it cannot be one.

    A cursor is only opaque, not signed: a well-formed one with values of the wrong types
    (`["a", 5]`) must be refused here, not fail in the database.
    """
    if value is None:
        raise ValueError("the keys of a page are never null")
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        python_type = object
    if python_type in (uuid.UUID, datetime, date, Decimal, str) and not isinstance(value, str):
        raise ValueError("cursor value of the wrong type")
    if isinstance(value, str) and ("\x00" in value or len(value) > 1000):
        raise ValueError("cursor value no database stores")
    if python_type is uuid.UUID:
        return uuid.UUID(value)
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is Decimal:
        number = Decimal(value)
        if not number.is_finite():
            raise ValueError("cursor number that is not finite")
        return number
    if python_type is int and (
        isinstance(value, bool) or not isinstance(value, int) or abs(value) > _INT64
    ):
        raise ValueError("cursor value of the wrong type")
    if python_type is float and (
        isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
    ):
        raise ValueError("cursor value of the wrong type")
    if python_type is bool and not isinstance(value, bool):
        raise ValueError("cursor value of the wrong type")
    if python_type is object and not isinstance(value, str | int | float):
        raise ValueError("cursor value of the wrong type")
    return value


def decode_cursor(cursor: str, columns: Sequence[ColumnElement[Any]]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError("cursor of the wrong length")
        return [_typed(c, v) for c, v in zip(columns, values, strict=True)]
    except (ValueError, TypeError, ArithmeticError, binascii.Error, UnicodeDecodeError) as exc:
        raise _bad_cursor() from exc


def _after(columns: Sequence[ColumnElement[Any]], values: Sequence[Any]) -> ColumnElement[bool]:
    # (a, b, c) > (x, y, z), spelled out so that it works the same on SQLite and PostgreSQL.
    clauses = []
    for i, column in enumerate(columns):
        equal = [columns[j] == values[j] for j in range(i)]
        clauses.append(and_(*equal, column > values[i]))
    return or_(*clauses)


async def paginate(
    session: AsyncSession,
    statement: Select[*tuple[Any, ...]],
    *,
    keys: Sequence[ColumnElement[Any] | QueryableAttribute[Any]],
    page: PageParams,
    scalars: bool = True,
) -> tuple[list[Any], str | None]:
    """One page of `statement` ordered by `keys` (unique together, ascending, not null).

    Returns the rows and the cursor of the next page (None on the last one).
    """
    columns = [k.expression if isinstance(k, QueryableAttribute) else k for k in keys]
    if page.cursor:
        statement = statement.where(_after(columns, decode_cursor(page.cursor, columns)))
    statement = statement.add_columns(*columns).order_by(*columns).limit(page.limit + 1)
    result = await session.execute(statement)
    rows = result.all()
    width = len(columns)
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        next_cursor = encode_cursor(list(rows[-1][-width:]))
    if scalars:
        return [row[0] for row in rows], next_cursor
    if not rows:
        return [], next_cursor
    # Tuples that keep the statement's column names (row.name_hy), without the keys added here.
    record = namedtuple("Record", rows[0]._fields[:-width], rename=True)  # type: ignore[misc]
    return [record(*row[:-width]) for row in rows], next_cursor


def page_of(items: Sequence[T], key: Callable[[T], str], page: PageParams) -> Page[T]:
    """One page of a short list held in memory (a code list), in its own order.

    `key` is unique per item; the cursor names the last item of the page before.
    """
    start = 0
    if page.cursor:
        (last,) = decode_cursor(page.cursor, [literal_column("key", String())])
        keys = [key(item) for item in items]
        if last not in keys:
            raise _bad_cursor()
        start = keys.index(last) + 1
    chunk = list(items[start : start + page.limit])
    more = start + page.limit < len(items)
    return Page(items=chunk, next_cursor=encode_cursor([key(chunk[-1])]) if more else None)
