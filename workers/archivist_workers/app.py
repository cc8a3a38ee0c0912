"""The module the ``dramatiq`` CLI loads in each worker process (``archivist worker`` runs it)."""

import dramatiq

from archivist.settings import get_settings
from archivist_workers.broker import build

setup = build(get_settings(), embedded=False)
broker = setup.broker
dramatiq.set_broker(broker)
