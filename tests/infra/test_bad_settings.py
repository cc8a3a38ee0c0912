"""An ``ARCHIVIST_*`` variable its setting cannot take stops every command with one clear line
(exit code 2) naming the variable, as an operator running ``docker compose up`` needs to see in
``docker compose logs``: never a traceback, never the value (it may hold a password)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.processes import archivist_env


@pytest.mark.parametrize(("variable", "value", "command"), [
    ("ARCHIVIST_WORKER_METRICS_PORT", "nine-one", ["dlq", "list"]),
    ("ARCHIVIST_DATABASE_URL", "mysql://archivist:s3cret-pw@db/archivist", ["db", "upgrade"]),
    ("ARCHIVIST_DATABASE_URL", "archivist:s3cret-pw@db/archivist", ["keys", "list"]),
    ("ARCHIVIST_REDIS_URL", "localhost:6379", ["dlq", "list"]),
])
def test_a_bad_setting_is_one_clear_error(tmp_path, variable: str, value: str, command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "archivist", *command],
        env=archivist_env({"ARCHIVIST_HOME": str(tmp_path / "home"), "ARCHIVIST_REDIS_URL": "redis://127.0.0.1:1/0",
                           variable: value}),
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "invalid_settings" in done.stderr and variable in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "s3cret-pw" not in done.stderr, done.stderr


@pytest.mark.parametrize("command", [["archive", "http://example.org/"], ["history", "http://example.org/"]])
def test_an_archivist_home_that_cannot_be_a_folder_is_one_clear_error(tmp_path, command: list[str]) -> None:
    """ARCHIVIST_HOME naming a file (or a folder under one): one line naming the setting, not
    a FileExistsError traceback from deep in the catalog's set-up."""
    (tmp_path / "a-file").write_text("not a folder")
    for home in (tmp_path / "a-file", tmp_path / "a-file" / "home"):
        done = subprocess.run([sys.executable, "-m", "archivist", *command],
                              env=archivist_env({"ARCHIVIST_HOME": str(home)}), capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr, done.stderr
        assert "invalid_settings" in done.stderr and "ARCHIVIST_HOME" in done.stderr, done.stderr


def _unwritable_folder(tmp_path) -> str:  # noqa: ANN001 - pytest's tmp_path
    """A folder this user cannot write: a read-only one of ours, or (as root, who may write any
    folder of ours) one of the kernel's."""
    import os

    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    if not os.access(folder, os.W_OK):
        return str(folder)
    if not os.access("/proc/sys", os.W_OK):
        return "/proc/sys"
    pytest.skip("no folder this user cannot write")


def test_an_archivist_home_that_cannot_be_written_is_one_clear_error(tmp_path) -> None:
    """Not "cannot migrate the catalog: unable to open database file", which names neither the
    file nor the setting to change."""
    home = _unwritable_folder(tmp_path)
    done = subprocess.run([sys.executable, "-m", "archivist", "archive", "http://example.org/"],
                          env=archivist_env({"ARCHIVIST_HOME": home, "COLUMNS": "1000"}), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    message = " ".join(done.stderr.split())
    assert "invalid_settings" in message and "ARCHIVIST_HOME" in message and home in message, message


def test_an_object_folder_that_cannot_be_written_stops_archive_at_once(tmp_path) -> None:
    """The local object store is checked at start-up, as the S3 bucket is: before, each capture
    was fetched, failed to store, and was retried with backoff (half a minute) to end failed."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "objects").write_text("in the way")
    done = subprocess.run([sys.executable, "-m", "archivist", "archive", "http://127.0.0.1:9/"],
                          env=archivist_env({"ARCHIVIST_HOME": str(home), "ARCHIVIST_ALLOW_PRIVATE_NETWORKS": "1",
                                             "COLUMNS": "1000"}),  # paths unwrapped
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    message = " ".join(done.stderr.split())
    assert "storage_misconfigured" in message and str(home / "objects") in message, message
    assert "Traceback" not in message
