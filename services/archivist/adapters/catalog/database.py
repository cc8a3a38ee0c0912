"""Engine, sessions and migrations for the catalog, on PostgreSQL (psycopg 3) or SQLite."""

from __future__ import annotations

import os
import select
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from archivist.core.errors import (
    CatalogConflict,
    CatalogNotMigrated,
    CatalogTooNew,
    CatalogUnavailable,
    InvalidSettings,
)

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

__all__ = ["Database"]

_MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
#: Any constant will do: it only has to be the same for every process migrating this database.
_MIGRATION_LOCK_ID = 0x41524348
#: The newest migration's revision. A catalog whose ``alembic_version`` holds it needs no
#: migration, so every command, worker and API process that starts on one reads that one row
#: instead of importing alembic and loading its scripts (half a second of each start-up).
#: ``tests/versions/test_migrations.py`` checks it is the scripts' head.
HEAD_REVISION = "0010"


#: A pooled connection unused for longer than this is pinged before it is handed out.
_PING_AFTER_IDLE_SECONDS = 5.0


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only when it sat idle a while or the server spoke.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: a round trip per transaction,
    several per capture. A connection returned moments ago is as good as the ping would say,
    unless the server ended it meanwhile (a restart, ``pg_terminate_backend``, an idle-session
    timeout): it then sends its FATAL notice and closes the socket, which is readable at once,
    and a look at the socket costs a system call, not a round trip. Without that look, the
    next request of an API process after a database restart answered 503, and a worker spent
    a retry (and fetched the page again), on a database that was back. One that sat idle may
    have been cut without a word (a firewall, a host lost), and is pinged. A connection lost
    in the middle of a transaction fails that transaction: SQLAlchemy then invalidates the
    whole pool, and the step's CatalogUnavailable is retried by the broker.
    """

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, record) -> None:  # noqa: ANN001 - SQLAlchemy's event signature
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _handed_out(dbapi_connection, record, proxy) -> None:  # noqa: ANN001 - SQLAlchemy's event signature
        returned_at = record.info.get("returned_at")
        if returned_at is None:
            return  # just connected
        idle = time.monotonic() - returned_at >= _PING_AFTER_IDLE_SECONDS
        if not idle and not _server_has_spoken(dbapi_connection):
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as exc:  # noqa: BLE001 - any failure means this connection is unusable
            raise DisconnectionError(f"pooled connection is dead: {exc}") from exc


def _server_has_spoken(dbapi_connection) -> bool:  # noqa: ANN001 - a psycopg connection
    """Whether the server sent something on a connection at rest in the pool, where it has
    nothing to say unless it is ending the session (or the socket is closed already)."""
    try:
        socket = dbapi_connection.pgconn.socket
    except Exception:  # noqa: BLE001 - no socket: the connection is closed
        return True
    readable = select.poll()
    readable.register(socket, select.POLLIN)
    return bool(readable.poll(0))


#: How long a connection attempt may take unless the URL says (``?connect_timeout=N``). libpq
#: waits for ever by default: a server that accepts the connection and never answers (a
#: frozen host, a stalled proxy) would hang the API's requests and the workers' steps, where a
#: refused connection fails them at once (CatalogUnavailable, retried).
_CONNECT_TIMEOUT_SECONDS = 10


def _connect_args(url: str) -> dict[str, int]:
    """psycopg's connection options: a connect timeout unless the URL sets its own."""
    return {} if "connect_timeout=" in url.partition("?")[2] else {"connect_timeout": _CONNECT_TIMEOUT_SECONDS}


def _normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use psycopg 3 for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Database:
    """One engine and session factory per process. The caller owns each session's transaction."""

    def __init__(self, url: str) -> None:
        self.url = _normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            path = self.url.split(":///", 1)[-1]
            if path and path != ":memory:":
                _make_folder(Path(path).parent)
            self.engine: Engine = create_engine(
                self.url, connect_args={"timeout": 30, "check_same_thread": False}
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(self.url, pool_size=5, max_overflow=10, connect_args=_connect_args(self.url))
            _ping_when_idle(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._autocommit_sessions = sessionmaker(self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                                                 expire_on_commit=False)

    @contextmanager
    def session(self, *, atomic: bool = True) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error.

        With ``atomic=False``, each statement commits on its own instead: for work whose every
        write is one statement that stands alone (a conditional claim, a lease renewal) and
        for reads. psycopg sends a transaction's BEGIN and its COMMIT as two more round trips
        to the server, and on a busy machine each round trip costs the client and the server
        more CPU than a short statement's own work (docs/PERFORMANCE.md).

        Raises:
            CatalogConflict: a unique key was already taken (a concurrent writer won), or PostgreSQL
                ended the transaction for a concurrent one's sake (a deadlock, a serialization failure).
            CatalogUnavailable: the database could not be reached.
            CatalogNotMigrated: it was reached and has no catalog tables (never upgraded).
        """
        try:
            with (self._sessions if atomic else self._autocommit_sessions).begin() as session:
                yield session
        except IntegrityError as exc:
            raise CatalogConflict(f"catalog conflict: {exc.orig}") from exc
        except DBAPIError as exc:
            if _is_missing_table(exc):
                first_line = str(exc.orig).splitlines()[0]
                raise CatalogNotMigrated(
                    f"the catalog has no schema ({first_line}): run `archivist db upgrade`"
                ) from exc
            if getattr(exc.orig, "sqlstate", None) in _CONCURRENT_TRANSACTION_CONFLICTS:
                raise CatalogConflict(f"catalog conflict: {str(exc.orig).splitlines()[0]} (a concurrent "
                                      "transaction; run again, it goes through)") from exc
            if isinstance(exc, OperationalError):
                raise CatalogUnavailable(f"catalog unavailable: {self._described(exc)}",
                                         local=self.engine.dialect.name == "sqlite") from exc
            if getattr(exc.orig, "sqlstate", None) == _READ_ONLY_TRANSACTION:
                raise CatalogUnavailable(
                    f"catalog unavailable: the database refuses writes ({str(exc.orig).splitlines()[0]}): a "
                    "standby, or default_transaction_read_only set; ARCHIVIST_DATABASE_URL must name the primary"
                ) from exc
            if exc.connection_invalidated:
                raise CatalogUnavailable(f"catalog connection lost: {exc.orig}") from exc
            raise

    def migrate(self) -> None:
        """Bring the schema to the newest migration. Safe when many processes start at once."""
        if self._at_head():
            return
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        try:
            with self.engine.begin() as connection:
                if self.is_sqlite:
                    # Take the write lock first (waiting up to busy_timeout for another process
                    # migrating), so that the migration then finds the catalog as that one left
                    # it; Python's sqlite3 would otherwise run each CREATE TABLE on its own.
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
                _refuse_unknown_revisions(connection, ScriptDirectory.from_config(config))
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except OperationalError as exc:
            raise CatalogUnavailable(f"cannot migrate the catalog: {self._described(exc)}") from exc

    def _described(self, exc: OperationalError) -> str:
        """The database's own words, and for SQLite's words for a write its disk refused (they
        name neither the file nor the cause), which file and what to check."""
        said = str(exc.orig)
        if self.is_sqlite and said.startswith(_SQLITE_DISK_REFUSALS):
            path = self.url.split(":///", 1)[-1]
            return f"{said} (the SQLite catalog {path!r}: is its disk full, over a quota or a file size limit, or read-only?)"
        return said

    def _at_head(self) -> bool:
        """Whether the catalog is at :data:`HEAD_REVISION` already (False when it cannot tell:
        no catalog yet, or no server; :meth:`migrate` then says which)."""
        try:
            with self.engine.connect() as connection:
                return connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
                    HEAD_REVISION]
        except DBAPIError:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


#: How SQLite says that the disk refused a write (SQLITE_IOERR, SQLITE_FULL, SQLITE_READONLY).
_SQLITE_DISK_REFUSALS = ("disk I/O error", "database or disk is full", "attempt to write a readonly database")


def _make_folder(folder: Path) -> None:
    """Create the SQLite catalog's folder (``ARCHIVIST_HOME`` unless the URL names another).

    Raises:
        InvalidSettings: it cannot be a folder (a file is in the way, no permission, a
            read-only file system), or one this process may write (SQLite creates its
            write-ahead log beside the catalog): configuration to fix, said in one line, not a
            traceback or SQLite's "unable to open database file".
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problem = f"cannot be created ({exc.strerror})"
    else:
        if os.access(folder, os.W_OK | os.X_OK):
            return
        problem = "is not writable"
    raise InvalidSettings(
        f"the catalog's folder {str(folder)!r} {problem}: set ARCHIVIST_HOME (or ARCHIVIST_DATABASE_URL) "
        "to a folder this user can write"
    )


def _refuse_unknown_revisions(connection: Connection, scripts: ScriptDirectory) -> None:
    """Raise :class:`CatalogTooNew` if the catalog is at a revision these migrations lack.

    Alembic would stop on it too, with a bare "Can't locate revision" and a traceback.
    """
    from alembic.migration import MigrationContext

    known = {script.revision for script in scripts.walk_revisions()}
    unknown = sorted(set(MigrationContext.configure(connection).get_current_heads()) - known)
    if unknown:
        raise CatalogTooNew(
            f"the catalog is at revision {', '.join(unknown)}, which this release does not know "
            f"(its newest is {scripts.get_current_head()}): a newer release migrated it. Run that "
            "release, or downgrade the catalog with it, before using this one"
        )


#: PostgreSQL's SQLSTATE for a write refused by a read-only transaction
#: (``read_only_sql_transaction``): a hot standby, or ``default_transaction_read_only`` set on the
#: database or role. psycopg raises it as an InternalError, not an OperationalError, though it is
#: the server's state, not the statement: a failover or the setting undone ends it, as an outage.
_READ_ONLY_TRANSACTION = "25006"

#: PostgreSQL's SQLSTATEs for a transaction ended for a concurrent one's sake: ``deadlock_detected``
#: (two transactions waiting on each other's rows, one is ended) and ``serialization_failure`` (a
#: REPEATABLE READ or SERIALIZABLE transaction writing what another changed since it began).
#: psycopg raises them as OperationalErrors, like a server gone, but the server is fine and the
#: transaction run again goes through: a conflict (retried, spending a retry), not an outage to wait out.
_CONCURRENT_TRANSACTION_CONFLICTS = frozenset({"40P01", "40001"})

#: PostgreSQL's SQLSTATE for a table that does not exist (``undefined_table``).
_UNDEFINED_TABLE = "42P01"


def _is_missing_table(exc: DBAPIError) -> bool:
    """A statement named a table the database lacks: PostgreSQL's ``undefined_table``, or
    SQLite's "no such table" (its only way of saying so)."""
    if getattr(exc.orig, "sqlstate", None) == _UNDEFINED_TABLE:
        return True
    return isinstance(exc, OperationalError) and str(exc.orig).startswith("no such table")


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI callback
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
