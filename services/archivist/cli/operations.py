"""Operating the queues: dead letters (dlq list|show|requeue|purge) and reconcile."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from typing import Annotated

import typer

from archivist.cli._common import emit, err, fail
from archivist.core.durations import parse_duration
from archivist.core.errors import ArchivistError, NotFound
from archivist.runtime import Runtime
from archivist.settings import get_settings

app = typer.Typer()
dlq_app = typer.Typer(no_args_is_help=True, help="Dead letters: messages that exhausted their retries.")

Queue = Annotated[str, typer.Option("--queue", "-q", help="fetch or extract")]


def _redis_runtime() -> Runtime:
    from archivist_workers.queue import redis_task_queue

    settings = get_settings()
    if not settings.redis_url:
        err.print("[red]error[/red]: this command works on the Redis broker; set ARCHIVIST_REDIS_URL")
        raise typer.Exit(code=2)
    return Runtime(settings, queue=redis_task_queue(settings))


def _dead_letters(runtime: Runtime):  # noqa: ANN202 - import kept local to the command
    from archivist_workers.dead_letters import DeadLetters
    from archivist_workers.queue import DramatiqTaskQueue

    assert isinstance(runtime.queue, DramatiqTaskQueue)
    return DeadLetters(runtime.queue.broker)


def _chosen(letters, queue: str, message_ids: list[str] | None) -> list[str] | None:  # noqa: ANN001
    """The ids an operator named (None: all of them), checked to be dead letters of ``queue``.

    Raises:
        NotFound: some are not (mistyped, of the other queue, expired): nothing is done then.
    """
    if not message_ids:
        return None
    missing = letters.missing(queue, message_ids)
    if missing:
        raise NotFound(f"no dead letter {', '.join(map(repr, missing))} on queue {queue!r}; nothing was done")
    return message_ids


@dlq_app.command("list")
def dlq_list(queue: Queue = "fetch", limit: Annotated[int, typer.Option(min=1)] = 100) -> None:
    """Dead letters of a queue, oldest first, one JSON line each (and on stderr, how many
    there are in all when that is more than the limit)."""
    runtime = _redis_runtime()
    try:
        letters = _dead_letters(runtime)
        shown = letters.list(queue, limit=limit)
        for letter in shown:
            sys.stdout.write(json.dumps(letter.as_dict()) + "\n")
        total = letters.count(queue) if len(shown) == limit else len(shown)
    except ArchivistError as exc:
        raise fail(exc) from exc
    if total > len(shown):
        err.print(f"the oldest {len(shown)} of {total} dead letters of {queue}; --limit for more")


@dlq_app.command("show")
def dlq_show(message_id: str, queue: Queue = "fetch") -> None:
    """One dead letter in full."""
    runtime = _redis_runtime()
    try:
        emit(_dead_letters(runtime).show(queue, message_id), as_json=True)
    except ArchivistError as exc:
        raise fail(exc) from exc


@dlq_app.command("requeue")
def dlq_requeue(
    message_ids: Annotated[list[str] | None, typer.Argument(help="Ids to requeue (default: all).")] = None,
    queue: Queue = "fetch",
) -> None:
    """Send dead letters back with their retry count reset, reopening their captures."""
    from archivist_workers.dead_letters import reopener

    runtime = _redis_runtime()
    try:
        letters = _dead_letters(runtime)
        count = letters.requeue(queue, _chosen(letters, queue, message_ids), reopen=reopener(runtime))
    except ArchivistError as exc:
        raise fail(exc) from exc
    finally:
        runtime.close()
    err.print(f"requeued {count} message(s) from {queue}")


@dlq_app.command("purge")
def dlq_purge(
    message_ids: Annotated[list[str] | None, typer.Argument(help="Ids to drop (default: all).")] = None,
    queue: Queue = "fetch",
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Drop dead letters for good (their captures stay failed)."""
    if not yes and not message_ids:
        typer.confirm(f"Drop every dead letter of {queue}?", abort=True)
    runtime = _redis_runtime()
    try:
        letters = _dead_letters(runtime)
        count = letters.purge(queue, _chosen(letters, queue, message_ids))
    except ArchivistError as exc:
        raise fail(exc) from exc
    err.print(f"purged {count} message(s) from {queue}")


@app.command()
def reconcile(
    queued_older_than: Annotated[str, typer.Option(help="Re-send queued captures waiting this long (e.g. 1h).")] = "1h",
) -> None:
    """Re-send the messages of abandoned captures (after a broker lost messages).

    Captures being fetched or extracted count as abandoned once their lease has run out.
    The scheduler does this every ARCHIVIST_RECONCILE_INTERVAL seconds. Without Redis, the
    messages are worked here, in this process (the captures an `archivist archive` stopped
    by a second Ctrl-C left), and it returns once they are done; Ctrl-C stops it.
    """
    from archivist import pipeline

    try:
        window = parse_duration(queued_older_than)
        if get_settings().redis_url:
            runtime = _redis_runtime()
            try:
                count = pipeline.requeue_stale(runtime, queued_older_than=window)
            finally:
                runtime.close()
        else:
            count = _reconcile_here(window)
    except ArchivistError as exc:
        raise fail(exc) from exc
    err.print(f"requeued {count} stale capture(s)")


def _reconcile_here(window: timedelta) -> int:
    """Re-send the abandoned captures' messages to in-process workers and wait for them.

    Raises:
        typer.Exit: Ctrl-C or SIGTERM came first (130, 143); a capture still being fetched is
            left to a later reconcile, once its lease has run out.
    """
    from archivist import pipeline
    from archivist.cli._interrupt import stop_on_signals
    from archivist_workers.embedded import EmbeddedWorkers

    with stop_on_signals() as stop, EmbeddedWorkers(get_settings()) as workers:
        count = pipeline.requeue_stale(workers.runtime, queued_older_than=window)
        if not workers.drain(stop.event):
            err.print(f"interrupted: requeued {count} stale capture(s), not all finished; run it again once "
                      "their lease has run out", soft_wrap=True)
            raise typer.Exit(code=stop.exit_code)
    return count
