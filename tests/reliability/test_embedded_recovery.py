"""The embedded mode has no broker to redeliver: a process killed in the middle of a capture
leaves it live in the catalog, and `archivist reconcile` is how it ends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.pages import PageServer, slow_route, wait_for

ARTICLE = ("<html><head><title>Killed</title></head><body><article><h1>Killed</h1>"
           + "<p>A paragraph of an article long enough to be taken for one, and archived. " * 8
           + "</p></article></body></html>")


def _environment(home: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVIST_")}
    # A short fetch lease (2 x 2 s + 1 s), so that the killed fetch counts as abandoned in seconds.
    environment.update({"ARCHIVIST_HOME": str(home), "ARCHIVIST_ALLOW_PRIVATE_NETWORKS": "1",
                        "ARCHIVIST_HOST_MIN_INTERVAL": "0", "ARCHIVIST_TOTAL_TIMEOUT": "2",
                        "ARCHIVIST_HOST_MAX_WAIT": "1"})
    return environment


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archivist", *args], env=_environment(home),
                          capture_output=True, text=True, timeout=120)


def test_reconcile_ends_the_capture_of_an_archive_command_killed_mid_fetch(pages: PageServer, tmp_path: Path) -> None:
    """`archivist archive` SIGKILLed while it fetches: the capture stays ``fetching``; once its
    lease has run out, `archivist reconcile` (embedded: no Redis) fetches it again in its own
    process and it ends archived."""
    home = tmp_path / "home"
    url = pages.url("/slow")
    pages.routes["/slow"] = slow_route(1.5, ARTICLE)
    archiving = subprocess.Popen([sys.executable, "-m", "archivist", "archive", url], env=_environment(home),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: pages.hits.get("/slow"), timeout=60, what="the page to be requested")
    finally:
        os.killpg(archiving.pid, signal.SIGKILL)
        archiving.wait()
    pages.set("/slow", ARTICLE)  # answers at once now

    def status() -> str:
        (capture,) = json.loads(_cli("history", "--json", url, home=home).stdout)["captures"]
        return capture["status"]

    assert status() == "fetching"
    time.sleep(5.5)  # the lease runs out
    result = _cli("reconcile", home=home)
    assert result.returncode == 0, result.stderr
    assert "requeued 1 stale capture(s)" in result.stderr
    assert status() == "archived"
