"""One full-text search service for every domain (structures, offers, …).

A domain declares an index on one of its tables and asks this module to filter and rank a
`select()` with what a person typed. The same code runs on SQLite and PostgreSQL; no
extension (unaccent, pg_trgm) is needed.

How it works
------------
The domain keeps a plain text column (say `search_text`) holding `normalise(...)` of every
word it wants found: accents, ligatures and case are folded in Python, so "economie" finds
"Économie" on both engines. On top of that column:

- SQLite: an FTS5 table with external content, `<name>_fts`, kept in step by three triggers
  (`<name>_fts_ai`, `_ad`, `_au`); ranking by `bm25()`.
- PostgreSQL: a stored generated column `search_vector` =
  `to_tsvector('simple', <text column>)` with a GIN index `ix_<name>_search_gin`; ranking by
  `ts_rank()` on the stored vector (the text is not parsed again per row).

Every word typed is a prefix and all words are required ("eco sol" finds "Économie
solidaire"); at most `MAX_TERMS` words are used. Whatever is typed (quotes, `*`, `OR`, NUL
bytes, SQL) is reduced to `[0-9a-z]` words first, so no query syntax reaches either engine.

API
---
    from network.core import search

    # 1. Declare the index next to the model (one per table), and attach it so that
    #    `db.create_all()` (tests, `flask db upgrade` on an empty base) creates its DDL:
    OFFER_SEARCH = search.SearchIndex(name="offers", table="offers", key="id",
                                      text="search_text")
    OFFER_SEARCH.attach(Offer.__table__)

    # 2. Keep the text column filled whenever the row changes (in the write service):
    offer.search_text = search.normalise(" ".join([offer.title, offer.commune, ...]))

    # 3. Search: `apply` adds the match to a select over that table and gives the rank
    #    (lower is more relevant; None when the query holds no word: nothing is filtered).
    stmt, rank = search.apply(select(Offer.id).where(...), OFFER_SEARCH, q)
    stmt = stmt.order_by(rank, Offer.id) if rank is not None else stmt.order_by(...)

    # 4. In the domain's Alembic revision, paste a FROZEN copy of the DDL that
    #    `OFFER_SEARCH.ddl(dialect)` returns (a revision imports nothing from the app), and
    #    the matching `drop_ddl` statements in `downgrade()`.

- `SearchIndex.create_ddl(bind)` / `drop_ddl(bind)`: create (and index the rows already
  there) / drop the engine-specific objects; both idempotent. `ddl(dialect)` and
  `drop_statements(dialect)` return the SQL as strings, for frozen copies.
- `normalise(text)` -> accent-free, lower-case words separated by one space;
  `terms(query)` -> the words used for a query.
- `include_name(name, type_, parent_names)`: the Alembic filter (migrations/env.py) that
  hides every declared index's shadow objects from autogenerate and `flask db check`.

Limits: `apply` refers to the table by its name (`<table>.<key>`), so the select must read
the table itself, not an alias of it. The generated column is always called
`search_vector`, hence one index per table.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Integer, Select, Table, event, func, literal_column, text

MAX_TERMS = 8
VECTOR_COLUMN = "search_vector"

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss",
                            "’": " ", "'": " "})
_NON_WORD = re.compile(r"[^0-9a-z]+")

#: Every index declared in this process (filled at import time, identical in every worker);
#: only `include_name` reads it.
_DECLARED: list[SearchIndex] = []


def normalise(value: str | None) -> str:
    """'L'Économie  Sociale — Cœur' -> 'l economie sociale coeur': the text both engines index."""
    if not value:
        return ""
    value = unicodedata.normalize("NFKD", value.translate(_LIGATURES))
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub(" ", value).strip()


def terms(query: str | None) -> list[str]:
    """The words a query is made of (at most MAX_TERMS), normalised."""
    return normalise(query).split()[:MAX_TERMS]


@dataclass(frozen=True)
class SearchIndex:
    """A full-text index over `table.text`, rows identified by the integer column `key`."""

    name: str
    table: str
    key: str = "id"
    text: str = "search_text"

    def __post_init__(self) -> None:
        for part in (self.name, self.table, self.key, self.text):
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", part):
                raise ValueError(f"not a plain SQL name: {part!r}")
        if all(index.name != self.name for index in _DECLARED):
            _DECLARED.append(self)

    # --- names ---------------------------------------------------------------------------
    @property
    def fts_table(self) -> str:
        return f"{self.name}_fts"

    @property
    def gin_index(self) -> str:
        return f"ix_{self.name}_search_gin"

    @property
    def shadow_names(self) -> frozenset[str]:
        """Objects the models do not declare (FTS5 shadow tables, vector column, GIN index)."""
        fts = self.fts_table
        return frozenset({fts, f"{fts}_data", f"{fts}_idx", f"{fts}_content",
                          f"{fts}_docsize", f"{fts}_config", self.gin_index, VECTOR_COLUMN})

    # --- DDL ------------------------------------------------------------------------------
    def ddl(self, dialect: str) -> list[str]:
        """The statements that create the index on `dialect` ("sqlite" or "postgresql")."""
        fts, t, key, col = self.fts_table, self.table, self.key, self.text
        if dialect == "sqlite":
            return [
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
                f"{col}, content='{t}', content_rowid='{key}', "
                "tokenize='unicode61 remove_diacritics 2')",
                f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {t} BEGIN "
                f"INSERT INTO {fts}(rowid, {col}) VALUES (new.{key}, new.{col}); END",
                f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {t} BEGIN "
                f"INSERT INTO {fts}({fts}, rowid, {col}) "
                f"VALUES ('delete', old.{key}, old.{col}); END",
                f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {col} ON {t} "
                f"BEGIN INSERT INTO {fts}({fts}, rowid, {col}) "
                f"VALUES ('delete', old.{key}, old.{col}); "
                f"INSERT INTO {fts}(rowid, {col}) VALUES (new.{key}, new.{col}); END",
                # Index rows written before the triggers existed (a migration on a filled base).
                f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
            ]
        if dialect == "postgresql":
            return [
                f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS {VECTOR_COLUMN} tsvector "
                f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {col})) STORED",
                f"CREATE INDEX IF NOT EXISTS {self.gin_index} ON {t} "
                f"USING gin ({VECTOR_COLUMN})",
            ]
        return []

    def drop_statements(self, dialect: str) -> list[str]:
        fts = self.fts_table
        if dialect == "sqlite":
            return [*(f"DROP TRIGGER IF EXISTS {fts}_{suffix}" for suffix in ("ai", "ad", "au")),
                    f"DROP TABLE IF EXISTS {fts}"]
        if dialect == "postgresql":
            return [f"DROP INDEX IF EXISTS {self.gin_index}",
                    f"ALTER TABLE {self.table} DROP COLUMN IF EXISTS {VECTOR_COLUMN}"]
        return []

    def create_ddl(self, bind: Any) -> None:
        for statement in self.ddl(bind.dialect.name):
            bind.execute(text(statement))

    def drop_ddl(self, bind: Any) -> None:
        for statement in self.drop_statements(bind.dialect.name):
            bind.execute(text(statement))

    def attach(self, table: Table) -> None:
        """Create the DDL whenever SQLAlchemy creates `table` (`create_all`)."""
        if table.name != self.table:
            raise ValueError(f"{self.name} indexes {self.table}, not {table.name}")

        def after_create(_target, connection, **_kw) -> None:
            self.create_ddl(connection)

        event.listen(table, "after_create", after_create)


def apply(stmt: Select, index: SearchIndex, query: str | None, *,
          dialect: str | None = None) -> tuple[Select, Any]:
    """Restrict `stmt` (a select reading `index.table`) to the rows matching every word of
    `query` as a prefix; return it with a rank expression (lower is more relevant), or
    `(stmt, None)` unchanged when the query holds no word."""
    words = terms(query)
    if not words:
        return stmt, None
    if dialect is None:
        from network.extensions import db

        dialect = db.session.get_bind().dialect.name
    key = literal_column(f"{index.table}.{index.key}")
    if dialect == "sqlite":
        fts = index.fts_table
        hits = (
            text(f"SELECT rowid AS id, bm25({fts}) AS rank FROM {fts} "
                 f"WHERE {fts} MATCH :fts_query")
            .bindparams(fts_query=" ".join(f'"{w}"*' for w in words))
            .columns(id=Integer(), rank=Float())
            .subquery(f"{fts}_hits")
        )
        return stmt.join(hits, key == hits.c.id), hits.c.rank
    vector = literal_column(f"{index.table}.{VECTOR_COLUMN}")
    tsquery = func.to_tsquery(literal_column("'simple'::regconfig"),
                              " & ".join(f"{w}:*" for w in words))
    return stmt.where(vector.op("@@")(tsquery)), -func.ts_rank(vector, tsquery)


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic filter (migrations/env.py): hide every declared index's DDL from autogenerate
    and `flask db check`, which would otherwise drop it."""
    if type_ not in ("table", "index", "column") or name is None:
        return True
    return not any(name in index.shadow_names for index in _DECLARED)
