"""WARC files in and out: export, import."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from archivist.cli._common import emit, err, fail, written_whole
from archivist.cli._workers import queued_runtime
from archivist.core.errors import ArchivistError, InvalidInput
from archivist.core.memento import parse_timestamp
from archivist.settings import get_settings

app = typer.Typer()


@app.command()
def export(
    warc: Annotated[Path, typer.Option("--warc", help="The .warc.gz file to write (- for stdout).")],
    url: Annotated[str | None, typer.Option(help="Only captures of this URL.")] = None,
    host: Annotated[str | None, typer.Option(help="Only captures on this host.")] = None,
    since: Annotated[str | None, typer.Option(help="Only captures since: a duration (7d) or a timestamp (2024).")] = None,
) -> None:
    """Write the archive (or a part of it) as a standard WARC 1.1 file, in constant memory."""
    from archivist.runtime import Runtime
    from archivist.warcfiles import export_warc

    if url is not None and host is not None:
        raise typer.BadParameter("give --url or --host, not both")
    runtime = Runtime(get_settings())
    try:
        moment = _since(since) if since else None
        if str(warc) == "-":
            report = export_warc(runtime, sys.stdout.buffer, filename="archivist.warc.gz", url=url, host=host,
                                 since=moment)
        else:
            with written_whole(warc) as out:
                report = export_warc(runtime, out, filename=warc.name, url=url, host=host, since=moment)
    except ArchivistError as exc:
        raise fail(exc) from exc
    finally:
        runtime.close()
    err.print(f"exported {report.snapshots} snapshots, {report.bytes} bytes")


@app.command(name="import")
def import_(
    files: Annotated[list[Path], typer.Argument(help=".warc or .warc.gz files.", exists=True, dir_okay=False)],
) -> None:
    """Import WARCs from other tools: each 2xx HTML response becomes a capture, then is extracted.

    A file that is truncated or not a WARC imports nothing (exit code 2). Prints a JSON report per file.
    """
    from archivist.warcfiles import import_warc

    broken = False
    try:
        with queued_runtime() as queued:
            for path in files:
                try:
                    with path.open("rb") as stream:
                        report = import_warc(queued.runtime, stream)
                except InvalidInput as exc:
                    err.print(f"[red]error[/red] ({exc.reason}) {path}: {exc.message}; nothing imported")
                    broken = True
                    continue
                if queued.drain is not None:
                    queued.drain()
                emit({"file": str(path), **report.as_dict()}, True)
    except ArchivistError as exc:
        raise fail(exc) from exc
    if broken:
        raise typer.Exit(code=2)


def _since(text: str):  # noqa: ANN202 - a datetime
    """``7d`` (a duration back from now) or ``2024`` (a 1 to 14 digit timestamp)."""
    from datetime import UTC, datetime

    from archivist.core.durations import parse_duration

    if text.isdigit():
        return parse_timestamp(text)
    try:
        return datetime.now(UTC) - parse_duration(text)
    except ValueError as exc:
        raise InvalidInput(f"--since {text!r}: give a duration (7d) or a timestamp (20240101)") from exc
