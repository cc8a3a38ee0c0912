"""The module the ``dramatiq`` CLI loads in each worker process (``archivist worker`` runs it).

Workers only: Dramatiq's Prometheus middleware (:class:`WorkerPrometheus`, which counts retries and
delayed messages right), which serves the worker metrics, belongs in the
consuming processes (a producer such as the API would log errors on every enqueue).
``archivist worker`` sets its multiprocess directory up before this module is imported.
"""

import logging
import os

import dramatiq

from archivist.settings import get_settings
from archivist_workers.broker import build
from archivist_workers.prometheus import WorkerPrometheus

if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    logging.getLogger(__name__).warning(
        "PROMETHEUS_MULTIPROC_DIR is not set: archivist_* metrics of these workers will not be "
        "exported; start them with `archivist worker`"
    )

# The S3 client repeats a refused request twice itself, each time a urllib3 warning: during an
# outage they would triple the one warning line per retry the steps log (the last error is in it).
logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)

setup = build(get_settings(), embedded=False)
broker = setup.broker
broker.exits_on_refused_access = True  # a worker process: a restart with the right user or password is what helps
broker.add_middleware(WorkerPrometheus())
dramatiq.set_broker(broker)
