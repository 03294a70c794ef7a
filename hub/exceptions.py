"""Every error the hub raises on purpose.

The tree::

    HubError                      base; ``message`` is for the user, ``hint`` says what to do
    ├── InputError(ValueError)    bad input from a user: a field, an id, a file
    │   ├── ConfigError           a connector config that does not match the spec (names the field)
    │   ├── CatalogueError        a malformed catalogue file (names the entry and the field)
    │   ├── FileTooLarge          an uploaded or downloaded file over HUB_UPLOAD_MAX_MB
    │   └── UnknownBusinessType   lists the valid business types
    ├── NotFound(LookupError)     unknown tenant, source, connection, stream, user (never leaks other tenants)
    ├── TransitionError           an illegal status change
    │   └── ConnectionBusy        another run of a connection holds its turn (transient: try again soon)
    ├── ConnectorError            a check/discover/read failed; ``transient`` says whether a retry may help
    │   ├── StreamError           one stream cannot be read while the source works; ``reason`` in words
    │   └── ConnectorInstallError an Airbyte connector could not be installed (says why; nothing half-made)
    ├── StorageError              the hub's own database is unreachable, read-only or corrupt
    ├── CryptoError               a key is malformed or missing, or a ciphertext fails to decrypt
    └── AuthError                 sign-in, API key or permission failures
        └── SignInLocked          too many failed sign-ins for a username (says when to try again)

Messages never contain a secret.
"""

from __future__ import annotations

import math


class HubError(Exception):
    """Base of every error the hub raises on purpose.

    Attributes:
        message: what failed, with which value, in words a user understands.
        hint: what to do about it (may be empty).
        transient: True when retrying the same thing later may succeed.

    """

    transient: bool = False

    def __init__(self, message: str, *, hint: str = "", transient: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if transient is not None:
            self.transient = transient

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message


class InputError(HubError, ValueError):
    """Bad input from a user."""


class ConfigError(InputError):
    """A connector configuration that does not match the connector's spec."""

    def __init__(self, message: str, *, field: str | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.field = field


class CatalogueError(InputError):
    """A malformed catalogue file; the message names the entry and the field."""


class FileTooLarge(InputError):
    """A file source over the size limit (``HUB_UPLOAD_MAX_MB``); nothing of it is kept."""


class UnknownBusinessType(InputError):
    """A business type that is not one of the known slugs."""


class NotFound(HubError, LookupError):
    """Something the caller asked for does not exist (for this tenant)."""


class TransitionError(HubError):
    """An illegal status transition."""


class ConnectionBusy(TransitionError):
    """Another run of the same connection holds its turn (`hub.oauth.refresh.connector_turn`)."""

    transient = True


class ConnectorError(HubError):
    """A connector operation failed; see ``transient``.

    Attributes:
        kind: the kind of failure when the connector knows it (a `hub.models.FailureKind` value:
            ``auth_expired``, ``permission``, ``network``, ``timeout``, ``config``, ``source_error``),
            else None and `hub.health.kind_of` classifies it.

    """

    kind: str | None = None

    def __init__(
        self, message: str, *, hint: str = "", transient: bool | None = None, kind: str | None = None
    ) -> None:
        super().__init__(message, hint=hint, transient=transient)
        if kind is not None:
            self.kind = kind


class StreamError(ConnectorError):
    """One stream cannot be read (not populated, permission denied, its view's query fails...).

    The source itself works: a connect lists the stream as unreadable instead of failing.

    Attributes:
        stream: the stream's name.
        reason: why, in a few words ("not populated: run REFRESH MATERIALIZED VIEW ...").

    """

    def __init__(
        self,
        message: str,
        *,
        stream: str,
        reason: str,
        hint: str = "",
        transient: bool = False,
        kind: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint, transient=transient, kind=kind)
        self.stream = stream
        self.reason = reason


class ConnectorInstallError(ConnectorError):
    """An Airbyte connector package could not be installed; nothing of the attempt is left behind."""


class StorageError(HubError):
    """The hub's own storage failed."""

    transient = True


class CryptoError(HubError):
    """Keys or ciphertexts are unusable."""


class AuthError(HubError):
    """Authentication or authorisation failed."""


class SignInLocked(AuthError):
    """Too many failed sign-ins for one username: refused until ``retry_after`` seconds have passed.

    The message is the same whether or not the user exists.
    """

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after / 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(
            f"Too many failed sign-ins for this username. Try again in {minutes} {unit}.", transient=True
        )


__all__ = [
    "AuthError",
    "CatalogueError",
    "ConfigError",
    "ConnectionBusy",
    "ConnectorError",
    "ConnectorInstallError",
    "CryptoError",
    "HubError",
    "InputError",
    "NotFound",
    "SignInLocked",
    "StorageError",
    "StreamError",
    "TransitionError",
    "UnknownBusinessType",
]
