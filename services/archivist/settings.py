"""One typed settings object, read from ``ARCHIVIST_*`` environment variables.

With nothing set, every adapter falls back to its embedded default: SQLite and a local-folder
object store under ``ARCHIVIST_HOME``, and an in-process Dramatiq broker. Switching to
production (PostgreSQL, MinIO/S3, Redis) is configuration only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from archivist.core.errors import InvalidSettings

__all__ = ["FetchPolicy", "Settings", "get_settings"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchPolicy:
    """Limits applied to every fetch. Frozen so that a worker cannot change them mid-run."""

    connect_timeout: float
    read_timeout: float
    total_timeout: float
    max_body_bytes: int
    max_redirects: int
    max_pages: int
    user_agent: str
    allow_private_networks: bool


class Settings(BaseSettings):
    """Everything configurable, in one place. Nothing here connects to anything.

    Each number has its range: a value out of it (no host slot at all, a negative body limit) is
    refused at start naming its variable, not met as a command that waits forever or a capture
    that fails for a reason that does not say which setting to change.
    """

    model_config = SettingsConfigDict(env_prefix="ARCHIVIST_", extra="ignore", frozen=True)

    home: Path = Field(default_factory=lambda: Path.home() / ".local" / "share" / "archivist")

    # Adapters: unset means embedded.
    redis_url: str | None = None
    #: Prefix of every Redis key (Dramatiq's queues and ours): several deployments can share a Redis.
    redis_namespace: str = "dramatiq"
    database_url: str | None = None
    s3_endpoint: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_bucket: str = "archivist"
    s3_region: str | None = None
    #: Seconds an S3 request may wait on the server's answer (connecting: at most 5). A frozen
    #: server fails the request after this: a replay answers 503, a step is retried.
    s3_timeout: float = Field(default=10.0, gt=0)

    # Fetching.
    allow_private_networks: bool = False
    user_agent: str = "ArchivistBot/0.1 (+https://github.com/archivist; web archiving)"
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=20.0, gt=0)
    total_timeout: float = Field(default=60.0, gt=0)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    max_redirects: int = Field(default=10, ge=0)
    max_pages: int = Field(default=20, ge=1)
    max_url_length: int = Field(default=2048, ge=1)

    # Politeness.
    respect_robots: bool = True
    host_min_interval: float = Field(default=1.0, ge=0)
    host_concurrency: int = Field(default=2, ge=1)
    host_max_wait: float = Field(default=10.0, ge=0)

    # Access. Off by default (a local, embedded archive); production turns it on.
    auth_required: bool = False
    #: With auth on, let anyone read (records, history, replay) while submitting needs a key.
    open_read: bool = False
    #: Quota for keys that set none, in URLs submitted per minute (0: unlimited).
    default_submissions_per_minute: int = Field(default=600, ge=0)

    # Workers.
    fetch_max_retries: int = Field(default=5, ge=0)
    extract_max_retries: int = Field(default=3, ge=0)
    retry_min_backoff_ms: int = Field(default=1_000, ge=0)
    retry_max_backoff_ms: int = Field(default=300_000, ge=0)
    #: Seconds a step waits for one of our own servers (S3, the catalog database, Redis) that is
    #: down, retrying with the backoff above, before its capture fails; this wait spends none of
    #: the retries above, which are for the site's failures.
    outage_patience: float = Field(default=1800.0, ge=0)
    extract_time_limit: float = Field(default=300.0, gt=0)
    #: The scheduler re-sends the messages of abandoned captures this often (0: never).
    reconcile_interval: float = Field(default=60.0, ge=0)
    #: A queued capture counts as abandoned after waiting this long; reconcile sends it another
    #: message, then waits as long again before the next.
    reconcile_queued_after: float = Field(default=3600.0, ge=0)
    worker_metrics_port: int = Field(default=9191, ge=1, le=65535)
    #: A worker silent this long is presumed dead and its in-flight messages go to another.
    worker_heartbeat_timeout_ms: int = Field(default=15_000, ge=1)

    @field_validator("redis_url", "database_url", "s3_endpoint", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        """A URL the Redis client takes (``host:6379`` alone is not one): refused at start. The
        client reads a database that is not a number as database 0, without a word."""
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError("not a Redis URL, such as redis://host:6379/0")
        _port(value)
        database = parts.path.strip("/")
        if parts.scheme != "unix" and database and not (database.isascii() and database.isdigit()):
            raise ValueError("the path is the database number, such as redis://host:6379/0")
        return value

    @field_validator("s3_endpoint")
    @classmethod
    def _s3_scheme(cls, value: str | None) -> str | None:
        """An http(s) URL, or ``host:port`` read as http, as the S3 client takes: another scheme
        (``ftp://``, ``s3://``) was read as http all the same."""
        if value is None:
            return None
        if "://" in value and urlsplit(value).scheme.lower() not in ("http", "https"):
            raise ValueError("not an S3 endpoint: give http:// or https:// and the server, such as http://minio:9000")
        _port(value if "://" in value else f"http://{value}")
        return value

    @field_validator("database_url")
    @classmethod
    def _catalog_database(cls, value: str | None) -> str | None:
        """PostgreSQL or SQLite, in a URL SQLAlchemy reads: refused at start, not at first use."""
        if value is None:
            return None
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            raise ValueError("not a database URL, such as postgresql://user:password@host:5432/name") from None
        if backend not in ("postgresql", "postgres", "sqlite"):
            raise ValueError(f"the catalog runs on PostgreSQL or SQLite, not {backend}")
        return value

    @property
    def embedded_database_url(self) -> str:
        return f"sqlite:///{self.home / 'catalog.sqlite3'}"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or self.embedded_database_url

    @property
    def objects_dir(self) -> Path:
        return self.home / "objects"

    @property
    def fetch_policy(self) -> FetchPolicy:
        return FetchPolicy(
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            total_timeout=self.total_timeout,
            max_body_bytes=self.max_body_bytes,
            max_redirects=self.max_redirects,
            max_pages=self.max_pages,
            user_agent=self.user_agent,
            allow_private_networks=self.allow_private_networks,
        )


def _port(url: str) -> int | None:
    """``url``'s port, if it gives one.

    Raises:
        ValueError: it is not a number from 0 to 65535, which the server's client would raise,
            bare, at its first connection.
    """
    try:
        return urlsplit(url).port
    except ValueError as exc:
        raise ValueError(f"its port is not a port number: {exc}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment.

    Raises:
        InvalidSettings: a variable holds what its setting cannot take. Its message names each
            such variable and why, never the value: a URL may carry a password.
    """
    try:
        return Settings()
    except ValidationError as exc:
        problems = [f"ARCHIVIST_{'_'.join(map(str, error['loc'])).upper()}: {error['msg']}" for error in exc.errors()]
        raise InvalidSettings("; ".join(problems)) from None
