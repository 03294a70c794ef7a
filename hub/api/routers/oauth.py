"""``/api/oauth/...``: real OAuth sign-in for a web front end (an operator's OAuth app per provider).

``POST /api/oauth/{source_id}/start`` returns the provider's authorize URL; the browser comes back to
``GET /api/oauth/callback`` (no API key: exempt from key authentication, authorised by the single-use state
bound to the tenant and the key that started it), which connects the source and redirects the browser to
the ``return_to`` given at start (only an origin listed in HUB_API_CORS_ORIGINS) with the connection id.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import anyio.to_thread
from fastapi import APIRouter, Path, Query, status
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from hub.api.deps import CallerDep, HubDep
from hub.api.errors import FieldError
from hub.api.schemas import COMMON_ERRORS, error_responses
from hub.exceptions import ConfigError
from hub.oauth.connect import connect_signed_in
from hub.oauth.flow import OAuthFlow, SignInError

router = APIRouter(prefix="/api/oauth", tags=["oauth"])

#: The callback's path: `hub.api.auth.ApiGuard` lets it through without a key.
CALLBACK_PATH = "/api/oauth/callback"


class RedactCallbackQuery(logging.Filter):
    """Drops the query of the callback's URL from access log lines: it carries the provider's code.

    uvicorn's access log (``uvicorn.access``, on by default) writes each request's path with its query:
    ``"GET /api/oauth/callback?code=...&state=... HTTP/1.1" 303``. The code is single use, but it is a
    credential until it is used, and logs travel further than the hub.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the path argument of an access log record for the callback (keeps the record)."""
        args = record.args
        if isinstance(args, tuple) and any(_is_callback(a) for a in args):
            record.args = tuple(f"{CALLBACK_PATH}?<redacted>" if _is_callback(a) else a for a in args)
        return True


def _is_callback(value: object) -> bool:
    return isinstance(value, str) and value.startswith(f"{CALLBACK_PATH}?")


#: The one filter `hub.api.create_app` puts on ``uvicorn.access`` (one instance: added once per process).
REDACT_CALLBACK_QUERY = RedactCallbackQuery()


class StartRequest(BaseModel):
    """Where the sign-in goes and where the browser returns."""

    account: str | None = Field(default=None, description="Shopify's shop or Zendesk's subdomain.")
    return_to: str | None = Field(default=None, description="A URL on an origin in HUB_API_CORS_ORIGINS.")
    connection_id: str | None = Field(default=None, description="Reconnect this connection (keeps its id).")
    fields: dict[str, Any] | None = Field(
        default=None,
        description="What the source's connector needs besides the tokens, by its spec's field names (Google "
        "Sheets: spreadsheet_id; Google Analytics 4: property_ids; Facebook Marketing: account_ids). "
        "Never a secret. Checked here; a reconnect keeps the connection's own where these leave them out.",
    )


class StartResponse(BaseModel):
    """The provider's page to send the browser to."""

    authorize_url: str


class CallbackOutcome(BaseModel):
    """The callback's answer when the sign-in gave no return_to (never a code or a token)."""

    connection_id: str | None = None
    status: str | None = None
    error: str | None = None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@router.post(
    "/{source_id}/start",
    response_model=StartResponse,
    summary="Start a real OAuth sign-in for a source",
    responses=error_responses(400, 404, *COMMON_ERRORS),
)
async def start(
    source_id: Annotated[str, Path(description="A catalogue source signing in with OAuth.")],
    body: StartRequest,
    caller: CallerDep,
    hub: HubDep,
) -> StartResponse:
    """The authorize URL of a new sign-in, bound to this key's tenant and this key."""
    if body.return_to is not None and _origin(body.return_to) not in hub.settings.api_cors_origins:
        raise FieldError("return_to must be on an origin listed in HUB_API_CORS_ORIGINS.",
                         loc=["body", "return_to"], hint="Add the origin to HUB_API_CORS_ORIGINS.")

    def run() -> str:
        try:
            return OAuthFlow(hub).start(
                caller.tenant.id, source_id, user_id=caller.actor, face="api", account=body.account,
                api_key_id=caller.key.id, return_to=body.return_to, connection_id=body.connection_id,
                fields=body.fields,
            )
        except ConfigError as exc:  # a field of ``fields``: point at it there
            where: list[str | int] = ["body", "fields", *(exc.field.split(".") if exc.field else [])]
            raise FieldError(exc.message, loc=where, hint=exc.hint) from exc

    return StartResponse(authorize_url=await anyio.to_thread.run_sync(run))


@router.get(
    "/callback",
    summary="The provider's redirect back (no API key: authorised by the state)",
    response_model=CallbackOutcome,
    responses={303: {"description": "Back to return_to with connection_id (or error)."},
               400: {"model": CallbackOutcome, "description": "The sign-in was refused (error says why)."}},
)
async def callback(
    hub: HubDep,
    state: Annotated[str, Query()] = "",
    code: Annotated[str, Query()] = "",
    error: Annotated[str, Query()] = "",
) -> Response:
    """Check the state, exchange the code, connect; redirect to return_to (or answer JSON without one)."""
    params = {"state": state, "code": code, "error": error}

    def run() -> tuple[str | None, dict[str, str]]:
        try:
            signed = OAuthFlow(hub).finish(params, user_id=None)
        except SignInError as exc:
            return None, {"error": exc.message}
        conn = connect_signed_in(hub, signed, actor=signed.pending.user_id)
        return signed.pending.return_to, {"connection_id": conn.id, "status": conn.status.value}

    return_to, result = await anyio.to_thread.run_sync(run)
    if return_to is None:  # the code never travels further than here, in no URL and no body
        code_ = status.HTTP_400_BAD_REQUEST if "error" in result else status.HTTP_200_OK
        return JSONResponse(result, status_code=code_)
    sep = "&" if "?" in return_to else "?"
    return RedirectResponse(f"{return_to}{sep}{urlencode(result)}", status_code=status.HTTP_303_SEE_OTHER)
