"""The ``archivist`` command line. Commands parse, call the application, and print."""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from archivist import pipeline, views
from archivist.core.errors import ArchivistError
from archivist.settings import get_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Capture, extract, version and replay web pages.")
db_app = typer.Typer(no_args_is_help=True, help="Catalog database maintenance.")
app.add_typer(db_app, name="db")
err = Console(stderr=True)


def _emit(obj: dict[str, Any], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    else:
        Console().print_json(data=obj)


def _fail(exc: ArchivistError) -> typer.Exit:
    err.print(f"[red]error[/red] ({exc.reason}): {exc.message}")
    return typer.Exit(code=2)


def _read_urls(urls: list[str] | None, file: Path | None) -> list[str]:
    collected = list(urls or [])
    if file is not None:
        source = sys.stdin if str(file) == "-" else file.open(encoding="utf-8")
        with source:
            collected.extend(line.strip() for line in source if line.strip() and not line.startswith("#"))
    if not collected:
        raise typer.BadParameter("give at least one URL, or --file")
    return collected


def archive_urls(urls: list[str], *, as_json: bool, threads: int = 4) -> int:
    """Capture and extract URLs with in-process workers; print each result. Returns failures."""
    from archivist_workers.embedded import EmbeddedWorkers

    settings = get_settings()
    failures = 0
    with EmbeddedWorkers(settings, threads=threads) as workers:
        submissions = pipeline.submit(workers.runtime, urls)
        with Progress(
            TextColumn("archiving"), BarColumn(), MofNCompleteColumn(), console=err, transient=True,
            disable=len(submissions) < 2,
        ) as progress:
            task = progress.add_task("archive", total=len(submissions))
            workers.drain()
            progress.update(task, completed=len(submissions))
        for submission in submissions:
            capture = views.get_capture(workers.runtime, submission.id)
            if capture["status"] == "archived":
                record = views.get_record(workers.runtime, capture["url"])
                record.pop("versions", None)
                _emit({"capture_id": submission.id, "status": "archived", **record}, as_json)
            else:
                failures += 1
                _emit(
                    {"capture_id": submission.id, "url": capture["url"], "status": capture["status"],
                     "reason": capture["reason"], "message": capture["message"]},
                    as_json,
                )
    return failures


@app.command()
def archive(
    urls: Annotated[list[str] | None, typer.Argument(help="URLs to archive.")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="A file of URLs, one a line (- for stdin).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    threads: Annotated[int, typer.Option(min=1, max=64)] = 4,
) -> None:
    """Fetch, archive and extract URLs now, in this process, and print each record."""
    try:
        failures = archive_urls(_read_urls(urls, file), as_json=as_json, threads=threads)
    except ArchivistError as exc:
        raise _fail(exc) from exc
    raise typer.Exit(code=1 if failures else 0)


@app.command()
def submit(
    urls: Annotated[list[str] | None, typer.Argument(help="URLs to queue.")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="A file of URLs, one a line (- for stdin).")] = None,
    if_not_archived_within: Annotated[str | None, typer.Option(help="e.g. 1d: skip URLs archived this recently.")] = None,
) -> None:
    """Queue URLs for the workers (needs ARCHIVIST_REDIS_URL). Prints one JSON line per URL."""
    from dramatiq.brokers.redis import RedisBroker

    from archivist.api.schemas import parse_duration
    from archivist.runtime import Runtime
    from archivist_workers.queue import DramatiqTaskQueue

    settings = get_settings()
    if not settings.redis_url:
        err.print("[red]error[/red]: submit queues work for workers on Redis; set ARCHIVIST_REDIS_URL "
                  "(or use `archivist archive` to archive in this process)")
        raise typer.Exit(code=2)
    window = parse_duration(if_not_archived_within) if if_not_archived_within else None
    runtime = Runtime(settings, queue=DramatiqTaskQueue(RedisBroker(url=settings.redis_url)))
    try:
        runtime.prepare()
        for item in pipeline.submit(runtime, _read_urls(urls, file), if_not_archived_within=window):
            sys.stdout.write(json.dumps({"id": item.id, "url": item.url, "status": item.status,
                                         "reason": item.reason, "existing": item.existing}) + "\n")
    except ArchivistError as exc:
        raise _fail(exc) from exc
    finally:
        runtime.close()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the HTTP API (with in-process workers when no Redis is configured)."""
    import uvicorn

    from archivist.api import create_app

    uvicorn.run(create_app(get_settings()), host=host, port=port, log_level="info")


@app.command()
def worker(
    processes: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 2,
    threads: Annotated[int, typer.Option(min=1, help="Threads per process.")] = 4,
) -> None:
    """Run Dramatiq workers on the Redis queue (needs ARCHIVIST_REDIS_URL)."""
    if not get_settings().redis_url:
        err.print("[red]error[/red]: workers consume the Redis queue; set ARCHIVIST_REDIS_URL")
        raise typer.Exit(code=2)
    args = [sys.executable, "-m", "dramatiq", "archivist_workers.app",
            "--processes", str(processes), "--threads", str(threads), "--queues", "fetch", "extract"]
    os.execv(sys.executable, args)


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help=".html or .html.gz files.", exists=True, dir_okay=False)],
    url: Annotated[str | None, typer.Option(help="The URL the page was served at.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Extract records from local HTML files (no fetching, no storage)."""
    from archivist.extraction import SourcePage
    from archivist.extraction import extract as run_extraction

    for path in files:
        raw = path.read_bytes()
        body = gzip.decompress(raw) if path.suffix == ".gz" else raw
        page_url = url or path.resolve().as_uri()
        result = run_extraction([SourcePage(url=page_url, body=body)])
        _emit({"source": str(path), **result.as_dict()}, as_json)


@app.command()
def show(
    url: Annotated[str, typer.Argument(help="A captured URL.")],
    version: Annotated[int | None, typer.Option(min=1)] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The latest record for a URL (or a given version) and its version list."""
    from archivist.runtime import Runtime

    runtime = Runtime(get_settings())
    try:
        _emit(views.get_record(runtime, url, version=version), as_json)
    except ArchivistError as exc:
        raise _fail(exc) from exc
    finally:
        runtime.close()


@app.command()
def history(
    url: Annotated[str, typer.Argument(help="A URL.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every capture of a URL (time, HTTP status, payload digest, outcome) and record versions."""
    from archivist.runtime import Runtime

    runtime = Runtime(get_settings())
    try:
        _emit(views.history(runtime, url), as_json)
    except ArchivistError as exc:
        raise _fail(exc) from exc
    finally:
        runtime.close()


@app.command()
def demo(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    pages: Annotated[Path | None, typer.Option(help="Serve this folder instead of the bundled sample site.")] = None,
) -> None:
    """Serve the bundled sample article on a loopback port and archive it, in this process."""
    from archivist.demo import serve_sample_site

    os.environ.setdefault("ARCHIVIST_ALLOW_PRIVATE_NETWORKS", "1")
    get_settings.cache_clear()
    with serve_sample_site(pages) as site:
        err.print(f"serving the sample site at {site.base_url}; archiving {site.start_url}")
        failures = archive_urls([site.start_url], as_json=as_json)
    raise typer.Exit(code=1 if failures else 0)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the catalog schema (and the S3 bucket) to the current version."""
    from archivist.runtime import Runtime

    runtime = Runtime(get_settings())
    try:
        runtime.prepare()
    except ArchivistError as exc:
        raise _fail(exc) from exc
    finally:
        runtime.close()
    err.print("catalog is up to date")


def main() -> None:
    app()
