"""Metrics of the Dramatiq worker processes, exported on their own port.

``archivist worker`` runs several processes. prometheus_client counts across processes only in
its multiprocess mode, which each process picks when ``prometheus_client`` is first imported:
``PROMETHEUS_MULTIPROC_DIR`` must be set before that, so it is set here, before ``dramatiq``
starts, and inherited by every worker process. Dramatiq's Prometheus middleware serves that
directory (its own ``dramatiq_*`` metrics and our ``archivist_*`` ones) on
``ARCHIVIST_WORKER_METRICS_PORT``.

The directory is emptied on every start: prometheus_client never does it, so counters of a
previous run (and the in-progress gauge of a killed process) would otherwise live on. Hence
the port is checked first: a worker already serving it counts into that directory, and must
keep it; the newcomer then counts into a directory of its own, exported nowhere.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path

from archivist.settings import Settings

__all__ = ["exposition_env", "metrics_dir", "metrics_port_in_use"]

#: Where Dramatiq's exposition server listens (its ``dramatiq_prom_host`` default).
_EXPOSITION_HOST = "0.0.0.0"


def metrics_dir(settings: Settings) -> Path:
    """Where the worker processes serving this home and port keep their metric files.

    By port, so that two ``archivist worker`` on one host (which need two ports anyway) do not
    empty each other's directory.
    """
    return settings.home / "worker-metrics" / str(settings.worker_metrics_port)


def metrics_port_in_use(settings: Settings) -> bool:
    """Whether something listens on ``ARCHIVIST_WORKER_METRICS_PORT`` already: most likely
    another ``archivist worker`` of this host, whose metrics directory is this one's too.

    Dramatiq would only log that its exposition server could not bind.
    """
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind((_EXPOSITION_HOST, settings.worker_metrics_port))
        except OSError:
            return True
    return False


def exposition_env(settings: Settings, *, exported: bool) -> dict[str, str]:
    """The environment the worker processes must start with.

    ``exported``: they serve the metrics port, and their directory is emptied first. Otherwise
    (:func:`metrics_port_in_use`) they get a fresh directory of their own beside it, so that the
    directory of the worker on that port is left as it is.
    """
    if exported:
        directory = metrics_dir(settings)
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
    else:
        metrics_dir(settings).parent.mkdir(parents=True, exist_ok=True)
        directory = Path(tempfile.mkdtemp(prefix=f"{settings.worker_metrics_port}-unexported-",
                                          dir=metrics_dir(settings).parent))
    return {
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "dramatiq_prom_db": str(directory),
        "dramatiq_prom_port": str(settings.worker_metrics_port),
    }
