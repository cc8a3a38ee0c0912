"""Versions and replay: diff, replay, reextract."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from archivist import replay as replaying
from archivist import views
from archivist.cli._common import emit, err, fail, written_whole
from archivist.cli._interrupt import stop_on_signals
from archivist.cli._workers import queued_runtime
from archivist.core.errors import ArchivistError
from archivist.core.memento import parse_timestamp
from archivist.settings import get_settings

app = typer.Typer()


@app.command()
def diff(
    url: Annotated[str, typer.Argument(help="A captured URL.")],
    from_version: Annotated[int | None, typer.Option("--from", min=1, help="Default: the version before --to.")] = None,
    to_version: Annotated[int | None, typer.Option("--to", min=1, help="Default: the latest version.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """What changed between two versions of a record: body, comments, metadata."""
    from archivist.runtime import Runtime

    runtime = Runtime(get_settings())
    try:
        result = views.record_diff(runtime, url, from_version=from_version, to_version=to_version)
    except ArchivistError as exc:
        raise fail(exc) from exc
    finally:
        runtime.close()
    if as_json:
        emit(result, True)
        return
    # Text, not markup: the content is the page's, and "[/b]" or ":smile:" in it is text to show.
    # Soft wrap: a long line stays one line (the terminal folds it), not cut at 80 columns.
    out = Console(highlight=False, soft_wrap=True)
    out.print(Text.assemble((result["url"], "bold"), f": version {result['from']} → {result['to']}"))
    if not result["changed"]:
        out.print("no changes")
    for name, change in result["metadata"].items():
        out.print(Text.assemble((name, "yellow"), f": {change['from']!r} → {change['to']!r}"))
    for line in result["body"].splitlines():
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else "cyan" if line.startswith("@@") else ""
        out.print(Text(line, style=style))
    for label, key, style in (("comment added", "added", "green"), ("comment removed", "removed", "red")):
        for comment in result["comments"][key]:
            out.print(Text.assemble((label, style), f" ({_byline(comment)}): {comment['text']}"))


def _byline(comment: dict) -> str:
    """Who wrote a comment, when, and whom it answers, as the diff names it (the web page too):
    without them a reply moved under another comment, removed and added with the same words,
    read as no change, and so did a comment posted again on another day."""
    parts = [comment.get("author") or "anonymous"]
    if comment.get("published"):
        parts.append(comment["published"])
    if comment.get("in_reply_to"):
        parts.append(f"in reply to {comment['in_reply_to'].get('author') or 'anonymous'}")
    return ", ".join(parts)


@app.command()
def replay(
    url: Annotated[str, typer.Argument(help="An archived URL.")],
    at: Annotated[str | None, typer.Option(help="1 to 14 digit timestamp; the closest capture. Default: latest.")] = None,
    raw: Annotated[bool, typer.Option("--raw", help="The original bytes, not rewritten.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print or save an archived page. Rewritten links point at /web/ (as `archivist serve` replays)."""
    from archivist.runtime import Runtime

    runtime = Runtime(get_settings())
    try:
        found = replaying.resolve(runtime, url, at=parse_timestamp(at) if at else None)
        replayed = replaying.load(runtime, found)
    except ArchivistError as exc:
        raise fail(exc) from exc
    finally:
        runtime.close()
    stamp = replayed.timestamp
    body = replayed.body if raw else replaying.render(
        replayed, link=lambda target, mod: f"/web/{stamp}{mod}/{target}", timemap_uri=f"/timemap/link/{replayed.url}"
    )
    err.print(f"{replayed.url} captured {stamp} ({replayed.kind}, HTTP {replayed.status})", markup=False)
    if output is not None:
        with written_whole(output) as out:
            out.write(body)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()


@app.command()
def reextract(
    url: Annotated[str | None, typer.Option(help="Only the record of this URL.")] = None,
    host: Annotated[str | None, typer.Option(help="Only records on this host.")] = None,
    all_records: Annotated[bool, typer.Option("--all", help="Every record.")] = False,
) -> None:
    """Run stored snapshots through the current extractor; records gain versions only on change.

    Nothing is re-fetched. With Redis configured the work is queued for `archivist worker`;
    otherwise it runs here, with a progress bar. Ctrl-C (or SIGTERM) stops it within seconds,
    exit status 130 (143); running it again is safe (an unchanged record gains no version).
    """
    if [url is not None, host is not None, all_records].count(True) != 1:
        raise typer.BadParameter("give exactly one of --url, --host or --all")
    from archivist import pipeline

    try:
        with stop_on_signals() as stop, queued_runtime() as queued:
            targets = pipeline.reextract_targets(queued.runtime, url=url, host=host, stop=stop.event)
            versions_before = _count_versions(queued.runtime)
            err.print(f"re-extracting {len(targets)} records", soft_wrap=True)
            sent = 0
            with Progress(TextColumn("re-extracting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=err, transient=True) as progress:
                task = progress.add_task("reextract", total=len(targets))
                while sent < len(targets) and not stop.event.is_set():
                    batch = targets[sent : sent + 1000]
                    queued.runtime.queue.enqueue_reextract(batch)
                    sent += len(batch)
                if queued.pending is not None:
                    while (left := queued.pending()) > 0 and not stop.event.wait(0.1):
                        progress.update(task, completed=sent - left)
                    queued.drain(stop.event)
                progress.update(task, completed=sent)
            summary: dict = {"records": len(targets), "queued": queued.drain is None}
            if queued.drain is not None:
                summary["new_versions"] = _count_versions(queued.runtime) - versions_before
            if stop.event.is_set():
                summary["stopped"] = True
            emit(summary, True)
            if stop.event.is_set():
                sys.stdout.flush()
                done = f"queued {sent} of {len(targets)} records" if queued.drain is None else (
                    f"{summary['new_versions']} new versions so far, of {len(targets)} records")
                err.print(f"interrupted: {done}; running the same command again is safe (an unchanged record "
                          "gains no version)", soft_wrap=True)
                raise typer.Exit(code=stop.exit_code)
    except ArchivistError as exc:
        raise fail(exc) from exc


def _count_versions(runtime) -> int:  # noqa: ANN001
    with runtime.database.session() as session:
        return runtime.catalog.count_versions(session)
