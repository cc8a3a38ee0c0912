"""API keys: create, list, revoke, and turn a request's bearer token into a Principal."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from archivist.adapters.catalog import ApiKeyRow
from archivist.core.access import Principal, Scope, hash_key, key_name, new_key, parse_scopes, submission_quota
from archivist.core.errors import AccessDenied, NotFound, QuotaExceeded, Unauthenticated
from archivist.runtime import Runtime

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "ANONYMOUS", "active_principal", "authenticate", "authorize", "charge_submissions", "create_key", "list_keys",
    "revoke_key",
]

#: The caller of an API that requires no key (auth off: a local, single-user archive).
ANONYMOUS = Principal(key_id=None, name="anonymous", scopes=frozenset(Scope))
_READER = Principal(key_id=None, name="anonymous", scopes=frozenset({Scope.READ}))


def create_key(runtime: Runtime, name: str, scopes: Iterable[str], *,
               submissions_per_minute: int | None = None) -> tuple[dict[str, Any], str]:
    """A new key: its description and the secret (shown this once, never stored)."""
    secret = new_key()
    row = ApiKeyRow(
        id=str(uuid.uuid4()), name=key_name(name), prefix=secret[:10], key_hash=hash_key(secret),
        scopes=" ".join(sorted(s.value for s in parse_scopes(list(scopes)))),
        submissions_per_minute=submission_quota(submissions_per_minute), created_at=datetime.now(UTC),
    )
    with runtime.database.session() as session:
        runtime.catalog.add_key(session, row)
        return _describe(row), secret


def list_keys(runtime: Runtime) -> list[dict[str, Any]]:
    with runtime.database.session() as session:
        return [_describe(row) for row in runtime.catalog.keys(session)]


def revoke_key(runtime: Runtime, key_id: str) -> None:
    with runtime.database.session() as session:
        if not runtime.catalog.revoke_key(session, key_id):
            raise NotFound(f"no active key {key_id!r}")


def authenticate(runtime: Runtime, authorization: str | None) -> Principal:
    """The caller behind an ``Authorization: Bearer ak_...`` header.

    Without auth configured, everyone is ANONYMOUS (submit and read). With it, a missing
    header is an anonymous reader when ``open_read`` is on, else Unauthenticated.
    """
    settings = runtime.settings
    if not authorization:
        if not settings.auth_required:
            return ANONYMOUS
        if settings.open_read:
            return _READER
        raise Unauthenticated("this API needs a key: send Authorization: Bearer <key>")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("malformed Authorization header: expected 'Bearer <key>'")
    with runtime.database.session() as session:
        row = runtime.catalog.key_by_hash(session, hash_key(token.strip()))
        if row is None:
            raise Unauthenticated("unknown or revoked API key")
        return _principal(row)


def active_principal(runtime: Runtime, session: Session, key_id: str) -> Principal | None:
    """The caller behind key ``key_id`` (a schedule's, whose captures it is charged for); None
    once the key is revoked."""
    row = runtime.catalog.active_key(session, key_id)
    return _principal(row) if row is not None else None


def _principal(row: ApiKeyRow) -> Principal:
    return Principal(key_id=row.id, name=row.name, scopes=parse_scopes(row.scopes),
                     submissions_per_minute=row.submissions_per_minute)


def authorize(principal: Principal, scope: Scope) -> Principal:
    """``principal`` if it has ``scope``; an anonymous caller without it must authenticate."""
    if not principal.allows(scope):
        if principal.key_id is None:
            raise Unauthenticated(f"{scope.value!r} needs a key: send Authorization: Bearer <key>")
        raise AccessDenied(f"the key {principal.name!r} lacks the {scope.value!r} scope")
    return principal


def charge_submissions(runtime: Runtime, principal: Principal, count: int) -> None:
    """Count ``count`` URLs against the caller's per-minute quota.

    Raises:
        QuotaExceeded: over the quota; nothing is counted and ``retry_after`` says when to retry.
    """
    if principal.key_id is None:
        return
    limit = principal.submissions_per_minute or runtime.settings.default_submissions_per_minute
    if limit <= 0:
        return
    wait = runtime.quota.take(principal.key_id, count, limit)
    if wait is not None:
        raise QuotaExceeded(f"over the quota of {limit} URLs a minute for key {principal.name!r}", retry_after=wait)


def _describe(row: ApiKeyRow) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "prefix": row.prefix, "scopes": row.scopes.split(),
        "submissions_per_minute": row.submissions_per_minute,
        "created_at": row.created_at.isoformat(), "revoked": row.revoked_at is not None,
    }
