"""The search DDL: idempotent, reusable by a migration, invisible to `flask db check`."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from network.directory import search, services

DIRECTORY_TABLES = {"structures", "structure_sectors", "structure_offerings",
                    "structure_labels", "structure_logos", "structure_changes",
                    "structure_join_requests", "structure_invitations",
                    "directory_territories", "directory_sectors", "purchase_categories"}


def _names(diff) -> set[str]:
    found = set()
    for item in diff:
        for part in item if isinstance(item, list) else [item]:
            for obj in part[1:]:
                name = getattr(obj, "name", None) or getattr(getattr(obj, "table", None),
                                                             "name", None)
                if isinstance(obj, str):
                    name = obj
                if name:
                    found.add(name)
    return found


def test_autogenerate_sees_no_difference_for_directory(db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_name": search.include_name, "compare_type": True})
        diff = compare_metadata(context, db.metadata)
    names = _names(diff)
    assert not (names & (DIRECTORY_TABLES | search.SHADOW_NAMES)), diff


def test_ddl_is_idempotent_and_indexes_existing_rows(db, make_structure):
    s = make_structure(name="Recyclerie Lorraine")
    with db.engine.begin() as conn:
        search.drop_search_ddl(conn)
        search.drop_search_ddl(conn)
    with db.engine.begin() as conn:  # what a migration on a filled database does
        search.create_search_ddl(conn)
        search.create_search_ddl(conn)
    assert [x.id for x in services.search_structures("recyclerie").items] == [s.id]
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.execute(text("SET enable_seqscan = off"))
            plan = "\n".join(conn.execute(text(
                "EXPLAIN SELECT id FROM structures WHERE "
                "search_vector @@ to_tsquery('simple'::regconfig, 'recyc:*')")).scalars())
        assert "ix_structures_search_gin" in plan
