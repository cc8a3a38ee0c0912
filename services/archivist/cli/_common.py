"""Helpers shared by the command modules."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer
from rich.console import Console
from rich.text import Text

from archivist.core.errors import ArchivistError, OutputUnwritable

if TYPE_CHECKING:
    from archivist.runtime import Runtime

__all__ = ["UrlFile", "emit", "err", "fail", "iter_urls", "no_urls", "prepared_runtime", "read_urls", "report",
           "written_whole"]

err = Console(stderr=True)


def _readable_file(path: Path | None) -> Path | None:
    """``path`` if it opens for reading (or is ``-``, stdin): a file that is missing, a folder or
    unreadable is a usage error naming it (exit code 2), before the command runs, not a traceback
    from reading it. Typer's own ``exists=True`` refuses ``-`` even with ``allow_dash`` (0.29)."""
    if path is None or str(path) == "-":
        return path
    try:
        path.open("rb").close()
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {str(path)!r}: {exc.strerror or exc}") from exc
    return path


#: ``--file`` of URLs, checked by :func:`_readable_file`.
UrlFile = Annotated[Path | None, typer.Option(
    "--file", "-f", help="A file of URLs, one a line (- for stdin).", callback=_readable_file,
)]


def emit(obj: dict[str, Any], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    else:
        Console().print_json(data=obj)


def report(exc: ArchivistError, *, soft_wrap: bool = False) -> None:
    """Say ``exc`` on stderr; the message is text (a URL or a path may hold "[/x]"), never markup,
    and one line: a driver's message may hold line breaks (psycopg's has three)."""
    message = " ".join(line.strip() for line in exc.message.splitlines())
    err.print(Text.assemble(("error", "red"), f" ({exc.reason}): {message}"), soft_wrap=soft_wrap)


@contextmanager
def prepared_runtime() -> Iterator[Runtime]:
    """The runtime of a short command, prepared, and closed whatever happens: a failure to
    prepare it (a server down) is the command's one-line error and exit code 2, as any other."""
    from archivist.runtime import Runtime
    from archivist.settings import get_settings

    runtime = Runtime(get_settings())
    try:
        runtime.prepare()
        yield runtime
    except ArchivistError as exc:
        raise fail(exc) from exc
    finally:
        runtime.close()


def fail(exc: ArchivistError) -> typer.Exit:
    """:func:`report` ``exc``, and the exit that ends the command with code 2."""
    report(exc)
    return typer.Exit(code=2)


@contextmanager
def written_whole(path: Path) -> Iterator[BinaryIO]:
    """The file at ``path``, as a command's output: whole or not at all.

    Written beside it under a ``.partial`` name and renamed over it once complete, and removed
    on any failure: half a WARC is no WARC, and a file already at ``path`` stays as it was. A
    path that is a stream (a named pipe, ``/dev/stdout``, ``>(gzip)``, a device) is written
    into instead, as a shell's ``>`` would: renaming over it would replace the pipe or device
    node itself with a file, and its reader would get nothing. A write the disk refuses (full,
    a quota, a file size limit) ends the command with one line naming the file and the cause
    (exit code 2), not a traceback; a folder that does not exist is named as the cause, not the file.
    """
    stream = path.exists() and not path.is_file()
    partial = path if stream else path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as out:
            yield out
        if not stream:
            partial.replace(path)
    except BaseException as exc:
        if not stream:
            partial.unlink(missing_ok=True)
        if isinstance(exc, FileNotFoundError) and not path.parent.is_dir():
            raise fail(OutputUnwritable(f"cannot write {str(path)!r}: no folder {str(path.parent)!r}")) from exc
        if isinstance(exc, OSError):
            raise fail(OutputUnwritable(f"cannot write {str(path)!r}: {exc.strerror or exc}")) from exc
        raise


def iter_urls(urls: list[str] | None, file: Path | None) -> Iterator[str]:
    """The URLs given, then the file's lines (blank ones and ``#`` comments skipped), as read.

    Lazy, so a caller that works in chunks never holds the whole file. Bytes that are not UTF-8
    are kept as surrogate escapes, as Python does for command-line arguments: a line in another
    encoding is one URL to refuse or percent-encode, not a crash that loses the whole file.
    """
    yield from urls or []
    if file is not None:
        source = open(
            sys.stdin.fileno() if str(file) == "-" else file, encoding="utf-8", errors="surrogateescape",
            closefd=str(file) != "-",
        )
        with source:
            yield from (line.strip() for line in source if line.strip() and not line.startswith("#"))


def no_urls(file: Path | None) -> typer.BadParameter:
    """Nothing to work on: no URL given, and the ``--file`` (if one was) holds none either."""
    if file is None:
        return typer.BadParameter("give at least one URL, or --file")
    source = "stdin" if str(file) == "-" else repr(str(file))
    return typer.BadParameter(f"{source} holds no URL (blank lines and # comments are skipped); give at least one")


def read_urls(urls: list[str] | None, file: Path | None) -> list[str]:
    collected = list(iter_urls(urls, file))
    if not collected:
        raise no_urls(file)
    return collected
