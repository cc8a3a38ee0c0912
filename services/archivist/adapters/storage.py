"""Object stores: S3-compatible (MinIO in production) and a local folder (embedded default)."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit
from xml.etree import ElementTree

import urllib3
from minio import Minio
from minio.commonconfig import ENABLED
from minio.error import InvalidResponseError, MinioException, S3Error
from minio.versioningconfig import VersioningConfig

from archivist.core.errors import InvalidInput, NotFound, StorageMisconfigured, StorageUnavailable

__all__ = ["LocalObjectStore", "S3ObjectStore"]

_MISSING_CODES = frozenset({"NoSuchKey", "NoSuchObject", "NoSuchVersion"})
_CHECK_SETTINGS = "check ARCHIVIST_S3_BUCKET, ARCHIVIST_S3_ACCESS_KEY and ARCHIVIST_S3_SECRET_KEY"
#: The server refused the bucket, the credentials or this machine's clock: retrying will not
#: change its answer. Each with what to check.
_CONFIGURATION_CODES = {
    **dict.fromkeys(("NoSuchBucket", "AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId",
                     "SignatureDoesNotMatch", "InvalidBucketName", "AccountProblem"), _CHECK_SETTINGS),
    # A request is signed with this machine's time, and S3 refuses one more than 15 minutes away
    # from its own: every request is, until one of the clocks is set right.
    "RequestTimeTooSkewed": "the clocks of this machine and of the S3 server differ by more than S3 allows "
                            "(15 minutes): set them right (NTP)",
    # The request is refused as the bucket is set up (object lock wanting a checksum, an
    # encryption it requires, a header it does not take): the same request, the same answer.
    **dict.fromkeys(("InvalidArgument", "InvalidRequest"),
                    "the server does not take this request as the bucket is set up (object lock, encryption, "
                    "its S3 compatibility): check the bucket's settings"),
}
#: Said of an object the server refuses as larger than it takes: our fetch limits allow larger
#: snapshots than it stores, so every page that large would be refused alike.
_TOO_LARGE_ADVICE = ("raise that limit, or lower ARCHIVIST_MAX_BODY_BYTES (and ARCHIVIST_MAX_PAGES, a snapshot "
                     "holding every page of an article) so that snapshots stay under it")


#: What the S3 client raises for a request that failed: S3's own error answers (S3Error), an
#: answer that is not S3's (MinioException: the HTML page of a load balancer in front, a 507 or a
#: 502 that is no S3 XML), and the connection's failures.
_S3_FAILURES = (MinioException, urllib3.exceptions.HTTPError, OSError)


def _failure(exc: Exception, doing: str, bucket: str) -> StorageUnavailable | StorageMisconfigured:
    """The error to raise for ``exc``, met while ``doing`` something in ``bucket``."""
    too_large = _refused_as_too_large(exc)
    if too_large:
        return StorageMisconfigured(f"S3 refused to {doing} in bucket {bucket!r}: {too_large}; {_TOO_LARGE_ADVICE}")
    if isinstance(exc, S3Error) and exc.code in _CONFIGURATION_CODES:
        return StorageMisconfigured(
            f"S3 refused to {doing} in bucket {bucket!r}: {exc.code} ({exc.message}); {_CONFIGURATION_CODES[exc.code]}"
        )
    return StorageUnavailable(f"cannot {doing}: {exc}")


def _refused_as_too_large(exc: Exception) -> str | None:
    """What refused an object as too large, and the limit when the answer gives it; None when
    ``exc`` is no such refusal. S3 says ``EntityTooLarge``, with ``MaxSizeAllowed`` (AWS does,
    MinIO does not); a proxy in front of it (nginx's ``client_max_body_size``) answers an HTML 413,
    which the client reports as a non-XML answer."""
    if isinstance(exc, InvalidResponseError) and exc._code == 413:  # the status the client read
        return "a proxy in front of it answered 413 (the upload is larger than it lets through)"
    if not isinstance(exc, S3Error) or exc.code != "EntityTooLarge":
        return None
    limit = None
    try:
        limit = ElementTree.fromstring(exc.response.data).findtext("MaxSizeAllowed")
    except ElementTree.ParseError:
        pass
    where = f"the server takes objects up to {limit} bytes" if limit else "the server does not say its limit"
    return f"EntityTooLarge ({exc.message}): {where}"


class S3ObjectStore:
    """Objects in one S3 bucket, through the ``minio`` client (works with MinIO and SeaweedFS)."""

    def __init__(
        self,
        endpoint: str,
        *,
        bucket: str,
        access_key: str | None = None,
        secret_key: str | None = None,
        region: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        parts = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}")
        if not parts.netloc:
            raise InvalidInput(f"S3 endpoint {endpoint!r} has no host")
        # Bounded timeouts. A refused connection or a 5xx is tried again at once, twice: a
        # server restarting or shedding load often answers the next request. A request sent
        # and left unanswered is not: the server is hung, and waiting on it three times made a
        # replay take three timeouts (90 s) before its 503. Longer outages are the actors'
        # retries, with backoff. The last 5xx is handed to the client, which reads the S3
        # error in it (``SlowDown``, ``InternalError``) for the message, where urllib3 said
        # only "too many 503 error responses".
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=min(timeout, 5.0), read=timeout),
            retries=urllib3.Retry(total=2, read=0, backoff_factor=0.2, status_forcelist=(500, 502, 503, 504),
                                  raise_on_status=False),
            maxsize=16,
        )
        self.bucket = bucket
        self._client = Minio(
            parts.netloc,
            access_key=access_key or None,
            secret_key=secret_key or None,
            secure=parts.scheme == "https",
            region=region,
            http_client=http,
        )

    def ensure_bucket(self) -> None:
        """Create the bucket with versioning on, if it does not exist yet."""
        try:
            if not self._client.bucket_exists(self.bucket):
                try:
                    self._client.make_bucket(self.bucket)
                except S3Error as exc:
                    if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                        raise
            self._client.set_bucket_versioning(self.bucket, VersioningConfig(ENABLED))
        except _S3_FAILURES as exc:
            raise StorageUnavailable(f"cannot prepare bucket {self.bucket!r}: {exc}") from exc

    def put(
        self,
        key: str,
        stream: BinaryIO,
        length: int,
        *,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> None:
        try:
            self._client.put_object(
                self.bucket, key, stream, length, content_type=content_type, metadata=metadata
            )
        except _S3_FAILURES as exc:
            raise _failure(exc, f"store {key!r} ({length} bytes)", self.bucket) from exc

    @contextmanager
    def open(self, key: str) -> Iterator[BinaryIO]:
        try:
            response = self._client.get_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _MISSING_CODES:
                raise NotFound(f"no stored object {key!r}") from exc
            raise _failure(exc, f"read {key!r}", self.bucket) from exc
        except _S3_FAILURES as exc:
            raise StorageUnavailable(f"cannot read {key!r}: {exc}") from exc
        # Never let urllib3 undo a stored Content-Encoding: we want the bytes as written.
        response.decode_content = False
        try:
            yield _Download(response, key)  # type: ignore[misc]
        finally:
            response.close()
            response.release_conn()

    def exists(self, key: str) -> bool:
        try:
            self._client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _MISSING_CODES:
                return False
            raise _failure(exc, f"stat {key!r}", self.bucket) from exc
        except _S3_FAILURES as exc:
            raise StorageUnavailable(f"cannot stat {key!r}: {exc}") from exc
        return True

    def delete(self, key: str) -> None:
        try:
            self._client.remove_object(self.bucket, key)  # S3 answers 204 for a missing key too
        except _S3_FAILURES as exc:
            raise _failure(exc, f"delete {key!r}", self.bucket) from exc

    def list(self, prefix: str) -> Iterator[str]:
        try:
            for obj in self._client.list_objects(self.bucket, prefix=prefix, recursive=True):
                yield obj.object_name
        except _S3_FAILURES as exc:
            raise _failure(exc, f"list {prefix!r}", self.bucket) from exc


class _Download(io.RawIOBase):
    """An object's body as it arrives, whose connection breaking (reset, closed short of its
    Content-Length, a read timeout) raises StorageUnavailable as the GET itself would have.

    urllib3's own errors, met by whoever reads the stream, were taken by the WARC reader for a
    damaged snapshot: a replay answered 500 ``corrupt_warc`` and an extraction failed for
    good, where the server had only dropped a connection.
    """

    def __init__(self, response: urllib3.BaseHTTPResponse, key: str) -> None:
        self._response = response
        self._key = key

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._response.read(len(buffer))
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise StorageUnavailable(f"cannot read {self._key!r}: the download broke: {exc}") from exc
        buffer[: len(data)] = data
        return len(data)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable: the new name is written with the folder."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalObjectStore:
    """Objects as files under one folder. Writes are atomic and durable (temporary file, fsync,
    then rename), so that neither a crash of the process nor one of the machine leaves a partial
    object under a key."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def ensure_folder(self) -> None:
        """Create the folder if need be, and check this process may write in it.

        At start-up, as :meth:`S3ObjectStore.ensure_bucket`: else each capture would be fetched,
        fail to be stored, and be retried with backoff before it ended failed.

        Raises:
            StorageMisconfigured: a file is in the way, or the folder cannot be written.
        """
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            problem = f"cannot be created ({exc.strerror})"
        else:
            if os.access(self.root, os.W_OK | os.X_OK):
                return
            problem = "is not writable"
        raise StorageMisconfigured(
            f"the object store's folder {str(self.root)!r} {problem}: set ARCHIVIST_HOME (or ARCHIVIST_S3_ENDPOINT) "
            "to a folder this user can write"
        )

    def _inside(self, key: str) -> Path:
        """Where ``key`` (or a prefix's folder) lies, refusing any that would lie outside the
        folder: an absolute path, ``..`` climbing out, or a NUL byte (which the OS refuses with
        a bare ValueError)."""
        root = self.root.resolve()
        if key.startswith("/") or "\x00" in key:
            raise InvalidInput(f"object key {key!r} escapes the store")
        path = (root / key).resolve()
        if not path.is_relative_to(root):
            raise InvalidInput(f"object key {key!r} escapes the store")
        return path

    def _path(self, key: str) -> Path:
        """The file of ``key``; the empty key names the folder itself, never an object."""
        path = self._inside(key)
        if path == self.root.resolve():
            raise InvalidInput(f"object key {key!r} names no object")
        return path

    def put(
        self,
        key: str,
        stream: BinaryIO,
        length: int,
        *,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> None:
        path = self._path(key)
        if path.is_dir():
            raise InvalidInput(f"object key {key!r} names a folder of other objects in the store")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        except OSError as exc:
            raise StorageUnavailable(f"cannot store {key!r}: {exc}", local=True) from exc
        # Whatever stops the write (a full disk, a source that fails, Ctrl-C), the temporary
        # file goes: listing hides it, so nothing else would ever delete it.
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(stream, out, length=1 << 20)
                out.flush()
                # On disk before it has its key: else a power cut could leave an empty file under
                # the key, which the catalog (committed after put returns) points at.
                os.fsync(out.fileno())
            os.replace(tmp, path)
            _sync_folder(path.parent)
        except BaseException as exc:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise StorageUnavailable(f"cannot store {key!r}: {exc}", local=True) from exc
            raise

    @contextmanager
    def open(self, key: str) -> Iterator[BinaryIO]:
        try:
            handle = self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise NotFound(f"no stored object {key!r}") from exc
        except OSError as exc:
            raise StorageUnavailable(f"cannot read {key!r}: {exc}", local=True) from exc
        with handle:
            yield handle

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"cannot delete {key!r}: {exc}", local=True) from exc

    def list(self, prefix: str) -> Iterator[str]:
        base = self.root.resolve()
        # Walk only the folder the prefix names, not the whole store.
        start = self._inside(prefix.rpartition("/")[0])
        if not start.is_dir():
            return
        keys = (path.relative_to(base).as_posix() for path in start.rglob("*")
                if path.is_file() and not path.name.startswith(".tmp-"))
        # In the keys' own order, as S3 lists them: sorting the paths would compare them folder
        # by folder, and put "a/b" before "a-b".
        yield from sorted(key for key in keys if key.startswith(prefix))
