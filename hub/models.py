"""Pydantic models and enums shared by every layer of the hub."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class AuthKind(StrEnum):
    """How a source is authenticated."""

    OAUTH2 = "oauth2"
    API_KEY = "api_key"
    DATABASE = "database"
    FILE = "file"
    NONE = "none"


class Mode(StrEnum):
    """Whether a connection talks to a real system (live) or serves synthetic data (demo)."""

    DEMO = "demo"
    LIVE = "live"


class Status(StrEnum):
    """Stored connection states; the allowed transitions are in ``hub.status``."""

    CONNECTING = "connecting"
    TESTING = "testing"
    CONNECTED = "connected"
    FAILED = "failed"
    DISCONNECTED = "disconnected"


class Outcome(StrEnum):
    """Outcome of an audited action."""

    OK = "ok"
    ERROR = "error"
    DENIED = "denied"


class FailureKind(StrEnum):
    """What kind of failure a check found (``ok`` when it found none); stored in ``connection_checks.kind``.

    Each kind has one "what to do" for users (`hub.health.WHAT_TO_DO`).
    """

    OK = "ok"
    AUTH_EXPIRED = "auth_expired"
    PERMISSION = "permission"
    NETWORK = "network"
    TIMEOUT = "timeout"
    CONFIG = "config"
    SOURCE_ERROR = "source_error"
    INTERRUPTED = "interrupted"


class AuditAction(StrEnum):
    """Every action the audit log records (contracts.md), grouped by what it concerns.

    The audit page's filter lists them in this order; storage refuses any other action name.
    """

    # tenants, users and signing in
    TENANT_CREATE = "tenant.create"
    USER_CREATE = "user.create"
    USER_REMOVE = "user.remove"
    AUTH_SIGN_IN = "auth.sign_in"
    AUTH_SIGN_IN_FAILED = "auth.sign_in_failed"
    AUTH_SIGN_OUT = "auth.sign_out"
    # connections
    CONNECTION_CREATE = "connection.create"
    CONNECTION_STATUS = "connection.status"
    CONNECTION_INTERRUPTED = "connection.interrupted"
    CONNECTION_RETEST = "connection.retest"
    CONNECTION_PREVIEW = "connection.preview"
    CONNECTION_RENAME = "connection.rename"
    CONNECTION_DISCONNECT = "connection.disconnect"
    # the Airbyte connectors installed on this machine
    CONNECTOR_INSTALL = "connector.install"
    CONNECTOR_REMOVE = "connector.remove"
    # OAuth
    OAUTH_START = "oauth.start"
    OAUTH_CALLBACK = "oauth.callback"
    OAUTH_DENIED = "oauth.denied"
    OAUTH_REFRESH = "oauth.refresh"
    OAUTH_REVOKE = "oauth.revoke"
    # encryption keys, API keys and API calls
    KEY_ROTATE = "key.rotate"
    APIKEY_CREATE = "apikey.create"
    APIKEY_REVOKE = "apikey.revoke"
    API_REQUEST = "api.request"
    # health: outcome changes only (not every check), alerts, schema drift
    HEALTH_CHANGE = "health.change"
    ALERT_SENT = "alert.sent"
    ALERT_SETTINGS = "alert.settings"
    DRIFT_DETECT = "drift.detect"
    DRIFT_ACCEPT = "drift.accept"
    # the hand-off to an Airbyte deployment
    HANDOFF_SETUP = "handoff.setup"
    HANDOFF_SOURCE = "handoff.source"
    HANDOFF_DESTINATION = "handoff.destination"
    HANDOFF_CONNECTION = "handoff.connection"
    HANDOFF_JOB = "handoff.job"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- catalogue


class Scope(_Model):
    """One OAuth scope a source requests."""

    name: str = Field(min_length=1, description="The provider's scope string, e.g. `read_orders`.")
    description: str = Field(min_length=1, description="What it lets us read, in plain words.")


class ApiKeyFormat(_Model):
    """The documented format of a provider's API key (checked until live clients exist)."""

    pattern: str = Field(description="A regular expression the whole key must match.")
    example: str = Field(description="A masked example shown as the field's placeholder, e.g. `sk_live_...`.")
    where: str = Field(description="Where in the provider's UI the user finds the key.")


class ConnectorPackage(_Model):
    """The Airbyte connector package that serves a source live, pinned to one version."""

    name: str = Field(
        pattern=r"^airbyte-source-[a-z0-9-]+$", description="PyPI name, e.g. `airbyte-source-faker`."
    )
    version: str = Field(
        pattern=r"^[0-9]+(\.[0-9]+)*$", description="The exact version installed (runs on Python 3.11)."
    )

    @property
    def key(self) -> str:
        """``name-version``: the folder of its virtual environment and its shipped spec."""
        return f"{self.name}-{self.version}"


class SourceEntry(_Model):
    """One integration in the catalogue (`data/mock_sources.json`)."""

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$", description="Stable slug used by the CLI, API and storage."
    )
    name: str = Field(min_length=1, description="Display name.")
    category: str = Field(min_length=1, description="Catalogue category, e.g. `E-commerce`.")
    description: str = Field(min_length=1, max_length=160, description="One line.")
    icon: str = Field(min_length=1, description="An emoji or a Streamlit `:material/...:` icon.")
    auth_kind: AuthKind = Field(description="How the source is authenticated.")
    scopes: list[Scope] = Field(default_factory=list, description="OAuth scopes requested (oauth2 only).")
    api_key: ApiKeyFormat | None = Field(default=None, description="Key format (api_key sources).")
    streams: list[str] = Field(min_length=1, description="Stream names, as the real connector names them.")
    setup_guide: list[str] = Field(min_length=1, description="Steps the user follows (markdown).")
    airbyte_connector: str | None = Field(
        pattern=r"^source-[a-z0-9-]+$",
        description="e.g. `source-shopify`; null when Airbyte has no source for it (SQLite files).",
    )
    connector_package: ConnectorPackage | None = Field(
        default=None,
        description="The pinned `airbyte-source-*` package that serves it live; null when the hub's own "
        "connector does (databases).",
    )
    tags: list[str] = Field(default_factory=list, description="Search tags.")
    business_types: list[str] = Field(default_factory=list, description="Business type slugs it fits.")
    popularity: int = Field(default=50, ge=0, le=100, description="Tie-breaker for ranking.")
    docs_url: str | None = Field(default=None, description="The provider's documentation for the setup.")


class BusinessType(_Model):
    """A kind of business the recommendations are tuned for."""

    slug: str
    name: str = Field(description="Display name, e.g. `E-commerce`.")


class Recommendation(_Model):
    """A ranked suggestion for a business type."""

    id: str
    name: str
    reason: str = Field(description="One line: why this source fits.")
    score: float


# --------------------------------------------------------------------------- connectors


class StreamInfo(_Model):
    """A stream as discovered (Airbyte's AirbyteStream, trimmed)."""

    name: str
    json_schema: dict[str, Any]
    primary_key: list[str] = Field(default_factory=list)
    cursor_field: str | None = None
    estimated_rows: int | None = None
    namespace: str | None = Field(default=None, description="Schema (Postgres) or database (MySQL).")


class CheckResult(_Model):
    """The result of `Connector.check`."""

    ok: bool
    message: str = Field(description="What happened, in words a user can act on.")
    hint: str = Field(default="", description="What to do next when it failed.")
    transient: bool = Field(default=False, description="A retry later may succeed.")
    latency_ms: float | None = None
    kind: FailureKind | None = Field(
        default=None, description="What kind of failure, when the connector knows it (else classified)."
    )


StepName = Literal["connecting", "installing", "testing", "discovering", "sampling"]
#: ``progress``: a running step's news (records read so far, an install's stage), shown in its place.
StepState = Literal["running", "progress", "done", "error"]


class StepEvent(_Model):
    """Progress of one step of `connect`/`retest`, for the UI's `st.status`."""

    step: StepName
    state: StepState
    message: str
    seconds: float = 0.0
    #: Set once the connection's row exists (a new connect's "connecting done"), so that a face can find
    #: the row again when the run showing the progress is stopped (a Streamlit rerun).
    connection_id: str = ""


# --------------------------------------------------------------------------- storage


class Tenant(_Model):
    """A business using the hub."""

    id: str
    slug: str
    name: str
    business_type: str
    created_at: datetime


class User(_Model):
    """A person who signs in; belongs to one tenant."""

    id: str
    tenant_id: str
    username: str
    name: str
    created_at: datetime
    disabled: bool = False


class Connection(_Model):
    """A tenant's connection to a source: metadata only, never the config or ciphertext."""

    id: str
    tenant_id: str
    source_id: str
    name: str
    mode: Mode
    auth_kind: AuthKind
    status: Status
    status_detail: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_by: str
    created_at: datetime
    updated_at: datetime
    last_checked_at: datetime | None = None

    def public(self) -> dict[str, Any]:
        """The JSON object the CLI and the API print (contracts.md)."""
        return self.model_dump(
            mode="json",
            include={
                "id",
                "source_id",
                "name",
                "mode",
                "status",
                "status_detail",
                "metadata",
                "created_at",
                "updated_at",
                "last_checked_at",
            },
        )


class CheckRecord(_Model):
    """One row of a connection's check history (``connection_checks``): never a secret."""

    id: str
    tenant_id: str
    connection_id: str
    at: datetime
    outcome: Literal["ok", "failed"]
    kind: FailureKind
    latency_ms: float | None = None
    stream_count: int | None = None
    schema_fingerprint: str | None = Field(default=None, description="SHA-256 of the discovered schema.")
    message: str = ""


class ConnectionHealth(_Model):
    """One connection's health, as the Health page, ``health --json`` and the API show it."""

    connection_id: str
    name: str
    source_id: str
    mode: Mode
    status: Status
    last_checked_at: datetime | None = None
    last_check: CheckRecord | None = None
    uptime_24h: float | None = Field(default=None, description="Share of checks that succeeded (0..1).")
    uptime_7d: float | None = None
    latencies_ms: list[float] = Field(
        default_factory=list, description="Recent successful checks, oldest first."
    )
    consecutive_failures: int = 0
    last_error: str | None = Field(default=None, description="The last check's message when it failed.")
    last_error_kind: FailureKind | None = None
    what_to_do: str | None = None
    drift: dict[str, Any] | None = Field(
        default=None, description="Schema changes not yet accepted: detected_at, summary, diff."
    )
    credentials_expire_at: str | None = None
    credentials_warning: str | None = Field(
        default=None, description="The credentials expire soon, have expired, or their last refresh failed."
    )


class AuditEntry(_Model):
    """One row of the append-only, hash-chained audit log."""

    id: str
    tenant_id: str
    seq: int
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    outcome: Outcome
    detail: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str
    hash: str


class Preview(_Model):
    """A bounded sample of one stream."""

    connection_id: str | None
    source_id: str
    stream: StreamInfo
    records: list[dict[str, Any]]
    mode: Mode


class AuditVerification(_Model):
    """Result of verifying a tenant's audit chain."""

    ok: bool
    rows: int = Field(description="Rows checked.")
    first_broken_seq: int | None = Field(default=None, description="The first row that fails, if any.")
    reason: str = Field(default="", description="What is wrong with it, in words.")


class ApiKey(_Model):
    """A tenant-scoped API key's metadata (the key itself is shown once and stored only as a hash)."""

    id: str
    tenant_id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None = None
