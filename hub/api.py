"""The HTTP API: the endpoints the product's web front end calls, over the same services as the UI.

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

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import Depends, FastAPI, Path, Query, Request, Security, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from hub import Hub, TenantService
from hub.exceptions import (
    AuthError,
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
from hub.models import ApiKey, Mode, Preview, Recommendation, SourceEntry, Status, StreamInfo, Tenant
from hub.settings import Settings

log = logging.getLogger(__name__)

#: Request bodies larger than this are refused with 413 before they are parsed.
DEFAULT_MAX_BODY_BYTES = 64 * 1024
#: Bounds of ``?limit=`` on the preview endpoint.
PREVIEW_MAX_LIMIT = 1000

_PRINCIPAL_KEY = "hub.principal"
_REALM = 'Bearer realm="hub"'

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


# --------------------------------------------------------------------------- API models


class _ApiModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreRequest(_ApiModel):
    """Body of ``POST /api/connections/store``."""

    source_id: str = Field(min_length=1, max_length=100, description="A catalogue id, e.g. `stripe`.")
    name: str | None = Field(
        default=None, min_length=1, max_length=200, description="Display name; defaults to the source's name."
    )
    mode: Mode | None = Field(
        default=None,
        description="`demo` (synthetic streams) or `live`. Omitted: live when the source has a live "
        "connector and `config` is not empty, else demo.",
    )
    config: dict[str, Any] = Field(
        default_factory=dict,
        description="The connector configuration, validated against the source's spec "
        "(`GET /api/airbyte/sources/{source_id}/spec`). "
        "Secret fields are encrypted at rest and never returned.",
    )


class ConnectionOut(BaseModel):
    """A connection: metadata only, never the config or its ciphertext."""

    # fields added to `Connection.public()` later are dropped here until they are documented
    model_config = ConfigDict(extra="ignore")

    id: str
    source_id: str
    name: str
    mode: Mode
    status: Status = Field(description="`connecting`, `testing`, `connected`, `failed` or `disconnected`.")
    status_detail: str = Field(description="Why it is in this state (the reason of a failure, in words).")
    metadata: dict[str, Any] = Field(description="Non-secret config, scopes, stream names, sample counts.")
    created_at: datetime
    updated_at: datetime
    last_checked_at: datetime | None = Field(description="When it was last checked, if ever.")


class SourceSpec(_ApiModel):
    """The JSON Schema a source's `config` must match in one mode."""

    source_id: str
    mode: Mode
    connection_specification: dict[str, Any] = Field(
        description="JSON Schema (Airbyte's `connectionSpecification`); "
        "secret fields carry `airbyte_secret: true`."
    )


class ValidationIssue(BaseModel):
    """One reason a request was refused with 422."""

    loc: list[str | int] = Field(description="Where: e.g. `[\"body\", \"config\", \"api_key\"]`.")
    msg: str = Field(description="What is wrong and what to do; never the submitted value.")
    type: str = Field(description="A machine-readable kind, e.g. `missing` or `config_error`.")


class ErrorResponse(BaseModel):
    """Every error: ``{"detail": "..."}``; 422 carries a list of issues instead."""

    detail: str | list[ValidationIssue]


class Health(_ApiModel):
    """``GET /healthz``."""

    status: Literal["ok"] = "ok"


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    texts = {
        400: "The body is not decodable JSON text (e.g. not UTF-8).",
        401: "Missing, unknown or revoked API key (`WWW-Authenticate: Bearer`).",
        404: "Unknown id, or an id of another tenant (the two are indistinguishable).",
        409: "Not possible in the connection's current status (e.g. testing a disconnected connection).",
        413: "Request body larger than the limit (64 KiB by default).",
        422: "Invalid input; `detail` lists the fields, without their values.",
        502: "The source itself failed (a connector error); `detail` says what and what to do.",
        503: "The hub's storage is unavailable; retry later.",
    }
    return {code: {"model": ErrorResponse, "description": texts[code]} for code in codes}


_COMMON = (401, 413, 422, 503)


# --------------------------------------------------------------------------- the hub, opened lazily


class _HubProvider:
    """The app's `Hub`: the one given to `create_app`, or one opened from settings on first use."""

    def __init__(self, hub: Hub | None, settings: Settings | None) -> None:
        self._hub = hub
        self._settings = settings
        self._owned = hub is None
        self._lock = threading.Lock()

    def get(self) -> Hub:
        """The hub (opening it from the settings, or ``HUB_*``, the first time)."""
        hub = self._hub
        if hub is not None:
            return hub
        with self._lock:
            if self._hub is None:
                self._hub = Hub.open(self._settings or Settings.from_env())
            return self._hub

    def start(self) -> None:
        """Open the hub; on the embedded default also make the demo accounts (as ``make run`` does)."""
        hub = self.get()
        if self._owned:
            hub.ensure_demo_accounts()
        hub.start_warm_up()  # the first demo connect then finds the demo data's pools built

    def close(self) -> None:
        """Close the hub if this provider opened it."""
        with self._lock:
            if self._owned and self._hub is not None:
                self._hub.close()
                self._hub = None


@dataclass(frozen=True)
class Principal:
    """Who is calling: the API key (its name is the audit actor) and its tenant."""

    key: ApiKey
    tenant: Tenant

    @property
    def actor(self) -> str:
        """The audit actor: the key's name."""
        return self.key.name


# --------------------------------------------------------------------------- errors


class _Conflict(HubError):
    """The connection's status does not allow this (409)."""


def _status_of(exc: HubError) -> int:
    """The HTTP status of a `HubError`."""
    if isinstance(exc, _Conflict):
        return status.HTTP_409_CONFLICT
    if isinstance(exc, NotFound):
        return status.HTTP_404_NOT_FOUND
    if isinstance(exc, InputError):
        return status.HTTP_422_UNPROCESSABLE_CONTENT
    if isinstance(exc, TransitionError):
        return status.HTTP_409_CONFLICT
    if isinstance(exc, ConnectorError):
        return status.HTTP_502_BAD_GATEWAY
    if isinstance(exc, StorageError):
        return status.HTTP_503_SERVICE_UNAVAILABLE
    if isinstance(exc, AuthError):
        return status.HTTP_403_FORBIDDEN
    if isinstance(exc, CryptoError):
        return status.HTTP_500_INTERNAL_SERVER_ERROR
    return status.HTTP_500_INTERNAL_SERVER_ERROR


class _FieldError(InputError):
    """An input error at a known place of the request (``loc`` as in FastAPI's validation errors)."""

    def __init__(self, message: str, *, loc: list[str | int], hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.loc = loc


def _loc_of(exc: InputError) -> list[str | int]:
    """Where a domain input error points, in FastAPI's ``loc`` convention."""
    if isinstance(exc, _FieldError):
        return exc.loc
    if isinstance(exc, UnknownBusinessType):
        return ["query", "business_type"]
    field = getattr(exc, "field", None)
    if isinstance(exc, ConfigError) and field:
        parts: list[str | int] = list(str(field).split("."))
        if parts[0] in StoreRequest.model_fields:
            return ["body", *parts]
        return ["body", "config", *parts]
    return []


def hub_error_body(exc: HubError) -> dict[str, Any]:
    """The JSON body of a `HubError` (its message and hint; messages never hold secrets)."""
    if isinstance(exc, InputError):
        kind = "config_error" if isinstance(exc, ConfigError) else "input_error"
        return {"detail": [{"loc": _loc_of(exc), "msg": str(exc), "type": kind}]}
    if isinstance(exc, StorageError):  # the full message (hosts, database names) goes to the server log only
        return {"detail": "The hub's storage is unavailable right now. Try again in a moment."}
    if _status_of(exc) == status.HTTP_500_INTERNAL_SERVER_ERROR:
        return {"detail": "The hub could not complete the request. See the server log."}
    return {"detail": str(exc)}


def _hub_error_response(exc: HubError) -> JSONResponse:
    code = _status_of(exc)
    headers = {"Retry-After": "5"} if code == status.HTTP_503_SERVICE_UNAVAILABLE else None
    if code >= 500:
        log.warning("api: %s: %s", type(exc).__name__, exc)
    return JSONResponse(hub_error_body(exc), status_code=code, headers=headers)


def _unauthorized(detail: str, *, invalid: bool) -> JSONResponse:
    challenge = f'{_REALM}, error="invalid_token"' if invalid else _REALM
    return JSONResponse({"detail": detail}, status_code=401, headers={"WWW-Authenticate": challenge})


class _TooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit (FastAPI re-raises HTTPExceptions)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status.HTTP_413_CONTENT_TOO_LARGE, _too_large_detail(limit))


def _too_large_detail(limit: int) -> str:
    return (
        f"The request body is larger than {limit} bytes. "
        "Send a smaller body (configs are small JSON objects)."
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HubError)
    async def _on_hub_error(request: Request, exc: HubError) -> JSONResponse:
        return _hub_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default body echoes "input" (a config's secret!) and "ctx"; keep only where and what.
        issues = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": jsonable_encoder(issues)}, status_code=422)

    @app.exception_handler(Exception)
    async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("api: unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return JSONResponse({"detail": "The hub could not complete the request. See the server log."}, 500)


# --------------------------------------------------------------------------- the guard (auth, size, audit)


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


def _outcome(code: int) -> str:
    if code < 400:
        return "ok"
    if code in (401, 403):
        return "denied"
    return "error"


class _ApiGuard:
    """ASGI middleware: authenticate ``/api/`` calls, bound the body size, audit every call.

    Authentication happens before the body is read, so an unauthenticated caller learns nothing
    about validation. The principal is put in the scope for `principal` to pick up.
    """

    def __init__(self, app: ASGIApp, *, provider: _HubProvider, max_body_bytes: int) -> None:
        self.app = app
        self.provider = provider
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        guarded = str(scope.get("path", "")).startswith("/api/")
        principal: Principal | None = None
        if guarded:
            token = _bearer_token(scope)
            if token is None:
                await _unauthorized(
                    "Missing API key. Send 'Authorization: Bearer <key>' "
                    "(create one with: python -m hub apikeys create --tenant <slug>).",
                    invalid=False,
                )(scope, receive, send)
                return
            secret = SecretStr(token)
            try:
                resolved = await anyio.to_thread.run_sync(lambda: self.provider.get().resolve_api_key(secret))
            except HubError as exc:
                await _hub_error_response(exc)(scope, receive, send)
                return
            if resolved is None:
                await _unauthorized(
                    "Unknown or revoked API key. Check the key, or create a new one "
                    "with: python -m hub apikeys create --tenant <slug>.",
                    invalid=True,
                )(scope, receive, send)
                return
            principal = Principal(key=resolved[0], tenant=resolved[1])
            scope[_PRINCIPAL_KEY] = principal

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

    async def _guarded_call(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await JSONResponse({"detail": "Invalid Content-Length header."}, 400)(scope, receive, send)
                return
            if length > limit:
                await JSONResponse({"detail": _too_large_detail(limit)}, 413)(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(limit)
            return message

        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, watching_send)
        except _TooLarge:
            if started:
                raise
            await JSONResponse({"detail": _too_large_detail(limit)}, 413)(scope, receive, send)

    async def _audit(self, principal: Principal, scope: Scope, code: int) -> None:
        method, path = str(scope.get("method", "")), str(scope.get("path", ""))

        def write() -> None:
            hub = self.provider.get()
            hub.tenant(principal.tenant.id).record(
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


# --------------------------------------------------------------------------- dependencies

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key made with `python -m hub apikeys create --tenant <slug>`.",
)


async def principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal:
    """The caller, authenticated by `_ApiGuard` (the `Security` declares the scheme in OpenAPI)."""
    found = request.scope.get(_PRINCIPAL_KEY)
    if not isinstance(found, Principal):  # a route outside /api/ asked for it: never serve anonymously
        raise HTTPException(401, "Missing API key.", headers={"WWW-Authenticate": _REALM})
    return found


async def hub_of(request: Request) -> Hub:
    """The app's hub."""
    provider: _HubProvider = request.app.state.hub_provider
    return provider.get()


def tenant_service(
    who: Annotated[Principal, Depends(principal)], hub: Annotated[Hub, Depends(hub_of)]
) -> TenantService:
    """The services bound to the caller's tenant."""
    return hub.tenant(who.tenant.id)


CallerDep = Annotated[Principal, Depends(principal)]
HubDep = Annotated[Hub, Depends(hub_of)]
TenantDep = Annotated[TenantService, Depends(tenant_service)]
ConnectionId = Annotated[str, Path(min_length=1, max_length=100, description="The connection's id.")]


def _require_connected(service: TenantService, connection_id: str) -> None:
    """409 unless the connection is connected (reading a failed or disconnected one is a state conflict)."""
    conn = service.get_connection(connection_id)
    if conn.status is not Status.CONNECTED:
        hint = "Connect the source again." if conn.status is Status.DISCONNECTED else "Re-test it first."
        raise _Conflict(f"Connection {conn.id} is {conn.status.value}, not connected.", hint=hint)


def _public(connection: Any) -> dict[str, Any]:
    result: dict[str, Any] = connection.public()
    return result


def _secret_paths(hub: Hub, source: SourceEntry, mode: Mode | None, config: Mapping[str, Any]) -> list[str]:
    """Dotted paths of the fields the connector keeps secret (of either mode when ``mode`` is None)."""
    from hub.connectors import get_connector, has_live, secret_fields

    modes = [mode] if mode is not None else [Mode.DEMO]
    if mode is None and has_live(source.id) and config:
        modes.append(Mode.LIVE)
    paths: set[str] = set()
    for m in modes:
        try:
            spec = get_connector(source, m, tenant="api", settings=hub.settings).spec()
        except HubError:
            continue  # e.g. no live connector: the service raises the proper error
        paths.update(secret_fields(spec))
    return sorted(paths)


def _seal_secrets(config: Mapping[str, Any], paths: list[str], prefix: str = "") -> dict[str, Any]:
    """A copy of ``config`` whose secret fields are `SecretStr` (so they stay masked until encrypted)."""
    sealed: dict[str, Any] = {}
    for key, value in config.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            sealed[key] = _seal_secrets(value, paths, prefix=f"{path}.")
        elif path in paths and isinstance(value, str):
            sealed[key] = SecretStr(value)
        else:
            sealed[key] = value
    return sealed


# --------------------------------------------------------------------------- the app


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
            ``settings`` (or ``HUB_*``) at start-up, and close it at shutdown.
        settings: used only when ``hub`` is None.
        max_body_bytes: larger request bodies are refused with 413 before parsing.
        cors_origins: browser origins (``https://app.example.com``) allowed to call the API from
            another origin; None reads ``HUB_API_CORS_ORIGINS`` (comma-separated; unset: none).

    """
    provider = _HubProvider(hub, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(provider.start)  # fail at start-up, not on the first request
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(provider.close)

    app = FastAPI(
        title="Data Source Hub API",
        version="1.0.0",
        summary="Catalogue, recommendations and tenant-scoped, encrypted data source connections.",
        description=__doc__,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "catalogue", "description": "The integrations the hub offers."},
            {"name": "connections", "description": "The tenant's connections: store, test, preview, delete."},
            {"name": "health", "description": "Liveness (no API key)."},
        ],
    )
    app.state.hub_provider = provider
    _install_error_handlers(app)
    app.add_middleware(_ApiGuard, provider=provider, max_body_bytes=max_body_bytes)
    if cors_origins is None:
        cors_origins = [o.strip() for o in os.environ.get("HUB_API_CORS_ORIGINS", "").split(",") if o.strip()]
    if cors_origins:  # outside the guard: a browser's preflight carries no API key
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Location", "WWW-Authenticate", "Retry-After"],
            max_age=600,
        )

    @app.get("/healthz", response_model=Health, tags=["health"], summary="Liveness")
    def healthz() -> Health:
        """Answers 200 while the process serves requests (touches no storage)."""
        return Health()

    # ----------------------------------------------------------------- catalogue

    @app.get(
        "/api/airbyte/sources",
        response_model=list[SourceEntry],
        tags=["catalogue"],
        summary="List the available integrations",
        responses=_errors(*_COMMON),
    )
    def list_sources(
        _who: CallerDep,
        hub: HubDep,
        category: Annotated[
            str | None, Query(max_length=100, description="Only this category, e.g. `Payments`.")
        ] = None,
        search: Annotated[
            str | None, Query(max_length=200, description="Words matched against name, category and tags.")
        ] = None,
    ) -> list[SourceEntry]:
        """The catalogue, optionally filtered by category and a search text.

        An unknown category is 422 naming ``category`` (the message lists the categories).
        """
        try:
            return hub.catalogue.search(search or None, category=category or None)
        except NotFound as exc:
            raise _FieldError(exc.message, loc=["query", "category"], hint=exc.hint) from None

    @app.get(
        "/api/airbyte/sources/{source_id}/spec",
        response_model=SourceSpec,
        tags=["catalogue"],
        summary="The config schema of one integration",
        responses=_errors(404, *_COMMON),
    )
    def source_spec(
        _who: CallerDep,
        hub: HubDep,
        source_id: Annotated[str, Path(min_length=1, max_length=100, description="A catalogue id.")],
        mode: Annotated[Mode, Query(description="`demo` or `live`.")] = Mode.DEMO,
    ) -> SourceSpec:
        """The JSON Schema that ``config`` of ``POST /api/connections/store`` must match in ``mode``."""
        from hub.connectors import get_connector

        source = hub.catalogue.get(source_id)
        try:
            spec = get_connector(source, mode, tenant="api", settings=hub.settings).spec()
        except ConfigError as exc:  # no live connector for this source
            raise _FieldError(exc.message, loc=["query", "mode"], hint=exc.hint) from None
        return SourceSpec(source_id=source.id, mode=mode, connection_specification=spec)

    @app.get(
        "/api/airbyte/recommendations",
        response_model=list[Recommendation],
        tags=["catalogue"],
        summary="Integrations recommended for a business type",
        responses=_errors(*_COMMON),
    )
    def recommendations(
        who: CallerDep,
        hub: HubDep,
        business_type: Annotated[
            str | None,
            Query(max_length=100, description="A business type slug; default: the key's tenant's type."),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=20, description="At most this many.")] = 4,
    ) -> list[Recommendation]:
        """Ranked integrations with a one-line reason each."""
        return hub.catalogue.recommend(business_type or who.tenant.business_type, limit=limit)

    # ----------------------------------------------------------------- connections

    @app.post(
        "/api/connections/store",
        response_model=ConnectionOut,
        status_code=status.HTTP_201_CREATED,
        tags=["connections"],
        summary="Connect a source and store its configuration encrypted",
        responses={
            **_errors(400, *_COMMON, 502),
            201: {
                "description": "Stored. `status` is `connected`, or `failed` with the reason in "
                "`status_detail` "
                "(a failed check is stored too, so it can be retried or reconnected). "
                "`Location` points at the new connection.",
            },
        },
    )
    def store_connection(
        body: StoreRequest, response: Response, who: CallerDep, hub: HubDep, service: TenantDep
    ) -> dict[str, Any]:
        """Connect a source like the UI's Connect button, and store it.

        ``config`` is validated against the source's spec first (422 naming the field; nothing is
        stored), then checked, discovered and sampled. Secret fields are encrypted at rest.
        """
        try:
            source = hub.catalogue.get(body.source_id)
        except NotFound as exc:  # a body field naming nothing is a validation error of that field
            raise _FieldError(exc.message, loc=["body", "source_id"], hint=exc.hint) from None
        config = _seal_secrets(body.config, _secret_paths(hub, source, body.mode, body.config))
        connection = service.connect(source.id, config, actor=who.actor, mode=body.mode, name=body.name)
        response.headers["Location"] = f"/api/connections/{connection.id}"
        return _public(connection)

    @app.get(
        "/api/connections",
        response_model=list[ConnectionOut],
        tags=["connections"],
        summary="List the tenant's connections",
        responses=_errors(*_COMMON),
    )
    def list_connections(
        service: TenantDep,
        include_disconnected: Annotated[bool, Query(description="Include disconnected ones.")] = True,
    ) -> list[dict[str, Any]]:
        """Newest first; metadata only."""
        return [_public(c) for c in service.list_connections(include_disconnected=include_disconnected)]

    @app.get(
        "/api/connections/{connection_id}",
        response_model=ConnectionOut,
        tags=["connections"],
        summary="One connection (metadata only)",
        responses=_errors(404, *_COMMON),
    )
    def get_connection(connection_id: ConnectionId, service: TenantDep) -> dict[str, Any]:
        """Its status and metadata; never the config or a secret."""
        return _public(service.get_connection(connection_id))

    @app.delete(
        "/api/connections/{connection_id}",
        response_model=ConnectionOut,
        tags=["connections"],
        summary="Disconnect",
        responses=_errors(404, *_COMMON),
    )
    def delete_connection(connection_id: ConnectionId, who: CallerDep, service: TenantDep) -> dict[str, Any]:
        """Disconnect: status becomes `disconnected` and the stored secret is erased.

        The row stays for the audit trail, so a later GET answers 200 with status `disconnected`.
        Deleting again answers the same.
        """
        current = service.get_connection(connection_id)
        if current.status == Status.DISCONNECTED:
            return _public(current)
        return _public(service.disconnect(connection_id, actor=who.actor))

    @app.post(
        "/api/connections/{connection_id}/test",
        response_model=ConnectionOut,
        tags=["connections"],
        summary="Re-test (or retry) with the stored config",
        responses=_errors(404, 409, *_COMMON, 502),
    )
    def test_connection(connection_id: ConnectionId, who: CallerDep, service: TenantDep) -> dict[str, Any]:
        """Run the check again with the stored config.

        The answer has status `connected` or `failed` (with the reason). A disconnected connection
        cannot be tested (409).
        """
        return _public(service.retest(connection_id, actor=who.actor))

    @app.get(
        "/api/connections/{connection_id}/streams",
        response_model=list[StreamInfo],
        tags=["connections"],
        summary="The streams of a connection",
        responses=_errors(404, 409, *_COMMON, 502),
    )
    def list_streams(connection_id: ConnectionId, service: TenantDep) -> list[StreamInfo]:
        """Each stream with its JSON Schema, primary key and cursor field (409 unless connected)."""
        _require_connected(service, connection_id)
        return service.streams(connection_id)

    @app.get(
        "/api/connections/{connection_id}/streams/{stream}/preview",
        response_model=Preview,
        tags=["connections"],
        summary="A bounded sample of one stream",
        responses=_errors(404, 409, *_COMMON, 502),
    )
    def preview_stream(
        connection_id: ConnectionId,
        stream: Annotated[str, Path(min_length=1, max_length=200, description="A stream name.")],
        who: CallerDep,
        service: TenantDep,
        limit: Annotated[int, Query(ge=1, le=PREVIEW_MAX_LIMIT, description="Records to return.")] = 100,
    ) -> Preview:
        """At most ``limit`` records and the stream's schema (audited as `connection.preview`).

        409 unless the connection is connected; 404 for a stream it does not have.
        """
        _require_connected(service, connection_id)
        return service.preview(connection_id, stream, limit=limit, actor=who.actor)

    return app


#: The ASGI app of ``uvicorn hub.api:app`` (settings from ``HUB_*``; storage opened at start-up).
app = create_app()

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "ConnectionOut",
    "ErrorResponse",
    "Principal",
    "StoreRequest",
    "app",
    "create_app",
]
