"""Data Source Hub: connect data sources, test them, preview their data; credentials encrypted per tenant.

The public surface, which faces (Streamlit, CLI, HTTP API) and users import from ``hub``::

    from hub import Hub, Settings, HubError

    with Hub.open(Settings.from_env()) as hub:
        acme = hub.tenant("acme")
        conn = acme.connect("shopify", {"account": "acme.myshopify.com"}, actor="alice", mode="demo")

The models, settings and errors load with the package. The services (`Hub`, `TenantService`,
`demo_streams`, `demo_preview`) load on first use: they bring SQLAlchemy, bcrypt and the connectors,
which ``import hub.models`` or the CLI's catalogue commands do not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hub.exceptions import (
    AuthError,
    CatalogueError,
    ConfigError,
    ConnectorError,
    CryptoError,
    FileTooLarge,
    HubError,
    InputError,
    NotFound,
    StorageError,
    StreamError,
    TransitionError,
    UnknownBusinessType,
)
from hub.models import (
    ApiKey,
    AuditEntry,
    AuditVerification,
    AuthKind,
    CheckResult,
    Connection,
    Mode,
    Outcome,
    Preview,
    Recommendation,
    SourceEntry,
    Status,
    StepEvent,
    StreamInfo,
    Tenant,
    User,
)
from hub.settings import Settings

if TYPE_CHECKING:
    from hub.services import Hub, StepCallback, TenantService, demo_preview, demo_streams

#: The names that `__getattr__` imports from `hub.services` on first use.
_SERVICES = frozenset({"Hub", "StepCallback", "TenantService", "demo_preview", "demo_streams"})


def __getattr__(name: str) -> Any:
    if name in _SERVICES:
        value = getattr(importlib.import_module("hub.services"), name)
        globals()[name] = value  # later look-ups find it without coming here
        return value
    raise AttributeError(f"module 'hub' has no attribute {name!r}")


__all__ = [
    "ApiKey",
    "AuditEntry",
    "AuditVerification",
    "AuthError",
    "AuthKind",
    "CatalogueError",
    "CheckResult",
    "ConfigError",
    "Connection",
    "ConnectorError",
    "CryptoError",
    "FileTooLarge",
    "Hub",
    "HubError",
    "InputError",
    "Mode",
    "NotFound",
    "Outcome",
    "Preview",
    "Recommendation",
    "Settings",
    "SourceEntry",
    "Status",
    "StepCallback",
    "StepEvent",
    "StorageError",
    "StreamError",
    "StreamInfo",
    "Tenant",
    "TenantService",
    "TransitionError",
    "UnknownBusinessType",
    "User",
    "demo_preview",
    "demo_streams",
]
