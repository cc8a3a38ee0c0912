"""HostGate adapters: on Redis for workers on many hosts, in memory for the embedded default.

Spacing is a "next free slot" timestamp per host, advanced atomically (a Lua script on Redis),
so N workers asking at once get N successive slots instead of N simultaneous requests.
Concurrency uses Dramatiq's ConcurrentRateLimiter on the same backend. Host names are hashed
into keys: nothing about a host leaks into key listings or metrics.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from dramatiq.rate_limits import ConcurrentRateLimiter
from dramatiq.rate_limits.backends import RedisBackend, StubBackend

from archivist.core.errors import QueueUnavailable

__all__ = ["LocalHostGate", "RedisHostGate"]

_PREFIX = "archivist-host"
#: A concurrency slot held longer than this is considered abandoned (its worker died).
_SLOT_TTL_MS = 10 * 60 * 1000

# KEYS[1] next-slot key; ARGV: now, interval, ttl seconds. Returns the slot start.
_RESERVE = """
local now = tonumber(ARGV[1])
local start = tonumber(redis.call('GET', KEYS[1]) or '0')
if start < now then start = now end
redis.call('SET', KEYS[1], tostring(start + tonumber(ARGV[2])), 'EX', tonumber(ARGV[3]))
return tostring(start)
"""
# KEYS[1] next-slot key; ARGV: until, ttl seconds. Pushes the next slot to at least `until`.
_HOLD_OFF = """
local start = tonumber(redis.call('GET', KEYS[1]) or '0')
if start < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
end
return 1
"""


def _host_key(host: str) -> str:
    return hashlib.sha1(host.lower().encode("utf-8")).hexdigest()[:16]


class RedisHostGate:
    def __init__(self, url: str, *, concurrency: int, namespace: str = "dramatiq") -> None:
        self._prefix = f"{namespace}:{_PREFIX}"
        self._client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._reserve = self._client.register_script(_RESERVE)
        self._hold_off = self._client.register_script(_HOLD_OFF)
        self._backend = RedisBackend(client=self._client)
        self.concurrency = concurrency

    def reserve(self, host: str, interval: float) -> float:
        now = time.time()
        try:
            start = float(self._reserve(keys=[f"{self._prefix}:{_host_key(host)}:next"],
                                        args=[now, interval, int(interval) + 3600]))
        except redis.RedisError as exc:
            raise QueueUnavailable(f"cannot reach Redis for host politeness: {exc}") from exc
        return max(0.0, start - now)

    def hold_off(self, host: str, seconds: float) -> None:
        try:
            self._hold_off(keys=[f"{self._prefix}:{_host_key(host)}:next"],
                           args=[time.time() + seconds, int(seconds) + 3600])
        except redis.RedisError as exc:
            raise QueueUnavailable(f"cannot reach Redis for host politeness: {exc}") from exc

    @contextmanager
    def slot(self, host: str) -> Iterator[bool]:
        limiter = ConcurrentRateLimiter(self._backend, f"{self._prefix}:{_host_key(host)}:slots",
                                        limit=self.concurrency, ttl=_SLOT_TTL_MS)
        try:
            with limiter.acquire(raise_on_failure=False) as acquired:
                yield acquired
        except redis.RedisError as exc:
            raise QueueUnavailable(f"cannot reach Redis for host politeness: {exc}") from exc


class LocalHostGate:
    """The same rules within one process (the embedded default runs all its workers in one)."""

    def __init__(self, *, concurrency: int) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._backend = StubBackend()
        self.concurrency = concurrency

    def reserve(self, host: str, interval: float) -> float:
        now = time.time()
        key = _host_key(host)
        with self._lock:
            start = max(now, self._next.get(key, 0.0))
            self._next[key] = start + interval
        return start - now

    def hold_off(self, host: str, seconds: float) -> None:
        key = _host_key(host)
        with self._lock:
            self._next[key] = max(self._next.get(key, 0.0), time.time() + seconds)

    @contextmanager
    def slot(self, host: str) -> Iterator[bool]:
        limiter = ConcurrentRateLimiter(self._backend, f"{_PREFIX}:{_host_key(host)}:slots",
                                        limit=self.concurrency, ttl=_SLOT_TTL_MS)
        with limiter.acquire(raise_on_failure=False) as acquired:
            yield acquired
