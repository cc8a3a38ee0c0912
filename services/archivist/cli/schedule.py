"""Scheduled re-capture: ``schedule add|list|remove`` and the ``scheduler`` loop."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Annotated

import typer
from rich.text import Text

from archivist import pipeline, scheduling
from archivist.cli._common import emit, err, fail, prepared_runtime
from archivist.cli._interrupt import stop_on_signals
from archivist.cli._workers import queued_runtime
from archivist.core.errors import ArchivistError, TransientFailure
from archivist.settings import get_settings

app = typer.Typer()
schedule_app = typer.Typer(no_args_is_help=True, help="Re-capture URLs on a schedule.")


@schedule_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="The URL to re-capture.")],
    every: Annotated[str, typer.Option("--every", help="Interval: 30m, 12h, 1d, 2w (at least 1m).")],
) -> None:
    """Re-capture URL every interval (the first capture is due at once; `archivist scheduler` runs it)."""
    from archivist.core.durations import parse_duration

    with prepared_runtime() as runtime:
        emit(scheduling.add_schedule(runtime, url, parse_duration(every)), True)


@schedule_app.command("list")
def list_() -> None:
    """Every schedule, next due first (one JSON object a line)."""
    with prepared_runtime() as runtime:
        for row in scheduling.list_schedules(runtime):
            emit(row, True)


@schedule_app.command("remove")
def remove(target: Annotated[str, typer.Argument(help="A schedule id or its URL.")]) -> None:
    """Stop re-capturing a URL."""
    with prepared_runtime() as runtime:
        scheduling.remove_schedule(runtime, target)


@app.command()
def scheduler(
    poll: Annotated[float, typer.Option(min=0.1, help="Seconds between looks for due schedules.")] = 10.0,
    once: Annotated[bool, typer.Option(
        "--once", help="Submit what is due now, then exit (exit code 2 if a server it needs is down).")] = False,
) -> None:
    """Submit due re-captures, in a loop. Running two is safe: a due slot is submitted once.

    Every ARCHIVIST_RECONCILE_INTERVAL seconds it also re-sends the messages of abandoned
    captures (see ``archivist reconcile``). Ctrl-C (or SIGTERM) stops it within seconds, exit
    status 130 (143): what it submitted stays queued, and starting it again is safe.
    """
    settings = get_settings()
    next_reconcile = time.monotonic() + settings.reconcile_interval
    try:
        with stop_on_signals() as request, queued_runtime() as queued:
            stop = request.event
            while not stop.is_set():
                try:
                    for due in scheduling.run_due(queued.runtime):
                        emit({"schedule_id": due.schedule_id, "url": due.url, "capture_id": due.capture_id}, True)
                    if settings.reconcile_interval and time.monotonic() >= next_reconcile:
                        pipeline.requeue_stale(
                            queued.runtime, queued_older_than=timedelta(seconds=settings.reconcile_queued_after)
                        )
                        next_reconcile = time.monotonic() + settings.reconcile_interval
                    if queued.drain is not None:
                        queued.drain(stop)
                except TransientFailure as exc:
                    if once:  # no next look to try again at: the run failed
                        raise
                    err.print(Text.assemble(("scheduler", "yellow"), f": {exc.message}; trying again in {poll}s"))
                if once:
                    break
                stop.wait(poll)
            if stop.is_set():
                err.print("stopped: starting the scheduler again is safe: what it submitted and did not finish, "
                          "its reconcile (or `archivist reconcile`) finishes",
                          soft_wrap=True)
                raise typer.Exit(code=request.exit_code)
    except ArchivistError as exc:
        raise fail(exc) from exc
