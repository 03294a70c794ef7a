"""`ApiGuard`, the outermost layer of the API: authenticate ``/api/`` calls, bound the body, audit.

A pure ASGI middleware (not Starlette's ``BaseHTTPMiddleware``), so it can answer 401 before the body is
read and count the body's bytes as they stream in.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio.to_thread
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from hub import HubError
from hub.api.deps import PRINCIPAL_KEY, HubProvider, Principal
from hub.api.errors import TooLarge, hub_error_response, too_large_detail, unauthorized
from hub.api.limits import FailureLimiter

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _bearer_token(scope: Scope) -> str | None:
    raw = _header(scope, b"authorization")
    if raw is None:
        return None
    scheme, _, token = raw.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def _client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _too_many(retry_after: int) -> JSONResponse:
    return JSONResponse(
        {"detail": f"Too many unknown API keys from this address. Try again in {retry_after} seconds."},
        status_code=429,
        headers={"Retry-After": str(retry_after)},
    )


def _outcome(code: int) -> str:
    if code < 400:
        return "ok"
    if code in (401, 403):
        return "denied"
    return "error"


#: The one route whose body may be larger than ``max_body_bytes``: up to HUB_UPLOAD_MAX_MB.
UPLOAD_PATH = "/api/connections/upload"


class ApiGuard:
    """ASGI middleware: authenticate ``/api/`` calls, bound the body size, audit every call.

    Authentication happens before the body is read, so an unauthenticated caller learns nothing
    about validation. The `Principal` (the key and its tenant's services, made once here) is put in
    the scope for the `principal` dependency to pick up.
    """

    def __init__(self, app: ASGIApp, *, provider: HubProvider, max_body_bytes: int) -> None:
        self.app = app
        self.provider = provider
        self.max_body_bytes = max_body_bytes
        self._failures: FailureLimiter | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI call: ``/api/`` ones only with a valid key; non-HTTP ones pass through."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        principal: Principal | None = None
        path = str(scope.get("path", ""))
        # the OAuth callback is a browser redirect from a provider: no key, authorised by its state
        if path.startswith("/api/") and path != "/api/oauth/callback":
            token = _bearer_token(scope)
            if token is None:
                await unauthorized(
                    "Missing API key. Send 'Authorization: Bearer <key>' "
                    "(create one with: python -m hub apikeys create --tenant <slug>).",
                    invalid=False,
                )(scope, receive, send)
                return
            client = _client_address(scope)
            limiter = self._limiter()
            wait = limiter.retry_after(client)
            if wait is not None:  # refused before the look-up: a burst of unknown keys is not served
                await _too_many(wait)(scope, receive, send)
                return
            try:
                principal = await anyio.to_thread.run_sync(self._authenticate, SecretStr(token))
            except HubError as exc:
                await hub_error_response(exc)(scope, receive, send)
                return
            if principal is None:
                limiter.fail(client)
                await unauthorized(
                    "Unknown or revoked API key. Check the key, or create a new one "
                    "with: python -m hub apikeys create --tenant <slug>.",
                    invalid=True,
                )(scope, receive, send)
                return
            scope[PRINCIPAL_KEY] = principal

        sent_status: list[int] = []

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent_status.append(int(message["status"]))
            await send(message)

        try:
            await self._guarded_call(scope, receive, tracking_send)
        except Exception:
            if principal is not None:
                await self._audit(principal, scope, sent_status[0] if sent_status else 500)
            raise
        if principal is not None:
            await self._audit(principal, scope, sent_status[0] if sent_status else 500)

    def _limiter(self) -> FailureLimiter:
        """The limiter of unknown keys, made on first use from the hub's settings."""
        if self._failures is None:
            settings = self.provider.get().settings
            self._failures = FailureLimiter(settings.api_key_failure_burst, settings.api_key_failure_window_s)
        return self._failures

    def _authenticate(self, key: SecretStr) -> Principal | None:
        """The caller of ``key``, or None when it is unknown or revoked (one look-up of key and tenant)."""
        hub = self.provider.get()
        resolved = hub.resolve_api_key(key)
        if resolved is None:
            return None
        api_key, tenant = resolved
        return Principal(key=api_key, service=hub.tenant(tenant))  # a resolved Tenant: no second look-up

    async def _guarded_call(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_body_bytes
        if scope.get("path") == UPLOAD_PATH:  # a file source's file: HUB_UPLOAD_MAX_MB, plus the form's parts
            limit = self.provider.get().settings.upload_max_bytes + self.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await JSONResponse({"detail": "Invalid Content-Length header."}, 400)(scope, receive, send)
                return
            if length > limit:
                await JSONResponse({"detail": too_large_detail(limit)}, 413)(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, watching_send)
        except TooLarge:
            if started:
                raise
            await JSONResponse({"detail": too_large_detail(limit)}, 413)(scope, receive, send)

    async def _audit(self, principal: Principal, scope: Scope, code: int) -> None:
        method, path = str(scope.get("method", "")), str(scope.get("path", ""))

        def write() -> None:
            principal.service.record(
                "api.request",
                actor=principal.actor,
                target_type="api",
                target_id=f"{method} {path}"[:300],
                outcome=_outcome(code),
                detail={"method": method, "path": path[:300], "status": code, "key_id": principal.key.id},
            )

        try:
            await anyio.to_thread.run_sync(write)
        except HubError as exc:  # the response is already sent; the log says the audit row is missing
            log.error("api: could not audit %s %s (%s): %s", method, path, code, exc)
