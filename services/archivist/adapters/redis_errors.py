"""What a Redis client's error means, in words an operator can act on."""

from __future__ import annotations

import redis

__all__ = ["described"]


def described(exc: Exception) -> str:
    """``exc`` as said in a ``QueueUnavailable`` message.

    A server that wants credentials (``requirepass``, ACL users) and was given none or wrong
    ones answers NOAUTH or WRONGPASS, which the client words as "auth:AuthenticationError" or
    as the server's advice on its HELLO command: neither says that the password is missing
    from the URL, nor which URL. A user whose ACL rules refuse a command it needs answers NOPERM,
    which the client words as "this user has no permissions to run the 'evalsha' command".
    """
    if isinstance(exc, redis.AuthenticationError):
        return ("Redis refused the credentials (none, or wrong ones, for a server with requirepass or ACL "
                f"users: {exc}); give them in ARCHIVIST_REDIS_URL, redis://[USER]:PASSWORD@HOST:PORT/DB")
    if isinstance(exc, redis.exceptions.NoPermissionError):
        return (f"Redis's ACL rules refuse the user of ARCHIVIST_REDIS_URL what Archivist runs (NOPERM: {exc}); "
                "allow that user the commands (scripts, lists, hashes, sets, sorted sets, strings) on its keys, "
                "or give ARCHIVIST_REDIS_URL another user")
    return str(exc)
