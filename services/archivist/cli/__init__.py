"""The ``archivist`` command line. Commands parse, call the application, and print.

Each module holds one group of commands on its own ``typer.Typer``; this one merges them.
"""

from __future__ import annotations

import sys

import typer

from archivist.cli import archive_io, capture, keys, operations, read, run, schedule, versions
from archivist.cli._common import fail
from archivist.core.errors import ArchivistError

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Capture, extract, version and replay web pages.")
for group in (capture.app, read.app, versions.app, archive_io.app, schedule.app, run.app, operations.app):
    app.registered_commands.extend(group.registered_commands)
app.add_typer(run.db_app, name="db")
app.add_typer(schedule.schedule_app, name="schedule")
app.add_typer(operations.dlq_app, name="dlq")
app.add_typer(keys.keys_app, name="keys")


def main() -> None:
    """Run the command; an error it raised before it could handle any (such as a bad
    ``ARCHIVIST_*`` setting) is one line and exit code 2, like those it handles."""
    try:
        app()
    except ArchivistError as exc:
        sys.exit(fail(exc).exit_code)
