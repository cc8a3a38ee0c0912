"""Metrics and their exposition, against the real Redis and real worker processes."""
