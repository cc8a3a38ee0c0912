"""An HTTP proxy on loopback in front of a real S3 server, that can spoil chosen answers.

Requests are forwarded as they came (method, path, headers, body: a signature stays valid), and
answers come back as the server gave them, unless a fault is armed for the next request matching
``(method, path fragment)``: :meth:`S3Proxy.answer_error` answers it with an S3 error of our own
(``503 SlowDown``, ``500 InternalError``) without forwarding it; :meth:`S3Proxy.cut_body` forwards
it and then sends the server's headers and only the first bytes of its body before closing the
connection (a connection reset in the middle of a download); :meth:`S3Proxy.cut_upload` closes the
connection in the middle of the request's body; :meth:`S3Proxy.hold` forwards it late.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.support.seaweed import free_port

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
               "proxy-authorization", "proxy-authenticate"}


@dataclass
class _Fault:
    method: str
    fragment: str
    times: int
    status: int = 0
    code: str = ""
    keep_bytes: int | None = None
    delay: float = 0.0
    cut_request_after: int | None = None
    html: bool = False
    #: More elements of the XML error, as S3 gives some (``MaxSizeAllowed`` of an ``EntityTooLarge``).
    details: dict[str, str] | None = None


class S3Proxy:
    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname, parts.port)
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        #: (method, path) of every request, in order.
        self.requests: list[tuple[str, str]] = []
        #: how many answers were spoiled.
        self.spoiled = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True

    def start(self) -> S3Proxy:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer_error(self, method: str, fragment: str, status: int, code: str, *, times: int = 1,
                     html: bool = False, details: dict[str, str] | None = None) -> None:
        """With ``html``, an HTML page instead of S3's XML error, as a load balancer in front answers;
        ``details`` are more elements of the XML error."""
        with self._lock:
            self._faults.append(_Fault(method, fragment, times, status=status, code=code, html=html,
                                       details=details))

    def cut_body(self, method: str, fragment: str, keep_bytes: int, *, times: int = 1) -> None:
        with self._lock:
            self._faults.append(_Fault(method, fragment, times, keep_bytes=keep_bytes))

    def cut_upload(self, method: str, fragment: str, keep_bytes: int, *, times: int = 1) -> None:
        """Read the first ``keep_bytes`` of the request's body, then close the connection without
        forwarding it: a connection reset in the middle of an upload."""
        with self._lock:
            self._faults.append(_Fault(method, fragment, times, cut_request_after=keep_bytes))

    def hold(self, method: str, fragment: str, seconds: float, *, times: int = 1) -> None:
        """Forward the request after ``seconds``: a slow server, to catch a request in flight."""
        with self._lock:
            self._faults.append(_Fault(method, fragment, times, delay=seconds))

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        with self._lock:
            self.requests.append((method, path))
            for fault in self._faults:
                if fault.method == method and fault.fragment in path and fault.times > 0:
                    fault.times -= 1
                    self.spoiled += 1
                    return fault
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _relay(self) -> None:
                fault = proxy._take_fault(self.command, self.path)
                if fault is not None and fault.cut_request_after is not None:
                    self.rfile.read(fault.cut_request_after)
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if fault is not None and fault.delay:
                    time.sleep(fault.delay)
                if fault is not None and fault.status:
                    self._s3_error(fault)
                    return
                upstream = http.client.HTTPConnection(*proxy.target, timeout=30)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    payload = answer.read()
                finally:
                    upstream.close()
                self.send_response(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if fault is not None and fault.keep_bytes is not None:
                    self.wfile.write(payload[: fault.keep_bytes])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if self.command != "HEAD":
                    self.wfile.write(payload)

            def _s3_error(self, fault: _Fault) -> None:
                if fault.html:
                    body = (f"<html><head><title>{fault.status} {fault.code}</title></head><body><center><h1>"
                            f"{fault.status} {fault.code}</h1></center><hr><center>nginx</center></body></html>").encode()
                else:
                    details = "".join(f"<{name}>{value}</{name}>" for name, value in (fault.details or {}).items())
                    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{fault.code}</Code>'
                            f"<Message>injected {fault.code}</Message>{details}<Resource>{self.path}</Resource>"
                            "<RequestId>injected</RequestId></Error>").encode()
                self.send_response(fault.status)
                self.send_header("Content-Type", "text/html" if fault.html else "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay  # noqa: N815 - stdlib names

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler
