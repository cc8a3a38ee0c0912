"""API keys and scopes.

A key is ``ak_`` plus 32 random bytes (URL-safe base64). Only its SHA-256 is stored: the
secret has 256 bits of entropy, so a fast hash is as safe as a slow one and lets every request
look the key up by its hash. Scopes: ``submit`` (queue captures), ``read`` (records, replay,
history), ``admin`` (dead letters, re-extraction, keys; implies the others).
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass

from archivist.core.errors import InvalidInput

__all__ = ["KEY_PREFIX", "Principal", "Scope", "hash_key", "new_key", "parse_scopes"]

KEY_PREFIX = "ak_"


class Scope(enum.StrEnum):
    SUBMIT = "submit"
    READ = "read"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a key's id, name and scopes (or the anonymous caller of an open API)."""

    key_id: str | None
    name: str
    scopes: frozenset[Scope]
    submissions_per_minute: int | None = None

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes or Scope.ADMIN in self.scopes


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_scopes(words: list[str] | str) -> frozenset[Scope]:
    """``["submit", "read"]`` or ``"submit read"`` to scopes.

    Raises:
        InvalidInput: an unknown scope, or none at all.
    """
    items = words.split() if isinstance(words, str) else [w for word in words for w in word.replace(",", " ").split()]
    try:
        scopes = frozenset(Scope(item.strip().lower()) for item in items)
    except ValueError as exc:
        raise InvalidInput(f"unknown scope in {items}; scopes are {', '.join(s.value for s in Scope)}") from exc
    if not scopes:
        raise InvalidInput("a key needs at least one scope")
    return scopes
