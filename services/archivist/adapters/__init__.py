"""Adapters: the real implementations of the core's ports (storage, catalog, fetching)."""
