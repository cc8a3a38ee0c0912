"""Running the services: serve (HTTP API), worker (Dramatiq), db upgrade."""

from __future__ import annotations

import os
import signal
import sys
from typing import Annotated

import typer

from archivist.cli._common import err, fail, report
from archivist.core.errors import ArchivistError
from archivist.settings import get_settings

app = typer.Typer()
db_app = typer.Typer(no_args_is_help=True, help="Catalog database maintenance.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free one).")] = 8000,
) -> None:
    """Run the HTTP API (with in-process workers when no Redis is configured).

    SIGTERM (``docker compose stop``, a process manager) stops it gracefully: uvicorn answers the
    requests in flight, then runs the application's shutdown, and the process exits 0.
    """
    import uvicorn

    from archivist.api import create_app

    signal.signal(signal.SIGTERM, _exit_stopped)
    uvicorn.run(create_app(get_settings()), host=host, port=port, log_level="info")


def _exit_stopped(_signum: int, _frame: object) -> None:
    """SIGTERM once uvicorn has shut down gracefully: exit 0.

    uvicorn handles SIGTERM itself while it serves, and once it has stopped raises it again to
    the handler it found, so that the process ends "as the signal asked". Python's default
    handler then killed the process, whose status (143) told ``docker compose``, systemd or a
    supervisor that the API had failed, although it had stopped as asked, every request
    answered. Before uvicorn serves, this ends a process that has nothing to finish yet.
    """
    raise SystemExit(0)


@app.command()
def worker(
    processes: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 2,
    threads: Annotated[int, typer.Option(min=1, help="Threads per process.")] = 4,
) -> None:
    """Run Dramatiq workers on the Redis queue (needs ARCHIVIST_REDIS_URL).

    Their metrics are served on ARCHIVIST_WORKER_METRICS_PORT (default 9191).
    """
    from archivist.observability.workers import exposition_env, metrics_port_in_use
    from archivist_workers.queue import check_credentials

    settings = get_settings()
    if not settings.redis_url:
        err.print("[red]error[/red]: workers consume the Redis queue; set ARCHIVIST_REDIS_URL")
        raise typer.Exit(code=2)
    try:  # a misconfiguration, said at once: the workers would take it for an outage and wait
        check_credentials(settings)
    except ArchivistError as exc:
        report(exc, soft_wrap=True)
        raise typer.Exit(code=2) from exc
    exported = not metrics_port_in_use(settings)
    if not exported:
        err.print(f"[yellow]warning[/yellow]: the metrics port {settings.worker_metrics_port} is in use (another "
                  "`archivist worker` on this host?): the metrics of this one are not exported; give each "
                  "worker its own ARCHIVIST_WORKER_METRICS_PORT")
    os.environ.update(exposition_env(settings, exported=exported))
    args = [sys.executable, "-m", "dramatiq", "archivist_workers.app",
            "--processes", str(processes), "--threads", str(threads), "--queues", "fetch", "extract"]
    os.execv(sys.executable, args)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the catalog schema (and the S3 bucket) to the current version."""
    from archivist.runtime import Runtime

    runtime = Runtime(get_settings())
    try:
        runtime.prepare()
    except ArchivistError as exc:
        raise fail(exc) from exc
    finally:
        runtime.close()
    err.print("catalog is up to date")
