"""A Redis server of a test's own, so the test may restart it: with its append-only file on
(what it held comes back), or keeping nothing on disk (a restart empties it)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis

from tests.support.seaweed import free_port


class RedisServer:
    def __init__(self, data_dir: Path, *, persistent: bool = True, options: tuple[str, ...] = (),
                 password: str | None = None) -> None:
        self.data_dir = data_dir
        self.persistent = persistent
        #: More ``redis-server`` arguments, e.g. ``("--rename-command", "INFO", "")``.
        self.options = options
        #: ``requirepass`` from its start (``url`` gives none: :attr:`url_with_password` does).
        self.password = password
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.data_dir),
             "--appendonly", "yes" if self.persistent else "no", "--appendfsync", "always", "--save", "",
             *(("--requirepass", self.password) if self.password else ()), *self.options],
            stdout=(self.data_dir / "redis.log").open("ab"), stderr=subprocess.STDOUT,
        )
        client = redis.Redis.from_url(self.url_with_password)
        for _ in range(100):
            try:
                if client.ping():
                    return self
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    @property
    def url_with_password(self) -> str:
        return self.url.replace("redis://", f"redis://:{self.password}@") if self.password else self.url

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis flushes the append-only file and exits
            self.process.wait(timeout=30)

    def restart(self) -> None:
        self.stop()
        self.start()
