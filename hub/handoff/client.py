"""The Airbyte public API (v1) client: the official SDK `airbyte-api`, pointed at HUB_AIRBYTE_API_URL.

Authentication is the SDK's own OAuth client-credentials hook: on the first call it exchanges
HUB_AIRBYTE_CLIENT_ID / HUB_AIRBYTE_CLIENT_SECRET at ``<API URL>/applications/token`` for an access token,
reuses it, and fetches a new one 60 s before ``expires_in`` runs out (or after a 401). Retries of 429 and
5xx answers and of connection errors use the SDK's retry configuration (exponential backoff), not a loop
of ours.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from airbyte_api import AirbyteAPI, errors, models
from airbyte_api.utils import BackoffStrategy, RetryConfig

from hub.exceptions import HubError, InputError
from hub.settings import Settings

TOKEN_PATH = "/applications/token"  # noqa: S105 - a URL path, not a secret


class AirbyteNotConfigured(InputError):
    """The hand-off was asked for while the Airbyte settings are unset."""


class AirbyteAPIError(HubError):
    """Airbyte answered with an error (or not at all); ``status`` is the HTTP status, 0 = no answer."""

    def __init__(self, message: str, *, status: int = 0, hint: str = "", transient: bool = False) -> None:
        super().__init__(message, hint=hint, transient=transient)
        self.status = status


@dataclass(frozen=True)
class ClientOptions:
    """How the SDK calls Airbyte: per-request timeout and the retry backoff (milliseconds)."""

    timeout_s: float = 30.0
    retry_initial_ms: int = 500
    retry_max_ms: int = 8_000
    retry_max_elapsed_ms: int = 60_000


def require_configured(settings: Settings) -> tuple[str, str, str]:
    """(API URL, client id, client secret), or a clear error naming the missing settings."""
    missing = [
        name
        for name, value in (
            ("HUB_AIRBYTE_API_URL", settings.airbyte_api_url),
            ("HUB_AIRBYTE_CLIENT_ID", settings.airbyte_client_id),
            ("HUB_AIRBYTE_CLIENT_SECRET", settings.airbyte_client_secret),
        )
        if not value
    ]
    if missing or settings.airbyte_client_secret is None:
        raise AirbyteNotConfigured(
            f"The hand-off to Airbyte is not set up: {', '.join(missing)} missing.",
            hint="Set HUB_AIRBYTE_API_URL, HUB_AIRBYTE_CLIENT_ID and HUB_AIRBYTE_CLIENT_SECRET "
            "(README, Hand-off to Airbyte).",
        )
    assert settings.airbyte_api_url and settings.airbyte_client_id
    secret = settings.airbyte_client_secret.get_secret_value()
    return settings.airbyte_api_url, settings.airbyte_client_id, secret


def airbyte_client(
    settings: Settings, *, options: ClientOptions | None = None, token_url: str | None = None
) -> AirbyteAPI:
    """An SDK instance for the configured deployment.

    ``token_url`` defaults to the API URL + ``/applications/token`` (Cloud and self-hosted alike); the
    tests point it at their own token endpoint because the spec (and so the mock server) has no such path.
    """
    api_url, client_id, client_secret = require_configured(settings)
    opts = options or ClientOptions()
    security = models.Security(
        client_credentials=models.SchemeClientCredentials(
            client_id=client_id, client_secret=client_secret, token_url=token_url or api_url + TOKEN_PATH
        )
    )
    retry = RetryConfig(
        "backoff",
        BackoffStrategy(opts.retry_initial_ms, opts.retry_max_ms, 2.0, opts.retry_max_elapsed_ms),
        retry_connection_errors=True,
    )
    return AirbyteAPI(
        security=security,
        server_url=api_url,
        retry_config=retry,
        timeout_ms=int(opts.timeout_s * 1000),
        client=httpx.Client(follow_redirects=False, timeout=opts.timeout_s),
    )


_STATUS_MESSAGES = {
    400: ("Airbyte refused the request as malformed.", "This is a bug in the hub; please report it."),
    401: (
        "Airbyte refused the hub's credentials.",
        "Check HUB_AIRBYTE_CLIENT_ID and HUB_AIRBYTE_CLIENT_SECRET (an Airbyte application's credentials).",
    ),
    403: (
        "The Airbyte application may not do this in that workspace.",
        "Give the application access to the workspace, or set another workspace (handoff setup).",
    ),
    404: ("Airbyte does not know this object (deleted there?).", "Run the hand-off again to re-create it."),
    409: ("Airbyte refused the change: it conflicts with an existing object.", "Run the hand-off again."),
    422: (
        "Airbyte refused the configuration.",
        "Check the connection's settings and the destination configuration (handoff setup).",
    ),
    429: ("Airbyte is rate-limiting the hub.", "Wait a minute and run the hand-off again."),
}


def explain(exc: Exception, *, doing: str) -> AirbyteAPIError:
    """The SDK's exception as a clear `AirbyteAPIError` ("what failed, what to do"); never the body's secrets.

    The response body is not quoted: Airbyte echoes request fields (configurations) in some error bodies.
    """
    if isinstance(exc, AirbyteAPIError):
        return exc
    if isinstance(exc, httpx.TimeoutException):
        return AirbyteAPIError(
            f"Airbyte did not answer in time while {doing}.",
            hint="Airbyte may be slow or unreachable; run the hand-off again (it resumes where it stopped).",
            transient=True,
        )
    if isinstance(exc, httpx.HTTPError):
        return AirbyteAPIError(
            f"Airbyte could not be reached while {doing}.",
            hint="Check HUB_AIRBYTE_API_URL and the network, then run the hand-off again.",
            transient=True,
        )
    if isinstance(exc, errors.ResponseValidationError):
        return AirbyteAPIError(
            f"Airbyte's answer does not match its API (v1) while {doing}.",
            hint="The deployment may run another API version; check HUB_AIRBYTE_API_URL.",
        )
    if isinstance(exc, errors.NoResponseError):
        return AirbyteAPIError(
            f"Airbyte sent no answer while {doing}.", hint="Run the hand-off again.", transient=True
        )
    if isinstance(exc, errors.AirbyteAPIError):
        status = exc.raw_response.status_code
        if status in _STATUS_MESSAGES:
            message, hint = _STATUS_MESSAGES[status]
        elif status >= 500:
            message, hint = (
                f"Airbyte failed (HTTP {status}) and kept failing after retries.",
                "Airbyte has a problem; run the hand-off again later.",
            )
        else:
            message, hint = f"Airbyte answered HTTP {status}.", "Run the hand-off again."
        return AirbyteAPIError(
            f"{message} ({doing})", status=status, hint=hint, transient=status >= 500 or status == 429
        )
    if "token endpoint" in str(exc):
        # the SDK's client-credentials hook raises a bare Exception when the token exchange fails
        return AirbyteAPIError(
            f"Airbyte refused the hub's credentials while {doing}.",
            status=401,
            hint=_STATUS_MESSAGES[401][1],
        )
    return AirbyteAPIError(
        f"Airbyte's answer could not be used while {doing}.", hint="Run the hand-off again."
    )
