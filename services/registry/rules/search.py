"""One search across actors, services and programmes.

Every folded word of the query must be contained in a record's `search_text` (names,
description, an actor's tax number), as in the actors list. Hits are ranked: a name that starts
with the query (0) before a name that contains every word (1) before a record whose other text
matched (2); then by Armenian name, id and type. One SQL statement, a UNION ALL of selects per
type and rank, paginated by keyset (`shared.pagination.paginate`) like every other list.

How it stays fast (bench/README.md has the figures). Ranking first means a page cannot be cut
before every match is ranked, and a three-letter fragment matches thousands of rows. So each
rank of each type is its own select, ordered by name alone, and the statement picks at run
time between two ways to its first page:

- the hits among the first WALK rows in name order (the (name_hy, id) index): enough when the
  words are common, which is when trigram indexes are slow;
- otherwise every hit the trigram indexes find (`ix_*_marked_names_trgm` for names, the
  `search_text` ones for the rest), sorted: cheap when the words are rare, as they then
  mostly are.

A rank is not searched once the better ranks fill the page, and the cursor is pushed into each
select (a filter cannot reach into a LIMITed subquery).

The statement is large: building and compiling it took longer than running it, and planning
it as long. So it is built and compiled once per shape (dialect, types, number of words, which
filters, cursor rank, page size) and run as SQL text with fresh parameters; PostgreSQL is told
to keep one generic plan for it, which fits every query since the way is picked at run time.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    TextClause,
    and_,
    bindparam,
    case,
    cast,
    column,
    exists,
    func,
    literal_column,
    not_,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.sqlite.base import SQLiteDialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.selectable import CTE, CompoundSelect, FromClause, Subquery
from sqlalchemy.types import TypeEngine, Uuid

from services.registry.models import (
    Actor,
    ActorPlace,
    Community,
    Programme,
    ProgrammeCommunity,
    ProgrammeTargetGroup,
    Service,
    ServiceCommunity,
    ServiceTargetGroup,
)
from services.registry.reference import ActorKind
from services.registry.schemas.search import SearchHit, SearchType
from shared.pagination import PageParams, decode_cursor, paginate
from shared.text import LocalizedText, fold

RANKS = (0, 1, 2)
WALK = 2000  # rows of a table read in name order before the trigram indexes are asked
NAME_MARK = "qx"  # see _marked_names
HIT_COLUMNS: dict[str, TypeEngine[Any]] = {
    "type": String(),
    "id": Uuid(),
    "rank": Integer(),
    "name_hy": String(),
    "name_en": String(),
    "name_ru": String(),
    "label": String(),
    "starts_on": Date(),
    "ends_on": Date(),
}
# The types of the pagination keys (rank, name_hy, id, type), to read a cursor back.
_KEY_TYPES: list[ColumnClause[Any]] = [
    column(name, HIT_COLUMNS[name]) for name in ("rank", "name_hy", "id", "type")
]
FILTER_NAMES = frozenset({"kind", "region", "community_id", "category", "target_group", "status"})


@dataclass(frozen=True)
class SearchFilters:
    """Filters combined with AND; each applies to the types it means something for."""

    types: frozenset[SearchType] = frozenset(SearchType)
    kind: ActorKind | None = None
    region: str | None = None
    community_id: uuid.UUID | None = None
    category: str | None = None
    target_group: str | None = None
    status: str | None = None

    def searched_types(self) -> list[SearchType]:
        """The requested types that every given filter applies to: `category` → services."""
        wanted = set(self.types)
        if self.kind is not None:
            wanted &= {SearchType.actor}
        if self.category is not None:
            wanted &= {SearchType.service}
        if self.target_group is not None or self.status is not None:
            wanted &= {SearchType.service, SearchType.programme}
        return [t for t in SearchType if t in wanted]


@dataclass(frozen=True)
class _Shape:
    """What the statement's SQL depends on; the values go in as parameters."""

    dialect: str
    types: tuple[SearchType, ...]
    words: int
    filters: frozenset[str]  # names of the filters given
    cursor_rank: int | None
    limit: int
    walk: int


@dataclass(frozen=True)
class _Cursor:
    rank: int
    name_hy: str
    id: uuid.UUID
    type: str


def _number(value: int) -> ColumnElement[int]:
    # Numbers as SQL literals: the statement's only parameters are the named ones of _Params.
    return literal_column(str(value), Integer)


def _escaped(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _values(q: str, filters: SearchFilters, cursor: _Cursor | None) -> dict[str, Any]:
    """The parameters of one search (see `_Params`)."""
    values: dict[str, Any] = {
        "starts": _escaped(q) + "%",
        "starts_later": f"% | {_escaped(q)}%",
        "starts_marked": f"%{NAME_MARK}{_escaped(q)}%",
    }
    values |= {f"word_{i}": f"%{_escaped(w)}%" for i, w in enumerate(q.split())}
    for name in FILTER_NAMES:
        value = getattr(filters, name)
        if value is not None:
            values[name] = value.value if isinstance(value, ActorKind) else value
    if cursor is not None:
        values |= {
            "cursor_name": cursor.name_hy,
            "cursor_id": cursor.id,
            "cursor_type": cursor.type,
        }
    return values


class _Params:
    """The statement's parameters, one object each wherever it is used."""

    def __init__(self, words: int) -> None:
        self.starts = bindparam("starts", type_=String)
        self.starts_later = bindparam("starts_later", type_=String)
        self.starts_marked = bindparam("starts_marked", type_=String)
        self.words = [bindparam(f"word_{i}", type_=String) for i in range(words)]
        self.kind = bindparam("kind", type_=String)
        self.region = bindparam("region", type_=String)
        self.community_id = bindparam("community_id", type_=Uuid)
        self.category = bindparam("category", type_=String)
        self.target_group = bindparam("target_group", type_=String)
        self.status = bindparam("status", type_=String)
        self.cursor_name = bindparam("cursor_name", type_=String)
        self.cursor_id = bindparam("cursor_id", type_=Uuid)
        self.cursor_type = bindparam("cursor_type", type_=String)


def _like(column: Any, pattern: Any) -> ColumnElement[bool]:
    return column.like(pattern, escape="/")  # type: ignore[no-any-return]


def _marked_names(search_name: Any) -> ColumnElement[str]:
    """search_name ("hy | en | ru") with NAME_MARK before each name: "qxhy qxen qxru".

    The very expression of the trigram indexes `ix_*_marked_names_trgm` (models.py), so that
    PostgreSQL uses them; written as literals, as a parameter would not match the index.
    """
    mark = literal_column(f"'{NAME_MARK}'", String)
    return mark.concat(
        func.replace(search_name, literal_column("' | '"), literal_column(f"' {NAME_MARK}'"))
    ).self_group()


def _rank_conditions(
    search_name: Any, search_text: Any, p: _Params, *, indexed: bool = True
) -> list[ColumnElement[bool]]:
    """Which rows have rank 0, 1 and 2; each condition excludes the ranks before it.

    `indexed`: also in terms of the marked names, for PostgreSQL to find them by their index;
    rows already at hand are cheaper to test on search_name alone.
    """
    # A name starts with the query when the whole search_name does, or when the query follows
    # a separator.
    starts = or_(_like(search_name, p.starts), _like(search_name, p.starts_later))
    in_name = and_(*(_like(search_name, w) for w in p.words))
    if indexed:
        # Trigrams know words, not where a name starts; with the mark glued to each name's
        # first word, the marked names find those exactly ("qxmasis"). search_name still
        # decides: a mark can add a match ("xma" in "qxmasis").
        marked = _marked_names(search_name)
        starts = and_(_like(marked, p.starts_marked), starts)
        in_name = and_(*(_like(marked, w) for w in p.words), in_name)
    in_text = and_(*(_like(search_text, w) for w in p.words))
    # search_text begins with search_name (both from shared.text.fold_all), so a name that
    # contains the words implies a text that does; saying it again would only make PostgreSQL
    # multiply two selectivities of one fact and mistake a common word for a rare one.
    return [starts, and_(in_name, not_(starts)), and_(in_text, not_(in_name))]


def _in_region(place: Any, owner: Any, owner_id: Any, region: Any) -> ColumnElement[bool]:
    return (
        exists()
        .where(owner == owner_id, Community.id == place.community_id)
        .where(Community.region_code == region)
    )


# `row` is a table or a subquery of it: the same filters serve both.


def _actor_filters(row: Any, given: frozenset[str], p: _Params) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if "kind" in given:
        where.append(row.kind == p.kind)
    if "community_id" in given:
        where.append(
            exists().where(ActorPlace.actor_id == row.id, ActorPlace.community_id == p.community_id)
        )
    if "region" in given:
        where.append(_in_region(ActorPlace, ActorPlace.actor_id, row.id, p.region))
    return where


def _service_filters(row: Any, given: frozenset[str], p: _Params) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if "category" in given:
        where.append(row.category_code == p.category)
    if "status" in given:
        where.append(row.status == p.status)
    if "target_group" in given:
        where.append(
            exists().where(
                ServiceTargetGroup.service_id == row.id, ServiceTargetGroup.code == p.target_group
            )
        )
    if "community_id" in given:
        where.append(
            exists().where(
                ServiceCommunity.service_id == row.id,
                ServiceCommunity.community_id == p.community_id,
            )
        )
    if "region" in given:
        where.append(_in_region(ServiceCommunity, ServiceCommunity.service_id, row.id, p.region))
    return where


def _programme_filters(row: Any, given: frozenset[str], p: _Params) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if "status" in given:
        where.append(row.status == p.status)
    if "target_group" in given:
        where.append(
            exists().where(
                ProgrammeTargetGroup.programme_id == row.id,
                ProgrammeTargetGroup.code == p.target_group,
            )
        )
    if "community_id" in given:
        where.append(
            exists().where(
                ProgrammeCommunity.programme_id == row.id,
                ProgrammeCommunity.community_id == p.community_id,
            )
        )
    if "region" in given:
        where.append(
            _in_region(ProgrammeCommunity, ProgrammeCommunity.programme_id, row.id, p.region)
        )
    return where


_TABLES = {
    SearchType.actor: Actor.__table__,
    SearchType.service: Service.__table__,
    SearchType.programme: Programme.__table__,
}
_FILTERS = {
    SearchType.actor: _actor_filters,
    SearchType.service: _service_filters,
    SearchType.programme: _programme_filters,
}
# What each type's hits show besides names, and what its filters read.
_OWN_COLUMNS = {
    SearchType.actor: ("kind",),
    SearchType.service: ("category_code", "status"),
    SearchType.programme: ("status", "starts_on", "ends_on"),
}


def _hit_columns(kind: SearchType, row: Any, rank: ColumnElement[int]) -> list[Any]:
    """The columns of a hit (HIT_COLUMNS), the same in every select of the union."""
    no_date = cast(null(), Date)
    if kind is SearchType.actor:
        label, starts_on, ends_on = row.kind, no_date, no_date
    elif kind is SearchType.service:
        label, starts_on, ends_on = row.category_code, no_date, no_date
    else:
        label, starts_on, ends_on = cast(null(), String), row.starts_on, row.ends_on
    return [
        literal_column(f"'{kind.value}'", String).label("type"),
        row.id.label("id"),
        rank.label("rank"),
        row.name_hy.label("name_hy"),
        row.name_en.label("name_en"),
        row.name_ru.label("name_ru"),
        label.label("label"),
        starts_on.label("starts_on"),
        ends_on.label("ends_on"),
    ]


def _after_cursor(name_hy: Any, id_: Any, kind: SearchType, p: _Params) -> ColumnElement[bool]:
    # (name_hy, id, type) > the cursor's; the rank is equal where this is used.
    type_column = literal_column(f"'{kind.value}'", String)
    return or_(
        name_hy > p.cursor_name,
        and_(name_hy == p.cursor_name, id_ > p.cursor_id),
        and_(name_hy == p.cursor_name, id_ == p.cursor_id, type_column > p.cursor_type),
    )


def _walk(kind: SearchType, shape: _Shape, p: _Params) -> CTE:
    """The hits among the first `walk` rows of a table in name order, with their rank."""
    table = _TABLES[kind]
    wanted = ("id", "name_hy", "name_en", "name_ru", "search_name", "search_text")
    scan = (
        select(*(table.c[name] for name in (*wanted, *_OWN_COLUMNS[kind])))
        .order_by(table.c.name_hy, table.c.id)
        .limit(_number(shape.walk))
        .subquery()
    )
    ranks = _rank_conditions(scan.c.search_name, scan.c.search_text, p, indexed=False)
    rank_of = case(*((condition, _number(r)) for r, condition in zip(RANKS, ranks, strict=True)))
    return (
        select(*_hit_columns(kind, scan.c, rank_of))
        .where(or_(*ranks), *_FILTERS[kind](scan.c, shape.filters, p))
        .cte(f"{kind.value}_walk")
    )


def _count(rows: Sequence[FromClause]) -> Any:
    """How many rows these have together."""
    every = union_all(*(select(r.c.id) for r in rows)).subquery() if len(rows) > 1 else rows[0]
    return select(func.count()).select_from(every).scalar_subquery()


def _hits(shape: _Shape) -> CompoundSelect[Any]:
    """The first `limit` hits of each rank and type after the cursor, in name order."""
    p = _Params(shape.words)
    walks = {kind: _walk(kind, shape, p) for kind in shape.types}
    parts: list[CTE] = []
    for rank in RANKS:
        if shape.cursor_rank is not None and rank < shape.cursor_rank:
            continue
        before = list(parts)  # the hits of the better ranks, all types
        for kind in shape.types:
            table, walk = _TABLES[kind], walks[kind]
            walked = select(*walk.c).where(walk.c.rank == _number(rank))
            indexed = select(
                *_hit_columns(kind, table.c, _number(rank))
            ).where(_rank_conditions(table.c.search_name, table.c.search_text, p)[rank],
                    *_FILTERS[kind](table.c, shape.filters, p))  # fmt: skip
            if rank == shape.cursor_rank:
                walked = walked.where(_after_cursor(walk.c.name_hy, walk.c.id, kind, p))
                indexed = indexed.where(_after_cursor(table.c.name_hy, table.c.id, kind, p))
            enough = _count([walked.subquery()]) >= _number(shape.limit)
            needless = or_(enough, _count(before) >= _number(shape.limit)) if before else enough
            # An expression sorts like the column but is not served by its index, so that
            # PostgreSQL sorts what the trigram index finds rather than walk the name index.
            rest = (
                indexed.order_by(table.c.name_hy.concat(literal_column("''")), table.c.id)
                .limit(case((needless, _number(0)), else_=_number(shape.limit)))
                .subquery()  # its own ORDER BY and LIMIT, on SQLite too
            )
            parts.append(
                union_all(walked.where(enough), select(*rest.c)).cte(f"{kind.value}_{rank}")
            )
    return union_all(*(select(*part.c) for part in parts))


@functools.lru_cache(maxsize=256)
def _compiled(shape: _Shape) -> tuple[TextClause, dict[str, tuple[TypeEngine[Any], Any]]]:
    """The statement of a shape as SQL text, and its parameters: name → (type, constant)."""
    # Plain dialects, without the driver's casts on every parameter (`:name::VARCHAR`).
    dialect = (PGDialect if shape.dialect == "postgresql" else SQLiteDialect)(paramstyle="named")
    compiled = _hits(shape).compile(dialect=dialect)
    params = {
        compiled.bind_names[param]: (param.type, param.value) for param in compiled.binds.values()
    }
    # Constants the dialect made parameters of (SQLite's OFFSET 0) get names of their own, so
    # that they cannot clash with those of the query paginate() wraps around this one.
    renamed = {name: f"search_{name}" for name in params if name.startswith("param_")}
    sql = re.sub(r":(param_\d+)\b", lambda m: ":" + renamed.get(m[1], m[1]), compiled.string)
    # text() reads `:name::UUID` as no parameter; `:name ::UUID` is the same cast to PostgreSQL.
    sql = re.sub(r"(:\w+)::", r"\1 ::", sql)
    return text(sql), {renamed.get(name, name): value for name, value in params.items()}


def search_query(
    dialect: str, q: str, filters: SearchFilters, page: PageParams
) -> tuple[Select[Any], list[Any]] | None:
    """The statement and its pagination keys; None when no type is left to search."""
    phrase = fold(q)
    types = filters.searched_types()
    if not phrase or not types:
        return None
    cursor = None
    if page.cursor:
        cursor = _Cursor(*decode_cursor(page.cursor, _KEY_TYPES))
    values = _values(phrase, filters, cursor)
    shape = _Shape(
        dialect=dialect,
        types=tuple(types),
        words=len(phrase.split()),
        filters=FILTER_NAMES & frozenset(values),
        cursor_rank=None if cursor is None else cursor.rank,
        limit=page.limit + 1,
        walk=WALK,
    )
    sql, params = _compiled(shape)
    bound = sql.bindparams(
        *(
            bindparam(name, values.get(name, constant), type_=type_)
            for name, (type_, constant) in params.items()
        )
    )
    hits: Subquery = bound.columns(**HIT_COLUMNS).subquery("hits")
    statement = select(*(hits.c[name] for name in HIT_COLUMNS))
    # rank, name, id as asked; the type last, so the keys are unique even if two tables ever
    # shared an id.
    keys = [hits.c.rank, hits.c.name_hy, hits.c.id, hits.c.type]
    return statement, keys


def _period(starts_on: date | None, ends_on: date | None) -> str | None:
    if starts_on is None and ends_on is None:
        return None
    return f"{starts_on or '..'}/{ends_on or '..'}"


def _hit(row: tuple[Any, ...]) -> SearchHit:
    kind, hit_id, rank, name_hy, name_en, name_ru, label, starts_on, ends_on = row
    search_type = SearchType(kind)
    return SearchHit.model_construct(
        type=search_type,
        id=hit_id,
        name=LocalizedText.model_construct(hy=name_hy, en=name_en, ru=name_ru),
        rank=rank,
        summary=_period(starts_on, ends_on) if search_type is SearchType.programme else label,
    )


async def search(
    session: AsyncSession, q: str, filters: SearchFilters, page: PageParams
) -> tuple[list[SearchHit], str | None]:
    dialect = session.get_bind().dialect.name
    built = search_query(dialect, q, filters, page)
    if built is None:
        return [], None
    statement, keys = built
    if dialect != "postgresql":
        rows, cursor = await paginate(session, statement, keys=keys, page=page, scalars=False)
        return [_hit(row) for row in rows], cursor
    # Planning this statement takes longer than running it, and its plan does not depend on
    # the words (it picks its way at run time), so one plan per connection serves all. Reads
    # run without a transaction (no SET LOCAL): set for this statement, then reset.
    await session.execute(text("SET plan_cache_mode = force_generic_plan"))
    try:
        rows, cursor = await paginate(session, statement, keys=keys, page=page, scalars=False)
    finally:
        await session.execute(text("RESET plan_cache_mode"))
    return [_hit(row) for row in rows], cursor
