"""WARC files in and out: export, import."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer
from rich.text import Text

from archivist.cli._common import emit, err, fail, written_whole
from archivist.cli._interrupt import stop_on_signals
from archivist.cli._workers import queued_runtime
from archivist.core.errors import ArchivistError, InvalidInput
from archivist.core.memento import parse_timestamp
from archivist.core.tempspace import spool_refused
from archivist.settings import get_settings

if TYPE_CHECKING:
    from archivist.warcfiles import ExportReport

app = typer.Typer()


class _Unfinished(Exception):
    """An export stopped before the end: its file must not take the final name."""

    def __init__(self, report: ExportReport) -> None:
        super().__init__("export stopped")
        self.report = report


@app.command()
def export(
    warc: Annotated[Path, typer.Option("--warc", help="The .warc.gz file to write (- for stdout).")],
    url: Annotated[str | None, typer.Option(help="Only captures of this URL.")] = None,
    host: Annotated[str | None, typer.Option(help="Only captures on this host.")] = None,
    since: Annotated[str | None, typer.Option(help="Only captures since: a duration (7d) or a timestamp (2024).")] = None,
    extractions: Annotated[bool, typer.Option(
        "--extractions", help="After each capture, what was extracted from it: its text (urn:text:URL) and "
                              "its record as JSON (urn:record:URL).")] = False,
) -> None:
    """Write the archive (or a part of it) as a standard WARC 1.1 file, in constant memory.

    The file is written as NAME.partial and renamed when it is whole. Ctrl-C (or SIGTERM)
    stops it within seconds, exit status 130 (143), and removes the partial file. A snapshot
    whose object is gone or damaged in storage is left out with a line saying so, exit status 1.
    """
    from archivist.runtime import Runtime
    from archivist.warcfiles import export_warc

    if url is not None and host is not None:
        raise typer.BadParameter("give --url or --host, not both")
    runtime = Runtime(get_settings())
    try:
        with stop_on_signals() as stop:
            moment = _since(since) if since else None
            if str(warc) == "-":
                report = export_warc(runtime, sys.stdout.buffer, filename="archivist.warc.gz", url=url, host=host,
                                     since=moment, stop=stop.event, extractions=extractions)
            else:
                try:
                    with written_whole(warc) as out:
                        report = export_warc(runtime, out, filename=warc.name, url=url, host=host, since=moment,
                                             stop=stop.event, extractions=extractions)
                        if report.stopped:
                            raise _Unfinished(report)  # the partial file goes, the final name is never made
                except _Unfinished as unfinished:
                    report = unfinished.report
    except ArchivistError as exc:
        raise fail(exc) from exc
    finally:
        runtime.close()
    for skipped in report.skipped:
        err.print(Text.assemble(("skipped", "yellow"), f" ({skipped.reason}): {skipped.message}"), soft_wrap=True)
    if report.stopped:
        sys.stdout.flush()
        done = (f"wrote {report.snapshots} snapshots, {report.bytes} bytes to stdout (whole records, not all the "
                "selection)") if str(warc) == "-" else f"{warc} was not written (the partial file is removed)"
        err.print(f"interrupted: {done}; run the same command again for all of it", soft_wrap=True, markup=False)
        raise typer.Exit(code=stop.exit_code)
    exported = f"exported {report.snapshots} snapshots" + (
        f" and {report.extractions} extractions" if extractions else "") + f", {report.bytes} bytes"
    if report.skipped:
        err.print(f"{exported}; {len(report.skipped)} skipped (gone or damaged in storage, each named above)",
                  soft_wrap=True)
        raise typer.Exit(code=1)
    err.print(exported)


@app.command(name="import")
def import_(
    files: Annotated[list[Path], typer.Argument(help=".warc or .warc.gz files.", exists=True, dir_okay=False)],
) -> None:
    """Import WARCs from other tools: each 2xx HTML response becomes a capture, then is extracted.

    A file that is truncated or not a WARC imports nothing (exit code 2). Prints a JSON report per file.
    Ctrl-C (or SIGTERM) stops it between two records, exit status 130 (143); importing the same
    files again completes them (what was imported is skipped, an extraction left undone is queued).
    """
    from archivist.warcfiles import import_warc

    broken = False
    imported = 0
    try:
        with stop_on_signals() as stop, queued_runtime() as queued:
            for path in files:
                if stop.event.is_set():
                    break
                try:
                    with _read_twice(path) as stream:
                        report = import_warc(queued.runtime, stream, stop=stop.event)
                except InvalidInput as exc:
                    err.print(Text.assemble(("error", "red"), f" ({exc.reason}) {path}: {exc.message}; nothing imported"))
                    broken = True
                    continue
                imported += len(report.captures)
                if queued.drain is not None:
                    report.stopped |= not queued.drain(stop.event)
                emit({"file": str(path), **report.as_dict()}, True)
            if stop.event.is_set():
                sys.stdout.flush()
                extraction = "" if queued.drain is None else ", some may not be extracted yet"
                err.print(f"interrupted: {imported} records imported{extraction}; run the same command again to "
                          "complete the import (what is imported is skipped)", soft_wrap=True)
                raise typer.Exit(code=stop.exit_code)
    except ArchivistError as exc:
        raise fail(exc) from exc
    if broken:
        raise typer.Exit(code=2)


@contextmanager
def _read_twice(path: Path) -> Iterator[BinaryIO]:
    """``path`` open for reading from the start again, as the import reads a file (it verifies
    the whole file first). A pipe (``/dev/stdin``, ``<(zcat ...)``, a named pipe) cannot go back,
    so it is copied to a temporary file first; seeking it was an "Illegal seek" traceback.

    Raises:
        TempSpaceUnavailable: the temporary file could not be written.
    """
    with path.open("rb") as stream:
        if stream.seekable():
            yield stream
            return
        with tempfile.TemporaryFile() as copy:
            try:
                shutil.copyfileobj(stream, copy)
            except OSError as exc:
                raise spool_refused(exc, f"the WARC read from {path}") from exc
            copy.seek(0)
            yield copy


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
