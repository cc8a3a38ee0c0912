"""Prometheus metrics and their exposition."""
