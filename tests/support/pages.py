"""A local HTTP server whose routes a test can set and change between captures."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    #: Takes over the whole answer when set (slow or broken servers).
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None
    #: Validators sent with the page; a request they match (``If-None-Match``, else
    #: ``If-Modified-Since``, as RFC 9110 13.2.2 orders them) is answered ``304 Not Modified``.
    etag: str | None = None
    last_modified: str | None = None

    def not_modified(self, asked: dict[str, str]) -> bool:
        """Whether a request with headers ``asked`` gets a 304: an ETag it lists (compared weakly,
        as If-None-Match is), or, without If-None-Match, a Last-Modified not after its date."""
        if "if-none-match" in asked:
            listed = {tag.strip().removeprefix("W/") for tag in asked["if-none-match"].split(",")}
            return self.etag is not None and self.etag.removeprefix("W/") in listed
        if "if-modified-since" in asked and self.last_modified is not None:
            try:
                since = email.utils.parsedate_to_datetime(asked["if-modified-since"])
            except (TypeError, ValueError):
                return False
            return email.utils.parsedate_to_datetime(self.last_modified) <= since
        return False


def slow_route(seconds: float, body: str) -> Route:
    """A page that answers ``body`` after ``seconds``: work a worker can be caught in."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        data = body.encode()
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    return Route(handler=answer)


class PageServer:
    """Serves ``routes[path_with_query]`` on 127.0.0.1; counts the hits per path and keeps each
    request's headers (lower-case names), in order, in ``requests``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.requests: dict[str, list[dict[str, str]]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The headers and the body go out as two writes: with Nagle's algorithm the body
            # waits for the client's delayed ACK of the headers (40 ms on Linux, for about one
            # request in four), which no real web server makes its clients wait.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                target = self.path if "://" not in self.path else urlsplit(self.path)._replace(scheme="", netloc="").geturl()
                server.hits[target] = server.hits.get(target, 0) + 1
                asked = {name.lower(): value for name, value in self.headers.items()}
                server.requests.setdefault(target, []).append(asked)
                route = server.routes.get(target)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "9")
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"not found")
                    return
                if route.handler is not None:
                    route.handler(self)
                    return
                validators = [("ETag", route.etag), ("Last-Modified", route.last_modified)]
                validators = [(name, value) for name, value in validators if value is not None]
                if route.not_modified(asked):
                    self.send_response(304)
                    for name, value in validators:
                        self.send_header(name, value)
                    self.end_headers()
                    return
                self.send_response(route.status)
                for name, value in [*route.headers.items(), *validators]:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:  # noqa: ANN001
                pass  # clients that hang up early (size limits, deadlines) are what the tests want

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        # serve_forever notices shutdown() once per poll: at its default half second, stopping the
        # server cost each test that used it a quarter of a second on average.
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def page_hits(self) -> dict[str, int]:
        """Hits per path, without the politeness fetches of /robots.txt."""
        return {path: count for path, count in self.hits.items() if path != "/robots.txt"}

    def url(self, path: str) -> str:
        return self.base_url + path

    def set(self, path: str, body: bytes | str = b"", **kwargs) -> str:
        self.routes[path] = Route(body=body.encode() if isinstance(body, str) else body, **kwargs)
        return self.url(path)

    def serve_seed(self, seed_dir: Path, served_as: dict[str, str]) -> None:
        for path, name in served_as.items():
            self.set(path, (seed_dir / name).read_bytes())

    def start(self) -> PageServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def wait_for(predicate: Callable[[], object], *, timeout: float = 60.0, interval: float = 0.2, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
