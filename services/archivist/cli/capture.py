"""Capturing: archive (in-process), submit (to the workers), demo, extract (local files)."""

from __future__ import annotations

import codecs
import gzip
import json
import os
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from archivist import pipeline, views
from archivist.cli._common import UrlFile, emit, err, fail, iter_urls, no_urls, read_urls, report
from archivist.cli._interrupt import Stopped, stop_on_signals
from archivist.core.captures import CaptureStatus
from archivist.core.errors import ArchivistError, Interrupted, InvalidInput, InvalidURL
from archivist.core.http import binary_kind
from archivist.core.urls import canonicalize
from archivist.settings import get_settings

if TYPE_CHECKING:
    from archivist.runtime import Runtime

app = typer.Typer()


class ArchiveInterrupted(Exception):
    """A stop signal ended ``archive_urls`` early; ``exit_code`` is the shell's for it (130, 143)."""

    def __init__(self, exit_code: int) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


def archive_urls(urls: list[str], *, as_json: bool, threads: int = 4) -> int:
    """Capture and extract URLs with in-process workers; print each result. Returns failures.

    Raises:
        ArchiveInterrupted: Ctrl-C or SIGTERM came first. The workers take no more messages and
            get a moment to finish the ones in hand; a capture still being fetched then ends
            failed ``interrupted`` (its thread dies with the process), the unreached ones stay
            ``queued``. Every URL's line is printed all the same, then one line that says how
            many are done: running the same command again resumes the rest (``resume`` of
            :func:`pipeline.submit`). A second signal exits at once.
    """
    from archivist_workers.embedded import STOP_GRACE_SECONDS, EmbeddedWorkers

    settings = get_settings()
    failures = 0
    with stop_on_signals() as stop, EmbeddedWorkers(settings, threads=threads) as workers:
        submissions = pipeline.submit(workers.runtime, urls, resume=True)
        with Progress(
            TextColumn("archiving"), BarColumn(), MofNCompleteColumn(), console=err, transient=True,
            disable=len(submissions) < 2,
        ) as progress:
            task = progress.add_task("archive", total=len(submissions))
            if workers.drain(stop.event):
                progress.update(task, completed=len(submissions))
        if stop.event.is_set():
            workers.stop(grace=STOP_GRACE_SECONDS)
            _end_abandoned(workers.runtime, submissions)
        done = 0
        for submission in submissions:
            capture = views.get_capture(workers.runtime, submission.id)
            if capture["status"] == "archived":
                record = views.get_record(workers.runtime, capture["url"])
                record.pop("versions", None)
                emit({"capture_id": submission.id, "status": "archived", **record}, as_json)
                done += 1
            else:
                failures += 1
                done += capture["status"] == "failed" and capture["reason"] != Interrupted.reason
                emit(
                    {"capture_id": submission.id, "url": capture["url"], "status": capture["status"],
                     "reason": capture["reason"], "message": capture["message"]},
                    as_json,
                )
        if stop.event.is_set():
            sys.stdout.flush()
            err.print(f"interrupted: {done} of {len(submissions)} URLs done; run the same command again to "
                      f"resume the other {len(submissions) - done}", soft_wrap=True)
            raise ArchiveInterrupted(stop.exit_code)
    return failures


def _end_abandoned(runtime: Runtime, submissions: list[pipeline.Submission]) -> None:
    """End failed ``interrupted`` the captures the stopped workers were still fetching or
    extracting: their threads go with the process, and nothing else would take them up before
    their lease ran out. The move is conditional, so a thread that archived its capture
    meanwhile keeps it archived, and one that archives after finds it ended and drops its objects."""
    stopped = Interrupted("archivist was stopped while this URL was being archived; run the same command again")
    with runtime.database.session() as session:
        working = [submission.id for submission in submissions
                   if (capture := runtime.catalog.get_capture(session, submission.id)) is not None
                   and capture.status in (CaptureStatus.FETCHING.value, CaptureStatus.EXTRACTING.value)]
    for capture_id in working:
        pipeline.fail_capture(runtime, capture_id, stopped)


@app.command()
def archive(
    urls: Annotated[list[str] | None, typer.Argument(help="URLs to archive.")] = None,
    file: UrlFile = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    threads: Annotated[int, typer.Option(min=1, max=64)] = 4,
) -> None:
    """Fetch, archive and extract URLs now, in this process, and print each record.

    Ctrl-C (or SIGTERM) stops it within seconds, exit status 130 (143); running the same
    command again resumes what was left. A second Ctrl-C exits at once.
    """
    try:
        failures = archive_urls(read_urls(urls, file), as_json=as_json, threads=threads)
    except ArchivistError as exc:
        raise fail(exc) from exc
    except ArchiveInterrupted as exc:
        raise typer.Exit(code=exc.exit_code) from exc
    raise typer.Exit(code=1 if failures else 0)


#: URLs per ``pipeline.submit`` call of ``archivist submit``: the process holds one chunk's
#: URLs and results, not the whole file's, and the per-call costs (a transaction, a few enqueue
#: round trips) are spread over enough URLs to vanish.
SUBMIT_CHUNK = 5_000


def chunked(items: Iterable[str], size: int) -> Iterator[list[str]]:
    """``items`` in lists of ``size`` (the last one shorter), read as they are needed."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@app.command()
def submit(
    urls: Annotated[list[str] | None, typer.Argument(help="URLs to queue.")] = None,
    file: UrlFile = None,
    if_not_archived_within: Annotated[str | None, typer.Option(help="e.g. 1d: skip URLs archived this recently.")] = None,
    chunk: Annotated[int, typer.Option(min=1, help="URLs per transaction; an error stops at a chunk boundary.")] = SUBMIT_CHUNK,
) -> None:
    """Queue URLs for the workers (needs ARCHIVIST_REDIS_URL). Prints one JSON line per URL.

    The URLs go in chunks of --chunk, each recorded and queued in a transaction of its own,
    and each chunk's lines are printed once it is queued. An error stops at a chunk boundary:
    the chunks before it stay queued, the failing chunk and the rest are not queued. With
    --if-not-archived-within, a URL repeated in a later chunk returns the capture queued for it
    by the earlier one.
    """
    from archivist.core.durations import parse_duration
    from archivist.runtime import Runtime
    from archivist_workers.queue import redis_task_queue

    settings = get_settings()
    if not settings.redis_url:
        err.print("[red]error[/red]: submit queues work for workers on Redis; set ARCHIVIST_REDIS_URL "
                  "(or use `archivist archive` to archive in this process)")
        raise typer.Exit(code=2)
    try:
        window = parse_duration(if_not_archived_within) if if_not_archived_within else None
    except ArchivistError as exc:
        raise fail(exc) from exc
    runtime = Runtime(settings, queue=redis_task_queue(settings))
    submitted = 0
    try:
        with stop_on_signals(raise_outside_steps=True) as stop:
            try:
                runtime.prepare()
                for urls_chunk in chunked(iter_urls(urls, file), chunk):
                    with stop.step():
                        submissions = pipeline.submit(runtime, urls_chunk, if_not_archived_within=window)
                        sys.stdout.write("".join(
                            json.dumps({"id": item.id, "url": item.url, "status": item.status,
                                        "reason": item.reason, "existing": item.existing}) + "\n"
                            for item in submissions
                        ))
                        sys.stdout.flush()
                        submitted += len(urls_chunk)
                    if stop.event.is_set():
                        raise Stopped
                if not submitted:
                    raise no_urls(file)
            except Stopped:
                err.print(f"interrupted: the first {submitted} URLs were submitted (their lines are above); "
                          "the rest of the input was not read: submit the lines after them to go on", soft_wrap=True)
                raise typer.Exit(code=stop.exit_code) from None
    except ArchivistError as exc:
        failure = fail(exc)
        if submitted:
            err.print(f"stopped at a chunk boundary: the first {submitted} URLs were submitted (their lines are "
                      "above); the chunk that failed and the URLs after it were not queued")
        raise failure from exc
    finally:
        runtime.close()


def _page_url(url: str | None) -> str | None:
    """``url`` as given, if it is one a page can be archived at: it becomes the record's URL
    and resolves the page's links, so one the archive would refuse is a usage error (exit 2)."""
    if url is not None:
        try:
            canonicalize(url)
        except InvalidURL as exc:
            raise typer.BadParameter(f"{url!r}: {exc.message}") from exc
    return url


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help=".html or .html.gz files.", exists=True, dir_okay=False)],
    url: Annotated[str | None, typer.Option(help="The URL the page was served at.", callback=_page_url)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Extract records from local HTML files (no fetching, no storage).

    A file that is not HTML is reported on stderr and skipped; the command then exits with 2.
    """
    from archivist.extraction import SourcePage
    from archivist.extraction import extract as run_extraction

    refused = 0
    for path in files:
        try:
            body = _read_page_file(path)
        except InvalidInput as exc:
            report(exc, soft_wrap=True)
            refused += 1
            continue
        page_url = url or path.resolve().as_uri()
        result = run_extraction([SourcePage(url=page_url, body=body)])
        emit({"source": str(path), **result.as_dict()}, as_json)
    if refused:
        raise typer.Exit(code=2)


#: How far into a file its HTML markup must start (a page's first tag is near its start).
_MARKUP_WINDOW = 64 * 1024
_MARKUP = re.compile(r"<(?:!doctype|!--|[a-z][a-z0-9:-]*[\s/>])", re.IGNORECASE)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_GZIP_MAGIC = b"\x1f\x8b"


def _read_page_file(path: Path) -> bytes:
    """The HTML in a local file, gunzipped when it is gzip-compressed (whatever its name).

    Raises:
        InvalidInput: the file is empty, not valid gzip although named ``.gz``, or not HTML
            (a PDF, an image, other binary data, or text without any markup), so that the
            user is told which file is wrong and why, instead of getting garbage text.
    """
    raw = path.read_bytes()
    if raw.startswith(_GZIP_MAGIC) or path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise InvalidInput(f"{path}: not a valid gzip file ({exc})", reason="bad_gzip") from exc
    if not raw.strip():
        raise InvalidInput(f"{path}: the file is empty", reason="empty_file")
    head = raw[:_MARKUP_WINDOW]
    kind = binary_kind(head)
    if kind is not None:
        raise InvalidInput(f"{path}: not HTML but {kind}", reason="not_html")
    text = head.decode("utf-16" if head.startswith(_UTF16_BOMS) else "latin-1", errors="replace")
    if not _MARKUP.search(text):
        raise InvalidInput(f"{path}: not HTML: no HTML markup in its first {_MARKUP_WINDOW // 1024} KiB",
                           reason="not_html")
    return raw


@app.command()
def demo(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    pages: Annotated[Path | None, typer.Option(
        help="Serve this folder instead of the bundled sample site: its story-1.html, story-2.html... are "
             "served as story.php?id=7&page=N, and archiving starts at page 3.")] = None,
) -> None:
    """Serve the bundled sample article on a loopback port and archive it, in this process."""
    from archivist.demo import serve_sample_site

    os.environ.setdefault("ARCHIVIST_ALLOW_PRIVATE_NETWORKS", "1")
    get_settings.cache_clear()
    with serve_sample_site(pages) as site:
        err.print(f"serving the sample site at {site.base_url}; archiving {site.start_url}")
        try:
            failures = archive_urls([site.start_url], as_json=as_json)
        except ArchiveInterrupted as exc:
            raise typer.Exit(code=exc.exit_code) from exc
    raise typer.Exit(code=1 if failures else 0)
