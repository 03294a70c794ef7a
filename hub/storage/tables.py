"""The hub's tables (contracts.md) as SQLAlchemy Core metadata, their column types, and rows -> models.

The schema itself is created and upgraded by the numbered migration files (`hub.storage.migrations`);
this metadata describes the same tables for the queries, and a test checks that the two agree.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from typing_extensions import override

from hub.models import ApiKey, CheckRecord, Connection, Tenant, User

# --------------------------------------------------------------------------- column types


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases; a naive value is taken as UTC, never local time.

    SQLite has no time zones: it stores naive UTC text (``YYYY-MM-DD HH:MM:SS.ffffff``).
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    @override
    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        value = utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    @override
    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else utc(value)


class UUIDText(sa.types.TypeDecorator[str]):
    """A uuid: native ``uuid`` on PostgreSQL, 36-character text on SQLite; always ``str`` in Python.

    Both implementations already read back ``str`` (``as_uuid=False``), so only writes are converted.
    """

    impl = sa.String(36)
    cache_ok = True

    @override
    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID(as_uuid=False))
        return dialect.type_descriptor(sa.String(36))

    @override
    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        return None if value is None else str(value)


#: A JSON document: ``jsonb`` on PostgreSQL, JSON text on SQLite (encoded by the engine's serializer).
JSONDoc = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
#: `JSONDoc` for a nullable column: Python None is SQL NULL (not the JSON ``null``).
NullableJSONDoc = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True), "postgresql"
)

# --------------------------------------------------------------------------- tables

metadata = sa.MetaData()

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", UUIDText(), primary_key=True),
    sa.Column("slug", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("business_type", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("audit_head", sa.Text, nullable=False, server_default=""),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", UUIDText(), primary_key=True),
    sa.Column("tenant_id", UUIDText(), sa.ForeignKey("tenants.id"), nullable=False, index=True),
    sa.Column("username", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
)

connections = sa.Table(
    "tenant_airbyte_connections",
    metadata,
    sa.Column("id", UUIDText(), primary_key=True),
    sa.Column("tenant_id", UUIDText(), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("source_id", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("mode", sa.Text, nullable=False),
    sa.Column("auth_kind", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("status_detail", sa.Text, nullable=False, server_default=""),
    sa.Column("metadata", JSONDoc, nullable=False),
    sa.Column("encrypted_config", sa.Text, nullable=True),
    sa.Column("key_id", sa.Text, nullable=True),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("last_checked_at", UTCDateTime(), nullable=True),
    sa.Index("tenant_airbyte_connections_tenant_created_idx", "tenant_id", "created_at"),
)

audit_logs = sa.Table(
    "audit_logs",
    metadata,
    sa.Column("id", UUIDText(), primary_key=True),
    sa.Column("tenant_id", UUIDText(), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("target_type", sa.Text, nullable=False, server_default=""),
    sa.Column("target_id", sa.Text, nullable=False, server_default=""),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("detail", JSONDoc, nullable=False),
    sa.Column("prev_hash", sa.Text, nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
    sa.UniqueConstraint("tenant_id", "seq", name="audit_logs_tenant_seq_key"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", UUIDText(), primary_key=True),
    sa.Column("tenant_id", UUIDText(), sa.ForeignKey("tenants.id"), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("key_hash", sa.Text, nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
)

#: Every check of a connection (monitor or manual re-test): its outcome, failure kind, latency, stream count
#: and schema fingerprint, and a message without secrets. Read newest first per connection (the index).
connection_checks = sa.Table(
    "connection_checks",
    metadata,
    sa.Column("id", UUIDText(), primary_key=True),
    sa.Column("tenant_id", UUIDText(), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("connection_id", UUIDText(), sa.ForeignKey("tenant_airbyte_connections.id"), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("latency_ms", sa.Float, nullable=True),
    sa.Column("stream_count", sa.Integer, nullable=True),
    sa.Column("schema_fingerprint", sa.Text, nullable=True),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    sa.Index("connection_checks_timeline_idx", "tenant_id", "connection_id", "at"),
)

#: Per-tenant settings by name (contracts.md): a JSON ``value`` and, for secrets, ``encrypted_value`` sealed
#: with the key ring (``key_id``). Alert destinations live under the name ``alerts``.
tenant_settings = sa.Table(
    "tenant_settings",
    metadata,
    sa.Column("tenant_id", UUIDText(), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("value", JSONDoc, nullable=False),
    sa.Column("encrypted_value", sa.Text, nullable=True),
    sa.Column("key_id", sa.Text, nullable=True),
)

#: Every alert raised (the outbox and the log of what was sent): one row per change of state, made unique by
#: ``dedupe_key`` so that a restarted or second monitor never raises (nor sends) one change twice.
alert_events = sa.Table(
    "alert_events",
    metadata,
    sa.Column("id", UUIDText(), primary_key=True),
    sa.Column("tenant_id", UUIDText(), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("connection_id", UUIDText(), sa.ForeignKey("tenant_airbyte_connections.id"), nullable=True),
    sa.Column("event", sa.Text, nullable=False),
    sa.Column("dedupe_key", sa.Text, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("detail", JSONDoc, nullable=False),
    sa.Column("delivered", JSONDoc, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=False, server_default=""),
    sa.Column("sent_at", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("tenant_id", "dedupe_key", name="alert_events_tenant_key"),
    sa.Index("alert_events_pending_idx", "tenant_id", "sent_at"),
)

#: One row per OAuth sign-in in progress (`hub.oauth.flow`): single use (taken by deleting it), expiring after
#: ten minutes, bound to the tenant, the user, the source and (for the API) the key that started it. Only a
#: hash of ``state`` is kept; the PKCE verifier is encrypted with the tenant's keys.
oauth_states = sa.Table(
    "oauth_states",
    metadata,
    sa.Column("id", UUIDText(), primary_key=True),
    sa.Column("tenant_id", UUIDText(), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("state_hash", sa.Text, nullable=False, unique=True),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("api_key_id", sa.Text, nullable=True),
    sa.Column("source_id", sa.Text, nullable=False),
    sa.Column("connection_id", UUIDText(), nullable=True),
    sa.Column("face", sa.Text, nullable=False),
    sa.Column("redirect_uri", sa.Text, nullable=False),
    sa.Column("return_to", sa.Text, nullable=True),
    sa.Column("account", sa.Text, nullable=True),
    sa.Column("encrypted_verifier", sa.Text, nullable=False),
    sa.Column("key_id", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    # the fields the user gave at the start besides the tokens (Google Sheets' spreadsheet...): never a
    # secret (`hub.oauth.fields`); NULL when none
    sa.Column("fields", NullableJSONDoc, nullable=True),
)

# Not tenant data: no tenant_id and no row level security (a lease names a connection by id; a failed sign-in
# for an unknown username has no tenant).

#: Short-lived claims on work (``connect:<connection id>``, ...) that replicas must not do twice at once:
#: a holder owns ``name`` until ``expires_at`` unless it renews (`hub.storage.leases`).
leases = sa.Table(
    "leases",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("holder", sa.Text, nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
)

#: One row per failed sign-in, counted per username over a recent window (every replica sees them).
sign_in_failures = sa.Table(
    "sign_in_failures",
    metadata,
    sa.Column("id", UUIDText(), primary_key=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Index("sign_in_failures_username_at_idx", "username", "at"),
)

#: The tables row level security guards on PostgreSQL.
TENANT_TABLES = (
    "tenants",
    "users",
    "tenant_airbyte_connections",
    "audit_logs",
    "api_keys",
    "connection_checks",
    "tenant_settings",
    "alert_events",
)

#: The columns of the `Connection` model (never the ciphertext and its key id).
CONNECTION_COLUMNS = tuple(c for c in connections.c if c.name not in ("encrypted_config", "key_id"))
USER_COLUMNS = tuple(c for c in users.c if c.name != "password_hash")
API_KEY_COLUMNS = tuple(c for c in api_keys.c if c.name != "key_hash")

#: The tenant's columns as a user or API-key row joined with its tenant names them (and so do the
#: PostgreSQL look-up functions of the migration).
JOINED_TENANT_COLUMNS = (
    tenants.c.slug,
    tenants.c.name.label("tenant_name"),
    tenants.c.business_type,
    tenants.c.created_at.label("tenant_created_at"),
)

# --------------------------------------------------------------------------- values


def now() -> datetime:
    """The current time in UTC (microseconds, as both databases store it)."""
    return datetime.now(UTC)


def utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive value is taken as UTC (what the database stored), never as local time."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_uuid(value: str) -> bool:
    """Whether ``value`` is a canonical uuid string (ids from users are checked before they reach SQL).

    Canonical means 8-4-4-4-12 hexadecimal digits (either case).
    """
    return isinstance(value, str) and _UUID_RE.fullmatch(value) is not None


# --------------------------------------------------------------------------- rows -> models


def to_tenant(row: Any) -> Tenant:
    """A ``tenants`` row (or a look-up function's row) as the model."""
    return Tenant(
        id=row.id, slug=row.slug, name=row.name, business_type=row.business_type, created_at=row.created_at
    )


def to_joined_tenant(row: Any) -> Tenant:
    """The tenant of a user or API-key row joined with `JOINED_TENANT_COLUMNS`."""
    return Tenant(
        id=row.tenant_id,
        slug=row.slug,
        name=row.tenant_name,
        business_type=row.business_type,
        created_at=row.tenant_created_at,
    )


def to_user(row: Any) -> User:
    """A ``users`` row (`USER_COLUMNS` at least) as the model."""
    return User(
        id=row.id,
        tenant_id=row.tenant_id,
        username=row.username,
        name=row.name,
        created_at=row.created_at,
        disabled=bool(row.disabled),
    )


def to_api_key(row: Any) -> ApiKey:
    """An ``api_keys`` row (`API_KEY_COLUMNS` at least) as the model."""
    return ApiKey(
        id=row.id,
        tenant_id=row.tenant_id,
        name=row.name,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


def to_check(row: Any) -> CheckRecord:
    """A ``connection_checks`` row as the model."""
    return CheckRecord.model_validate(dict(row._mapping))


def to_connection(row: Any) -> Connection:
    """A ``tenant_airbyte_connections`` row (`CONNECTION_COLUMNS`) as the model.

    The one place rows become `Connection`s; the column types have already made the times aware UTC and
    the metadata a dict.
    """
    return Connection.model_validate(dict(row._mapping))  # pydantic reads a dict faster than a mapping


__all__ = [
    "API_KEY_COLUMNS",
    "CONNECTION_COLUMNS",
    "JOINED_TENANT_COLUMNS",
    "TENANT_TABLES",
    "USER_COLUMNS",
    "JSONDoc",
    "NullableJSONDoc",
    "UTCDateTime",
    "UUIDText",
    "alert_events",
    "api_keys",
    "audit_logs",
    "connection_checks",
    "connections",
    "is_uuid",
    "leases",
    "metadata",
    "now",
    "sign_in_failures",
    "tenant_settings",
    "tenants",
    "to_api_key",
    "to_check",
    "to_connection",
    "to_joined_tenant",
    "to_tenant",
    "to_user",
    "users",
]
