"""A small sample site served on a loopback port, for ``archivist demo``.

Its article is written for this project (it is not the seed fixture) but has the same traps:
three pages with a pager, a site-header date that is not the publication date, a comment form
with a captcha, and reader comments in the "NAME Wrote:" style.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

__all__ = ["SampleSite", "serve_sample_site"]

SITE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class SampleSite:
    base_url: str
    start_url: str


class _Handler(SimpleHTTPRequestHandler):
    """Serves ``/story.php?id=N&page=P`` from ``story-P.html``; other paths as files."""

    def translate_path(self, path: str) -> str:
        parts = urlsplit(path)
        if parts.path == "/story.php":
            page = parse_qs(parts.query).get("page", ["1"])[0]
            if page.isdigit():
                return str(Path(self.directory) / f"story-{int(page)}.html")
        return super().translate_path(path)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@contextmanager
def serve_sample_site(folder: Path | None = None) -> Iterator[SampleSite]:
    """Serve ``folder`` (default: the bundled site) on 127.0.0.1 and a free port."""
    handler = partial(_Handler, directory=str(folder or SITE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield SampleSite(base_url=base, start_url=f"{base}/story.php?id=7&page=3")
    finally:
        server.shutdown()
        server.server_close()
