"""Metrics of the Dramatiq worker processes, exported on their own port.

``archivist worker`` runs several processes. prometheus_client counts across processes only in
its multiprocess mode, which each process picks when ``prometheus_client`` is first imported:
``PROMETHEUS_MULTIPROC_DIR`` must be set before that, so it is set here, before ``dramatiq``
starts, and inherited by every worker process. Dramatiq's Prometheus middleware serves that
directory (its own ``dramatiq_*`` metrics and our ``archivist_*`` ones) on
``ARCHIVIST_WORKER_METRICS_PORT``.

The directory is emptied on every start: prometheus_client never does it, so counters of a
previous run (and the in-progress gauge of a killed process) would otherwise live on.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from archivist.settings import Settings

__all__ = ["exposition_env", "metrics_dir"]


def metrics_dir(settings: Settings) -> Path:
    """Where the worker processes serving this home and port keep their metric files.

    By port, so that two ``archivist worker`` on one host (which need two ports anyway) do not
    empty each other's directory.
    """
    return settings.home / "worker-metrics" / str(settings.worker_metrics_port)


def exposition_env(settings: Settings) -> dict[str, str]:
    """Empty the metrics directory; the environment the worker processes must start with."""
    directory = metrics_dir(settings)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return {
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "dramatiq_prom_db": str(directory),
        "dramatiq_prom_port": str(settings.worker_metrics_port),
    }
