"""The engine-specific part of full-text search, behind `services.search_structures`.

Both engines index the same column, `structures.search_text`, which the service fills with
accent-free, lower-case words (`normalize`): no PostgreSQL extension (unaccent) is needed,
and "economie" finds "Économie" on both engines.

- SQLite: an FTS5 table with external content (`structures_fts`), kept in sync by triggers.
- PostgreSQL: a stored generated column `search_vector` =
  `to_tsvector('simple', search_text)` with a GIN index: matching uses the index and ranking
  reads the stored vector instead of parsing the text again for every matching row.

`create_search_ddl(connection)` is the one place for this DDL: `create_all` runs it through
an `after_create` listener on the `structures` table, and the Alembic revision calls it too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, func, literal_column, text
from sqlalchemy.engine import Connection

# Names that `flask db check` must ignore (see migrations/env.py include_name).
SHADOW_NAMES = frozenset({
    "structures_fts", "structures_fts_data", "structures_fts_idx", "structures_fts_content",
    "structures_fts_docsize", "structures_fts_config", "ix_structures_search_gin",
    "search_vector",
})

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss",
                            "’": " ", "'": " "})
_NON_WORD = re.compile(r"[^0-9a-z]+")
MAX_TERMS = 8


def normalize(value: str | None) -> str:
    """'L'Économie Sociale' -> 'l economie sociale': the text both engines index."""
    if not value:
        return ""
    value = unicodedata.normalize("NFKD", value.translate(_LIGATURES))
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub(" ", value).strip()


def terms(query: str | None) -> list[str]:
    return normalize(query).split()[:MAX_TERMS]


def create_search_ddl(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        for statement in _SQLITE_DDL:
            connection.execute(text(statement))
        # Index rows written before the triggers existed (a migration on a filled database).
        connection.execute(text("INSERT INTO structures_fts(structures_fts) VALUES ('rebuild')"))
    elif connection.dialect.name == "postgresql":
        connection.execute(text(
            "ALTER TABLE structures ADD COLUMN IF NOT EXISTS search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED"))
        connection.execute(text(
            "CREATE INDEX IF NOT EXISTS ix_structures_search_gin ON structures "
            "USING gin (search_vector)"))


def drop_search_ddl(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        for name in ("structures_fts_ai", "structures_fts_ad", "structures_fts_au"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        connection.execute(text("DROP TABLE IF EXISTS structures_fts"))
    elif connection.dialect.name == "postgresql":
        connection.execute(text("DROP INDEX IF EXISTS ix_structures_search_gin"))
        connection.execute(text("ALTER TABLE structures DROP COLUMN IF EXISTS search_vector"))


_SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS structures_fts USING fts5("
    "search_text, content='structures', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS structures_fts_ai AFTER INSERT ON structures BEGIN "
    "INSERT INTO structures_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS structures_fts_ad AFTER DELETE ON structures BEGIN "
    "INSERT INTO structures_fts(structures_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS structures_fts_au AFTER UPDATE OF search_text ON structures "
    "BEGIN INSERT INTO structures_fts(structures_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO structures_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
)


def match(dialect: str, id_column, search_column, words: list[str]) -> SearchMatch:
    """Every word is a prefix and all are required; `rank`: lower is more relevant."""
    if dialect == "sqlite":
        expression = " ".join(f'"{w}"*' for w in words)
        hits = (
            text("SELECT rowid AS id, bm25(structures_fts) AS rank FROM structures_fts "
                 "WHERE structures_fts MATCH :fts_query")
            .bindparams(fts_query=expression)
            .columns(id=Integer(), rank=Float())
            .subquery("fts_hits")
        )
        return SearchMatch(join=(hits, id_column == hits.c.id), condition=None,
                           rank=hits.c.rank)
    vector = literal_column(f"{search_column.table.name}.search_vector")
    query = func.to_tsquery(literal_column("'simple'::regconfig"),
                            " & ".join(f"{w}:*" for w in words))
    return SearchMatch(join=None, condition=vector.op("@@")(query),
                       rank=-func.ts_rank(vector, query))


@dataclass(frozen=True)
class SearchMatch:
    join: tuple[Any, ColumnElement[bool]] | None
    condition: ColumnElement[bool] | None
    rank: ColumnElement[Any]


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic filter (migrations/env.py): hide the search DDL from autogenerate / db check."""
    return not (type_ in ("table", "index", "column") and name in SHADOW_NAMES)
