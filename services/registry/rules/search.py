"""One search across actors, services and programmes.

Every folded word of the query must be contained in a record's `search_text` (names,
description, an actor's tax number), as in the actors list. Hits are ranked: a name that starts
with the query (0) before a name that contains every word (1) before a record whose other text
matched (2); then by Armenian name, id and type. Pages are cut by keyset over
(rank, name_hy, id, type), the cursor of `shared.pagination`.

How the work stays bounded by the page, not by the registry (bench/README.md has the figures):
the ranks are asked in order, each with one statement that takes from every searched type its
first `limit + 1` hits of that rank after the cursor, in (name_hy, id) order, merged in SQL; a
rank is not asked once the better ones fill the page. How a type finds its first hits of a rank:

- rank 0 on PostgreSQL, for a query of three letters or more: each name (Armenian, English,
  Russian: the parts of `search_name`) has an index on (its first three letters, name_hy, id)
  (`ix_*_name_{1,2,3}_start`), so the names that start with the query are read in name order
  and the read stops at the page;
- otherwise, first the first WALK rows in name order (the (name_hy, id) index): a page when
  the words are common; if not, up to CAP hits from the trigram indexes (any order), sorted:
  all of them when the words are rare; if there are more than CAP, the words are common
  enough that a walk in name order finds a page soon, and the rank is asked again so.
- SQLite (the embedded default, small registries): the walk in name order, unbounded.
"""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
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
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.sqlite.base import SQLiteDialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.selectable import CTE, CompoundSelect, TextualSelect
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
from shared.pagination import PageParams, decode_cursor, encode_cursor
from shared.text import LocalizedText, fold

RANKS = (0, 1, 2)
GLANCE = 200  # rows of a table read in name order first: a page there when words are common
PROBE = 1000  # hits read from the trigram indexes next: when there are no more, they are all
WALK = 2000  # rows of a table read in name order before every hit of the trigram indexes
NAME_MARK = "qx"  # see _marked_names
SEPARATOR = " | "  # between the names in search_name (shared.text.fold_all)
NAME_POSITIONS = (1, 2, 3)  # Armenian, English, Russian: the names a record can have
START_LETTERS = 3  # the first letters of a name that the ix_*_name_*_start indexes hold
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
class _Cursor:
    rank: int
    name_hy: str
    id: uuid.UUID
    type: str


Way = Literal["walk", "starts", "trigrams_or_walk"]


@dataclass(frozen=True)
class _Shape:
    """What a rank's statement's SQL depends on; the values go in as parameters (_values)."""

    dialect: str
    rank: int
    ways: tuple[tuple[SearchType, Way], ...]  # per searched type, how it finds its hits
    words: int
    indexed_words: bool  # no word holds a "|" (see _rank_condition_indexed)
    indexed_phrase: bool  # nor the query
    filters: frozenset[str]  # names of the filters given
    after: str | None  # the cursor's type, when the cursor is in this rank


def _escaped(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _values(
    phrase: str, filters: SearchFilters, cursor: _Cursor | None, limit: int
) -> dict[str, Any]:
    """The parameters of one search (see _Params); the GLANCE, PROBE and WALK of now (tests)."""
    words = phrase.split()
    values: dict[str, Any] = {
        "phrase": phrase,
        "phrase_length": len(phrase),
        "phrase_start": phrase[:START_LETTERS],
        "after_separator": SEPARATOR + phrase,
        "starts_marked": f"%{NAME_MARK}{_escaped(phrase)}%",
        "glance": GLANCE,
        "walk": WALK,
        "probe": PROBE + 1,
        "limit": limit,
    }
    values |= {f"word_{i}": w for i, w in enumerate(words)}
    values |= {f"like_{i}": f"%{_escaped(w)}%" for i, w in enumerate(words)}
    for name in FILTER_NAMES:
        value = getattr(filters, name)
        if value is not None:
            values[name] = value.value if isinstance(value, ActorKind) else value
    if cursor is not None:
        values |= {"cursor_name": cursor.name_hy, "cursor_id": cursor.id}
    return values


class _Params:
    """The statement's parameters, one object each wherever it is used."""

    def __init__(self, words: int) -> None:
        self.phrase = bindparam("phrase", type_=String)
        self.phrase_length = bindparam("phrase_length", type_=Integer)
        self.phrase_start = bindparam("phrase_start", type_=String)
        self.after_separator = bindparam("after_separator", type_=String)
        self.starts_marked = bindparam("starts_marked", type_=String)
        self.words = [bindparam(f"word_{i}", type_=String) for i in range(words)]
        self.likes = [bindparam(f"like_{i}", type_=String) for i in range(words)]
        self.glance = bindparam("glance", type_=Integer)
        self.walk = bindparam("walk", type_=Integer)
        self.probe = bindparam("probe", type_=Integer)
        self.limit = bindparam("limit", type_=Integer)
        self.kind = bindparam("kind", type_=String)
        self.region = bindparam("region", type_=String)
        self.community_id = bindparam("community_id", type_=Uuid)
        self.category = bindparam("category", type_=String)
        self.target_group = bindparam("target_group", type_=String)
        self.status = bindparam("status", type_=String)
        self.cursor_name = bindparam("cursor_name", type_=String)
        self.cursor_id = bindparam("cursor_id", type_=Uuid)


def _number(value: int) -> ColumnElement[int]:
    # Constants as SQL literals: the statement's only parameters are the named ones of _Params.
    return literal_column(str(value), Integer)


def _like(value: Any, pattern: Any) -> ColumnElement[bool]:
    return value.like(pattern, escape="/")  # type: ignore[no-any-return]


def _contains(shape: _Shape, value: Any, part: Any) -> ColumnElement[bool]:
    """`part` occurs in `value`: exact, no wildcards, and never through an index."""
    position = func.strpos if shape.dialect == "postgresql" else func.instr
    return position(value, part) > _number(0)


def _marked_names(search_name: Any) -> ColumnElement[str]:
    """search_name ("hy | en | ru") with NAME_MARK before each name: "qxhy qxen qxru".

    The very expression of the trigram indexes `ix_*_marked_names_trgm` (models.py), so that
    PostgreSQL uses them; written as literals, as a parameter would not match the index.
    """
    mark = literal_column(f"'{NAME_MARK}'", String)
    separator = literal_column(f"'{SEPARATOR}'", String)
    marked = literal_column(f"' {NAME_MARK}'", String)
    return mark.concat(func.replace(search_name, separator, marked)).self_group()


def _name(search_name: Any, position: int) -> ColumnElement[str]:
    """The name at `position` of search_name; '' if it has fewer (PostgreSQL)."""
    return func.split_part(search_name, literal_column(f"'{SEPARATOR}'"), _number(position))


def _name_start(search_name: Any, position: int) -> ColumnElement[str]:
    """The expression of the index ix_*_name_{position}_start: that name's first letters."""
    return func.left(_name(search_name, position), _number(START_LETTERS))


def _starts(shape: _Shape, p: _Params, search_name: Any) -> ColumnElement[bool]:
    """A name starts with the query: search_name does, or the query follows a separator."""
    return or_(
        func.substr(search_name, _number(1), p.phrase_length) == p.phrase,
        _contains(shape, search_name, p.after_separator),
    )


def _in_name(shape: _Shape, p: _Params, search_name: Any) -> ColumnElement[bool]:
    return and_(*(_contains(shape, search_name, w) for w in p.words))


def _rank_condition(shape: _Shape, p: _Params, row: Any) -> ColumnElement[bool]:
    """Which rows have the shape's rank, tested row by row (no index serves these tests)."""
    if shape.rank == 0:
        return _starts(shape, p, row.search_name)
    if shape.rank == 1:
        return and_(_in_name(shape, p, row.search_name), not_(_starts(shape, p, row.search_name)))
    # search_text begins with search_name (both from shared.text.fold_all), so a text that
    # contains the words while no name does is all rank 2 needs.
    in_text = and_(*(_contains(shape, row.search_text, w) for w in p.words))
    return and_(in_text, not_(_in_name(shape, p, row.search_name)))


def _rank_condition_indexed(shape: _Shape, p: _Params, row: Any) -> ColumnElement[bool]:
    """The same, with conditions the trigram indexes serve (PostgreSQL). A word without "|"
    is in search_name exactly when it is in the marked names, which lack the separators."""
    exact = _rank_condition(shape, p, row)
    if shape.rank == 2:
        return and_(*(_like(row.search_text, like) for like in p.likes), exact)
    if not (shape.indexed_words and shape.indexed_phrase):
        return exact
    marked = _marked_names(row.search_name)
    if shape.rank == 0:
        # Trigrams know words, not where a name starts; with the mark glued to each name's
        # first word, the marked names find those ("qxmasis").
        return and_(_like(marked, p.starts_marked), exact)
    return and_(*(_like(marked, like) for like in p.likes), exact)


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
_SCANNED = ("id", "name_hy", "name_en", "name_ru", "search_name", "search_text")
# Rows whose names hold a "|" of their own, so that their parts (split_part) are not their
# names: more parts than NAME_POSITIONS, or a "|" that is no separator. shared.text.fold now
# folds "|" away; rows folded before it may still hold one.
_STRAY_BARS = "(search_name LIKE '% | % | % | %' OR replace(search_name, ' | ', '') LIKE '%|%')"


def _hit_columns(kind: SearchType, row: Any, rank: int) -> list[Any]:
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
        _number(rank).label("rank"),
        row.name_hy.label("name_hy"),
        row.name_en.label("name_en"),
        row.name_ru.label("name_ru"),
        label.label("label"),
        starts_on.label("starts_on"),
        ends_on.label("ends_on"),
    ]


def _after_cursor(
    shape: _Shape, p: _Params, kind: SearchType, row: Any
) -> list[ColumnElement[bool]]:
    """(name_hy, id, type) after the cursor's, as a row comparison an index can start from."""
    if shape.after is None:
        return []
    ours, theirs = tuple_(row.name_hy, row.id), tuple_(p.cursor_name, p.cursor_id)
    # Equal (name_hy, id) in two tables: the type decides.
    return [ours >= theirs if kind.value > shape.after else ours > theirs]


def _where(shape: _Shape, p: _Params, kind: SearchType, row: Any) -> list[ColumnElement[bool]]:
    return [*_FILTERS[kind](row, shape.filters, p), *_after_cursor(shape, p, kind, row)]


def _walk(shape: _Shape, p: _Params, kind: SearchType) -> Select[Any]:
    """The first hits in name order, however many rows that reads."""
    table = _TABLES[kind]
    return (
        select(*_hit_columns(kind, table.c, shape.rank))
        .where(_rank_condition(shape, p, table.c), *_where(shape, p, kind, table.c))
        .order_by(table.c.name_hy, table.c.id)
        .limit(p.limit)
    )


def _starts_read(shape: _Shape, p: _Params, kind: SearchType) -> Select[Any]:
    """Rank 0 from the ix_*_name_*_start indexes: the names that start with the query, in
    name order. One ordered read per name position, each leaving out the positions before."""
    table = _TABLES[kind]
    branches = []
    found_before: list[ColumnElement[bool]] = []
    for position in NAME_POSITIONS:
        starts_here = func.starts_with(_name(table.c.search_name, position), p.phrase)
        branch = (
            select(*_hit_columns(kind, table.c, 0))
            .where(
                _name_start(table.c.search_name, position) == p.phrase_start,
                starts_here,
                *(not_(before) for before in found_before),
                *_where(shape, p, kind, table.c),
            )
            .order_by(table.c.name_hy, table.c.id)
            .limit(p.limit)
            .subquery()
        )
        branches.append(select(*branch.c))
        found_before.append(starts_here)
    # Their parts are not their names: the partial index ix_*_stray_bars holds these few.
    stray = (
        select(*_hit_columns(kind, table.c, 0))
        .where(
            literal_column(_STRAY_BARS.replace("search_name", f"{kind.value}s.search_name")),
            _starts(shape, p, table.c.search_name),
            *(not_(before) for before in found_before),
            *_where(shape, p, kind, table.c),
        )
        .order_by(table.c.name_hy, table.c.id)
        .limit(p.limit)
        .subquery()
    )
    every = union_all(*branches, select(*stray.c)).subquery()
    return select(*every.c).order_by(every.c.name_hy, every.c.id).limit(p.limit)


def _walked(
    shape: _Shape, p: _Params, kind: SearchType, rows: ColumnElement[int], name: str
) -> CTE:
    """The first hits among the first `rows` rows in name order."""
    table = _TABLES[kind]
    scan = (
        select(*(table.c[name] for name in (*_SCANNED, *_OWN_COLUMNS[kind])))
        .where(*_after_cursor(shape, p, kind, table.c))
        .order_by(table.c.name_hy, table.c.id)
        .limit(rows)
        .subquery()
    )
    return (
        select(*_hit_columns(kind, scan.c, shape.rank))
        .where(_rank_condition(shape, p, scan.c), *_FILTERS[kind](scan.c, shape.filters, p))
        .order_by(scan.c.name_hy, scan.c.id)
        .limit(p.limit)
        .cte(f"{kind.value}_{name}")
    )


def _count(rows: CTE) -> ColumnElement[int]:
    return select(func.count()).select_from(rows).scalar_subquery()


def _trigrams_or_walk(shape: _Shape, p: _Params, kind: SearchType) -> CompoundSelect[Any]:
    """The first hits of a rank, the first of four ways that works, picked as it runs:

    - the hits among the first GLANCE rows in name order, if they make a page (the most
      common words, whose trigrams are too many to read);
    - up to PROBE + 1 hits from the trigram indexes, in any order: if they are no more than
      PROBE, they are all there are (rare words), sorted;
    - the hits among the first WALK rows in name order, if they make a page (common words);
    - every hit the trigram indexes find, sorted.
    A way that is not needed reads nothing: its LIMIT is 0.
    """
    table = _TABLES[kind]
    indexed = [_rank_condition_indexed(shape, p, table.c), *_where(shape, p, kind, table.c)]
    glanced = _walked(shape, p, kind, p.glance, "glanced")
    common = _count(glanced) >= p.limit
    probe = (
        select(*_hit_columns(kind, table.c, shape.rank))
        .where(*indexed)
        .limit(case((common, _number(0)), else_=p.probe))
        .cte(f"{kind.value}_probe")
    )
    rare = and_(not_(common), _count(probe) < p.probe)
    few = (
        select(*probe.c).where(rare).order_by(probe.c.name_hy, probe.c.id).limit(p.limit).subquery()
    )
    walked = _walked(shape, p, kind, case((or_(common, rare), _number(0)), else_=p.walk), "walked")
    enough = _count(walked) >= p.limit
    # An expression sorts like the column but is not served by its index, so that PostgreSQL
    # sorts what the trigram index finds rather than walk the name index.
    found = (
        select(*_hit_columns(kind, table.c, shape.rank))
        .where(*indexed)
        .order_by(table.c.name_hy.concat(literal_column("''")), table.c.id)
        .limit(case((or_(common, rare, enough), _number(0)), else_=p.limit))
        .subquery()
    )
    return union_all(
        select(*glanced.c).where(common),
        select(*few.c),
        select(*walked.c).where(enough),
        select(*found.c),
    )


_WAYS = {"walk": _walk, "starts": _starts_read, "trigrams_or_walk": _trigrams_or_walk}


def _statement(shape: _Shape) -> Select[Any]:
    """The first `limit` hits of one rank after the cursor, every type, in page order."""
    p = _Params(shape.words)
    parts = []
    for kind, way in shape.ways:
        part = _WAYS[way](shape, p, kind).subquery()  # its own ORDER BY and LIMIT, on SQLite too
        parts.append(select(*part.c))
    every = union_all(*parts).subquery("hits")
    # rank, name, id as asked; the type last, so the keys are unique even if two tables ever
    # shared an id.
    return select(*every.c).order_by(every.c.name_hy, every.c.id, every.c.type)


@functools.lru_cache(maxsize=512)
def _compiled(shape: _Shape) -> tuple[TextualSelect, dict[str, tuple[TypeEngine[Any], Any]]]:
    """The statement of a shape as SQL text, and its parameters: name → (type, constant).
    Building and compiling a statement takes longer than running it: once per shape."""
    # Plain dialects, without the driver's casts on every parameter (`:name::VARCHAR`).
    dialect = (PGDialect if shape.dialect == "postgresql" else SQLiteDialect)(paramstyle="named")
    compiled = _statement(shape).compile(dialect=dialect)
    params = {
        compiled.bind_names[param]: (param.type, param.value) for param in compiled.binds.values()
    }
    # text() reads `:name::UUID` as no parameter; `:name ::UUID` is the same cast to PostgreSQL.
    sql = re.sub(r"(:\w+)::", r"\1 ::", compiled.string)
    return text(sql).columns(**HIT_COLUMNS), params


async def _rank_hits(session: AsyncSession, shape: _Shape, values: dict[str, Any]) -> list[Any]:
    statement, params = _compiled(shape)
    bound = statement.bindparams(
        *(
            bindparam(name, values.get(name, constant), type_=type_)
            for name, (type_, constant) in params.items()
        )
    )
    return list((await session.execute(bound)).all())


def _period(starts_on: date | None, ends_on: date | None) -> str | None:
    if starts_on is None and ends_on is None:
        return None
    return f"{starts_on or '..'}/{ends_on or '..'}"


def _hit(row: Any) -> SearchHit:
    search_type = SearchType(row.type)
    return SearchHit.model_construct(
        type=search_type,
        id=row.id,
        name=LocalizedText.model_construct(hy=row.name_hy, en=row.name_en, ru=row.name_ru),
        rank=row.rank,
        summary=(
            _period(row.starts_on, row.ends_on)
            if search_type is SearchType.programme
            else row.label
        ),
    )


# Planning the statements takes longer than running them, and their plans do not depend on the
# words (the way is picked at run time), so one generic plan per connection serves all; but a
# generic plan cannot know that a LIMIT on trigram hits is no reason to read a whole table (a
# rare word), so no sequential scans. Reads run without a transaction (no SET LOCAL): set for
# the search, then back to the session's own values.
_PLANNING = (
    "SELECT set_config('plan_cache_mode', 'force_generic_plan', false), "
    "set_config('enable_seqscan', 'off', false)"
)
_PLANNING_RESET = (
    "SELECT set_config(name, reset_val, false) FROM pg_settings "
    "WHERE name IN ('plan_cache_mode', 'enable_seqscan')"
)


async def search(
    session: AsyncSession, q: str, filters: SearchFilters, page: PageParams
) -> tuple[list[SearchHit], str | None]:
    phrase = fold(q)
    types = filters.searched_types()
    cursor = _Cursor(*decode_cursor(page.cursor, _KEY_TYPES)) if page.cursor else None
    if not phrase or not types:
        return [], None
    wanted = page.limit + 1  # one more than the page tells whether there is a next one
    if session.get_bind().dialect.name != "postgresql":
        rows = await _ranked(session, "sqlite", phrase, filters, types, cursor, wanted)
    else:
        await session.execute(text(_PLANNING))
        try:
            rows = await _ranked(session, "postgresql", phrase, filters, types, cursor, wanted)
        finally:
            await session.execute(text(_PLANNING_RESET))
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        last = rows[-1]
        next_cursor = encode_cursor([last.rank, last.name_hy, last.id, last.type])
    return [_hit(row) for row in rows], next_cursor


async def _ranked(
    session: AsyncSession,
    dialect: str,
    phrase: str,
    filters: SearchFilters,
    types: list[SearchType],
    cursor: _Cursor | None,
    wanted: int,
) -> list[Any]:
    """Up to `wanted` hits after the cursor, rank by rank."""
    words = phrase.split()
    rows: list[Any] = []
    for rank in RANKS:
        if cursor is not None and rank < cursor.rank:
            continue
        way: Way = "trigrams_or_walk"
        if dialect != "postgresql":
            way = "walk"
        elif rank == 0 and len(phrase) >= START_LETTERS and "|" not in phrase:
            way = "starts"
        shape = _Shape(
            dialect=dialect,
            rank=rank,
            ways=tuple((kind, way) for kind in types),
            words=len(words),
            indexed_words=not any("|" in w for w in words),
            indexed_phrase="|" not in phrase,
            filters=frozenset(n for n in FILTER_NAMES if getattr(filters, n) is not None),
            after=cursor.type if cursor is not None and cursor.rank == rank else None,
        )
        values = _values(phrase, filters, cursor, wanted - len(rows))
        rows += await _rank_hits(session, shape, values)
        if len(rows) >= wanted:
            break
    return rows
