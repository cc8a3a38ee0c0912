"""Both object stores through the same contract: S3 on a real SeaweedFS server, and a folder."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from minio import Minio

from archivist.adapters.storage import LocalObjectStore, S3ObjectStore
from archivist.core.errors import InvalidInput, NotFound, StorageMisconfigured, StorageUnavailable
from tests.support.seaweed import free_port


@pytest.fixture(params=["s3", "local"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "local":
        return LocalObjectStore(tmp_path / "objects")
    endpoint = request.getfixturevalue("s3_endpoint")
    s3 = S3ObjectStore(endpoint, bucket=request.getfixturevalue("s3_bucket"))
    s3.ensure_bucket()
    return s3


def put(store, key: str, data: bytes) -> None:
    store.put(key, io.BytesIO(data), len(data), content_type="application/warc")


def test_round_trip_keeps_bytes_exactly(store) -> None:
    data = gzip.compress(b"<html>hello</html>")  # stored gzip must not be silently un-gzipped
    put(store, "snapshots/abc/20240101000000-x.warc.gz", data)
    with store.open("snapshots/abc/20240101000000-x.warc.gz") as stream:
        assert stream.read() == data
    assert store.exists("snapshots/abc/20240101000000-x.warc.gz")
    assert not store.exists("snapshots/abc/nothing")


def test_overwrite_keeps_last_and_listing_is_in_key_order(store) -> None:
    for stamp in ("20240301000000", "20240101000000", "20240201000000"):
        put(store, f"snapshots/u1/{stamp}-c.warc.gz", stamp.encode())
    put(store, "snapshots/u1/20240101000000-c.warc.gz", b"second write")
    put(store, "snapshots/u2/20240101000000-c.warc.gz", b"other url")
    assert list(store.list("snapshots/u1/")) == [
        "snapshots/u1/20240101000000-c.warc.gz",
        "snapshots/u1/20240201000000-c.warc.gz",
        "snapshots/u1/20240301000000-c.warc.gz",
    ]
    with store.open("snapshots/u1/20240101000000-c.warc.gz") as stream:
        assert stream.read() == b"second write"


def test_missing_object_is_not_found(store) -> None:
    with pytest.raises(NotFound), store.open("snapshots/none/missing"):
        pass


def test_local_store_refuses_keys_outside_its_folder(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    with pytest.raises(InvalidInput):
        put(store, "../escape", b"x")


def test_s3_bucket_is_versioned(s3_endpoint: str, s3_bucket: str) -> None:
    store = S3ObjectStore(s3_endpoint, bucket=s3_bucket)
    store.ensure_bucket()
    store.ensure_bucket()  # idempotent
    put(store, "k", b"one")
    put(store, "k", b"two")
    client = Minio(s3_endpoint.split("://", 1)[1], secure=False)
    assert client.get_bucket_versioning(s3_bucket).status == "Enabled"
    versions = [o for o in client.list_objects(s3_bucket, prefix="k", include_version=True)]
    assert len(versions) == 2


def test_s3_down_is_storage_unavailable(s3_bucket: str) -> None:
    store = S3ObjectStore(f"http://127.0.0.1:{free_port()}", bucket=s3_bucket, timeout=2)
    with pytest.raises(StorageUnavailable):
        put(store, "k", b"x")
    with pytest.raises(StorageUnavailable), store.open("k"):
        pass


def test_delete_removes_an_object_and_a_missing_one_is_no_error(store) -> None:
    put(store, "snapshots/abc/1-x-1.warc.gz", b"one")
    store.delete("snapshots/abc/1-x-1.warc.gz")
    store.delete("snapshots/abc/1-x-1.warc.gz")
    assert not store.exists("snapshots/abc/1-x-1.warc.gz")
    assert list(store.list("snapshots/abc/")) == []


def test_s3_refusing_the_bucket_is_storage_misconfigured_naming_it(s3_endpoint: str) -> None:
    s3 = S3ObjectStore(s3_endpoint, bucket="no-such-bucket-here")
    with pytest.raises(StorageMisconfigured, match="no-such-bucket-here.*ARCHIVIST_S3_BUCKET"):
        put(s3, "snapshots/abc/x.warc.gz", b"data")
    with pytest.raises(StorageMisconfigured), s3.open("snapshots/abc/x.warc.gz"):
        pass


class _BrokenStream(io.RawIOBase):
    """A source that fails after its first bytes, as a dropped connection or a Ctrl-C would."""

    def __init__(self, failure: BaseException) -> None:
        self.failure = failure
        self.sent = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - io's signature
        if self.sent:
            raise self.failure
        self.sent = True
        buffer[:4] = b"half"
        return 4


@pytest.mark.parametrize("failure", [OSError("connection reset"), KeyboardInterrupt()])
def test_local_store_leaves_nothing_behind_a_failed_write(tmp_path: Path, failure: BaseException) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    put(store, "snapshots/u/kept.warc.gz", b"kept")
    with pytest.raises((StorageUnavailable, KeyboardInterrupt)):
        store.put("snapshots/u/new.warc.gz", _BrokenStream(failure), 8)
    # No half object under the key, and no temporary file left to fill the disk.
    assert sorted(p.name for p in (tmp_path / "objects" / "snapshots" / "u").iterdir()) == ["kept.warc.gz"]


@pytest.mark.parametrize("prefix", ["../", "/etc/", "snapshots/../../"])
def test_local_store_lists_nothing_outside_its_folder(tmp_path: Path, prefix: str) -> None:
    (tmp_path / "outside.txt").write_text("not an object")
    store = LocalObjectStore(tmp_path / "objects")
    put(store, "snapshots/u/a.warc.gz", b"x")
    with pytest.raises(InvalidInput):
        list(store.list(prefix))


@pytest.mark.parametrize("key", ["", "snapshots/a\x00b", "snapshots"])
def test_local_store_refuses_keys_that_name_no_file(tmp_path: Path, key: str) -> None:
    """The empty key, a NUL byte or a folder's name: a clear refusal, not a crash or a 503."""
    store = LocalObjectStore(tmp_path / "objects")
    put(store, "snapshots/u/a.warc.gz", b"x")
    with pytest.raises(InvalidInput):
        put(store, key, b"y")
    with pytest.raises((InvalidInput, NotFound)), store.open(key):
        pass
    try:
        assert not store.exists(key)
    except InvalidInput:
        pass


def test_local_store_makes_an_object_durable_before_giving_it_its_key(tmp_path: Path, monkeypatch) -> None:
    """Atomic against a crash of the machine too: the bytes reach the disk (fsync) before the
    rename, and the rename before put returns (the folder's fsync). Without the first, a power
    cut could leave an empty file under the key, which the catalog already points at."""
    import os

    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append("fsync-folder" if os.path.isdir(f"/proc/self/fd/{fd}") else "fsync-file")
        real_fsync(fd)

    def replace(source, target) -> None:  # noqa: ANN001 - os.replace's signature
        calls.append("rename")
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    put(LocalObjectStore(tmp_path / "objects"), "snapshots/u/a.warc.gz", b"payload")
    assert calls == ["fsync-file", "rename", "fsync-folder"]


def test_listing_is_in_the_keys_own_order_across_folders(store) -> None:
    """S3 lists keys in their byte order; the folder store must too, not in its path order
    (which puts "u/a/b" before "u/a-b", where "-" sorts before "/")."""
    keys = ["snapshots/u/a/b.warc.gz", "snapshots/u/a-b.warc.gz", "snapshots/u/a.warc.gz", "snapshots/u/a0.warc.gz"]
    for key in keys:
        put(store, key, b"x")
    assert list(store.list("snapshots/u/")) == sorted(keys)
