"""Migrations run up, down and up again on SQLite and PostgreSQL, and leave exactly the schema
the table models describe (nothing for autogenerate to add)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from archivist.adapters.catalog.database import _MIGRATIONS, Database
from archivist.adapters.catalog.tables import Base, is_modelled


def _step(database: Database, target: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        if target in ("head", "0002"):
            command.upgrade(config, target)
        else:
            command.downgrade(config, target)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_round_trip_and_match_the_models(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    if backend == "postgresql":
        url = request.getfixturevalue("pg_database")
    else:
        url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    database = Database(url)
    try:
        database.migrate()
        if backend == "postgresql":
            with database.engine.begin() as connection:
                # Other tests share this database: start from an empty schema.
                connection.execute(text("TRUNCATE schedules, snapshots, captures, record_versions, records CASCADE"))
        _step(database, "0001")
        assert "schedules" not in inspect(database.engine).get_table_names()
        _step(database, "head")
        with database.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection, opts={"include_name": is_modelled}), Base.metadata) == []
            if backend == "postgresql":
                collation = connection.execute(text(
                    "SELECT collation_name FROM information_schema.columns "
                    "WHERE table_name = 'snapshots' AND column_name = 'urlkey'")).scalar()
                assert collation == "C"
        assert {"schedules", "snapshots"} <= set(inspect(database.engine).get_table_names())
    finally:
        database.dispose()
