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

__all__ = [
    "KEY_PREFIX",
    "MAX_KEY_NAME_LENGTH",
    "MAX_SUBMISSIONS_PER_MINUTE",
    "Principal",
    "Scope",
    "hash_key",
    "key_name",
    "new_key",
    "parse_scopes",
    "submission_quota",
]

KEY_PREFIX = "ak_"
#: The longest key name the catalog keeps.
MAX_KEY_NAME_LENGTH = 200
#: The highest per-key quota: far above what any client sends, and within the catalog's
#: integer column (a larger number would be refused by PostgreSQL, not by us).
MAX_SUBMISSIONS_PER_MINUTE = 1_000_000


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


def key_name(name: str) -> str:
    """The name a key is created with, trimmed.

    Raises:
        InvalidInput: blank (a key nobody can tell apart in ``keys list``), or too long to store.
    """
    name = name.strip()
    if not name:
        raise InvalidInput("a key needs a name: who or what it is for")
    if len(name) > MAX_KEY_NAME_LENGTH:
        raise InvalidInput(f"a key name has at most {MAX_KEY_NAME_LENGTH} characters, not {len(name)}")
    return name


def submission_quota(per_minute: int | None) -> int | None:
    """A key's own quota of URLs a minute (None: the default one).

    Raises:
        InvalidInput: below 1 or above :data:`MAX_SUBMISSIONS_PER_MINUTE`.
    """
    if per_minute is not None and not 1 <= per_minute <= MAX_SUBMISSIONS_PER_MINUTE:
        raise InvalidInput(
            f"a key's submission rate is 1 to {MAX_SUBMISSIONS_PER_MINUTE:,} URLs a minute, not {per_minute:,}")
    return per_minute


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
