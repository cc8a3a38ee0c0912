"""The browser interface: server-rendered pages over the same read side and authorisation as the
API (``archivist.views``, ``archivist.pipeline``, ``require(Scope...)``). Mounted by ``create_app``."""

from archivist.web.negotiation import wants_page
from archivist.web.routes import error_page, router

__all__ = ["error_page", "router", "wants_page"]
