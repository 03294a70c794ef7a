"""One settings object for the hub, read from the environment (``HUB_*``) or passed in by the app."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from hub.exceptions import InputError
from hub.oauth.providers import PROVIDERS

#: The endpoints an operator may point elsewhere per provider (a sandbox, a test authorization server).
OAUTH_ENDPOINTS = ("authorize_url", "token_url", "revoke_url")


def _oauth_fields() -> dict[str, Any]:
    """``oauth_<provider>_client_id`` / ``_client_secret`` / endpoint overrides, one set per provider."""
    fields: dict[str, Any] = {}
    for key, provider in PROVIDERS.items():
        low = key.lower()
        fields[f"oauth_{low}_client_id"] = (
            str | None, Field(default=None, description=f"The client id of your {provider.name} OAuth app."),
        )
        fields[f"oauth_{low}_client_secret"] = (
            SecretStr | None, Field(default=None, description=f"Its client secret ({provider.name})."),
        )
        for part in OAUTH_ENDPOINTS:
            fields[f"oauth_{low}_{part}"] = (
                str | None, Field(default=None, description=f"Overrides {provider.name}'s {part}."),
            )
    return fields


# One app per provider: generated so that a provider added to the table gets its settings too.
# Typed Any: mypy cannot see generated fields (`Settings.oauth_value` reads them).
_OAuthSettings: Any = create_model(
    "_OAuthSettings", __config__=ConfigDict(frozen=True), **_oauth_fields()
)


class Settings(_OAuthSettings):
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
        default=16,
        gt=0,
        le=1024,
        description="HUB_CONNECTOR_MAX_MESSAGE_MB: the largest single message (record) a connector may send.",
    )
    uploads_dir: Path | None = Field(
        default=None,
        description="HUB_UPLOADS_DIR: the tenants' uploaded files (a folder per tenant); None = home/uploads",
    )
    upload_max_mb: float = Field(
        default=200,
        gt=0,
        description="HUB_UPLOAD_MAX_MB: the largest file a tenant may upload (or have the "
        "hub download) as a file source.",
    )
    connector_wrapper: str | None = Field(
        default=None,
        description="HUB_CONNECTOR_WRAPPER: a command prefix every connector runs under, split like a shell "
        "line (e.g. `ip netns exec sandbox`, `nice -n 10`); for operators and tests. None = run directly.",
    )
    connector_ca_bundle: Path | None = Field(
        default=None,
        description="HUB_CONNECTOR_CA_BUNDLE: a PEM file of CAs the connectors trust (given to them as "
        "REQUESTS_CA_BUNDLE and SSL_CERT_FILE), e.g. behind a TLS-inspecting proxy. None = their defaults.",
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

    smtp_url: SecretStr | None = Field(
        default=None,
        description="HUB_SMTP_URL: the SMTP server for alert e-mails, `smtp://[user:password@]host[:port]` "
        "(STARTTLS when the server offers it) or `smtps://...` (TLS); None = no e-mail alerts.",
    )
    alert_from: str | None = Field(
        default=None, description="HUB_ALERT_FROM: the From address of alert e-mails (with HUB_SMTP_URL)."
    )
    alert_timeout_s: float = Field(
        default=10, gt=0, le=300, description="HUB_ALERT_TIMEOUT_S: one webhook request or SMTP session."
    )
    credentials_warn_days: float = Field(
        default=3,
        ge=0,
        description="HUB_CREDENTIALS_WARN_DAYS: warn (and alert once) this many days before a connection's "
        "credentials expire.",
    )
    public_url: str | None = Field(
        default=None,
        description="HUB_PUBLIC_URL: the app's address as users' browsers reach it; OAuth sign-in in the app "
        "returns to `<HUB_PUBLIC_URL>/oauth_callback`.",
    )
    api_public_url: str | None = Field(
        default=None,
        description="HUB_API_PUBLIC_URL: the HTTP API's address; OAuth sign-in through the API returns to "
        "`<HUB_API_PUBLIC_URL>/api/oauth/callback`.",
    )
    signin_sample_limit: int = Field(
        default=50,
        ge=0,
        description="HUB_SIGNIN_SAMPLE_LIMIT: records read per stream when an OAuth sign-in connects its "
        "source (check, discover, sample); 0 skips the sample (a SaaS connector reads each of its streams).",
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

    @model_validator(mode="after")
    def _check_oauth(self) -> Settings:
        urls = {"public_url": self.public_url, "api_public_url": self.api_public_url}
        urls.update({n: self.oauth_value(n) for n in self.oauth_field_names() if n.endswith("_url")})
        for name, url in urls.items():
            if url is not None and not str(url).startswith(("https://", "http://")):
                raise ValueError(f"{self.var(name)} must be an http(s) URL, e.g. https://hub.example.com")
        for key in PROVIDERS:
            low = key.lower()
            has_id = self.oauth_value(f"oauth_{low}_client_id") is not None
            has_secret = self.oauth_value(f"oauth_{low}_client_secret") is not None
            if has_id != has_secret:
                missing = f"oauth_{low}_client_{'secret' if has_id else 'id'}"
                raise ValueError(f"{self.var(missing)} is missing: an OAuth app needs both id and secret")
            if has_id and self.public_url is None and self.api_public_url is None:
                raise ValueError(
                    f"{self.var(f'oauth_{low}_client_id')} is set but neither {self.var('public_url')} nor "
                    f"{self.var('api_public_url')}: set the address users reach the hub at, so that the "
                    "provider can send them back"
                )
        return self

    @staticmethod
    def var(field: str) -> str:
        """The environment variable of a field (``public_url`` -> its upper-case ``HUB_`` name)."""
        return f"HUB_{field.upper()}"

    @classmethod
    def oauth_field_names(cls) -> list[str]:
        """The generated per-provider OAuth fields."""
        return [name for name in cls.model_fields if name.startswith("oauth_")]

    def oauth_value(self, name: str) -> Any:
        """One generated OAuth field by name (they are not attributes mypy can see)."""
        return getattr(self, name)

    def redirect_uri(self, face: Literal["app", "api"]) -> str | None:
        """The redirect URI to register with a provider for the app or the API; None when its URL is unset."""
        if face == "app":
            base, path = self.public_url, "/oauth_callback"
        else:
            base, path = self.api_public_url, "/api/oauth/callback"
        return None if base is None else base.rstrip("/") + path

    @field_validator("cookie_key")
    @classmethod
    def _check_cookie_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().encode()) < 32:  # HS256 wants >= 32 bytes
            raise ValueError(
                "must be at least 32 characters (make one with: python -c "
                "'import secrets; print(secrets.token_urlsafe(32))')"
            )
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
    def uploads_path(self) -> Path:
        """Where uploaded files live (``uploads_dir``, else ``home/uploads``)."""
        return self.uploads_dir if self.uploads_dir is not None else self.home / "uploads"

    @property
    def upload_max_bytes(self) -> int:
        """`upload_max_mb` in bytes (1 MB = 1,000,000 bytes)."""
        return int(self.upload_max_mb * 1_000_000)

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
            if not first["loc"]:  # a check across fields (`_check_oauth`): its message names the variables
                raise InputError(
                    str(first["msg"]).removeprefix("Value error, ") + ".",
                    hint="Fix the environment variables (see README, Settings).",
                ) from None
            field = str(first["loc"][0])
            var = next((v for v, f in mapping.items() if f == field), str(field))
            raise InputError(
                f"Setting {var} is invalid: {first['msg']}.",
                hint="Fix the environment variable (see README, Settings).",
            ) from None
