"""Data Source Hub: connect data sources, test them, preview their data; credentials encrypted per tenant.

The public surface is re-exported here; faces (Streamlit, CLI, HTTP API) import from ``hub``.
"""

from __future__ import annotations

from hub.exceptions import (
    AuthError,
    CatalogueError,
    ConfigError,
    ConnectorError,
    CryptoError,
    HubError,
    InputError,
    NotFound,
    StorageError,
    TransitionError,
    UnknownBusinessType,
)
from hub.models import AuthKind, Connection, Mode, Status
from hub.service import Hub, TenantService
from hub.settings import Settings

__all__ = [
    "AuthError",
    "AuthKind",
    "CatalogueError",
    "ConfigError",
    "Connection",
    "ConnectorError",
    "CryptoError",
    "Hub",
    "HubError",
    "InputError",
    "Mode",
    "NotFound",
    "Settings",
    "Status",
    "StorageError",
    "TenantService",
    "TransitionError",
    "UnknownBusinessType",
]
