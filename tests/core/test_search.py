"""The core search service on its own: any table, either engine, nothing of the directory."""

from __future__ import annotations

import pytest
from sqlalchemy import column, select, table, text

from network.core import search

PROBE = search.SearchIndex(name="probe_notes", table="probe_notes", key="id",
                           text="search_text")
NOTES = table("probe_notes", column("id"), column("title"), column("search_text"))


@pytest.fixture
def notes(db):
    """A table no model declares, indexed through the service as a domain would."""
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe_notes (id INTEGER PRIMARY KEY, "
                          "title VARCHAR(200) NOT NULL, search_text TEXT NOT NULL)"))
        # Rows written before the index exists are indexed too (a migration on a full base).
        conn.execute(NOTES.insert().values(id=1, title="Économie solidaire",
                                           search_text=search.normalise("Économie solidaire")))
        PROBE.create_ddl(conn)
        PROBE.create_ddl(conn)  # idempotent
        for id_, title in ((2, "Café Œcuménique"), (3, "Jardin d'économie circulaire"),
                           (4, "Atelier vélo")):
            conn.execute(NOTES.insert().values(id=id_, title=title,
                                               search_text=search.normalise(title)))
        conn.execute(NOTES.update().where(NOTES.c.id == 4).values(
            title="Atelier vélo solidaire",
            search_text=search.normalise("Atelier vélo solidaire")))
        conn.execute(NOTES.delete().where(NOTES.c.id == 2))
    yield
    db.session.rollback()  # the test's reads hold a lock that DROP TABLE waits for (PostgreSQL)
    with db.engine.begin() as conn:
        PROBE.drop_ddl(conn)
        PROBE.drop_ddl(conn)
        conn.execute(text("DROP TABLE probe_notes"))


def found(db, query: str) -> list[int]:
    stmt, rank = search.apply(select(NOTES.c.id), PROBE, query)
    stmt = stmt.order_by(rank, NOTES.c.id) if rank is not None else stmt.order_by(NOTES.c.id)
    return list(db.session.scalars(stmt))


def test_normalise_folds_accents_ligatures_case_and_punctuation():
    assert search.normalise("L'Économie  SOCIALE — Cœur") == "l economie sociale coeur"
    assert search.normalise("a\x00b") == "a b"
    assert search.normalise(None) == ""
    assert search.terms("  ") == []
    assert search.terms(" ".join("abcdefghij")) == list("abcdefgh")  # MAX_TERMS


def test_prefix_words_all_required_accent_free(db, notes):
    assert found(db, "economie") == [1, 3]
    assert found(db, "ÉCONO solid") == [1]
    assert found(db, "solidaire") == [1, 4]  # the update re-indexed row 4
    assert found(db, "oecumenique") == []  # the deleted row left the index
    assert found(db, "economie jardin") == [3]


def test_no_word_filters_nothing_and_odd_input_is_harmless(db, notes):
    stmt = select(NOTES.c.id)
    same, rank = search.apply(stmt, PROBE, " ' ; -- ")
    assert same is stmt and rank is None
    for odd in ['"', "*", "a OR b", "NEAR(a b)", "x:*", "'); drop table probe_notes; --",
                "\\", "-x", "a\x00b", "é" * 5000]:
        found(db, odd)  # no syntax error, no 500 from either engine


def test_rank_puts_the_better_match_first(db, notes):
    with db.engine.begin() as conn:
        conn.execute(NOTES.insert().values(
            id=5, title="Solidaire", search_text=search.normalise("solidaire solidaire "
                                                                  "solidaire")))
    assert found(db, "solidaire")[0] == 5


def test_include_name_hides_every_declared_index_and_nothing_else():
    for name in PROBE.shadow_names:
        assert search.include_name(name, "table", {}) is False
    assert search.include_name("probe_notes", "table", {}) is True
    assert search.include_name("ix_probe_notes_search_gin", "index", {}) is False
    assert search.include_name("structures_fts", "table", {}) is False  # the directory's


def test_index_names_must_be_plain_sql_names():
    with pytest.raises(ValueError):
        search.SearchIndex(name="x; drop", table="t")
