"""The sign-in cookie's token: a JWT (HS256, PyJWT) naming the user, signed with the cookie key.

The token carries the username (``sub``) and an absolute expiry (``exp``); nothing else, never a
password or a tenant secret. `session_username` returns the name only for a token this key signed that
has not expired; anything else (tampered, another key, another algorithm, expired, malformed) is None.
"""

from __future__ import annotations

from datetime import datetime

import jwt
from pydantic import SecretStr

ALGORITHM = "HS256"


def session_token(key: SecretStr, username: str, expires_at: datetime) -> str:
    """A signed token for ``username`` valid until ``expires_at`` (the same inputs give the same token)."""
    claims = {"sub": username, "exp": int(expires_at.timestamp())}
    return jwt.encode(claims, key.get_secret_value(), algorithm=ALGORITHM)


def session_username(key: SecretStr, token: str) -> str | None:
    """The username in ``token`` if ``key`` signed it and it has not expired, else None."""
    try:
        claims = jwt.decode(
            token, key.get_secret_value(), algorithms=[ALGORITHM], options={"require": ["sub", "exp"]}
        )
    except jwt.InvalidTokenError:
        return None
    username = claims.get("sub")
    return username if isinstance(username, str) and username.strip() else None
