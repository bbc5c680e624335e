"""The search DDL: idempotent, reusable by a migration, invisible to `flask db check`."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from network.core import search
from network.directory import services
from network.directory.models import STRUCTURE_SEARCH

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
    assert not (names & (DIRECTORY_TABLES | STRUCTURE_SEARCH.shadow_names)), diff


def test_ddl_is_idempotent_and_indexes_existing_rows(db, make_structure):
    s = make_structure(name="Recyclerie Lorraine")
    with db.engine.begin() as conn:
        STRUCTURE_SEARCH.drop_ddl(conn)
        STRUCTURE_SEARCH.drop_ddl(conn)
    with db.engine.begin() as conn:  # what a migration on a filled database does
        STRUCTURE_SEARCH.create_ddl(conn)
        STRUCTURE_SEARCH.create_ddl(conn)
    assert [x.id for x in services.search_structures("recyclerie").items] == [s.id]
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.execute(text("SET enable_seqscan = off"))
            plan = "\n".join(conn.execute(text(
                "EXPLAIN SELECT id FROM structures WHERE "
                "search_vector @@ to_tsquery('simple'::regconfig, 'recyc:*')")).scalars())
        assert "ix_structures_search_gin" in plan


def test_the_migration_carries_a_frozen_copy_of_todays_ddl():
    """The revision may not import the service; its copy must still say what the service does."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[2] / "migrations/versions/a4f80b1ab0c1_directory_of_structures.py"
    source = path.read_text()
    assert "network.directory" not in source and "network.core.search" not in source
    spec = importlib.util.spec_from_file_location("frozen_directory_revision", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for dialect in ("sqlite", "postgresql"):
        assert list(module.SEARCH_DDL[dialect]) == STRUCTURE_SEARCH.ddl(dialect)
        assert list(module.SEARCH_DROP[dialect]) == STRUCTURE_SEARCH.drop_statements(dialect)
