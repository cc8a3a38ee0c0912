"""Run ``archivist`` commands as real subprocesses (API server, Dramatiq workers)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.pages import wait_for
from tests.support.seaweed import free_port


def archivist_env(env: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVIST_") or k.startswith("ARCHIVIST_TEST_")}
    return {**base, **env}


class Service:
    """A long-running ``archivist ...`` subprocess in its own process group."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args = args
        self.env = archivist_env(env)
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> Service:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "archivist", *self.args], env=self.env,
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        return self

    def signal(self, sig: int, *, group: bool = True) -> None:
        """Signal the process group (as a crash would hit all of it), or only the main process
        (as ``docker stop`` or a process manager does)."""
        if self.process is not None and self.process.poll() is None:
            if group:
                os.killpg(self.process.pid, sig)
            else:
                self.process.send_signal(sig)

    def stop(self, timeout: float = 20) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class ApiServer(Service):
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        super().__init__(["serve", "--host", "127.0.0.1", "--port", str(self.port)], env, log)

    def start(self) -> ApiServer:
        super().start()

        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"API exited: {self.output()[-3000:]}")
            try:
                return httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(ready, timeout=60, what="the API to answer")
        return self

    def submit(self, url: str) -> str:
        """Queue ``url``; its capture's id."""
        answer = httpx.post(f"{self.base_url}/v1/captures", json={"urls": [url]}, timeout=10)
        assert answer.status_code == 202, answer.text
        return answer.json()["captures"][0]["id"]

    def status(self, capture_id: str) -> dict:
        return httpx.get(f"{self.base_url}/v1/captures/{capture_id}", timeout=10).json()

    def finished(self, capture_id: str) -> dict | None:
        """The capture once it is archived or failed, else None (for :func:`wait_for`)."""
        body = self.status(capture_id)
        return body if body["status"] in ("archived", "failed") else None
