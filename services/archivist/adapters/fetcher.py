"""The HTTP fetcher: httpx with an SSRF guard at connect time, hard limits and exact bytes.

Redirects are followed here, hop by hop, so that each hop is checked and recorded. Every
connection goes through :class:`_GuardedBackend`, which resolves the host, refuses non-public
addresses and connects to the address it checked (no second DNS answer can slip in). Every
socket operation is bounded by the fetch's total deadline (:class:`_DeadlineStream`), so a
server that drips its status line and headers cannot hold a worker past it either.
"""

from __future__ import annotations

import contextvars
import email.utils
import hashlib
import socket
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

import httpcore
import httpx

from archivist.core.addresses import is_public_address
from archivist.core.errors import (
    BlockedAddress,
    BodyTooLarge,
    FetchConnectionError,
    FetchTimeout,
    HTTPClientError,
    HTTPServerError,
    InvalidURL,
    MalformedResponse,
    NotHTML,
    PermanentFailure,
    RateLimited,
    TooManyRedirects,
    TransientFailure,
    UnknownHost,
    UnsupportedHost,
)
from archivist.core.http import binary_kind, header, inflate, looks_like_html
from archivist.core.tempspace import spool_refused
from archivist.core.urls import canonicalize, join, shown_input
from archivist.settings import FetchPolicy
from archivist.warc import digest_label

__all__ = ["MAX_RETRY_AFTER", "ROBOTS_MAX_REDIRECTS", "Conditional", "Exchange", "FetchResult", "Fetcher"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_SPOOL_IN_MEMORY = 1 << 20
_CHUNK = 64 * 1024
#: A body may inflate to this many times the body cap before it counts as a decompression bomb.
_MAX_INFLATION = 4
#: RFC 9309 2.3.1.2: follow at least five redirects to a robots.txt.
ROBOTS_MAX_REDIRECTS = 5
#: The longest wait a ``Retry-After`` is honoured for. It holds off the host for every worker
#: and delays the capture's retry: a server asking for days (or a date decades away) would
#: otherwise park the host and its captures for as long.
MAX_RETRY_AFTER = 3600.0


@dataclass(slots=True)
class Exchange:
    """One request and its response, with the body exactly as it came over the wire."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    http_version: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: BinaryIO
    body_length: int
    started_at: datetime
    #: ``sha1:BASE32`` of ``body`` (``WARC-Payload-Digest``), hashed as it came in: the revisit
    #: check and the WARC writer take it instead of reading the body again. None where no one
    #: hashed it yet (an imported record).
    payload_digest: str | None = None
    #: The body with its Content-Encoding (gzip, deflate) undone, for a final response that had
    #: one: the fetcher inflates it whole to vet it, and the extractor takes it rather than
    #: inflating it again. None for a body sent as it is (or not vetted: a redirect hop).
    decoded_body: bytes | None = None

    @property
    def content_type(self) -> str | None:
        return header(self.headers, "content-type")

    @property
    def content_language(self) -> str | None:
        return header(self.headers, "content-language")


@dataclass(frozen=True, slots=True)
class Conditional:
    """Validators of an archived response of ``url`` (``If-None-Match``, ``If-Modified-Since``:
    see ``core.http.conditional_headers``), sent with the request for that URL, wherever it
    comes in the redirects: they name a representation of that resource, no other."""

    url: str
    headers: list[tuple[str, str]]


@dataclass(slots=True)
class FetchResult:
    """The final exchange and the redirect hops that led to it, in order."""

    final: Exchange
    redirects: list[Exchange] = field(default_factory=list)

    @property
    def exchanges(self) -> list[Exchange]:
        return [*self.redirects, self.final]

    @property
    def not_modified(self) -> bool:
        """The site answered ``304 Not Modified`` to the conditional request: no body, the
        archived response it was asked about is still current."""
        return self.final.status == 304

    def close(self) -> None:
        for exchange in self.exchanges:
            exchange.body.close()


AddressPolicy = Callable[[str], bool]

#: The ``time.monotonic()`` by which the current fetch must be done, or None outside one.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("fetch_deadline", default=None)


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` cut to what is left of the current fetch's deadline; ``error`` once it passed.

    httpx's timeouts bound each socket operation: a server that sends one byte a second never
    trips them, and h11 takes its headers a byte at a time until they reach its size limit.
    """
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the total deadline of the fetch passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the current fetch's deadline.

    The deadline is looked up at each operation, not fixed at connect time: pooled connections
    serve later fetches with deadlines of their own.
    """

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:  # noqa: ANN001
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str):  # noqa: ANN201 - whatever the stream holds
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves, vets and pins the address of every outgoing connection."""

    def __init__(self, *, address_allowed: AddressPolicy) -> None:
        self.address_allowed = address_allowed

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # noqa: ANN001
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
                raise UnknownHost(f"{host} does not resolve (no such host)") from exc
            raise httpcore.ConnectError(f"cannot resolve {host!r}: {exc}") from exc
        addresses = [info[4][0] for info in infos]
        refused = [a for a in addresses if not self.address_allowed(a)]
        if refused:
            raise BlockedAddress(f"{host} resolves to a non-public address ({refused[0]}); refused "
                                 "(ARCHIVIST_ALLOW_PRIVATE_NETWORKS=1 allows it)")
        stream = super().connect_tcp(addresses[0], port, _bounded(timeout, httpcore.ConnectTimeout),
                                     local_address, socket_options)
        return _DeadlineStream(stream)


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, *, address_allowed: AddressPolicy, limits: httpx.Limits) -> None:
        super().__init__(limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(address_allowed=address_allowed),
        )


def _stored_headers(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    """Response headers as received, except Transfer-Encoding, which is renamed.

    httpx hands us the body with the chunked framing already removed, so a stored
    ``Transfer-Encoding: chunked`` would make WARC readers de-chunk it a second time.
    """
    headers = []
    for name, value in raw:
        key = name.decode("latin-1")
        if key.lower() == "transfer-encoding":
            key = "X-Archive-Orig-Transfer-Encoding"
        headers.append((key, value.decode("latin-1")))
    return headers


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` asks for (RFC 9110 10.2.3: delay seconds or an HTTP-date).

    An HTTP-date is always UTC, whatever zone it names or leaves out (``-0000``, none at all,
    which Python reads as a naive time); a date gone by asks for no wait. Anything else is no
    answer (None): the caller's default applies. A longer wait than ``MAX_RETRY_AFTER`` is cut
    to it.
    """
    if not value:
        return None
    seconds = value.strip()
    if seconds.isascii() and seconds.isdigit():  # str.isdigit alone takes "²", which is no number
        return min(float(seconds), MAX_RETRY_AFTER)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a year or hour no C integer holds
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return min(max(0.0, (moment - datetime.now(UTC)).total_seconds()), MAX_RETRY_AFTER)


#: h11's and httpcore's words for a connection that ended before the answer did.
_CONNECTION_ENDED = ("closed connection", "disconnected")


def _is_malformed(exc: httpx.RemoteProtocolError) -> bool:
    """Whether the answer breaks HTTP itself, as opposed to a connection that broke.

    A broken connection may work next time; an answer with bad framing (a Content-Length that
    is not a number, or two that disagree), an illegal line or oversized headers will not.
    h11 raises the same exception class for both, so the words tell them apart, and any
    protocol error that does not say the connection ended counts as a malformed answer.
    """
    text = str(exc).lower()
    return not any(words in text for words in _CONNECTION_ENDED)


def _transport_failure(url: str, exc: httpx.TransportError, *, reading: bool) -> PermanentFailure | TransientFailure:
    """Our error for httpx's ``exc`` while sending the request for ``url`` or reading its body."""
    if isinstance(exc, httpx.TimeoutException):
        deadline = _DEADLINE.get()
        if deadline is not None and time.monotonic() >= deadline:
            return FetchTimeout(f"{url} took longer than the fetch's total time limit (ARCHIVIST_TOTAL_TIMEOUT)",
                                reason="deadline")
        return FetchTimeout(f"timed out {'reading' if reading else 'fetching'} {url}: {exc!r}")
    if isinstance(exc, httpx.RemoteProtocolError) and _is_malformed(exc):
        return MalformedResponse(f"{url} sent a malformed response: {exc}")
    return FetchConnectionError(f"connection broke reading {url}: {exc}" if reading else f"cannot fetch {url}: {exc}")


def _check_is_http_status(url: str, status: int) -> None:
    """Refuse a status code outside HTTP's 100 to 599 (RFC 9110 15) as a malformed answer.

    h11 reads any three digits as a status; a 600 or a 999 is no server error that could pass,
    and counting it as a 5xx would fetch the page again and again.
    """
    if not 100 <= status <= 599:
        raise MalformedResponse(f"{url} answered status {status}, which is not an HTTP status code")


def _check_location(response: httpx.Response) -> None:
    """Refuse a redirect to something that is not a web address before httpx tries to follow it.

    httpx builds the next request of every redirect, followed or not, and fails with a bare
    ``InvalidURL`` on a Location such as ``javascript:...``, ``mailto:...`` or ``tel:...``.
    """
    if not response.has_redirect_location:
        return
    location = response.headers["location"]
    try:
        canonicalize(join(str(response.request.url), location))
    except (InvalidURL, ValueError) as exc:
        raise TooManyRedirects(
            f"{response.request.url} redirects to {shown_input(location)!r}, which cannot be archived: "
            f"{exc.message if isinstance(exc, InvalidURL) else exc}",
            reason="bad_redirect",
        ) from exc


def _unsupported_host(url: str, exc: UnicodeError) -> UnsupportedHost:
    """httpx's refusal to write the host of ``url`` (idna's error: a label valid in IDNA 2003
    only, which canonicalisation accepts as browsers do) as the capture's reason."""
    return UnsupportedHost(f"cannot request {url}: its host is valid in IDNA 2003 only, and the HTTP client "
                           f"writes host names in IDNA 2008 ({exc})")


class Fetcher:
    """Fetches one URL under a :class:`FetchPolicy`. Reuses connections; one per worker thread.

    ``address_allowed`` decides which resolved addresses may be connected to; by default only
    public ones, or any when the policy allows private networks.
    """

    def __init__(self, policy: FetchPolicy, *, address_allowed: AddressPolicy | None = None) -> None:
        self.policy = policy
        if address_allowed is None:
            address_allowed = (lambda _address: True) if policy.allow_private_networks else is_public_address
        self._client = httpx.Client(
            transport=_GuardedTransport(
                address_allowed=address_allowed,
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            ),
            timeout=httpx.Timeout(
                policy.read_timeout, connect=policy.connect_timeout, pool=policy.connect_timeout
            ),
            follow_redirects=False,
            max_redirects=ROBOTS_MAX_REDIRECTS,  # pages follow theirs hop by hop in fetch()
            event_hooks={"response": [_check_location]},
            headers={
                "User-Agent": policy.user_agent,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                "Accept-Encoding": "gzip, deflate",
            },
        )

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, *, may_follow: Callable[[str], object] | None = None,
              conditional: Conditional | None = None) -> FetchResult:
        """GET ``url``, following redirects, and return the exchanges with their raw bodies.

        ``may_follow`` is called with every redirect target before it is requested, and raises
        to refuse it: a hop is a request of its own (robots.txt rules apply to it).
        ``conditional`` makes the request for its URL conditional; a ``304`` to it is a final
        answer (:attr:`FetchResult.not_modified`), and a ``304`` to any other request is a
        malformed one.

        Raises:
            PermanentFailure subclasses: blocked address, unsupported host, 4xx, not HTML, too large, redirects,
                and whatever ``may_follow`` raises.
            TransientFailure subclasses: timeout, connection error, 5xx, 429 (with retry_after).
        """
        with self._deadline():
            return self._follow(url, may_follow, conditional)

    @contextmanager
    def _deadline(self) -> Iterator[None]:
        """Bound every socket operation until the end of the block by ``total_timeout`` from now."""
        token = _DEADLINE.set(time.monotonic() + self.policy.total_timeout)
        try:
            yield
        finally:
            _DEADLINE.reset(token)

    def _follow(self, url: str, may_follow: Callable[[str], object] | None,
                conditional: Conditional | None) -> FetchResult:
        redirects: list[Exchange] = []
        current = url
        try:
            while True:
                asks = conditional.headers if conditional is not None and conditional.url == current else []
                exchange, location = self._exchange(current, asks)
                if location is None:
                    return FetchResult(final=exchange, redirects=redirects)
                redirects.append(exchange)
                if len(redirects) > self.policy.max_redirects:
                    raise TooManyRedirects(f"more than {self.policy.max_redirects} redirects from {url}")
                try:
                    current = canonicalize(join(current, location))
                except InvalidURL as exc:
                    raise TooManyRedirects(
                        f"redirect to an invalid URL {shown_input(location)!r}: {exc.message}", reason="bad_redirect"
                    ) from exc
                if current in (hop.url for hop in redirects):
                    raise TooManyRedirects(f"redirect loop at {current}", reason="redirect_loop")
                if may_follow is not None:
                    may_follow(current)
        except BaseException:
            for hop in redirects:
                hop.body.close()
            raise

    def fetch_robots(self, origin: str, *, max_bytes: int = 512 * 1024) -> tuple[int, bytes]:
        """GET ``{origin}/robots.txt`` (redirects followed, address guard on) as (status, body).

        Raises:
            TooManyRedirects: its redirects lead nowhere (more than ``ROBOTS_MAX_REDIRECTS``,
                a loop, or a Location that is no web address).
            FetchTimeout, FetchConnectionError, BlockedAddress, UnknownHost, UnsupportedHost, MalformedResponse:
                as for pages.
        """
        url = origin.rstrip("/") + "/robots.txt"
        with self._deadline():
            try:
                with self._client.stream("GET", url, follow_redirects=True, extensions={}) as response:
                    _check_is_http_status(url, response.status_code)
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > max_bytes:
                            break  # RFC 9309: parse at least the first 500 KiB; ignore the rest
                    return response.status_code, bytes(body[:max_bytes])
            except httpx.TooManyRedirects as exc:
                raise TooManyRedirects(f"{url} redirects more than {ROBOTS_MAX_REDIRECTS} times") from exc
            except httpx.TransportError as exc:
                raise _transport_failure(url, exc, reading=False) from exc
            except httpx.InvalidURL as exc:  # a Location that _check_location let through
                raise TooManyRedirects(f"{url} redirects to an address httpx cannot follow: {exc}",
                                       reason="bad_redirect") from exc
            except UnicodeError as exc:  # idna's, building the request or a redirect's
                raise _unsupported_host(url, exc) from exc

    def _exchange(self, url: str, validators: list[tuple[str, str]]) -> tuple[Exchange, str | None]:
        """One request for ``url`` (with ``validators``, conditional) and its answer; the
        redirect's Location, or None for a final answer."""
        started = datetime.now(UTC)
        try:
            # As bytes, the ones the site sent: httpx would refuse a str header beyond ASCII.
            request = self._client.build_request(
                "GET", url, headers=[(name, value.encode("latin-1")) for name, value in validators])
        except UnicodeError as exc:  # idna's
            raise _unsupported_host(url, exc) from exc
        try:
            response = self._client.send(request, stream=True)
        except httpx.TransportError as exc:
            raise _transport_failure(url, exc, reading=False) from exc
        except httpx.InvalidURL as exc:  # a Location that _check_location let through
            raise TooManyRedirects(f"{url} redirects to an address httpx cannot follow: {exc}",
                                   reason="bad_redirect") from exc
        try:
            status = response.status_code
            not_modified = status == 304 and bool(validators)
            location = response.headers.get("location") if 300 <= status < 400 and status != 304 else None
            if location is None and not not_modified:
                self._check_status(url, response)
                self._check_declared(url, response)
            body, length, digest = self._read_body(url, response)
        finally:
            response.close()
        exchange = Exchange(
            url=url,
            method="GET",
            request_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
            http_version=response.http_version,
            status=status,
            reason=response.reason_phrase or "",
            headers=_stored_headers(response.headers.raw),
            body=body,
            body_length=length,
            started_at=started,
            payload_digest=digest,
        )
        if location is None and not not_modified:
            self._check_content(url, exchange)
        return exchange, location

    def _check_status(self, url: str, response: httpx.Response) -> None:
        status = response.status_code
        _check_is_http_status(url, status)
        if status == 429 or status == 503 and response.headers.get("retry-after"):
            raise RateLimited(f"{url} answered {status}", status=status,
                              retry_after=_retry_after(response.headers.get("retry-after")))
        if status >= 500:
            raise HTTPServerError(f"{url} answered {status} {response.reason_phrase}", status=status)
        if status >= 400:
            raise HTTPClientError(f"{url} answered {status} {response.reason_phrase}", status=status)
        if status == 304:
            raise MalformedResponse(f"{url} answered 304 Not Modified to a request that was not conditional: "
                                    "there is nothing it could leave unchanged")
        if status >= 300:
            raise HTTPClientError(f"{url} answered {status} without a Location", status=status,
                                  reason="bad_redirect")

    def _check_declared(self, url: str, response: httpx.Response) -> None:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.policy.max_body_bytes:
            raise BodyTooLarge(
                f"{url} declares {int(declared)} bytes; the limit is {self.policy.max_body_bytes}"
            )
        mime = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if mime and mime not in _HTML_TYPES:
            raise NotHTML(f"{url} is {mime}, not HTML")

    def _read_body(self, url: str, response: httpx.Response) -> tuple[BinaryIO, int, str]:
        """The body as sent (spooled, rewound), its length and its payload digest."""
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)
        sha1 = hashlib.sha1()
        length = 0
        try:
            for chunk in response.iter_raw():
                length += len(chunk)
                if length > self.policy.max_body_bytes:
                    raise BodyTooLarge(f"{url} sent more than {self.policy.max_body_bytes} bytes")
                sha1.update(chunk)
                try:
                    spool.write(chunk)
                except OSError as exc:
                    raise spool_refused(exc, f"the response of {url}") from exc
        except httpx.TransportError as exc:
            spool.close()
            raise _transport_failure(url, exc, reading=True) from exc
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return spool, length, digest_label(sha1)

    def _check_content(self, url: str, exchange: Exchange) -> None:
        """Refuse bodies that are not HTML or that inflate past the limit once decoded; keep the
        decoded body of an encoded one."""
        encoding = (header(exchange.headers, "content-encoding") or "").strip().lower()
        try:
            decoded = _decoded_body(exchange.body, encoding, self.policy.max_body_bytes * _MAX_INFLATION)
        except BodyTooLarge as exc:
            exchange.body.close()
            raise BodyTooLarge(f"{url}: {exc.message}", reason="decompression_bomb") from exc
        except zlib.error as exc:
            exchange.body.close()
            raise NotHTML(f"{url} sent a corrupt {encoding} body: {exc}", reason="bad_encoding") from exc
        if decoded is None:
            head = exchange.body.read(8192)
            exchange.body.seek(0)
        else:
            head = decoded[:8192]
        if exchange.content_type is None and not looks_like_html(head):
            exchange.body.close()
            raise NotHTML(f"{url} has no Content-Type and does not look like HTML")
        kind = binary_kind(head, exchange.content_type)
        if kind is not None:
            exchange.body.close()
            raise NotHTML(f"{url} sent {kind} labelled as {exchange.content_type or 'HTML'}", reason="binary_content")
        exchange.decoded_body = decoded


def _decoded_body(body: BinaryIO, encoding: str, limit: int) -> bytes | None:
    """Decode the whole body once, every gzip member of it, in bounded steps; None when it is
    not encoded (identity).

    Raises BodyTooLarge when the decoded size passes ``limit``, zlib.error when the stream is
    corrupt or cut short. The stream is rewound.
    """
    if encoding in ("", "identity"):
        return None
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise NotHTML(f"unsupported Content-Encoding {encoding!r}", reason="bad_encoding")
    pieces = []
    total = 0
    try:
        for data in inflate(iter(lambda: body.read(_CHUNK), b""), encoding, step=_CHUNK * 16):
            total += len(data)
            if total > limit:
                raise BodyTooLarge(f"decoded body exceeds {limit} bytes")
            pieces.append(data)
    finally:
        body.seek(0)
    return b"".join(pieces)
