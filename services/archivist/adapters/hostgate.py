"""HostGate adapters: on Redis for workers on many hosts, in memory for the embedded default.

Spacing is a "next free slot" timestamp per host, advanced atomically (a Lua script on Redis,
on the Redis server's clock, so worker hosts whose clocks differ still take turns), so N
workers asking at once get N successive slots instead of N simultaneous requests.
Concurrency slots are leases: each holder is a member of a sorted set scored by its expiry, so
the slots of a worker killed mid-request free themselves after ``slot_ttl`` seconds. (Dramatiq's
ConcurrentRateLimiter keeps a counter whose expiry is renewed by every acquisition: a crashed
holder's slot never comes back while the host stays busy.) Host names are hashed into keys:
nothing about a host leaks into key listings or metrics. robots.txt files are shared on Redis
too, each loaded by one worker under a lock key while the others wait for it: a site is asked
for its robots.txt once per cache period, not once per worker process.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import redis

from archivist.adapters.redis_errors import described
from archivist.core.errors import QueueUnavailable

__all__ = ["LocalHostGate", "RedisHostGate"]

_PREFIX = "archivist-host"

# Lua functions of the scripts below. Times are the Redis server's clock (`clock`: TIME in a
# script that writes needs Redis 5 or later, which replicates scripts by their effects), not the
# callers': worker hosts whose clocks differ would each take their own "now" for the host's
# turn, and one running ahead would go before a slot another host had booked. `reserve` takes
# the host's next request slot, `interval` after the previous one, when it starts within
# `max_wait`; returns its start. `take` takes a concurrency lease until `now + lease` when fewer
# than `limit` are live; returns 1 when taken. Expired leases (a crashed holder's) are dropped
# only when the set looks full: below the limit they change nothing.
_FUNCTIONS = """
local function clock()
  local now = redis.call('TIME')
  return tonumber(now[1]) + tonumber(now[2]) / 1000000
end
local function reserve(key, now, interval, ttl, max_wait)
  local start = tonumber(redis.call('GET', key) or '0')
  if start < now then start = now end
  if start - now <= max_wait then
    redis.call('SET', key, tostring(start + interval), 'EX', ttl)
  end
  return start
end
local function take(key, now, lease, token, limit)
  if redis.call('ZCARD', key) >= limit then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', tostring(now))
    if redis.call('ZCARD', key) >= limit then return 0 end
  end
  redis.call('ZADD', key, tostring(now + lease), token)
  redis.call('PEXPIREAT', key, math.floor((now + lease) * 1000))
  return 1
end
"""
# KEYS[1] next-slot key; ARGV: interval, ttl seconds, max wait. Returns the seconds until the
# slot starts.
_RESERVE = _FUNCTIONS + """
local now = clock()
return tostring(reserve(KEYS[1], now, tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])) - now)
"""
# KEYS[1] slot set; ARGV: lease seconds, token, limit. Returns 1 when the slot was taken.
_ACQUIRE = _FUNCTIONS + """
return take(KEYS[1], clock(), tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]))
"""
# KEYS[1] next-slot key, KEYS[2] slot set; ARGV: interval, ttl seconds, max wait, lease seconds,
# token, limit. Reserves, and takes a lease too when the turn is now. Returns {wait, taken}.
_TURN = _FUNCTIONS + """
local now = clock()
local start = reserve(KEYS[1], now, tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
local taken = 0
if start == now then taken = take(KEYS[2], now, tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])) end
return {tostring(start - now), taken}
"""
# KEYS[1] next-slot key; ARGV: seconds, ttl seconds. Pushes the next slot to at least `seconds`
# from now.
_HOLD_OFF = _FUNCTIONS + """
local held_until = clock() + tonumber(ARGV[1])
local start = tonumber(redis.call('GET', KEYS[1]) or '0')
if start < held_until then
  redis.call('SET', KEYS[1], tostring(held_until), 'EX', tonumber(ARGV[2]))
end
return 1
"""
# KEYS[1] lock key; ARGV: token. Removes the lock only while its holder still has it.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""
#: How often a worker waiting for another's robots.txt fetch looks for its answer.
_ROBOTS_POLL = 0.05


def _host_key(host: str) -> str:
    return hashlib.sha1(host.lower().encode("utf-8")).hexdigest()[:16]


class RedisHostGate:
    def __init__(self, url: str, *, concurrency: int, slot_ttl: float, namespace: str = "dramatiq") -> None:
        self._prefix = f"{namespace}:{_PREFIX}"
        self._client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._reserve = self._client.register_script(_RESERVE)
        self._hold_off = self._client.register_script(_HOLD_OFF)
        self._acquire = self._client.register_script(_ACQUIRE)
        self._turn = self._client.register_script(_TURN)
        self._release = self._client.register_script(_RELEASE)
        self.concurrency = concurrency
        self.slot_ttl = slot_ttl

    def reserve(self, host: str, interval: float, max_wait: float) -> float:
        try:
            wait = float(self._reserve(keys=[f"{self._prefix}:{_host_key(host)}:next"],
                                       args=[interval, int(interval) + 3600, max_wait]))
        except redis.RedisError as exc:
            raise QueueUnavailable(f"cannot reach Redis for host politeness: {described(exc)}") from exc
        return max(0.0, wait)

    def hold_off(self, host: str, seconds: float) -> None:
        try:
            self._hold_off(keys=[f"{self._prefix}:{_host_key(host)}:next"],
                           args=[seconds, int(seconds) + 3600])
        except redis.RedisError as exc:
            raise QueueUnavailable(f"cannot reach Redis for host politeness: {described(exc)}") from exc

    @contextmanager
    def slot(self, host: str) -> Iterator[bool]:
        key = f"{self._prefix}:{_host_key(host)}:slots"
        token = uuid.uuid4().hex
        try:
            acquired = bool(self._acquire(keys=[key], args=[self.slot_ttl, token, self.concurrency]))
        except redis.RedisError as exc:
            raise QueueUnavailable(f"cannot reach Redis for host politeness: {described(exc)}") from exc
        with self._holding(key, token, acquired):
            yield acquired

    @contextmanager
    def turn(self, host: str, interval: float, max_wait: float) -> Iterator[tuple[float, bool]]:
        key = f"{self._prefix}:{_host_key(host)}"
        token = uuid.uuid4().hex
        try:
            wait, taken = self._turn(keys=[f"{key}:next", f"{key}:slots"],
                                     args=[interval, int(interval) + 3600, max_wait, self.slot_ttl, token,
                                           self.concurrency])
        except redis.RedisError as exc:
            raise QueueUnavailable(f"cannot reach Redis for host politeness: {described(exc)}") from exc
        with self._holding(f"{key}:slots", token, bool(taken)):
            yield max(0.0, float(wait)), bool(taken)

    def robots(self, origin: str, ttl: float, load: Callable[[], str | None]) -> tuple[float, str | None]:
        key = f"{self._prefix}:robots:{_host_key(origin)}"
        lock, token = f"{key}:loading", uuid.uuid4().hex
        # A loader that died holding the lock lets it go after a fetch's longest time.
        deadline = time.monotonic() + self.slot_ttl
        try:
            while True:
                with self._client.pipeline(transaction=True) as pipe:
                    shared, left_ms = pipe.get(key).pttl(key).execute()
                if shared is not None and left_ms > 0:  # its expiry on this host's clock, however set
                    return time.time() + left_ms / 1000, json.loads(shared)
                if self._client.set(lock, token, nx=True, px=int(self.slot_ttl * 1000)) or time.monotonic() > deadline:
                    break
                time.sleep(_ROBOTS_POLL)
        except redis.RedisError as exc:
            raise QueueUnavailable(f"cannot reach Redis for host politeness: {described(exc)}") from exc
        try:
            text = load()
            expires = time.time() + ttl
            self._client.set(key, json.dumps(text), px=max(1, int(ttl * 1000)))
            return expires, text
        except redis.RedisError as exc:
            raise QueueUnavailable(f"cannot reach Redis for host politeness: {described(exc)}") from exc
        finally:
            try:
                self._release(keys=[lock], args=[token])
            except redis.RedisError:
                pass  # the lock expires by itself

    @contextmanager
    def _holding(self, key: str, token: str, acquired: bool) -> Iterator[None]:
        """Give the lease ``token`` back when the block ends, if it was taken."""
        try:
            yield
        finally:
            if acquired:
                try:
                    self._client.zrem(key, token)
                except redis.RedisError:
                    pass  # the lease expires by itself


class LocalHostGate:
    """The same rules within one process (the embedded default runs all its workers in one)."""

    def __init__(self, *, concurrency: int) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._busy: dict[str, int] = {}
        self.concurrency = concurrency

    def reserve(self, host: str, interval: float, max_wait: float) -> float:
        now = time.time()
        key = _host_key(host)
        with self._lock:
            start = max(now, self._next.get(key, 0.0))
            if start - now <= max_wait:
                self._next[key] = start + interval
        return start - now

    def hold_off(self, host: str, seconds: float) -> None:
        key = _host_key(host)
        with self._lock:
            self._next[key] = max(self._next.get(key, 0.0), time.time() + seconds)

    @contextmanager
    def turn(self, host: str, interval: float, max_wait: float) -> Iterator[tuple[float, bool]]:
        wait = self.reserve(host, interval, max_wait)
        if wait > 0:
            yield wait, False
            return
        with self.slot(host) as acquired:
            yield wait, acquired

    def robots(self, origin: str, ttl: float, load: Callable[[], str | None]) -> tuple[float, str | None]:
        """One process has nobody to share with: the caller's own cache keeps the answer."""
        return time.time() + ttl, load()

    @contextmanager
    def slot(self, host: str) -> Iterator[bool]:
        key = _host_key(host)
        with self._lock:
            acquired = self._busy.get(key, 0) < self.concurrency
            if acquired:
                self._busy[key] = self._busy.get(key, 0) + 1
        try:
            yield acquired
        finally:
            if acquired:
                with self._lock:
                    self._busy[key] -= 1
