"""The HTTP API (FastAPI). ``create_app`` assembles it; routes live in ``routes``."""

from archivist.api.app import create_app

__all__ = ["create_app"]
