"""The browser interface: server-rendered pages over the same read side and authorisation as the
API (``archivist.views``, ``archivist.pipeline``, ``require(Scope...)``). Mounted by ``create_app``."""

from archivist.web.routes import router

__all__ = ["router"]
