"""The app factory: `create_app` puts the guard, CORS, the error handlers and the routers together."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from hub import Hub, Settings
from hub.api.auth import ApiGuard
from hub.api.deps import HubProvider
from hub.api.errors import install_error_handlers
from hub.api.routers import ROUTERS
from hub.api.routers.oauth import REDACT_CALLBACK_QUERY

#: Request bodies larger than this are refused with 413 before they are parsed.
DEFAULT_MAX_BODY_BYTES = 64 * 1024

# The API's description in OpenAPI (/docs). Kept word for word: the OpenAPI snapshot test holds it.
DESCRIPTION = """\
The HTTP API: the endpoints the product's web front end calls, over the same services as the UI.

    uvicorn hub.api:app --host 127.0.0.1 --port 8000      # or: make api; OpenAPI at /docs

Every ``/api/...`` call carries ``Authorization: Bearer <api key>`` (made with
``python -m hub apikeys create --tenant T``). The key decides the tenant; another tenant's ids answer
404 exactly like unknown ids. Errors are ``{"detail": ...}``: a string, or for 422 a list of
``{"loc", "msg", "type"}`` items naming the field (never echoing the input). Every authenticated call
is audited as ``api.request`` with the key's name as the actor (method, path, status; never bodies).

The request pipeline, outermost first: `_ApiGuard` (authenticates ``/api/`` calls before the body is
read, refuses bodies over ``max_body_bytes`` with 413, audits), then FastAPI (validation, routing,
the `HubError` handlers).
"""

_TAGS = [
    {"name": "catalogue", "description": "The integrations the hub offers."},
    {"name": "connections", "description": "The tenant's connections: store, test, preview, delete."},
    {"name": "health", "description": "Liveness (no API key)."},
    {"name": "handoff", "description": "Hand connections off to Airbyte: the destination, the jobs."},
]


def create_app(
    hub: Hub | None = None,
    *,
    settings: Settings | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    cors_origins: Sequence[str] | None = None,
) -> FastAPI:
    """The FastAPI app.

    Args:
        hub: the hub to serve (the caller keeps ownership and closes it). None: open one from
            ``settings`` at start-up, and close it at shutdown.
        settings: the API's settings (``api_cors_origins``), and the hub's when ``hub`` is None.
            None: read ``HUB_*`` now.
        max_body_bytes: larger request bodies are refused with 413 before parsing.
        cors_origins: browser origins (``https://app.example.com``) allowed to call the API from
            another origin; None takes ``settings.api_cors_origins`` (``HUB_API_CORS_ORIGINS``,
            comma-separated; unset: none).

    """
    settings = settings or Settings.from_env()
    provider = HubProvider(hub, settings)
    # the OAuth callback's query holds the provider's code: never in the server's access log
    logging.getLogger("uvicorn.access").addFilter(REDACT_CALLBACK_QUERY)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(provider.start)  # fail at start-up, not on the first request
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(provider.close)

    # Swagger UI's and ReDoc's scripts are served from the installed fastapi-offline package, not a CDN:
    # /docs works on a machine without the internet
    app = FastAPIOffline(
        title="Data Source Hub API",
        version="1.0.0",
        summary="Catalogue, recommendations and tenant-scoped, encrypted data source connections.",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=_TAGS,
    )
    app.state.hub_provider = provider
    install_error_handlers(app)
    app.add_middleware(ApiGuard, provider=provider, max_body_bytes=max_body_bytes)
    origins = settings.api_cors_origins if cors_origins is None else cors_origins
    if origins:  # outside the guard: a browser's preflight carries no API key
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Location", "WWW-Authenticate", "Retry-After"],
            max_age=600,
        )
    for router in ROUTERS:
        app.include_router(router)
    return app
