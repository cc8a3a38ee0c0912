"""Our own servers down for longer than a capture's retries last, on real ``archivist worker`` processes.

The retries are the site's budget (here one retry, 100 ms backoff, so that it is spent within
a second); an S3 outage spends none of it: the capture waits for S3, for as long as
``ARCHIVIST_OUTAGE_PATIENCE``, and fails with S3's reason only past that.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import dramatiq
import pytest
from dramatiq.broker import MessageProxy
from dramatiq.brokers.stub import StubBroker

from archivist import pipeline, views
from archivist.core.errors import StorageUnavailable
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.embedded import EmbeddedWorkers
from archivist_workers.middleware import CaptureFailures, RuntimeProvider
from archivist_workers.outages import OutageOutlasted, end_outage, wait_for_server
from archivist_workers.queue import FETCH_ACTOR, FETCH_QUEUE
from tests.support.pages import PageServer, wait_for
from tests.support.processes import ApiServer, Service
from tests.support.redis_server import RedisServer
from tests.support.seaweed import SeaweedS3, free_port
from tests.support.tcp_relay import TcpRelay

ARTICLE = "<html><head><title>{0}</title></head><body><article><p>{0} " + "text " * 60 + "</p></article></body></html>"

#: The site's budget, shrunk: spent in well under a second of failures.
SITE_BUDGET = {"ARCHIVIST_FETCH_MAX_RETRIES": "1", "ARCHIVIST_RETRY_MIN_BACKOFF_MS": "100",
               "ARCHIVIST_RETRY_MAX_BACKOFF_MS": "1000"}


@pytest.fixture
def own_s3(tmp_path: Path) -> Iterator[SeaweedS3]:
    """An S3 server of this test's own, which it stops and starts again."""
    server = SeaweedS3(tmp_path / "s3")
    server.start()
    yield server
    server.stop()


def test_an_s3_outage_longer_than_the_retries_waits_for_s3_and_archives(
    production_env: dict[str, str], production_settings: Settings, own_s3: SeaweedS3, pages: PageServer,
    tmp_path: Path,
) -> None:
    env = {**production_env, **SITE_BUDGET, "ARCHIVIST_S3_ENDPOINT": own_s3.endpoint, "ARCHIVIST_OUTAGE_PATIENCE": "120",
           "ARCHIVIST_WORKER_METRICS_PORT": str(free_port())}
    runtime = Runtime(production_settings.model_copy(update={"s3_endpoint": own_s3.endpoint}))
    runtime.prepare()  # the bucket, while S3 is up
    runtime.close()
    url = pages.set("/tide", ARTICLE.format("Tide"))
    api = ApiServer(env, tmp_path / "api.log").start()
    worker = Service(["worker", "--processes", "1", "--threads", "2"], env, tmp_path / "worker.log").start()
    try:
        own_s3.stop()
        capture_id = api.submit(url)
        # The old budget was two attempts; five mean the outage spent none of it.
        wait_for(lambda: pages.page_hits.get("/tide", 0) >= 5, timeout=60, what="five attempts while S3 is down")
        during = api.status(capture_id)
        own_s3.start()
        done = wait_for(lambda: api.finished(capture_id), timeout=60, what="the capture once S3 is back")
    finally:
        worker.stop()
        api.stop()
    log = worker.output()
    assert during["status"] in ("queued", "fetching"), during
    assert done["status"] == "archived", (done, log[-3000:])
    waits = [line for line in log.splitlines() if "waiting for the object store" in line]
    assert len(waits) >= 4 and all("storage_unavailable" in line and "WARNING" in line for line in waits), log[-3000:]
    assert "[urllib3" not in log, log[-3000:]  # the S3 client's own attempts: the step's line says it all
    assert "Traceback" not in log, log[-3000:]


def test_past_the_outage_patience_the_capture_fails_naming_the_server(
    production_env: dict[str, str], pages: PageServer, tmp_path: Path
) -> None:
    """S3 never comes back: the capture waits its patience (3 s) out, far beyond its site budget,
    then fails ``storage_unavailable``, saying how long it waited."""
    down = f"http://127.0.0.1:{free_port()}"
    env = {**production_env, **SITE_BUDGET, "ARCHIVIST_S3_ENDPOINT": down, "ARCHIVIST_S3_TIMEOUT": "1",
           "ARCHIVIST_OUTAGE_PATIENCE": "3", "ARCHIVIST_WORKER_METRICS_PORT": str(free_port())}
    url = pages.set("/ebb", ARTICLE.format("Ebb"))
    api = ApiServer(env, tmp_path / "api.log").start()
    worker = Service(["worker", "--processes", "1", "--threads", "2"], env, tmp_path / "worker.log").start()
    try:
        capture_id = api.submit(url)
        submitted = time.monotonic()
        failed = wait_for(lambda: api.finished(capture_id), timeout=60, what="the capture to fail")
        waited = time.monotonic() - submitted
    finally:
        worker.stop()
        api.stop()
    log = worker.output()
    assert (failed["status"], failed["reason"]) == ("failed", "storage_unavailable"), failed
    assert "ARCHIVIST_OUTAGE_PATIENCE" in failed["message"] and "object store" in failed["message"], failed
    assert waited >= 3 and pages.page_hits["/ebb"] >= 3, (waited, pages.page_hits)
    assert "Traceback" not in log, log[-3000:]


def test_a_capture_the_catalog_cannot_mark_failed_is_one_warning_line(
    production_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The message died while the catalog is down too: the capture stays live (reconcile finds
    it) and the log says so in one line, without a traceback."""
    settings = production_settings.model_copy(
        update={"database_url": f"postgresql://postgres@127.0.0.1:{free_port()}/archivist"})
    broker = StubBroker()
    provider = RuntimeProvider(settings)
    provider.attach(broker)
    message = MessageProxy(dramatiq.Message(queue_name=FETCH_QUEUE, actor_name=FETCH_ACTOR, args=("c1",),
                                            kwargs={}, options={"retries": 2}))
    message.fail()
    failure = dramatiq.Retry("cannot store")
    failure.__cause__ = StorageUnavailable("cannot store 'x': connection refused")
    try:
        with caplog.at_level(logging.INFO, logger="archivist_workers"):
            CaptureFailures(provider).after_process_message(broker, message, exception=failure)
    finally:
        provider.runtime.close()
    records = [record for record in caplog.records if record.name == "archivist_workers.middleware"]
    assert [(r.levelno, r.exc_info) for r in records] == [(logging.WARNING, None)], caplog.text
    said = records[0].getMessage()
    assert "c1" in said and "catalog" in said and "storage_unavailable" in said, said


def test_the_wait_for_a_server_backs_off_to_its_cap_then_gives_up_past_the_patience() -> None:
    settings = Settings(retry_min_backoff_ms=100, retry_max_backoff_ms=1000, outage_patience=60)
    message = dramatiq.Message(queue_name=FETCH_QUEUE, actor_name=FETCH_ACTOR, args=("c1",), kwargs={}, options={})
    down = StorageUnavailable("cannot store 'x': connection refused")

    delays = [wait_for_server(message, down, settings).delay for _ in range(8)]

    assert 100 <= delays[0] <= 200 and all(delay <= 1000 for delay in delays), delays
    assert min(delays[5:]) >= 500, delays  # past the cap: 50-100 % of it, jittered
    message.options["outage_since"] -= 61_000  # as if the first failure was a minute ago
    given_up = wait_for_server(message, down, settings)
    assert isinstance(given_up, OutageOutlasted) and "the object store was unavailable for 61 s" in str(given_up)
    end_outage(message)  # the servers answered: a later outage waits anew
    assert not isinstance(wait_for_server(message, down, settings), OutageOutlasted)


def test_a_catalog_outage_longer_than_the_retries_waits_for_the_database_and_archives(
    production_env: dict[str, str], production_settings: Settings, pages: PageServer, tmp_path: Path
) -> None:
    """The worker's PostgreSQL goes away (its connections closed, new ones refused) while a
    capture is queued, for longer than the site budget lasts, then comes back."""
    parts = urlsplit(production_settings.database_url)
    relay = TcpRelay((parts.hostname, parts.port or 5432)).start()
    relayed = parts._replace(netloc=f"{parts.username}@127.0.0.1:{relay.port}").geturl()
    env = {**production_env, **SITE_BUDGET, "ARCHIVIST_OUTAGE_PATIENCE": "120",
           "ARCHIVIST_WORKER_METRICS_PORT": str(free_port())}
    api = ApiServer(env, tmp_path / "api.log").start()  # on the database itself: it migrates it
    worker = Service(["worker", "--processes", "1", "--threads", "2"], {**env, "ARCHIVIST_DATABASE_URL": relayed},
                     tmp_path / "worker.log").start()
    try:
        relay.sever()
        capture_id = api.submit(pages.set("/flood", ARTICLE.format("Flood")))
        wait_for(lambda: worker.output().count("waiting for the catalog database") >= 5, timeout=60,
                 what="five waits for the catalog")
        during = api.status(capture_id)
        relay.restore()
        done = wait_for(lambda: api.finished(capture_id), timeout=60, what="the capture once the catalog is back")
    finally:
        worker.stop()
        api.stop()
        relay.stop()
    log = worker.output()
    assert during["status"] == "queued", during
    assert done["status"] == "archived", (done, log[-3000:])
    assert "Traceback" not in log, log[-3000:]


def test_a_redis_outage_of_the_politeness_gate_waits_for_redis_and_archives(
    embedded_settings: Settings, pages: PageServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The steps run in this process (Dramatiq's in-process broker), their host politeness on a
    Redis of the test's own, which is stopped for longer than the site budget, then restarted."""
    redis_server = RedisServer(tmp_path / "redis").start()
    settings = embedded_settings.model_copy(update={
        "redis_url": redis_server.url, "fetch_max_retries": 1, "retry_min_backoff_ms": 100,
        "retry_max_backoff_ms": 1000, "outage_patience": 120})
    try:
        with EmbeddedWorkers(settings) as workers, caplog.at_level(logging.WARNING):
            redis_server.stop()
            (submission,) = pipeline.submit(workers.runtime, [pages.set("/gale", ARTICLE.format("Gale"))])
            wait_for(lambda: caplog.text.count("waiting for Redis") >= 5, timeout=60, what="five waits for Redis")
            during = views.get_capture(workers.runtime, submission.id)
            redis_server.start()
            workers.drain()
            done = views.get_capture(workers.runtime, submission.id)
    finally:
        redis_server.stop()
    assert during["status"] in ("queued", "fetching"), during
    assert done["status"] == "archived", (done, caplog.text[-3000:])
    assert "queue_unavailable" in caplog.text and "Traceback" not in caplog.text, caplog.text[-3000:]
