"""The package's public surface is what ``__all__`` says, and each module declares its own."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from archivist import extraction


def test_public_names_are_exported() -> None:
    assert sorted(extraction.__all__) == sorted(
        name for name in vars(extraction) if not name.startswith("_")
        and not isinstance(vars(extraction)[name], type(extraction)))
    assert extraction.EXTRACTOR_NAME == "archivist"
    assert extraction.EXTRACTOR_VERSION


def test_every_module_declares_all_and_imports_no_service_stack() -> None:
    forbidden = ("redis", "minio", "sqlalchemy", "psycopg", "fastapi", "dramatiq", "httpx")
    for info in pkgutil.iter_modules(extraction.__path__):
        module = importlib.import_module(f"archivist.extraction.{info.name}")
        assert isinstance(module.__all__, list), info.name
        assert all(hasattr(module, name) for name in module.__all__), info.name
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert not any(f"import {name}" in source or f"from {name}" in source
                       for name in forbidden), info.name
