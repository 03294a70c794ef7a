"""One settings object for the hub, read from the environment (``HUB_*``) or passed in by the app."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from hub.exceptions import InputError


class Settings(BaseModel):
    """Settings as in `reference/contracts.md`. Build with `Settings.from_env()`.

    Each field is read from ``HUB_<FIELD NAME>`` (`env_names`); the app also reads them from ``st.secrets``.
    """

    model_config = ConfigDict(frozen=True)

    home: Path = Field(default=Path(".hub"), description="HUB_HOME: the embedded default's folder.")
    database_url: str | None = Field(default=None, description="HUB_DATABASE_URL; None = SQLite in home.")
    admin_database_url: str | None = Field(default=None, description="HUB_ADMIN_DATABASE_URL (PostgreSQL).")
    encryption_keys: SecretStr | None = Field(default=None, description="HUB_ENCRYPTION_KEYS: `id:key,...`.")
    demo_pace: float = Field(default=0.6, ge=0, le=10, description="HUB_DEMO_PACE: seconds per demo step.")
    lease_seconds: float = Field(
        default=30, gt=0, le=3600, description="HUB_LEASE_SECONDS: a connect's lease, renewed every third."
    )
    cookie_key: SecretStr | None = Field(default=None, description="HUB_COOKIE_KEY; else home/cookie.key.")
    product_name: str = Field(default="Data Source Hub", description="HUB_PRODUCT_NAME.")
    sqlite_root: Path | None = Field(default=None, description="HUB_SQLITE_ROOT; None = SQLite sources off.")
    catalogue_path: Path | None = Field(
        default=None, description="HUB_CATALOGUE_PATH; None = data/mock_sources.json (else the bundled copy)."
    )
    api_cors_origins: tuple[str, ...] = Field(
        default=(), description="HUB_API_CORS_ORIGINS: comma-separated origins; empty = no CORS."
    )
    sign_in_max_failures: int = Field(
        default=5, ge=1, description="HUB_SIGN_IN_MAX_FAILURES: failed sign-ins per username, then a lockout."
    )
    sign_in_window_s: float = Field(
        default=900, gt=0, description="HUB_SIGN_IN_WINDOW_S: the sliding window those failures count in."
    )
    api_key_failure_burst: int = Field(
        default=20, ge=1, description="HUB_API_KEY_FAILURE_BURST: unknown API keys per client address."
    )
    api_key_failure_window_s: float = Field(
        default=60, gt=0, description="HUB_API_KEY_FAILURE_WINDOW_S: the window of that burst (then 429)."
    )
    connectors_dir: Path | None = Field(
        default=None, description="HUB_CONNECTORS_DIR: the Airbyte connectors' venvs; None = home/connectors."
    )
    connector_python: str | None = Field(
        default=None,
        description="HUB_CONNECTOR_PYTHON: the connectors' interpreter; None = the hub's own when below "
        "3.12, else `python3.11`.",
    )
    connector_install_timeout_s: float = Field(
        default=900, gt=0, description="HUB_CONNECTOR_INSTALL_TIMEOUT_S: the longest one connector install."
    )
    connector_spec_timeout_s: float = Field(
        default=60, gt=0, description="HUB_CONNECTOR_SPEC_TIMEOUT_S: a connector's `spec`."
    )
    connector_check_timeout_s: float = Field(
        default=120, gt=0, description="HUB_CONNECTOR_CHECK_TIMEOUT_S: a connector's `check`."
    )
    connector_discover_timeout_s: float = Field(
        default=300, gt=0, description="HUB_CONNECTOR_DISCOVER_TIMEOUT_S: a connector's `discover`."
    )
    connector_read_timeout_s: float = Field(
        default=300, gt=0, description="HUB_CONNECTOR_READ_TIMEOUT_S: one `read` (a preview or a sample)."
    )
    connector_max_message_mb: float = Field(
        default=16, gt=0, le=1024, description="HUB_CONNECTOR_MAX_MESSAGE_MB: the largest single message "
        "(record) a connector may send.",
    )
    monitor: bool | None = Field(
        default=None,
        description="HUB_MONITOR: run the health monitor inside the app's process; None = on in the embedded "
        "default, off when HUB_DATABASE_URL is set (run `python -m hub monitor` there; see `monitor_on`).",
    )
    check_interval_s: float = Field(
        default=900, ge=1, description="HUB_CHECK_INTERVAL_S: seconds between checks of a connection."
    )
    check_retention_days: int = Field(
        default=30, ge=7, description="HUB_CHECK_RETENTION_DAYS: days of check history kept (7 at least)."
    )
    monitor_concurrency: int = Field(
        default=8, ge=1, le=256, description="HUB_MONITOR_CONCURRENCY: checks a monitor runs at once."
    )
    alert_after_failures: int = Field(
        default=3, ge=1, description="HUB_ALERT_AFTER_FAILURES: consecutive failed checks before failing."
    )
    check_backoff_max_s: float = Field(
        default=3600,
        ge=1,
        description="HUB_CHECK_BACKOFF_MAX_S: the longest wait between checks of a failing connection.",
    )

    source_hosts: Literal["any", "public"] | None = Field(
        default=None,
        description="HUB_SOURCE_HOSTS: which hosts tenants' sources may name; None = `any` on the embedded "
        "default, `public` when HUB_DATABASE_URL is set (see `source_hosts_mode`).",
    )
    source_allow: tuple[str, ...] = Field(
        default=(),
        description="HUB_SOURCE_ALLOW: comma-separated CIDRs and host names (`*.corp.example` for a domain) "
        "allowed even under `public`.",
    )

    airbyte_api_url: str | None = Field(
        default=None,
        description="HUB_AIRBYTE_API_URL: Airbyte's public API (Cloud: `https://api.airbyte.com/v1`, or a "
        "self-hosted deployment's `.../api/public/v1`); None = no hand-off.",
    )
    airbyte_client_id: str | None = Field(
        default=None, description="HUB_AIRBYTE_CLIENT_ID: the Airbyte application's client id."
    )
    airbyte_client_secret: SecretStr | None = Field(
        default=None, description="HUB_AIRBYTE_CLIENT_SECRET: the Airbyte application's client secret."
    )

    @field_validator("api_cors_origins", "source_allow", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(o.strip() for o in value.split(",") if o.strip())
        return value

    @field_validator("source_hosts", mode="before")
    @classmethod
    def _lower_hosts(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("source_allow")
    @classmethod
    def _check_allow(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from hub.netpolicy import parse_allow  # the policy module owns the entry syntax

        parse_allow(value)  # raises ValueError naming the entry that is neither a CIDR nor a host name
        return value

    @field_validator("airbyte_api_url")
    @classmethod
    def _check_airbyte_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = value.strip().rstrip("/")
        parsed = urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError("must be an http(s) URL such as https://api.airbyte.com/v1")
        return url

    @property
    def airbyte_configured(self) -> bool:
        """True when all three Airbyte settings are set: the hand-off is offered."""
        return bool(self.airbyte_api_url and self.airbyte_client_id and self.airbyte_client_secret)

    @property
    def source_hosts_mode(self) -> Literal["any", "public"]:
        """`source_hosts`, or its default: `public` when the hub serves from a shared database."""
        if self.source_hosts is not None:
            return self.source_hosts
        return "any" if self.embedded else "public"

    @property
    def monitor_on(self) -> bool:
        """`monitor`, or its default: on in the embedded default (one process serves everything)."""
        return self.embedded if self.monitor is None else self.monitor

    @property
    def embedded(self) -> bool:
        """True on the embedded default (SQLite under ``home``, local key file, demo accounts)."""
        return self.database_url is None

    @property
    def url(self) -> str:
        """The storage URL, the embedded SQLite file when ``database_url`` is unset."""
        return self.database_url or f"sqlite:///{(self.home / 'hub.db').resolve()}"

    @property
    def connectors_path(self) -> Path:
        """Where the connectors' venvs live (``connectors_dir``, else ``home/connectors``)."""
        return self.connectors_dir if self.connectors_dir is not None else self.home / "connectors"

    @property
    def admin_url(self) -> str:
        """The owner/admin URL (= ``url`` unless set)."""
        return self.admin_database_url or self.url

    @classmethod
    def env_names(cls) -> dict[str, str]:
        """Environment variable -> field name: ``home`` is read from ``HUB_HOME``, and so on."""
        return {f"HUB_{name.upper()}": name for name in cls.model_fields}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read ``HUB_*`` variables (``env`` defaults to ``os.environ``); ``overrides`` win."""
        env = os.environ if env is None else env
        mapping = cls.env_names()
        values: dict[str, Any] = {}
        for var, field in mapping.items():
            raw = env.get(var)
            if raw is not None and raw.strip() != "":
                values[field] = raw.strip()
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            # pydantic's message names the field; it never contains key material for SecretStr fields
            first = exc.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else "?"
            var = next((v for v, f in mapping.items() if f == field), str(field))
            raise InputError(
                f"Setting {var} is invalid: {first['msg']}.",
                hint="Fix the environment variable (see README, Settings).",
            ) from None
