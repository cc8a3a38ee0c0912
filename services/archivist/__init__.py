"""Archivist: capture web pages, archive them as WARC, extract versioned records, replay them."""

__version__ = "0.1.0"
