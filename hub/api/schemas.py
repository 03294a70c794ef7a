"""The API's own request and response models, and the error responses each route documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub import Mode, Status


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

    loc: list[str | int] = Field(description='Where: e.g. `["body", "config", "api_key"]`.')
    msg: str = Field(description="What is wrong and what to do; never the submitted value.")
    type: str = Field(description="A machine-readable kind, e.g. `missing` or `config_error`.")


class ErrorResponse(BaseModel):
    """Every error: ``{"detail": "..."}``; 422 carries a list of issues instead."""

    detail: str | list[ValidationIssue]


class Health(_ApiModel):
    """``GET /healthz``."""

    status: Literal["ok"] = "ok"


_ERROR_TEXTS = {
    400: "The body is not decodable JSON text (e.g. not UTF-8).",
    401: "Missing, unknown or revoked API key (`WWW-Authenticate: Bearer`).",
    404: "Unknown id, or an id of another tenant (the two are indistinguishable).",
    409: "Not possible in the connection's current status (e.g. testing a disconnected connection).",
    413: "Request body larger than the limit (64 KiB by default).",
    422: "Invalid input; `detail` lists the fields, without their values.",
    502: "The source itself failed (a connector error), or Airbyte did (a hand-off); `detail` says what and "
    "what to do.",
    503: "The hub's storage is unavailable; retry later.",
}

#: The errors every ``/api/`` route can answer (key, body size, validation, storage).
COMMON_ERRORS = (401, 413, 422, 503)


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: each status code with `ErrorResponse` and what it means."""
    return {code: {"model": ErrorResponse, "description": _ERROR_TEXTS[code]} for code in codes}
