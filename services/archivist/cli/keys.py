"""API keys: keys create|list|revoke."""

from __future__ import annotations

from typing import Annotated

import typer

from archivist import access
from archivist.cli._common import emit, err, fail
from archivist.core.errors import ArchivistError
from archivist.runtime import Runtime
from archivist.settings import get_settings

keys_app = typer.Typer(no_args_is_help=True, help="API keys (stored hashed; the secret is shown once).")


@keys_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Who or what the key is for.")],
    scope: Annotated[list[str], typer.Option("--scope", "-s", help="submit, read or admin (repeatable).")],
    rate: Annotated[int | None, typer.Option(
        min=1, help="URLs this key may submit per minute (default: ARCHIVIST_DEFAULT_SUBMISSIONS_PER_MINUTE)."
    )] = None,
) -> None:
    """Create a key and print it once, with its description."""
    runtime = Runtime(get_settings())
    try:
        runtime.prepare()
        described, secret = access.create_key(runtime, name, scope, submissions_per_minute=rate)
    except ArchivistError as exc:
        raise fail(exc) from exc
    finally:
        runtime.close()
    emit({**described, "key": secret}, as_json=True)
    err.print("store the key now: it cannot be shown again")


@keys_app.command("list")
def list_keys() -> None:
    """Every key, without secrets."""
    runtime = Runtime(get_settings())
    try:
        for described in access.list_keys(runtime):
            emit(described, as_json=True)
    except ArchivistError as exc:
        raise fail(exc) from exc
    finally:
        runtime.close()


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="The key's id (from keys list).")]) -> None:
    """Revoke a key at once."""
    runtime = Runtime(get_settings())
    try:
        access.revoke_key(runtime, key_id)
    except ArchivistError as exc:
        raise fail(exc) from exc
    finally:
        runtime.close()
    err.print(f"revoked {key_id}")
