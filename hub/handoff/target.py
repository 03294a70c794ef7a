"""The tenant's hand-off: its Airbyte setup (workspace, destination) and handing off many connections.

The setup is the tenant setting ``handoff`` (table ``tenant_settings``): the JSON part holds the workspace
id, the destination's name and type and, once created, the destination id; the destination configuration
(with its password) is only in the sealed part, encrypted under the label ``handoff.destination``. Shown,
the configuration is masked: secret fields (``password``, anything named like a secret, key or token)
read ``••••••``, never their value nor a part of it.

The default destination is a PostgreSQL warehouse, validated field by field (`PostgresWarehouse`); a
configuration with another ``destinationType`` is passed to Airbyte as given (Airbyte validates it).

`hand_off_many` loads the setup, ensures the workspace and destination once (each id is stored the moment it
exists, audited ``handoff.destination``), then hands off each connection with `hub.handoff.service.hand_off`:
one failing connection is reported and the others go on. `handoff_jobs` reads each handed-off connection's
newest Airbyte job and stores its status in the connection's metadata (``airbyte.job_id``, ``job_status``).
`remove_from_airbyte` deletes a handed-off connection's Airbyte connection and source (disconnect).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from hub.exceptions import HubError, InputError
from hub.handoff.client import AirbyteAPIError, AirbyteNotConfigured, airbyte_client, require_configured
from hub.handoff.mapping import handed_off
from hub.handoff.ops import AirbyteOps, Schedule
from hub.handoff.service import HandoffTarget, hand_off
from hub.models import AuditAction, Connection, Outcome, Status
from hub.storage.audit import AuditDraft
from hub.storage.tables import now

if TYPE_CHECKING:
    from hub.services.scope import TenantScope
    from hub.services.tenant import TenantService
    from hub.settings import Settings

#: The tenant setting that holds the hand-off setup.
SETTING = "handoff"
#: The AAD label the destination configuration is sealed under.
SECRET_LABEL = "handoff.destination"  # noqa: S105 - a label, not a secret
#: What a secret field shows instead of its value.
MASK = "••••••"
_SECRET_NAME = re.compile(r"password|secret|token|private_key|api_key|client_key|credentials", re.I)
#: How to disconnect while keeping the Airbyte objects, in every face.
_KEEP = "'Keep them' in the app, `disconnect --keep-airbyte`, or DELETE ...?keep_airbyte=true"
#: Airbyte job statuses as the hub shows them, plus the hub's own "not started" (no job yet).
JOB_STATES = ("pending", "running", "succeeded", "failed", "not started")


class PostgresWarehouse(BaseModel):
    """The default destination: a PostgreSQL warehouse (Airbyte's ``destination-postgres`` fields)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    host: str = Field(min_length=1, description="The warehouse's host name.")
    port: int = Field(default=5432, ge=1, le=65535, description="Its port.")
    database: str = Field(min_length=1, description="The database to write to.")
    schema_: str = Field(default="public", alias="schema", min_length=1, description="The default schema.")
    username: str = Field(min_length=1, description="The user Airbyte writes as.")
    password: SecretStr = Field(description="That user's password (stored encrypted, never shown).")
    ssl: bool = Field(default=False, description="Encrypt the connection with SSL.")
    ssl_mode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] | None = Field(
        default=None, description="Airbyte's SSL mode; verify-ca and verify-full need ca_certificate."
    )
    ca_certificate: str | None = Field(default=None, description="The CA certificate (PEM) for verify-*.")

    @field_validator("host", "database", "username")
    @classmethod
    def _no_blanks(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("password")
    @classmethod
    def _some_password(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value():
            raise ValueError("must not be empty")
        return value

    def airbyte(self) -> dict[str, Any]:
        """The configuration Airbyte's API takes (``destinationType`` postgres, the password in clear)."""
        out: dict[str, Any] = {
            "destinationType": "postgres",
            "host": self.host,
            "port": self.port,
            "database": self.database,
            "schema": self.schema_,
            "username": self.username,
            "password": self.password.get_secret_value(),
            "ssl": self.ssl or (self.ssl_mode not in (None, "disable")),
            "tunnel_method": {"tunnel_method": "NO_TUNNEL"},
        }
        if self.ssl_mode:
            out["ssl_mode"] = {"mode": self.ssl_mode}
            if self.ca_certificate:
                out["ssl_mode"]["ca_certificate"] = self.ca_certificate
        return out


class HandoffSetup(BaseModel):
    """The tenant's hand-off setup as shown: the destination configuration masked."""

    configured: bool = Field(
        description="Whether the hub has its Airbyte settings (HUB_AIRBYTE_API_URL, the client id, secret)."
    )
    has_destination: bool = Field(description="Whether a destination configuration is stored.")
    workspace_id: str | None = Field(default=None, description="Airbyte workspace (made on first hand-off).")
    destination_name: str = Field(default="Warehouse", description="The destination's name in Airbyte.")
    destination_type: str | None = Field(default=None, description="Airbyte's destinationType.")
    destination_id: str | None = Field(default=None, description="Set once Airbyte holds the destination.")
    destination: dict[str, Any] = Field(
        default_factory=dict, description="The configuration, secret fields shown as ••••••."
    )


class HandoffOutcome(BaseModel):
    """What handing off one connection did."""

    connection_id: str
    name: str
    ok: bool
    source_id: str | None = Field(default=None, description="The Airbyte source id.")
    airbyte_connection_id: str | None = Field(default=None, description="The Airbyte connection id.")
    job_id: int | None = None
    job_status: str | None = Field(default=None, description="pending, running, succeeded or failed.")
    error: str | None = Field(default=None, description="Why it failed, and what to do.")


class HandoffJob(BaseModel):
    """One handed-off connection with its Airbyte ids and newest job."""

    connection_id: str
    name: str
    status: str = Field(description="The hub's status of the connection.")
    source_id: str | None = None
    airbyte_connection_id: str | None = None
    job_id: int | None = None
    job_status: str = Field(description="pending, running, succeeded, failed or not started.")
    error: str | None = Field(default=None, description="Why the status could not be read now.")


# --------------------------------------------------------------------------- validation and masking


def validate_destination(config: Any) -> dict[str, Any]:
    """The Airbyte destination configuration from what the user gave, or an `InputError` naming the field."""
    if not isinstance(config, dict):
        raise InputError(
            "The destination configuration must be a JSON object.",
            hint='Give e.g. {"host": "...", "database": "...", "username": "...", "password": "..."}.',
        )
    kind = config.get("destinationType", "postgres")
    if not isinstance(kind, str) or not kind.strip():
        raise InputError(
            "The destination configuration's field 'destinationType' must be a non-empty string.",
            hint="Leave it out for a PostgreSQL warehouse, or give Airbyte's destination type.",
        )
    if kind != "postgres":
        return dict(config)  # another destination: Airbyte checks it against its own spec
    fields = {k: v for k, v in config.items() if k != "destinationType"}
    try:
        return PostgresWarehouse.model_validate(fields).airbyte()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "(the object)"
        what = "is missing" if first["type"] == "missing" else (
            "is not a field of a PostgreSQL destination" if first["type"] == "extra_forbidden"
            else f"is invalid: {first['msg'].removeprefix('Value error, ')}"
        )
        raise InputError(
            f"The destination configuration's field '{name}' {what}.",
            hint="A PostgreSQL warehouse takes host, port, database, schema, username, password, ssl "
            "(and ssl_mode, ca_certificate). Fix the field and set it up again; nothing was stored.",
        ) from None


def mask_config(config: dict[str, Any]) -> dict[str, Any]:
    """The configuration with every secret field (at any depth) replaced by ``••••••``."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, dict):
            out[key] = mask_config(value)
        elif _SECRET_NAME.search(key) and value not in (None, ""):
            out[key] = MASK
        else:
            out[key] = value
    return out


def _keep_secrets(given: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """``given`` with its missing or empty secret fields taken from ``stored`` (same destination type)."""
    if given.get("destinationType", "postgres") != stored.get("destinationType"):
        return given
    out = dict(given)
    for key, value in stored.items():
        if _SECRET_NAME.search(key) and out.get(key) in (None, "") and value not in (None, ""):
            out[key] = value
    return out


def parse_schedule(text: str | None) -> Schedule:
    """``manual`` (or empty) or a Quartz cron expression (6 or 7 fields, as Airbyte takes it)."""
    value = (text or "").strip()
    if not value or value.lower() == "manual":
        return Schedule()
    if not 6 <= len(value.split()) <= 7:
        raise InputError(
            f"{value!r} is not a schedule: give 'manual' or a Quartz cron expression of 6 or 7 fields.",
            hint="For example '0 0 * * * ?' (every hour) or '0 0 2 * * ?' (every day at 02:00 UTC).",
        )
    return Schedule("cron", value)


# --------------------------------------------------------------------------- the stored setup


def _load(scope: TenantService) -> tuple[dict[str, Any], dict[str, Any] | None]:
    stored = scope._store.get_setting(SETTING)
    if stored is None:
        return {}, None
    value, sealed = stored
    config = None
    if sealed is not None:
        raw = scope.hub.keys.decrypt(sealed, tenant_id=scope.tenant.id, connection_id=SECRET_LABEL)
        config = json.loads(raw)
    return value, config


def _save(
    scope: TenantService, value: dict[str, Any], config: dict[str, Any] | None, audit: AuditDraft
) -> None:
    sealed = (
        scope.hub.keys.encrypt(
            json.dumps(config).encode(), tenant_id=scope.tenant.id, connection_id=SECRET_LABEL
        )
        if config is not None
        else None
    )
    scope._store.put_setting(SETTING, value, sealed, audit)


def handoff_setup(scope: TenantService) -> HandoffSetup:
    """The tenant's hand-off setup, masked."""
    value, config = _load(scope)
    return HandoffSetup(
        configured=scope.hub.settings.airbyte_configured,
        has_destination=config is not None,
        workspace_id=value.get("workspace_id"),
        destination_name=value.get("destination_name") or "Warehouse",
        destination_type=value.get("destination_type"),
        destination_id=value.get("destination_id"),
        destination=mask_config(config) if config else {},
    )


def set_handoff_setup(
    scope: TenantService,
    *,
    destination_config: Any,
    actor: str,
    workspace_id: str | None = None,
    destination_name: str | None = None,
) -> HandoffSetup:
    """Store the destination configuration (encrypted) and the workspace; audited ``handoff.setup``.

    The remembered destination id is kept: the next hand-off sends a changed configuration to it. A secret
    field left out or empty (the form never shows the password) keeps the stored value, for the same
    destination type.
    A workspace id given here replaces the remembered one (and then the destination is made there anew).
    """
    value, stored = _load(scope)
    if isinstance(destination_config, dict) and stored is not None:
        destination_config = _keep_secrets(destination_config, stored)
    config = validate_destination(destination_config)
    name = (destination_name or "").strip() or None
    workspace = (workspace_id or "").strip() or None
    if workspace and workspace != value.get("workspace_id"):
        value = {**value, "workspace_id": workspace, "destination_id": None}
    value.update(
        destination_name=name or value.get("destination_name") or "Warehouse",
        destination_type=config["destinationType"],
        unsent=True,  # the next hand-off sends it to the remembered destination (no digest of it is kept)
    )
    _save(
        scope, value, config,
        AuditDraft(
            AuditAction.HANDOFF_SETUP.value, actor=actor, target_type="tenant", target_id=scope.tenant.id,
            detail={"workspace_id": value.get("workspace_id"), "destination_type": config["destinationType"],
                    "destination_name": value["destination_name"]},
        ),
    )
    return handoff_setup(scope)


# --------------------------------------------------------------------------- handing off


def handoff_ops(settings: Settings) -> AirbyteOps:
    """The Airbyte calls for this hub's settings (`AirbyteNotConfigured` names what to set)."""
    return AirbyteOps(airbyte_client(settings))


def _ensure_target(
    scope: TenantService, ops: AirbyteOps, value: dict[str, Any], config: dict[str, Any], actor: str
) -> HandoffTarget:
    """The workspace and destination, each made at most once; each new id stored at once (audited)."""
    target = HandoffTarget(
        destination_config=config, workspace_id=value.get("workspace_id"),
        destination_id=value.get("destination_id"),
        destination_name=value.get("destination_name") or "Warehouse",
    )

    def remember(detail: dict[str, Any]) -> None:
        value.update(workspace_id=target.workspace_id, destination_id=target.destination_id)
        _save(scope, value, config, AuditDraft(
            AuditAction.HANDOFF_DESTINATION.value, actor=actor, target_type="tenant",
            target_id=scope.tenant.id,
            detail={"workspace_id": target.workspace_id, "destination_id": target.destination_id, **detail},
        ))

    def failed(exc: AirbyteAPIError) -> None:
        scope._store.append_audit(AuditDraft(
            AuditAction.HANDOFF_DESTINATION.value, actor=actor, target_type="tenant",
            target_id=scope.tenant.id, outcome=Outcome.ERROR,
            detail={"status": exc.status, "error": exc.message},
        ))

    try:
        target.workspace_id, created = ops.ensure_workspace(target.workspace_id, scope.tenant.name)
        if created:
            target.destination_id = None  # a destination belongs to its workspace
            remember({"workspace_created": True})
        had = target.destination_id
        target.destination_id, created = ops.ensure_destination(
            target.workspace_id, target.destination_id, target.destination_name, config
        )
        if created:
            value["unsent"] = False
            remember({"destination_created": True})
        elif had and value.get("unsent", False):  # set up again since it was sent
            ops.update_destination(target.destination_id, target.destination_name, config)
            value["unsent"] = False
            remember({"destination_updated": True})
    except AirbyteAPIError as exc:
        failed(exc)
        raise
    return target


def hand_off_many(
    scope: TenantService,
    connection_ids: Sequence[str] | None,
    *,
    actor: str,
    streams: dict[str, list[str]] | None = None,
    schedule: Schedule | str | None = None,
    ops: AirbyteOps | None = None,
) -> list[HandoffOutcome]:
    """Hand off the given connections (None or empty: every connected one); one outcome per connection.

    ``streams`` maps a connection id to the streams to sync (missing or empty: all of them). Errors of
    one connection (refused kind, Airbyte's refusal) are in its outcome and the others go on; a missing
    setup or a destination Airbyte refuses raises, since no connection could be handed off then.
    ``schedule``: a `Schedule`, or its text (``manual`` or a cron expression, `parse_schedule`).
    """
    if isinstance(schedule, str):
        schedule = parse_schedule(schedule)
    require_configured(scope.hub.settings)
    value, config = _load(scope)
    if config is None:
        raise InputError(
            "No destination is set up for the hand-off.",
            hint=f"Set one first: `python -m hub handoff setup --tenant {scope.tenant.slug} "
            "--destination-config FILE`, PUT /api/handoff/destination, or the form on Next steps.",
        )
    if connection_ids:
        conns = [scope._require(cid) for cid in dict.fromkeys(connection_ids)]
    else:
        conns = [c for c in scope.list_connections() if c.status is Status.CONNECTED]
        if not conns:
            raise InputError(
                "No connected sources to hand off.", hint="Connect a source first, then hand it off."
            )
    ops = ops or handoff_ops(scope.hub.settings)
    target = _ensure_target(scope, ops, value, config, actor)
    outcomes = []
    for conn in conns:
        try:
            r = hand_off(scope, ops, conn.id, target, actor=actor,
                         streams=(streams or {}).get(conn.id) or None, schedule=schedule)
        except HubError as exc:
            outcomes.append(HandoffOutcome(connection_id=conn.id, name=conn.name, ok=False, error=str(exc),
                                           **_ids(scope._require(conn.id))))
            continue
        outcomes.append(HandoffOutcome(
            connection_id=conn.id, name=conn.name, ok=True, source_id=r.source_id,
            airbyte_connection_id=r.airbyte_connection_id, job_id=r.job_id, job_status=r.job_status,
        ))
    return outcomes


def _ids(conn: Connection) -> dict[str, Any]:
    state = conn.metadata.get("airbyte") or {}
    return {"source_id": state.get("source_id"), "airbyte_connection_id": state.get("connection_id")}


def handed_off_connections(scope: TenantService) -> list[Connection]:
    """The tenant's connections handed off to Airbyte and not disconnected."""
    return [c for c in scope.list_connections() if handed_off(c) and c.status is not Status.DISCONNECTED]


def handoff_jobs(scope: TenantService, *, actor: str, ops: AirbyteOps | None = None) -> list[HandoffJob]:
    """Each handed-off connection's newest Airbyte job; a changed status is stored (audited handoff.job).

    A connection whose jobs cannot be read now keeps its stored status, with the reason in ``error``.
    """
    if ops is None:
        require_configured(scope.hub.settings)
    conns = handed_off_connections(scope)
    if not conns:
        return []
    ops = ops or handoff_ops(scope.hub.settings)
    rows = []
    for conn in conns:
        state = dict(conn.metadata.get("airbyte") or {})
        error = None
        if state.get("connection_id"):
            try:
                latest = ops.latest_job(state["connection_id"])
            except AirbyteAPIError as exc:
                latest, error = None, str(exc)
            if latest is not None and latest != (state.get("job_id"), state.get("job_status")):
                state.update(job_id=latest[0], job_status=latest[1])
                scope._store.update_connection(
                    conn.id, expect_status=None,
                    changes={"metadata": {**conn.metadata, "airbyte": state}, "updated_at": now()},
                    audit=AuditDraft(AuditAction.HANDOFF_JOB.value, actor=actor, target_type="connection",
                                     target_id=conn.id, detail={"job_id": latest[0], "status": latest[1]}),
                )
        rows.append(HandoffJob(
            connection_id=conn.id, name=conn.name, status=conn.status.value,
            source_id=state.get("source_id"), airbyte_connection_id=state.get("connection_id"),
            job_id=state.get("job_id"),
            job_status=(state.get("job_status") or "pending") if state.get("job_id") is not None
            else "not started",
            error=error,
        ))
    return rows


def remove_from_airbyte(
    scope: TenantScope, conn: Connection, *, actor: str, ops: AirbyteOps | None = None
) -> Connection:
    """Delete the Airbyte connection, then the source, of a handed-off connection (gone already: fine).

    Each deletion is stored in the metadata at once (audited), so a failure half-way can be retried.
    """
    state = dict(conn.metadata.get("airbyte") or {})
    if ops is None:
        try:
            ops = handoff_ops(scope.hub.settings)
        except AirbyteNotConfigured as exc:
            raise AirbyteNotConfigured(
                f"'{conn.name}' was handed off to Airbyte, and its Airbyte objects cannot be deleted: "
                f"{exc.message}",
                hint=f"{exc.hint} Or keep them: {_KEEP}.",
            ) from None
    for key, action, delete in (
        ("connection_id", AuditAction.HANDOFF_CONNECTION, ops.delete_connection),
        ("source_id", AuditAction.HANDOFF_SOURCE, ops.delete_source),
    ):
        airbyte_id = state.get(key)
        if not airbyte_id:
            continue
        try:
            existed = delete(airbyte_id)
        except AirbyteAPIError as exc:
            scope._store.append_audit(AuditDraft(
                action.value, actor=actor, target_type="connection", target_id=conn.id, outcome=Outcome.ERROR,
                detail={"deleted": airbyte_id, "status": exc.status, "error": exc.message},
            ))
            raise AirbyteAPIError(
                f"'{conn.name}' is still connected: {exc.message}",
                status=exc.status,
                hint=f"{exc.hint} Or keep its Airbyte connection and source: {_KEEP}.",
                transient=exc.transient,
            ) from None
        state.pop(key)
        state["removed_" + key] = airbyte_id
        updated = scope._store.update_connection(
            conn.id, expect_status=None,
            changes={"metadata": {**conn.metadata, "airbyte": dict(state)}, "updated_at": now()},
            audit=AuditDraft(action.value, actor=actor, target_type="connection", target_id=conn.id,
                             detail={"deleted": airbyte_id, "existed": existed}),
        )
        conn = updated or conn
    return conn


__all__ = [
    "JOB_STATES",
    "MASK",
    "HandoffJob",
    "HandoffOutcome",
    "HandoffSetup",
    "PostgresWarehouse",
    "hand_off_many",
    "handed_off_connections",
    "handoff_jobs",
    "handoff_ops",
    "handoff_setup",
    "mask_config",
    "parse_schedule",
    "remove_from_airbyte",
    "set_handoff_setup",
    "validate_destination",
]
