"""Authentication helpers: the demo OAuth consent, the sign-in cookie key and the cookie's token.

The consent lives in `hub.auth.demo`, the token (a signed JWT) in `hub.auth.session`.

Real OAuth (authorization code + PKCE + state) comes in a later issue; it will live beside ``demo``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import SecretStr

from hub.auth.demo import ConsentRequest, approve, consent_request, humanize_stream
from hub.auth.session import session_token, session_username
from hub.exceptions import CryptoError
from hub.settings import Settings

COOKIE_KEY_FILE = "cookie.key"


def cookie_key(settings: Settings) -> SecretStr:
    """The key that signs the sign-in cookie: ``HUB_COOKIE_KEY``, else ``$HUB_HOME/cookie.key``.

    The key file is generated on first use (mode 0600), like the local encryption key.
    """
    if settings.cookie_key is not None:
        return settings.cookie_key
    path = Path(settings.home) / COOKIE_KEY_FILE
    try:
        if path.exists():
            value = path.read_text(encoding="utf-8").strip()
            if value:
                return SecretStr(value)
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(value + "\n")
        return SecretStr(value)
    except OSError as exc:
        raise CryptoError(
            f"Could not read or create the cookie key file {path}: {exc.strerror}.",
            hint="Set HUB_COOKIE_KEY, or make HUB_HOME writable.",
        ) from exc


__all__ = [
    "COOKIE_KEY_FILE",
    "ConsentRequest",
    "approve",
    "consent_request",
    "cookie_key",
    "humanize_stream",
    "session_token",
    "session_username",
]
