"""Crawler manners: robots.txt, request spacing and concurrency per host, backing off on 429.

The rules follow RFC 9309 for robots.txt: a 4xx robots.txt allows everything, a 5xx or an
unreachable one disallows for now (a transient failure, retried later), and ``Crawl-delay``
widens the spacing between requests. Spacing, concurrency and robots.txt files are shared by all
workers through the :class:`~archivist.core.ports.HostGate`; each process keeps the files it
parsed until the shared copy expires.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlsplit

from protego import Protego

from archivist.adapters.fetcher import Fetcher
from archivist.core.errors import HostBusy, RateLimited, RobotsDisallowed, TooManyRedirects, TransientFailure
from archivist.core.ports import HostGate

__all__ = ["Politeness"]

#: How long a robots.txt is trusted, from the moment one worker fetched it for all.
ROBOTS_TTL = 3600.0
#: How many hosts' parsed robots.txt files one process keeps.
ROBOTS_CACHE_SIZE = 4096
#: Backing off a host that said 429/503 without a Retry-After.
DEFAULT_HOLD_OFF = 60.0


def _politeness_host(url: str) -> str:
    """The server a request loads: ``url``'s host name, whatever its port.

    Sites on several ports of one host (``:80``, ``:443``, ``:8080``) share its capacity, so
    they share its spacing and concurrency. Case, a trailing dot and the Unicode or punycode
    forms of a name are made one by :func:`~archivist.core.urls.canonicalize` before URLs
    reach here.
    """
    return (urlsplit(url).hostname or "").rstrip(".")


class Politeness:
    def __init__(
        self,
        *,
        gate: HostGate,
        fetcher: Callable[[], Fetcher],
        user_agent: str,
        respect_robots: bool,
        min_interval: float,
        max_wait: float,
    ) -> None:
        self.gate = gate
        self._fetcher = fetcher
        self.agent = user_agent.split("/", 1)[0]
        self.respect_robots = respect_robots
        self.min_interval = min_interval
        self.max_wait = max_wait
        self._robots: OrderedDict[str, tuple[float, Protego | None]] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}

    def check_robots(self, url: str) -> float:
        """Raise RobotsDisallowed if robots.txt forbids ``url``; return the seconds it asks
        between requests (or 0): its Crawl-delay, or the spacing its Request-rate makes
        (``Request-rate: 1/5`` is one request every five seconds), whichever is longer."""
        if not self.respect_robots:
            return 0.0
        rules = self._rules(url)
        if rules is None:
            return 0.0
        if not rules.can_fetch(url, self.agent):
            raise RobotsDisallowed(f"robots.txt of {urlsplit(url).netloc} disallows {url}")
        rate = rules.request_rate(self.agent)
        spacing = rate.seconds / rate.requests if rate is not None and rate.requests > 0 else 0.0
        return max(float(rules.crawl_delay(self.agent) or 0.0), spacing)

    @contextmanager
    def request(self, url: str) -> Iterator[None]:
        """Wait for the host's turn, hold one of its slots, and back off if it says 429/503.

        Raises:
            RobotsDisallowed: robots.txt forbids the URL.
            HostBusy: the host's turn is further away than this worker should wait.
        """
        host = _politeness_host(url)
        interval = max(self.min_interval, self.check_robots(url))
        with ExitStack() as held:
            wait, acquired = held.enter_context(self.gate.turn(host, interval, self.max_wait))
            if wait > self.max_wait:
                raise HostBusy(f"{host} is busy for {wait:.0f}s more (politeness)", retry_after=wait)
            if not acquired and wait > 0:
                time.sleep(wait)
                acquired = held.enter_context(self.gate.slot(host))
            if not acquired:
                raise HostBusy(f"{host} has no free request slot", retry_after=max(interval, 1.0))
            try:
                yield
            except RateLimited as exc:
                self.gate.hold_off(host, exc.retry_after or DEFAULT_HOLD_OFF)
                raise

    def _rules(self, url: str) -> Protego | None:
        """The origin's parsed robots.txt, kept in this process until the shared copy it was
        parsed from expires, so that a changed file reaches every worker within ROBOTS_TTL."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            loading = self._loading.setdefault(origin, threading.Lock())
        # One thread loads an origin's robots.txt; the others wait for its answer.
        with loading:
            with self._lock:
                cached = self._robots.get(origin)
                if cached is not None and cached[0] > time.time():
                    self._robots.move_to_end(origin)
                    return cached[1]
            try:
                expires, text = self.gate.robots(origin, ROBOTS_TTL, lambda: self._load(origin))
                rules = None if text is None else Protego.parse(text)
                with self._lock:
                    self._robots[origin] = (expires, rules)
                    while len(self._robots) > ROBOTS_CACHE_SIZE:
                        self._robots.popitem(last=False)
            finally:
                with self._lock:
                    self._loading.pop(origin, None)
            return rules

    def _load(self, origin: str) -> str | None:
        """The robots.txt text, or None when everything is allowed (no robots.txt)."""
        try:
            status, body = self._fetcher().fetch_robots(origin)
        except TooManyRedirects:
            return None  # RFC 9309 2.3.1.2: redirects that lead nowhere make robots.txt unavailable
        if 400 <= status < 500:
            return None
        if status >= 500:
            raise TransientFailure(f"{origin}/robots.txt answered {status}; not fetching for now",
                                   reason="robots_unavailable")
        if status >= 300:
            return None  # a 3xx without a Location (300, 304): no file to read
        # A byte order mark (editors on Windows write one) would glue itself to the first
        # line's name, and the first group, often the only one, would be ignored.
        return body.decode("utf-8-sig", errors="replace")
