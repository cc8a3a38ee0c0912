"""Reading the archive: show, history."""

from __future__ import annotations

from typing import Annotated

import typer

from archivist import views
from archivist.cli._common import emit, fail
from archivist.core.errors import ArchivistError
from archivist.settings import get_settings

app = typer.Typer()


@app.command()
def show(
    url: Annotated[str, typer.Argument(help="A captured URL.")],
    version: Annotated[int | None, typer.Option(min=1)] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The latest record for a URL (or a given version) and its version list."""
    from archivist.runtime import Runtime

    runtime = Runtime(get_settings())
    try:
        emit(views.get_record(runtime, url, version=version), as_json)
    except ArchivistError as exc:
        raise fail(exc) from exc
    finally:
        runtime.close()


@app.command()
def history(
    url: Annotated[str, typer.Argument(help="A URL.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every capture of a URL (time, HTTP status, payload digest, outcome) and record versions."""
    from archivist.runtime import Runtime

    runtime = Runtime(get_settings())
    try:
        emit(views.history(runtime, url), as_json)
    except ArchivistError as exc:
        raise fail(exc) from exc
    finally:
        runtime.close()
