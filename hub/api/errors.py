"""How failures become HTTP answers: `HubError` → status and body, 401 and 413, the exception handlers.

Bodies are ``{"detail": "..."}``, or for input errors ``{"detail": [{"loc", "msg", "type"}]}``; they never
echo the request's input (a config's secret), and 5xx bodies never carry the server-side reason.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import JSONResponse

from hub import (
    AuthError,
    ConfigError,
    ConnectorError,
    FileTooLarge,
    HubError,
    InputError,
    NotFound,
    StorageError,
    TransitionError,
    UnknownBusinessType,
)
from hub.api.schemas import StoreRequest
from hub.handoff.client import AirbyteAPIError

log = logging.getLogger(__name__)

#: The ``WWW-Authenticate`` challenge of a 401.
REALM = 'Bearer realm="hub"'


class Conflict(HubError):
    """The connection's status does not allow this (409)."""


class FieldError(InputError):
    """An input error at a known place of the request (``loc`` as in FastAPI's validation errors)."""

    def __init__(self, message: str, *, loc: list[str | int], hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.loc = loc


class TooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit (FastAPI re-raises HTTPExceptions)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status.HTTP_413_CONTENT_TOO_LARGE, too_large_detail(limit))


def too_large_detail(limit: int) -> str:
    """The 413 message."""
    return (
        f"The request body is larger than {limit} bytes. "
        "Send a smaller body (configs are small JSON objects; files go to POST /api/connections/upload, "
        "up to HUB_UPLOAD_MAX_MB)."
    )


#: The status of each kind of `HubError`, the first match wins (`CryptoError` and the rest: 500).
_STATUS_OF: tuple[tuple[type[HubError], int], ...] = (
    (Conflict, status.HTTP_409_CONFLICT),
    (FileTooLarge, status.HTTP_413_CONTENT_TOO_LARGE),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (InputError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (TransitionError, status.HTTP_409_CONFLICT),
    (ConnectorError, status.HTTP_502_BAD_GATEWAY),
    (AirbyteAPIError, status.HTTP_502_BAD_GATEWAY),
    (StorageError, status.HTTP_503_SERVICE_UNAVAILABLE),
    (AuthError, status.HTTP_403_FORBIDDEN),
)


def status_of(exc: HubError) -> int:
    """The HTTP status of a `HubError`."""
    return next(
        (code for kind, code in _STATUS_OF if isinstance(exc, kind)), status.HTTP_500_INTERNAL_SERVER_ERROR
    )


def _loc_of(exc: InputError) -> list[str | int]:
    """Where a domain input error points, in FastAPI's ``loc`` convention."""
    if isinstance(exc, FieldError):
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
    if isinstance(exc, FileTooLarge):
        return {"detail": str(exc)}
    if isinstance(exc, InputError):
        kind = "config_error" if isinstance(exc, ConfigError) else "input_error"
        return {"detail": [{"loc": _loc_of(exc), "msg": str(exc), "type": kind}]}
    if isinstance(exc, StorageError):  # the full message (hosts, database names) goes to the server log only
        return {"detail": "The hub's storage is unavailable right now. Try again in a moment."}
    if status_of(exc) == status.HTTP_500_INTERNAL_SERVER_ERROR:
        return {"detail": "The hub could not complete the request. See the server log."}
    return {"detail": str(exc)}


def hub_error_response(exc: HubError) -> JSONResponse:
    """The answer to a `HubError` (503 adds ``Retry-After``; 5xx are logged)."""
    code = status_of(exc)
    headers = {"Retry-After": "5"} if code == status.HTTP_503_SERVICE_UNAVAILABLE else None
    if code >= 500:
        log.warning("api: %s: %s", type(exc).__name__, exc)
    return JSONResponse(hub_error_body(exc), status_code=code, headers=headers)


def unauthorized(detail: str, *, invalid: bool) -> JSONResponse:
    """A 401 with the Bearer challenge (``error="invalid_token"`` when a key was sent but is not valid)."""
    challenge = f'{REALM}, error="invalid_token"' if invalid else REALM
    return JSONResponse({"detail": detail}, status_code=401, headers={"WWW-Authenticate": challenge})


def install_error_handlers(app: FastAPI) -> None:
    """Answer `HubError`, validation errors and anything unexpected in the shapes above."""

    @app.exception_handler(HubError)
    async def _on_hub_error(request: Request, exc: HubError) -> JSONResponse:
        return hub_error_response(exc)

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
