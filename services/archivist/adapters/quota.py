"""Submission quotas per API key: a fixed one-minute window, counted in URLs.

On Redis (``INCRBY`` on a key that expires with its window) when workers and API servers are
many; in memory for the embedded default.
"""

from __future__ import annotations

import threading
import time

import redis

from archivist.adapters.redis_errors import described
from archivist.core.errors import QueueUnavailable

__all__ = ["LocalQuota", "RedisQuota"]

WINDOW_SECONDS = 60


def _window() -> tuple[int, float]:
    now = time.time()
    start = int(now // WINDOW_SECONDS)
    return start, (start + 1) * WINDOW_SECONDS - now


class RedisQuota:
    def __init__(self, url: str, *, namespace: str) -> None:
        self._client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._prefix = f"{namespace}:archivist-quota"

    def take(self, key_id: str, amount: int, limit: int) -> float | None:
        """Count ``amount`` submissions; None if within ``limit``, else seconds until the window ends."""
        window, remaining = _window()
        name = f"{self._prefix}:{key_id}:{window}"
        try:
            with self._client.pipeline() as pipe:
                pipe.incrby(name, amount)
                pipe.expire(name, WINDOW_SECONDS * 2)
                used, _ = pipe.execute()
            if used > limit:
                self._client.decrby(name, amount)  # a refused request uses nothing
                return remaining
        except redis.RedisError as exc:
            raise QueueUnavailable(f"cannot reach Redis for quotas: {described(exc)}") from exc
        return None


class LocalQuota:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._used: dict[tuple[str, int], int] = {}

    def take(self, key_id: str, amount: int, limit: int) -> float | None:
        window, remaining = _window()
        with self._lock:
            self._used = {k: v for k, v in self._used.items() if k[1] >= window}
            used = self._used.get((key_id, window), 0) + amount
            if used > limit:
                return remaining
            self._used[(key_id, window)] = used
        return None
