"""Alembic environment: runs on the connection handed over by ``Database.migrate``."""

from alembic import context

from archivist.adapters.catalog.tables import Base, is_modelled

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_name=is_modelled,
)
with context.begin_transaction():
    context.run_migrations()
