"""The adapters one process works with, built from settings on first use.

A runtime holds connection pools and nothing else: no state that another worker would need.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property
from typing import TYPE_CHECKING

from archivist.adapters.catalog import Catalog, Database
from archivist.adapters.hostgate import LocalHostGate, RedisHostGate
from archivist.adapters.quota import LocalQuota, RedisQuota
from archivist.adapters.storage import LocalObjectStore, S3ObjectStore
from archivist.core.errors import ArchivistError
from archivist.core.ports import HostGate, ObjectStore, Quota, TaskQueue
from archivist.settings import Settings

if TYPE_CHECKING:
    # Only fetching needs these (httpx, protego): imported on first use, so a process that
    # only submits or reads, such as most CLI commands, starts without them.
    from archivist.adapters.fetcher import Fetcher
    from archivist.politeness import Politeness

__all__ = ["Runtime"]

log = logging.getLogger(__name__)


class Runtime:
    """Settings plus the adapters they select: S3 or a local folder, PostgreSQL or SQLite."""

    def __init__(self, settings: Settings, *, queue: TaskQueue | None = None) -> None:
        self.settings = settings
        self._queue = queue
        self.catalog = Catalog()
        self._local = threading.local()
        #: Held around the steps that work on parsed HTML (parsing, pagination discovery,
        #: extraction), so that the threads of a process take turns at them. lxml lets go of
        #: the GIL around every parse, XPath evaluation and serialisation, thousands of times a
        #: page: two threads extracting at once pass the GIL back and forth at each of those
        #: calls (a futex wake-up and a cache refill each time; 3.6 ms more kernel time per
        #: page at three threads, docs/PERFORMANCE.md). Threads still overlap their network
        #: waits, which is what they are for.
        self.html_work = threading.Lock()

    @property
    def queue(self) -> TaskQueue:
        if self._queue is None:
            raise RuntimeError("this runtime has no task queue: it was built for reading only")
        return self._queue

    @cached_property
    def database(self) -> Database:
        return Database(self.settings.effective_database_url)

    @cached_property
    def store(self) -> ObjectStore:
        if self.settings.s3_endpoint:
            return S3ObjectStore(
                self.settings.s3_endpoint,
                bucket=self.settings.s3_bucket,
                access_key=self.settings.s3_access_key,
                secret_key=self.settings.s3_secret_key,
                region=self.settings.s3_region,
                timeout=self.settings.s3_timeout,
            )
        return LocalObjectStore(self.settings.objects_dir)

    @cached_property
    def politeness(self) -> Politeness:
        from archivist.politeness import Politeness

        if self.settings.redis_url:
            gate: HostGate = RedisHostGate(
                self.settings.redis_url,
                concurrency=self.settings.host_concurrency,
                slot_ttl=self.settings.total_timeout + 30,
                namespace=self.settings.redis_namespace,
            )
        else:
            gate = LocalHostGate(concurrency=self.settings.host_concurrency)
        return Politeness(
            gate=gate,
            fetcher=lambda: self.fetcher,
            user_agent=self.settings.user_agent,
            respect_robots=self.settings.respect_robots,
            min_interval=self.settings.host_min_interval,
            max_wait=self.settings.host_max_wait,
        )

    @cached_property
    def quota(self) -> Quota:
        if self.settings.redis_url:
            return RedisQuota(self.settings.redis_url, namespace=self.settings.redis_namespace)
        return LocalQuota()

    @property
    def fetcher(self) -> Fetcher:
        """One fetcher (and connection pool) per thread: httpx clients are not shared."""
        fetcher = getattr(self._local, "fetcher", None)
        if fetcher is None:
            from archivist.adapters.fetcher import Fetcher

            fetcher = self._local.fetcher = Fetcher(self.settings.fetch_policy)
        return fetcher

    def prepare(self) -> None:
        """Migrate the catalog and create the bucket (or the objects' folder). Idempotent; safe from
        many processes."""
        self.database.migrate()
        if isinstance(self.store, S3ObjectStore):
            self.store.ensure_bucket()
        elif isinstance(self.store, LocalObjectStore):
            self.store.ensure_folder()

    def prepare_if_reachable(self) -> bool:
        """:meth:`prepare`, for a long-running process at boot: a server that is down is logged,
        not raised. The process must come up all the same (a worker to retry its steps, the API
        to answer 503 naming the server), and serve once the server is back. False if it was down.
        """
        try:
            self.prepare()
        except ArchivistError as exc:
            log.error("could not prepare the catalog or bucket at start-up (%s); continuing", exc.message)
            return False
        return True

    def close(self) -> None:
        if "database" in self.__dict__:
            self.database.dispose()
        fetcher = getattr(self._local, "fetcher", None)
        if fetcher is not None:
            fetcher.close()
