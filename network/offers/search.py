"""Offer search: the directory's full-text pattern declared for the `offers` table.

Same text rules as the directory (`normalize`, `terms`: accent- and case-free prefixes,
every word required), same engines: an FTS5 external-content table kept by triggers on
SQLite, a stored `tsvector` generated column with a GIN index on PostgreSQL, both over the
`offers.search_text` column the services fill.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, func, literal_column, text
from sqlalchemy.engine import Connection

from network.directory.search import normalize, terms

__all__ = ["normalize", "terms", "match", "create_search_ddl", "drop_search_ddl",
           "SHADOW_NAMES"]

TABLE = "offers"
FTS = "offers_fts"
GIN = "ix_offers_search_gin"

SHADOW_NAMES = frozenset({FTS, f"{FTS}_data", f"{FTS}_idx", f"{FTS}_content",
                          f"{FTS}_docsize", f"{FTS}_config", GIN})

_SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(search_text, content='{TABLE}', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_ai AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_ad AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_au AFTER UPDATE OF search_text ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS}(rowid, search_text) VALUES (new.id, new.search_text); END",
)


def create_search_ddl(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        for statement in _SQLITE_DDL:
            connection.execute(text(statement))
        connection.execute(text(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')"))
    elif connection.dialect.name == "postgresql":
        connection.execute(text(
            f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED"))
        connection.execute(text(
            f"CREATE INDEX IF NOT EXISTS {GIN} ON {TABLE} USING gin (search_vector)"))


def drop_search_ddl(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {FTS}_{suffix}"))
        connection.execute(text(f"DROP TABLE IF EXISTS {FTS}"))
    elif connection.dialect.name == "postgresql":
        connection.execute(text(f"DROP INDEX IF EXISTS {GIN}"))
        connection.execute(text(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector"))


@dataclass(frozen=True)
class SearchMatch:
    join: tuple[Any, ColumnElement[bool]] | None
    condition: ColumnElement[bool] | None
    rank: ColumnElement[Any]


def match(session: Any, words: list[str]) -> SearchMatch:
    """Every word a prefix, all required; `rank`: lower is more relevant."""
    from network.offers.models import Offer

    if session.get_bind().dialect.name == "sqlite":
        hits = (text(f"SELECT rowid AS id, bm25({FTS}) AS rank FROM {FTS} "
                     f"WHERE {FTS} MATCH :fts_query")
                .bindparams(fts_query=" ".join(f'"{w}"*' for w in words))
                .columns(id=Integer(), rank=Float()).subquery("offer_hits"))
        return SearchMatch(join=(hits, Offer.id == hits.c.id), condition=None, rank=hits.c.rank)
    vector = literal_column(f"{TABLE}.search_vector")
    query = func.to_tsquery(literal_column("'simple'::regconfig"),
                            " & ".join(f"{w}:*" for w in words))
    return SearchMatch(join=None, condition=vector.op("@@")(query),
                       rank=-func.ts_rank(vector, query))
