"""Dramatiq side of Archivist: broker set-up, middleware, actors and the task-queue adapter.

``archivist_workers.app`` is the module the ``dramatiq`` CLI loads (``archivist worker`` does
that for you); ``archivist_workers.embedded`` runs the same actors in-process.
"""
