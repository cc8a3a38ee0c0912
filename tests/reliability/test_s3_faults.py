"""S3 answering badly rather than being down: an error answer for one request, a download cut
in the middle, an object damaged or removed behind our back. On the real stack (SeaweedFS
behind a proxy the test spoils answers of, PostgreSQL, Redis), the steps driven in this process.

A read that broke is the server's fault and retried (503 for a replay, the step waits), never
taken for a damaged snapshot; a snapshot that is really damaged or gone is said so, naming the
capture, and stores nothing.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from minio import Minio
from sqlalchemy import func, select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archivist import pipeline, replay, views
from archivist.adapters.catalog import RecordVersionRow
from archivist.api.app import create_app
from archivist.core.errors import StorageUnavailable
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist.warc import WarcIterator
from archivist.warcfiles import import_warc
from archivist_workers.queue import redis_task_queue
from tests.support.pages import PageServer
from tests.support.s3_proxy import S3Proxy
from tests.support.stack import run_cli

ARTICLE = ("<html><head><title>Harbour wall</title></head><body><article><h1>Harbour wall</h1>"
           + "<p>The harbour wall was rebuilt over the winter, stone by stone, by the town's masons. " * 10
           + "</p></article></body></html>")


@pytest.fixture
def proxied(production_settings: Settings, proxy: S3Proxy) -> Iterator[Runtime]:
    """A runtime whose S3 requests go through the proxy."""
    settings = production_settings.model_copy(update={"s3_endpoint": proxy.endpoint})
    runtime = Runtime(settings, queue=redis_task_queue(settings))
    runtime.prepare()
    yield runtime
    runtime.close()


def _long_article() -> str:
    """An article whose snapshot is some tens of KiB compressed: warcio reads an object in blocks,
    and only a damage past its first block went unnoticed."""
    words = random.Random(7).choices(ARTICLE.split("<p>")[1].split(), k=40000)
    return ARTICLE.replace("</p>", " ".join(words) + "</p>")


def _archived(runtime: Runtime, pages: PageServer, path: str, body: str = ARTICLE) -> tuple[str, str, str]:
    """Archive one page; its URL, capture id and snapshot object key."""
    url = pages.set(path, body)
    (submission,) = pipeline.submit(runtime, [url])
    assert pipeline.fetch_capture(runtime, submission.id, delivery="d1").extraction.new_version
    with runtime.database.session() as session:
        (row,) = runtime.catalog.snapshots_for_capture(session, submission.id)
    return url, submission.id, row.storage_key


def _versions(runtime: Runtime) -> int:
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(RecordVersionRow))


def test_a_download_cut_midway_is_the_servers_fault_not_a_damaged_snapshot(
    proxied: Runtime, proxy: S3Proxy, pages: PageServer
) -> None:
    """A snapshot's GET whose connection breaks after a few bytes is an S3 failure, retried: a
    replay answers 503 and a re-extraction waits for the server. Taken for a damaged WARC, it
    answered 500 ``corrupt_warc`` and failed the re-extraction for good."""
    url, capture_id, key = _archived(proxied, pages, "/wall")

    proxy.cut_body("GET", key, keep_bytes=200)
    with pytest.raises(StorageUnavailable, match="cannot read"):
        replay.load(proxied, replay.resolve(proxied, url))

    proxy.cut_body("GET", key, keep_bytes=200)
    with pytest.raises(StorageUnavailable):
        pipeline.reextract_capture(proxied, capture_id)

    assert proxy.spoiled == 2
    assert replay.load(proxied, replay.resolve(proxied, url)).body  # the server answering whole again
    assert _versions(proxied) == 1


def _bucket_client(runtime: Runtime) -> Minio:
    """The S3 server's own client, to change the bucket behind the archive's back."""
    return Minio(runtime.settings.s3_endpoint.split("://", 1)[1], secure=False)


def test_a_snapshot_removed_behind_our_back_is_said_missing_naming_the_capture(
    proxied: Runtime, pages: PageServer
) -> None:
    """An object deleted in the bucket (a lifecycle rule, an operator): replay answers 404 naming
    the capture, and re-extraction skips the capture with that reason instead of raising."""
    url, capture_id, key = _archived(proxied, pages, "/gone")
    timestamp = views.get_capture(proxied, capture_id)["timestamp"]
    _bucket_client(proxied).remove_object(proxied.settings.s3_bucket, key)

    with TestClient(create_app(proxied.settings, runtime=proxied)) as client:
        replayed = client.get(f"/web/{timestamp}id_/{url}")
    outcome = pipeline.reextract_capture(proxied, capture_id)

    assert (replayed.status_code, replayed.json()["error"]) == (410, "snapshot_missing"), replayed.text
    assert capture_id in replayed.json()["detail"] and key in replayed.json()["detail"]
    assert outcome.failed_reason == "snapshot_missing"
    assert _versions(proxied) == 1


def _cut_short(whole: bytes) -> bytes:
    return whole[: len(whole) * 2 // 3]


def _bytes_changed(whole: bytes) -> bytes:
    middle = len(whole) // 2
    return whole[:middle] + bytes([whole[middle] ^ 0xFF]) + whole[middle + 1:]


@pytest.mark.parametrize("damage", [_cut_short, _bytes_changed])
def test_a_damaged_snapshot_is_refused_clearly_and_stores_nothing(
    proxied: Runtime, pages: PageServer, damage: Callable[[bytes], bytes]
) -> None:
    """An object whose bytes changed on the server (cut short by a bad copy, a bit flipped by a
    disk): warcio reads such a gzip member as a record that merely ends early, so replay served a
    truncated page and re-extraction stored it as a new, shorter version. Now replay says the
    snapshot is damaged, naming its capture (410, not a 500), and re-extraction stores nothing."""
    url, capture_id, key = _archived(proxied, pages, "/damaged", _long_article())
    timestamp = views.get_capture(proxied, capture_id)["timestamp"]
    with proxied.store.open(key) as stream:
        damaged = damage(stream.read())
    _bucket_client(proxied).put_object(proxied.settings.s3_bucket, key, io.BytesIO(damaged), len(damaged))

    with TestClient(create_app(proxied.settings, runtime=proxied)) as client:
        replayed = client.get(f"/web/{timestamp}id_/{url}")
    outcome = pipeline.reextract_capture(proxied, capture_id)

    assert (replayed.status_code, replayed.json()["error"]) == (410, "corrupt_warc"), replayed.text
    assert capture_id in replayed.json()["detail"]
    assert outcome.failed_reason == "corrupt_warc"
    assert _versions(proxied) == 1


def test_the_extract_step_fails_a_capture_whose_snapshot_is_gone_instead_of_retrying(
    proxied: Runtime, pages: PageServer
) -> None:
    """An imported capture waits at ``extracting`` for its extract message; its snapshot object
    removed meanwhile, the step ends it failed ``snapshot_missing`` naming the object. It raised
    the store's NotFound: a traceback at every retry, then a dead letter saying nothing."""
    warc = io.BytesIO()
    writer = WARCWriter(warc, gzip=True)
    http_headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        "https://news.example.org/harbour-wall", "response", payload=io.BytesIO(ARTICLE.encode()),
        http_headers=http_headers, warc_headers_dict={"WARC-Date": "2024-03-05T09:30:00Z"}))
    warc.seek(0)
    (capture_id,) = import_warc(proxied, warc).captures
    with proxied.database.session() as session:
        (row,) = proxied.catalog.snapshots_for_capture(session, capture_id)
    _bucket_client(proxied).remove_object(proxied.settings.s3_bucket, row.storage_key)

    outcome = pipeline.extract_capture(proxied, capture_id)  # returns: no retry

    capture = views.get_capture(proxied, capture_id)
    assert outcome.failed_reason == "snapshot_missing"
    assert (capture["status"], capture["reason"]) == ("failed", "snapshot_missing")
    assert row.storage_key in capture["message"]
    assert _versions(proxied) == 0


def _stored_whole(runtime: Runtime, url: str) -> bool:
    return b"Harbour wall" in replay.load(runtime, replay.resolve(runtime, url)).body


@pytest.mark.parametrize(("status", "code"), [(503, "SlowDown"), (500, "InternalError")])
def test_an_s3_error_answer_now_and_then_is_retried_and_the_snapshot_stored_whole(
    proxied: Runtime, proxy: S3Proxy, pages: PageServer, status: int, code: str
) -> None:
    """One error answer to a snapshot's PUT is repeated by the client at once; three in a row
    (past the client's own retries) fail the step with ``storage_unavailable``, which the broker
    retries: the capture is archived, its snapshot whole, one version."""
    once = pages.set("/once", ARTICLE)
    (first,) = pipeline.submit(proxied, [once])
    proxy.answer_error("PUT", "/snapshots/", status, code)
    assert pipeline.fetch_capture(proxied, first.id, delivery="d1").extraction.new_version

    thrice = pages.set("/thrice", ARTICLE)
    (second,) = pipeline.submit(proxied, [thrice])
    proxy.answer_error("PUT", "/snapshots/", status, code, times=3)
    with pytest.raises(StorageUnavailable, match=code):
        pipeline.fetch_capture(proxied, second.id, delivery="d2")
    assert pipeline.fetch_capture(proxied, second.id, delivery="d2").extraction.new_version  # the retry

    assert proxy.spoiled == 4
    assert _stored_whole(proxied, once) and _stored_whole(proxied, thrice)
    assert _versions(proxied) == 2


def test_an_upload_cut_midway_fails_the_step_and_its_retry_stores_the_snapshot_whole(
    proxied: Runtime, proxy: S3Proxy, pages: PageServer
) -> None:
    url = pages.set("/cut-upload", ARTICLE)
    (submission,) = pipeline.submit(proxied, [url])
    proxy.cut_upload("PUT", "/snapshots/", keep_bytes=100)  # not repeated by the client: it may have landed
    with pytest.raises(StorageUnavailable):
        pipeline.fetch_capture(proxied, submission.id, delivery="d1")
    assert views.get_capture(proxied, submission.id)["status"] == "fetching"  # under its lease, retried

    assert pipeline.fetch_capture(proxied, submission.id, delivery="d1").extraction.new_version
    assert _stored_whole(proxied, url)
    assert _versions(proxied) == 1


@pytest.mark.parametrize(("status", "reason", "sent"), [(502, "Bad Gateway", 3), (507, "Insufficient Storage", 1)])
def test_an_html_error_page_from_a_proxy_in_front_of_s3_is_storage_unavailable(
    proxied: Runtime, proxy: S3Proxy, pages: PageServer, status: int, reason: str, sent: int
) -> None:
    """A load balancer in front of S3 answers its own HTML page, not S3's XML: the client raised
    its InvalidResponseError, which no adapter caught (a traceback, an "internal error" spending
    the capture's retries, a replay 500). A 5xx of the kind a busy server answers is repeated by
    the client (``sent`` times in all), a 507 is not."""
    url = pages.set("/behind-a-proxy", ARTICLE)
    (submission,) = pipeline.submit(proxied, [url])
    proxy.answer_error("PUT", "/snapshots/", status, reason, times=sent, html=True)
    with pytest.raises(StorageUnavailable, match=str(status)):
        pipeline.fetch_capture(proxied, submission.id, delivery="d1")
    assert pipeline.fetch_capture(proxied, submission.id, delivery="d1").extraction.new_version

    proxy.answer_error("GET", "/snapshots/", status, reason, times=sent, html=True)
    with TestClient(create_app(proxied.settings, runtime=proxied)) as client:
        timestamp = views.get_capture(proxied, submission.id)["timestamp"]
        replayed = client.get(f"/web/{timestamp}id_/{url}")
    assert (replayed.status_code, replayed.json()["error"]) == (503, "storage_unavailable"), replayed.text


def test_export_leaves_out_snapshots_gone_or_damaged_and_names_their_captures(
    proxied: Runtime, pages: PageServer, production_env: dict[str, str], tmp_path: Path
) -> None:
    """``archivist export`` copied each object as it was stored: a damaged one went into the
    WARC as is (a record cut short, bytes changed, which readers take for a shorter page), and a
    missing one stopped the export with no file at all. Each object is checked whole (its stored
    length, every record's length and digests) before it is written: the file holds the sound
    ones, each left out has its line naming its capture and why, and the command exits 1."""
    whole_url, _, _ = _archived(proxied, pages, "/whole")
    _, gone, gone_key = _archived(proxied, pages, "/gone")
    _, cut, cut_key = _archived(proxied, pages, "/cut", _long_article())
    _, flipped, flipped_key = _archived(proxied, pages, "/flipped", _long_article())
    bucket = _bucket_client(proxied)
    bucket.remove_object(proxied.settings.s3_bucket, gone_key)
    for key, damage in ((cut_key, _cut_short), (flipped_key, _bytes_changed)):
        with proxied.store.open(key) as stream:
            damaged = damage(stream.read())
        bucket.put_object(proxied.settings.s3_bucket, key, io.BytesIO(damaged), len(damaged))

    out = tmp_path / "harbour.warc.gz"
    result = run_cli("export", "--warc", str(out), env=production_env)

    assert result.returncode == 1, result.stderr
    skipped = {capture: line.split(")", 1)[0].removeprefix("skipped (")
               for line in result.stderr.splitlines() if line.startswith("skipped (")
               for capture in (gone, cut, flipped) if f"capture {capture}," in line}
    assert skipped == {gone: "snapshot_missing", cut: "corrupt_warc", flipped: "corrupt_warc"}, result.stderr
    assert "exported 1 snapshots" in result.stderr and "3 skipped" in result.stderr, result.stderr
    with out.open("rb") as stream:
        responses = [record.rec_headers.get_header("WARC-Target-URI") for record in WarcIterator(stream)
                     if record.rec_type == "response"]
    assert responses == [whole_url]


def test_s3_refusing_a_skewed_clock_is_storage_misconfigured_naming_the_clock(
    proxied: Runtime, proxy: S3Proxy, pages: PageServer
) -> None:
    """S3 refuses a request signed more than 15 minutes away from its own clock (403
    ``RequestTimeTooSkewed``): every request will be, until a clock is set right. It was the
    object store unavailable, waited for half an hour a capture, the message naming no clock."""
    (submission,) = pipeline.submit(proxied, [pages.set("/skewed", ARTICLE)])
    proxy.answer_error("PUT", "/snapshots/", 403, "RequestTimeTooSkewed", times=3)
    outcome = pipeline.fetch_capture(proxied, submission.id, delivery="d1")
    capture = views.get_capture(proxied, submission.id)
    assert outcome.failed_reason == "storage_misconfigured", outcome
    assert (capture["status"], capture["reason"]) == ("failed", "storage_misconfigured")
    assert "RequestTimeTooSkewed" in capture["message"] and "clock" in capture["message"], capture["message"]


@pytest.mark.parametrize(
    ("status", "code", "details", "html", "said"),
    [
        (400, "EntityTooLarge", {"ProposedSize": "2097152", "MaxSizeAllowed": "1048576"}, False,
         ["EntityTooLarge", "1048576 bytes", "ARCHIVIST_MAX_BODY_BYTES"]),
        (400, "EntityTooLarge", None, False, ["EntityTooLarge", "ARCHIVIST_MAX_BODY_BYTES"]),
        (413, "Request Entity Too Large", None, True, ["413", "ARCHIVIST_MAX_BODY_BYTES"]),
        (400, "InvalidArgument", None, False, ["InvalidArgument", "bucket"]),
        (400, "InvalidRequest", None, False, ["InvalidRequest", "bucket"]),
    ],
)
def test_s3_refusing_the_object_itself_is_storage_misconfigured_not_an_outage(
    proxied: Runtime, proxy: S3Proxy, pages: PageServer, status: int, code: str, details: dict[str, str] | None,
    html: bool, said: list[str]
) -> None:
    """S3 (or a proxy in front of it: nginx's 413) refusing a snapshot's PUT as larger than it takes,
    or the request as one its bucket does not accept (``InvalidArgument``, ``InvalidRequest``: object
    lock wanting a checksum, an encryption it requires): the same request gets the same answer. It
    was the object store unavailable, the capture waited for half an hour and its site fetched again
    at every retry. The re-capture fails at once naming the refusal (and the server's limit, when it
    gives it); the version and snapshot archived before stay, and replay serves them."""
    url = pages.set("/refused-object", ARTICLE)
    (first,) = pipeline.submit(proxied, [url])
    assert pipeline.fetch_capture(proxied, first.id, delivery="d1").extraction.new_version
    pages.set("/refused-object", ARTICLE.replace("stone by stone", "block by block"))
    (second,) = pipeline.submit(proxied, [url])
    proxy.answer_error("PUT", "/snapshots/", status, code, times=3, html=html, details=details)
    outcome = pipeline.fetch_capture(proxied, second.id, delivery="d2")
    capture = views.get_capture(proxied, second.id)
    assert outcome.failed_reason == "storage_misconfigured", outcome
    assert (capture["status"], capture["reason"]) == ("failed", "storage_misconfigured")
    for words in said:
        assert words in capture["message"], capture["message"]
    assert proxy.spoiled == 1  # not repeated: the answer would be the same
    assert _versions(proxied) == 1
    assert _stored_whole(proxied, url)
