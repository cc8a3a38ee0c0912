"""Prometheus metrics and their exposition.

- :mod:`archivist.observability.metrics`: every ``archivist_*`` metric the code increments.
- :mod:`archivist.observability.workers`: the multi-process set-up of the worker processes,
  so that what they count is exported on their own ``/metrics`` port.
"""
