"""The HTTP API: the endpoints the product's web front end calls, over the same services as the UI.

    uvicorn hub.api:app --host 127.0.0.1 --port 8000      # or: make api; OpenAPI at /docs

The package, outermost layer first:

- ``auth``: `ApiGuard`, the ASGI middleware that authenticates ``/api/`` calls (the key's look-up
  also finds its tenant, once per request), refuses bodies over the limit with 413, and audits
  every authenticated call as ``api.request``;
- ``factory``: `create_app`, which puts the guard, CORS, the error handlers and the routers together;
- ``routers``: one `APIRouter` per group (health, catalogue, connections);
- ``deps``: what routes ask for (the hub, the caller, the caller's `TenantService`);
- ``schemas``: the request and response models; ``errors``: `HubError` → HTTP status and body.

``app`` is made on first access (``uvicorn hub.api:app`` asks for it), so importing ``hub.api``
reads no settings and opens no storage; the hub itself is opened at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.api.deps import Principal
from hub.api.factory import DEFAULT_MAX_BODY_BYTES, create_app
from hub.api.schemas import ConnectionOut, ErrorResponse, StoreRequest

if TYPE_CHECKING:
    from fastapi import FastAPI

    #: The ASGI app of ``uvicorn hub.api:app`` (settings from ``HUB_*``; storage opened at start-up).
    app: FastAPI


def __getattr__(name: str) -> Any:
    """Make ``app`` on first access, once (PEP 562)."""
    if name == "app":
        made = globals()["app"] = create_app()
        return made
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "ConnectionOut",
    "ErrorResponse",
    "Principal",
    "StoreRequest",
    "app",
    "create_app",
]
