"""Use cases: the one place that runs the status machine, stores, encrypts and audits.

Faces (Streamlit pages, CLI, HTTP API) call these and nothing below them.

    hub = Hub.open(Settings.from_env())        # tenant-neutral; safe to share (st.cache_resource)
    acme = hub.tenant("acme")                  # bound to one tenant; every query carries it
    conn = acme.connect("shopify", {...}, actor="alice", mode="demo", on_step=print)
    acme.preview(conn.id, "orders", limit=100, actor="alice")

A connection's ``metadata`` (shown by the faces; never secrets) holds:

* ``config`` - the non-secret configuration (host, port, database, username, account, shop domain,
  scopes, ssl mode...); fields marked ``airbyte_secret`` live only in the encrypted config;
* ``streams`` - stream names found by the last successful check, ``stream_count``;
* ``sample_counts`` - records read per stream by the sample (up to `SAMPLE_LIMIT` each),
  ``records_sampled`` - their sum;
* ``estimated_rows`` - per stream, the connector's estimate (or null); ``total_records`` - the sum of
  the estimates, where a stream has none its sample count;
* ``check`` - ``{"message", "latency_ms"}`` of the last check.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from itertools import islice
from typing import Any

import bcrypt
from pydantic import SecretStr

from hub.catalogue import BUSINESS_TYPES, Catalogue
from hub.connectors import get_connector, has_live, secret_fields
from hub.connectors.base import Connector
from hub.exceptions import (
    ConnectorError,
    CryptoError,
    HubError,
    InputError,
    NotFound,
    StorageError,
    TransitionError,
    UnknownBusinessType,
)
from hub.models import (
    ApiKey,
    AuditEntry,
    AuditVerification,
    CheckResult,
    Connection,
    Mode,
    Outcome,
    Preview,
    SourceEntry,
    Status,
    StepEvent,
    StreamInfo,
    Tenant,
    User,
)
from hub.settings import Settings
from hub.status import transition
from hub.storage.audit import AuditDraft, new_id, verify_chain
from hub.storage.crypto import KeyRing, Sealed
from hub.storage.sql import Database, SqlStore, now

log = logging.getLogger(__name__)

StepCallback = Callable[[StepEvent], None]

#: Records read per stream when a connection is sampled.
SAMPLE_LIMIT = 50
#: The most records one preview returns.
PREVIEW_MAX = 10_000
BCRYPT_ROUNDS = 12

DEMO_TENANTS = (("acme", "Acme Outfitters", "ecommerce"), ("globex", "Globex Cloud", "saas"))
DEMO_USERS = (("alice", "acme", "Alice (Acme Outfitters)"), ("bob", "globex", "Bob (Globex Cloud)"))
DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo accounts' password (embedded default only)

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")
_SECRET_NAME_RE = re.compile(r"(pass(word)?|secret|token|api_?key|private_?key|credential)", re.I)
_DEMO_HASH_LOCK = threading.Lock()
_demo_hash: bytes | None = None
_dummy_hash: bytes | None = None


def hash_api_key(key: SecretStr | str) -> str:
    """The stored form of an API key: SHA-256 hex (keys are 256-bit random, so no salt is needed)."""
    plain = key.get_secret_value() if isinstance(key, SecretStr) else key
    return hashlib.sha256(plain.encode()).hexdigest()


def hash_password(password: SecretStr | str) -> str:
    """Bcrypt hash of a password; `InputError` when it is empty or longer than bcrypt's 72 bytes."""
    plain = (password.get_secret_value() if isinstance(password, SecretStr) else password).encode()
    if len(plain) < 4:
        raise InputError(
            "The password is too short.", hint="Use at least 4 characters (12 or more is better)."
        )
    if len(plain) > 72:
        raise InputError("The password is longer than 72 bytes.", hint="Use a shorter password.")
    return bcrypt.hashpw(plain, bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def _check_password(password: SecretStr | str, hashed: str) -> bool:
    plain = (password.get_secret_value() if isinstance(password, SecretStr) else password).encode()
    if len(plain) > 72:
        return False
    try:
        return bcrypt.checkpw(plain, hashed.encode())
    except ValueError:
        return False


def _dummy() -> bytes:
    global _dummy_hash
    with _DEMO_HASH_LOCK:
        if _dummy_hash is None:
            _dummy_hash = bcrypt.hashpw(secrets.token_bytes(16).hex().encode(), bcrypt.gensalt(BCRYPT_ROUNDS))
        return _dummy_hash


def public_config(spec: Mapping[str, Any], config: Mapping[str, Any]) -> dict[str, Any]:
    """The non-secret part of a validated config (for ``metadata``).

    Secret fields of the spec are removed and, to be safe, anything whose name looks like a secret or that
    is a `SecretStr`.
    """
    hidden = set(secret_fields(spec))

    def strip(value: Mapping[str, Any], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, item in value.items():
            path = f"{prefix}{key}"
            if path in hidden or isinstance(item, SecretStr):
                continue
            if _SECRET_NAME_RE.search(str(key)) and not isinstance(item, bool | int | float | Mapping):
                continue
            out[str(key)] = strip(item, f"{path}.") if isinstance(item, Mapping) else item
        return out

    return strip(config, "")


# --------------------------------------------------------------------------- one tenant


class TenantService:
    """The use cases of one tenant. Made by `Hub.tenant`; never crosses to another tenant."""

    tenant: Tenant

    def __init__(self, hub: Hub, tenant: Tenant, store: SqlStore) -> None:
        self.hub = hub
        self.tenant = tenant
        self._store = store

    def __repr__(self) -> str:
        return f"TenantService(tenant={self.tenant.slug!r})"

    # ------------------------------------------------------------------ helpers

    def _emit(
        self, on_step: StepCallback | None, step: str, state: str, message: str, seconds: float = 0.0
    ) -> None:
        if on_step is None:
            return
        try:
            on_step(StepEvent(step=step, state=state, message=message, seconds=round(seconds, 3)))
        except Exception:  # a broken progress display must not leave a connection half-way
            log.exception("on_step callback failed at %s/%s", step, state)

    def _pace(self, mode: Mode) -> None:
        if mode is Mode.DEMO and self.hub.settings.demo_pace > 0:
            time.sleep(self.hub.settings.demo_pace)

    def _connector(self, source: SourceEntry, mode: Mode) -> Connector:
        return get_connector(source, mode, tenant=self.tenant.id, settings=self.hub.settings)

    def _require(self, connection_id: str) -> Connection:
        conn = self._store.get_connection(connection_id) if isinstance(connection_id, str) else None
        if conn is None:
            raise NotFound(
                f"Connection {connection_id!r} not found for tenant {self.tenant.slug!r}.",
                hint="List this tenant's connections with `python -m hub connections --tenant "
                f"{self.tenant.slug}`.",
            )
        return conn

    def _config(self, conn: Connection) -> dict[str, Any]:
        sealed = self._store.get_sealed(conn.id)
        if sealed is None:
            raise InputError(
                f"Connection {conn.id} has no stored credentials (it is {conn.status.value}).",
                hint="Connect the source again.",
            )
        return self.hub.keys.open_config(sealed, tenant_id=self.tenant.id, connection_id=conn.id)

    def _move(
        self,
        conn: Connection,
        target: Status,
        *,
        actor: str,
        detail: str,
        action: str = "connection.status",
        outcome: Outcome = Outcome.OK,
        metadata: dict[str, Any] | None = None,
        checked: bool = False,
        sealed: Sealed | None = None,
        erase_secret: bool = False,
        extra: Mapping[str, Any] | None = None,
    ) -> Connection:
        """One stored, audited transition; `TransitionError` if illegal or the row changed meanwhile."""
        transition(conn.status, target)
        at = now()
        changes: dict[str, Any] = {"status": target, "status_detail": detail, "updated_at": at}
        if checked:
            changes["last_checked_at"] = at
        if metadata is not None:
            changes["metadata"] = metadata
        audit = AuditDraft(
            action,
            actor=actor,
            target_type="connection",
            target_id=conn.id,
            outcome=outcome,
            detail={"from": conn.status.value, "to": target.value, "status_detail": detail, **(extra or {})},
        )
        updated = self._store.update_connection(
            conn.id,
            expect_status=conn.status,
            changes=changes,
            audit=audit,
            sealed=sealed,
            erase_secret=erase_secret,
            current=conn,
        )
        if updated is None:
            current = self._require(conn.id)
            raise TransitionError(
                f"Connection {conn.id} changed meanwhile: it is now {current.status.value}.",
                hint="Reload it and try again.",
            )
        return updated

    def _validate(
        self, source: SourceEntry, connector: Connector, config: Mapping[str, Any]
    ) -> dict[str, Any]:
        try:
            return connector.validate(config)
        except HubError:
            raise
        except Exception as exc:  # a connector's spec that jsonschema cannot use is a bug, reported plainly
            raise ConnectorError(
                f"The {source.name} connector could not validate the config ({type(exc).__name__})."
            ) from exc

    # ------------------------------------------------------------------ connect

    def connect(
        self,
        source_id: str,
        config: Mapping[str, Any],
        *,
        actor: str,
        mode: Mode | str | None = None,
        name: str | None = None,
        on_step: StepCallback | None = None,
        sample_limit: int | None = None,
    ) -> Connection:
        """Validate against the spec, then connecting -> testing (check, discover, sample) -> connected.

        ``mode`` None means: live when the source has a live connector and ``config`` is not empty,
        else demo. A config that fails validation raises `ConfigError` and stores nothing. A failed
        check stores the connection as ``failed`` with the reason in ``status_detail`` and returns it.
        ``sample_limit`` (default `SAMPLE_LIMIT`) records are read per stream; 0 skips sampling.
        """
        source = self.hub.catalogue.get(source_id)
        if mode is None:
            chosen = Mode.LIVE if has_live(source.id) and bool(config) else Mode.DEMO
        else:
            try:
                chosen = Mode(mode)
            except ValueError:
                raise InputError(f"Unknown mode {mode!r}.", hint="Use 'demo' or 'live'.") from None
        started = time.perf_counter()
        self._emit(on_step, "connecting", "running", f"Connecting to {source.name}…")
        connector = self._connector(source, chosen)
        spec = connector.spec()
        validated = self._validate(source, connector, config)
        label = (name or "").strip() or self._default_name(source, validated)
        if len(label) > 200:
            raise InputError("The connection name is longer than 200 characters.", hint="Use a shorter name.")
        conn_id = new_id()  # a random uuid's text, without the UUID object
        sealed = self.hub.keys.seal_config(validated, tenant_id=self.tenant.id, connection_id=conn_id)
        at = now()
        conn = Connection(
            id=conn_id,
            tenant_id=self.tenant.id,
            source_id=source.id,
            name=label,
            mode=chosen,
            auth_kind=source.auth_kind,
            status=Status.CONNECTING,
            status_detail=f"Connecting to {source.name}…",
            metadata={"config": public_config(spec, validated)},
            created_by=actor,
            created_at=at,
            updated_at=at,
        )
        transition(None, Status.CONNECTING)
        self._store.insert_connection(
            conn,
            sealed,
            AuditDraft(
                "connection.create",
                actor=actor,
                target_type="connection",
                target_id=conn_id,
                detail={"source_id": source.id, "mode": chosen.value, "name": label},
            ),
        )
        self._pace(chosen)
        self._emit(
            on_step,
            "connecting",
            "done",
            f"Connection to {source.name} created.",
            time.perf_counter() - started,
        )
        return self._test(
            conn,
            source,
            connector,
            validated,
            actor=actor,
            on_step=on_step,
            sample_limit=SAMPLE_LIMIT if sample_limit is None else sample_limit,
        )

    def _default_name(self, source: SourceEntry, config: Mapping[str, Any]) -> str:
        for key in ("account", "shop", "host", "database", "file_name"):
            value = config.get(key)
            if isinstance(value, str) and value.strip():
                return f"{source.name} · {value.strip()}"[:200]
        return source.name

    def _test(
        self,
        conn: Connection,
        source: SourceEntry,
        connector: Connector,
        config: dict[str, Any],
        *,
        actor: str,
        on_step: StepCallback | None,
        sample_limit: int,
        action: str = "connection.status",
    ) -> Connection:
        """-> testing, then check, discover and sample; -> connected or failed (returned, not raised)."""
        conn = self._move(
            conn,
            Status.TESTING,
            actor=actor,
            action=action,
            detail=f"Testing the connection to {source.name}…",
        )
        step = "testing"
        t0 = time.perf_counter()
        try:
            self._emit(on_step, "testing", "running", f"Checking access to {source.name}…")
            result = connector.check(config)
            self._pace(conn.mode)
            if not result.ok:
                self._emit(on_step, "testing", "error", result.message, time.perf_counter() - t0)
                return self._fail(conn, result, actor=actor)
            self._emit(
                on_step, "testing", "done", result.message or "Access confirmed.", time.perf_counter() - t0
            )

            step, t0 = "discovering", time.perf_counter()
            self._emit(on_step, "discovering", "running", "Discovering streams…")
            streams = connector.discover(config)
            self._pace(conn.mode)
            self._emit(
                on_step, "discovering", "done", f"Found {len(streams)} streams.", time.perf_counter() - t0
            )

            step, t0 = "sampling", time.perf_counter()
            counts: dict[str, int] = {}
            if sample_limit > 0:
                self._emit(on_step, "sampling", "running", "Reading a sample of each stream…")
                for s in streams:
                    counts[s.name] = sum(
                        1 for _ in islice(connector.read(config, s.name, limit=sample_limit), sample_limit)
                    )
                self._pace(conn.mode)
                self._emit(
                    on_step,
                    "sampling",
                    "done",
                    f"Read {sum(counts.values()):,} sample records.",
                    time.perf_counter() - t0,
                )
        except HubError as exc:
            self._emit(on_step, step, "error", exc.message, time.perf_counter() - t0)
            return self._fail(
                conn,
                CheckResult(ok=False, message=exc.message, hint=exc.hint, transient=exc.transient),
                actor=actor,
                step=step,
            )
        except Exception as exc:
            log.exception("connector %s failed while %s (connection %s)", source.id, step, conn.id)
            msg = f"The {source.name} connector failed unexpectedly while {step} ({type(exc).__name__})."
            self._emit(on_step, step, "error", msg, time.perf_counter() - t0)
            return self._fail(
                conn,
                CheckResult(ok=False, message=msg, hint="Retry; if it persists, report it."),
                actor=actor,
                step=step,
            )

        estimated = {s.name: s.estimated_rows for s in streams}
        total = sum(e if e is not None else counts.get(n, 0) for n, e in estimated.items())
        meta = {
            **conn.metadata,
            "streams": [s.name for s in streams],
            "stream_count": len(streams),
            "sample_counts": counts,
            "records_sampled": sum(counts.values()),
            "estimated_rows": estimated,
            "total_records": total,
            "check": {"message": result.message, "latency_ms": result.latency_ms},
        }
        n = len(streams)
        detail = (
            f"Connected · {n} stream{'' if n == 1 else 's'} · {total:,} record{'' if total == 1 else 's'}"
        )
        return self._move(
            conn,
            Status.CONNECTED,
            actor=actor,
            detail=detail,
            metadata=meta,
            checked=True,
            extra={"streams": len(streams), "records_sampled": sum(counts.values())},
        )

    def _fail(
        self, conn: Connection, result: CheckResult, *, actor: str, step: str = "testing"
    ) -> Connection:
        detail = f"{result.message} {result.hint}".strip()
        meta = {
            **conn.metadata,
            "check": {
                "message": result.message,
                "hint": result.hint,
                "transient": result.transient,
                "step": step,
                "latency_ms": result.latency_ms,
            },
        }
        return self._move(
            conn,
            Status.FAILED,
            actor=actor,
            detail=detail,
            outcome=Outcome.ERROR,
            metadata=meta,
            checked=True,
            extra={"step": step},
        )

    def reconnect(
        self,
        connection_id: str,
        config: Mapping[str, Any],
        *,
        actor: str,
        on_step: StepCallback | None = None,
        sample_limit: int | None = None,
    ) -> Connection:
        """A failed connection with new credentials: failed -> connecting -> testing -> ..."""
        conn = self._require(connection_id)
        transition(conn.status, Status.CONNECTING)
        source = self.hub.catalogue.get(conn.source_id)
        self._emit(on_step, "connecting", "running", f"Connecting to {source.name}…")
        started = time.perf_counter()
        connector = self._connector(source, conn.mode)
        spec = connector.spec()
        validated = self._validate(source, connector, config)
        sealed = self.hub.keys.seal_config(validated, tenant_id=self.tenant.id, connection_id=conn.id)
        meta = {"config": public_config(spec, validated)}
        conn = self._move(
            conn,
            Status.CONNECTING,
            actor=actor,
            detail=f"Reconnecting to {source.name}…",
            metadata=meta,
            sealed=sealed,
            extra={"reconnect": True},
        )
        self._pace(conn.mode)
        self._emit(on_step, "connecting", "done", "New credentials stored.", time.perf_counter() - started)
        return self._test(
            conn,
            source,
            connector,
            validated,
            actor=actor,
            on_step=on_step,
            sample_limit=SAMPLE_LIMIT if sample_limit is None else sample_limit,
        )

    def retest(
        self,
        connection_id: str,
        *,
        actor: str,
        on_step: StepCallback | None = None,
        sample_limit: int | None = None,
    ) -> Connection:
        """Re-test (connected) or retry (failed) with the stored config: -> testing -> connected|failed."""
        conn = self._require(connection_id)
        transition(conn.status, Status.TESTING)
        source = self.hub.catalogue.get(conn.source_id)
        config = self._config(conn)
        connector = self._connector(source, conn.mode)
        return self._test(
            conn,
            source,
            connector,
            config,
            actor=actor,
            on_step=on_step,
            sample_limit=SAMPLE_LIMIT if sample_limit is None else sample_limit,
            action="connection.retest",
        )

    def rename(self, connection_id: str, name: str, *, actor: str) -> Connection:
        """Rename a connection."""
        conn = self._require(connection_id)
        label = (name or "").strip()
        if not label or len(label) > 200:
            raise InputError(
                "A connection name must be 1 to 200 characters.", hint="Type a shorter or non-empty name."
            )
        updated = self._store.update_connection(
            conn.id,
            expect_status=None,
            changes={"name": label, "updated_at": now()},
            audit=AuditDraft(
                "connection.rename",
                actor=actor,
                target_type="connection",
                target_id=conn.id,
                detail={"from": conn.name, "to": label},
            ),
        )
        if updated is None:
            raise NotFound(f"Connection {connection_id!r} not found for tenant {self.tenant.slug!r}.")
        return updated

    def disconnect(self, connection_id: str, *, actor: str) -> Connection:
        """-> disconnected; the secret is erased, the row stays for the audit trail. Idempotent."""
        conn = self._require(connection_id)
        if conn.status is Status.DISCONNECTED:
            return conn
        if conn.status in (Status.CONNECTING, Status.TESTING):  # interrupted (e.g. a crashed replica)
            conn = self._move(
                conn,
                Status.FAILED,
                actor=actor,
                outcome=Outcome.ERROR,
                detail="Interrupted: disconnected while it was being tested.",
            )
        return self._move(
            conn,
            Status.DISCONNECTED,
            actor=actor,
            action="connection.disconnect",
            detail="Disconnected; the stored credentials were erased.",
            erase_secret=True,
        )

    # ------------------------------------------------------------------ read

    def list_connections(self, *, include_disconnected: bool = True) -> list[Connection]:
        """The tenant's connections, newest first."""
        return self._store.list_connections(include_disconnected=include_disconnected)

    def get_connection(self, connection_id: str) -> Connection:
        """One connection (metadata only); `NotFound` for unknown ids and other tenants' ids."""
        return self._require(connection_id)

    def _connected(self, connection_id: str) -> tuple[Connection, SourceEntry, Connector, dict[str, Any]]:
        conn = self._require(connection_id)
        if conn.status is not Status.CONNECTED:
            raise InputError(
                f"Connection {conn.id} is {conn.status.value}, not connected.",
                hint="Re-test it (or reconnect) first."
                if conn.status is not Status.DISCONNECTED
                else "Connect the source again.",
            )
        source = self.hub.catalogue.get(conn.source_id)
        return conn, source, self._connector(source, conn.mode), self._config(conn)

    def streams(self, connection_id: str) -> list[StreamInfo]:
        """Discover the streams of a connected connection."""
        _conn, source, connector, config = self._connected(connection_id)
        with _connector_errors(source, "discovering streams"):
            return connector.discover(config)

    def preview(self, connection_id: str, stream: str, *, limit: int = 100, actor: str) -> Preview:
        """A bounded sample of one stream (audited as ``connection.preview``)."""
        limit = _check_limit(limit)
        conn, source, connector, config = self._connected(connection_id)
        try:
            with _connector_errors(source, f"reading {stream}"):
                info = _find_stream(connector.discover(config), stream, source)
                records = list(islice(connector.read(config, info.name, limit=limit), limit))
        except HubError as exc:
            self._store.append_audit(
                AuditDraft(
                    "connection.preview",
                    actor=actor,
                    target_type="connection",
                    target_id=conn.id,
                    outcome=Outcome.ERROR,
                    detail={"stream": stream, "limit": limit, "error": exc.message},
                )
            )
            raise
        self._store.append_audit(
            AuditDraft(
                "connection.preview",
                actor=actor,
                target_type="connection",
                target_id=conn.id,
                detail={"stream": info.name, "limit": limit, "records": len(records)},
            )
        )
        return Preview(
            connection_id=conn.id, source_id=conn.source_id, stream=info, records=records, mode=conn.mode
        )

    # ------------------------------------------------------------------ audit

    def audit_log(
        self, *, action: str | None = None, limit: int | None = None, newest_first: bool = False
    ) -> list[AuditEntry]:
        """The tenant's audit rows, oldest first (``newest_first`` reverses; ``limit`` keeps the first N)."""
        return self._store.audit_entries(action=action, limit=limit, newest_first=newest_first)

    def verify_audit(self) -> AuditVerification:
        """Check the hash chain and ``tenants.audit_head``."""
        return verify_chain(self._store.audit_rows(), head=self._store.audit_head())

    def record(
        self,
        action: str,
        *,
        actor: str,
        target_type: str = "",
        target_id: str = "",
        outcome: str = "ok",
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one audit row (for actions outside this class: sign-in, API requests...)."""
        return self._store.append_audit(
            AuditDraft(
                action,
                actor=actor,
                target_type=target_type,
                target_id=target_id,
                outcome=outcome,
                detail=detail or {},
            )
        )

    # ------------------------------------------------------------------ tenant-scoped extras

    def users(self) -> list[User]:
        """The tenant's users."""
        return self._store.list_users()

    def api_keys(self) -> list[ApiKey]:
        """The tenant's API keys (metadata)."""
        return self._store.list_api_keys()


def _check_limit(limit: int) -> int:
    try:
        value = int(limit)
    except (TypeError, ValueError):
        raise InputError(f"The limit {limit!r} is not a number.", hint=f"Use 1 to {PREVIEW_MAX}.") from None
    if not 1 <= value <= PREVIEW_MAX:
        raise InputError(f"The limit {value} is out of range.", hint=f"Use 1 to {PREVIEW_MAX}.")
    return value


def _find_stream(streams: list[StreamInfo], name: str, source: SourceEntry) -> StreamInfo:
    for s in streams:
        if s.name == name:
            return s
    names = ", ".join(s.name for s in streams)
    raise NotFound(f"{source.name} has no stream {name!r}.", hint=f"Streams: {names}.")


@contextmanager
def _connector_errors(source: SourceEntry, doing: str) -> Iterator[None]:
    try:
        yield
    except HubError:
        raise
    except Exception as exc:
        log.exception("connector %s failed while %s", source.id, doing)
        raise ConnectorError(
            f"The {source.name} connector failed while {doing} ({type(exc).__name__}).",
            hint="Retry; if it persists, re-test the connection.",
        ) from exc


# --------------------------------------------------------------------------- the hub


class Hub:
    """Tenant-neutral entry point: settings, catalogue, storage, keys. Thread-safe; holds no tenant state."""

    settings: Settings
    catalogue: Catalogue

    def __init__(self, settings: Settings, catalogue: Catalogue, db: Database, keys: KeyRing) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.db = db
        self.keys = keys

    def __repr__(self) -> str:
        return f"Hub(db={self.db!r}, keys={self.keys!r})"

    @classmethod
    def open(cls, settings: Settings | None = None, *, catalogue: Catalogue | None = None) -> Hub:
        """Open (and on first use create) the storage; load the catalogue and the keys.

        Keys are loaded first, so a malformed ``HUB_ENCRYPTION_KEYS`` entry fails here, at start-up.
        """
        settings = settings or Settings.from_env()
        if settings.embedded:
            try:
                # Only the hub's user may read its state (the database holds ciphertexts, the key file keys).
                settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"Could not create HUB_HOME {settings.home}: {exc.strerror}.",
                    hint="Set HUB_HOME to a writable folder.",
                    transient=False,
                ) from exc
        keys = KeyRing.from_settings(settings)
        cat = catalogue or Catalogue.load_or_fallback()
        db = Database(settings.url, admin_url=settings.admin_database_url)
        return cls(settings, cat, db, keys)

    def close(self) -> None:
        """Dispose of the database engines."""
        self.db.dispose()

    def warm_up(self) -> float:
        """Build what the first demo connect of a process would otherwise build; the seconds it took.

        That is the demo data's value pools (names, companies, streets...: about 0.4 s, once per process).
        Servers run it in a background thread at start-up (`start_warm_up`), so the first Connect of a
        demo does not wait for it; a connect that comes sooner waits for the same build, never a second.
        """
        from hub.connectors.demo_data._core import pools

        started = time.perf_counter()
        pools()
        return time.perf_counter() - started

    def start_warm_up(self) -> threading.Thread:
        """`warm_up` in a daemon thread; a failure is logged, never raised (it costs only time)."""

        def run() -> None:
            try:
                seconds = self.warm_up()
            except Exception:
                log.warning("Warming up the demo data failed; the first demo connect does it.", exc_info=True)
            else:
                log.info("demo data warmed up in %.2f s", seconds)

        thread = threading.Thread(target=run, name="hub-warm-up", daemon=True)
        thread.start()
        return thread

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ facts for the faces

    @property
    def rls_warning(self) -> str | None:
        """Set when the app's PostgreSQL role could bypass row level security (shown by the UI)."""
        return self.db.rls_warning

    @property
    def local_key(self) -> bool:
        """True when the encryption key is the generated local file ``$HUB_HOME/master.key``."""
        return self.keys.local

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.db.backend

    # ------------------------------------------------------------------ tenants

    def _find(self, slug_or_id: str) -> Tenant:
        tenant = (
            self.db.directory.find_tenant(slug_or_id) if isinstance(slug_or_id, str) and slug_or_id else None
        )
        if tenant is None:
            raise NotFound(
                f"Tenant {slug_or_id!r} not found.", hint="List tenants with `python -m hub tenants list`."
            )
        return tenant

    def tenant(self, tenant: Tenant | str) -> TenantService:
        """The services bound to one tenant (a `Tenant` already resolved, or its slug or id).

        A face that has resolved the tenant once (the API's auth middleware, a page run) passes the
        `Tenant` itself, so it is not looked up again; `NotFound` for an unknown slug or id.
        """
        found = tenant if isinstance(tenant, Tenant) else self._find(tenant)
        return TenantService(self, found, self.db.store(found.id))

    def create_tenant(self, slug: str, *, name: str, business_type: str, actor: str = "cli") -> Tenant:
        """Create a tenant (business type validated against the catalogue's business types)."""
        slug = (slug or "").strip()
        if not _SLUG_RE.match(slug):
            raise InputError(
                f"The tenant slug {slug!r} is not valid.",
                hint="Use lowercase letters, digits and '-' (max 63), starting with a letter or digit.",
            )
        if not (name or "").strip():
            raise InputError("The tenant name is empty.", hint="Give the business's name with --name.")
        if BUSINESS_TYPES and business_type not in BUSINESS_TYPES:
            raise UnknownBusinessType(
                f"Unknown business type {business_type!r}.",
                hint=f"Valid business types: {', '.join(sorted(BUSINESS_TYPES))}.",
            )
        tenant = Tenant(
            id=str(uuid.uuid4()), slug=slug, name=name.strip(), business_type=business_type, created_at=now()
        )
        return self.db.directory.create_tenant(
            tenant,
            AuditDraft(
                "tenant.create",
                actor=actor,
                target_type="tenant",
                target_id=tenant.id,
                detail={"slug": slug, "name": tenant.name, "business_type": business_type},
            ),
        )

    def list_tenants(self) -> list[Tenant]:
        """All tenants (admin connection)."""
        return self.db.directory.list_tenants()

    # ------------------------------------------------------------------ users

    def create_user(
        self, username: str, *, tenant: str, name: str, password: SecretStr | str, actor: str = "cli"
    ) -> User:
        """Create a user of a tenant; the password is stored bcrypt-hashed."""
        username = (username or "").strip()
        if not _USERNAME_RE.match(username):
            raise InputError(
                f"The username {username!r} is not valid.", hint="Use letters, digits and . _ @ + - (max 64)."
            )
        t = self._find(tenant)
        user = User(
            id=str(uuid.uuid4()),
            tenant_id=t.id,
            username=username,
            name=(name or username).strip(),
            created_at=now(),
        )
        return self.db.directory.create_user(
            user,
            hash_password(password),
            AuditDraft(
                "user.create",
                actor=actor,
                target_type="user",
                target_id=user.id,
                detail={"username": username, "name": user.name},
            ),
        )

    def _create_user_hashed(
        self, username: str, tenant: Tenant, name: str, password_hash: str, actor: str
    ) -> User:
        user = User(id=str(uuid.uuid4()), tenant_id=tenant.id, username=username, name=name, created_at=now())
        return self.db.directory.create_user(
            user,
            password_hash,
            AuditDraft(
                "user.create",
                actor=actor,
                target_type="user",
                target_id=user.id,
                detail={"username": username, "name": name},
            ),
        )

    def list_users(self, tenant: str) -> list[User]:
        """A tenant's users."""
        return self.tenant(tenant).users()

    def remove_user(self, username: str, *, actor: str = "cli") -> None:
        """Remove a user (audited as ``user.remove`` in their tenant)."""
        removed = self.db.directory.remove_user(
            username,
            AuditDraft(
                "user.remove", actor=actor, target_type="user", target_id="", detail={"username": username}
            ),
        )
        if removed is None:
            raise NotFound(
                f"User {username!r} not found.", hint="List users with `python -m hub users list`."
            )

    def authenticate(self, username: str, password: SecretStr | str) -> tuple[User, Tenant] | None:
        """Check a password; audits ``auth.sign_in`` or ``auth.sign_in_failed``. None when it fails."""
        record = self.db.directory.sign_in_record((username or "").strip())
        if record is None:
            _check_password(password, _dummy().decode())  # same cost as a real check: no user enumeration
            log.info("sign-in failed: unknown user")
            return None
        store = self.db.store(record.tenant.id)
        reason = (
            "disabled" if record.user.disabled
            else None if _check_password(password, record.password_hash)
            else "wrong password"
        )
        if reason is not None:
            store.append_audit(
                AuditDraft(
                    "auth.sign_in_failed",
                    actor=record.user.username,
                    target_type="user",
                    target_id=record.user.id,
                    outcome=Outcome.DENIED,
                    detail={"reason": reason},
                )
            )
            return None
        store.append_audit(
            AuditDraft(
                "auth.sign_in", actor=record.user.username, target_type="user", target_id=record.user.id
            )
        )
        return record.user, record.tenant

    def ensure_demo_accounts(self) -> bool:
        """On the embedded default only: create acme/alice and globex/bob once. True if created."""
        global _demo_hash
        if not self.settings.embedded:
            return False
        created = False
        for slug, name, btype in DEMO_TENANTS:
            if self.db.directory.find_tenant(slug) is None:
                try:
                    self.create_tenant(slug, name=name, business_type=btype, actor="system")
                    created = True
                except InputError:  # another process made it meanwhile
                    pass
        for username, slug, name in DEMO_USERS:
            if self.db.directory.sign_in_record(username) is None:
                with _DEMO_HASH_LOCK:
                    if _demo_hash is None:
                        _demo_hash = bcrypt.hashpw(DEMO_PASSWORD.encode(), bcrypt.gensalt(BCRYPT_ROUNDS))
                try:
                    self._create_user_hashed(username, self._find(slug), name, _demo_hash.decode(), "system")
                    created = True
                except InputError:
                    pass
        return created

    # ------------------------------------------------------------------ keys

    def rotate_keys(self, *, actor: str = "cli") -> dict[str, int]:
        """Re-encrypt every stored secret under the first key; counts per outcome."""
        totals = {"rotated": 0, "already_current": 0, "failed": 0}
        current = self.keys.current_id
        for tenant in self.db.directory.list_tenants():
            store = self.db.directory.admin_store(tenant.id)
            counts = {"rotated": 0, "already_current": 0, "failed": 0}
            failed_ids: list[str] = []
            for conn_id, sealed in store.list_sealed():
                if sealed.key_id == current:
                    counts["already_current"] += 1
                    continue
                try:
                    fresh = self.keys.reseal(sealed, tenant_id=tenant.id, connection_id=conn_id)
                except CryptoError as exc:
                    log.warning("key rotation: %s", exc.message)
                    counts["failed"] += 1
                    failed_ids.append(conn_id)
                    continue
                if store.replace_sealed(conn_id, old_key_id=sealed.key_id, sealed=fresh):
                    counts["rotated"] += 1
                else:  # disconnected or reconnected meanwhile: nothing under the old key any more
                    counts["already_current"] += 1
            if any(counts.values()):
                store.append_audit(
                    AuditDraft(
                        "key.rotate",
                        actor=actor,
                        target_type="key",
                        target_id=current,
                        outcome=Outcome.ERROR if counts["failed"] else Outcome.OK,
                        detail={**counts, "key_id": current, "failed_connections": failed_ids[:50]},
                    )
                )
            for k, v in counts.items():
                totals[k] += v
        return totals

    # ------------------------------------------------------------------ API keys

    def create_api_key(self, tenant: str, *, name: str, actor: str = "cli") -> tuple[ApiKey, SecretStr]:
        """A new API key; the plaintext is returned once and only its hash is stored."""
        label = (name or "").strip()
        if not label or len(label) > 100:
            raise InputError("An API key needs a name of 1 to 100 characters.", hint="Pass --name.")
        t = self._find(tenant)
        plain = SecretStr(f"hub_{secrets.token_urlsafe(32)}")
        key = ApiKey(id=str(uuid.uuid4()), tenant_id=t.id, name=label, created_at=now())
        self.db.store(t.id).insert_api_key(
            key,
            hash_api_key(plain),
            AuditDraft(
                "apikey.create", actor=actor, target_type="api_key", target_id=key.id, detail={"name": label}
            ),
        )
        return key, plain

    def list_api_keys(self, tenant: str) -> list[ApiKey]:
        """A tenant's API keys (metadata)."""
        return self.tenant(tenant).api_keys()

    def revoke_api_key(self, tenant: str, key_id: str, *, actor: str = "cli") -> ApiKey:
        """Revoke an API key."""
        t = self._find(tenant)
        key = self.db.store(t.id).revoke_api_key(
            key_id, AuditDraft("apikey.revoke", actor=actor, target_type="api_key", target_id=str(key_id))
        )
        if key is None:
            raise NotFound(f"API key {key_id!r} not found for tenant {t.slug!r}.")
        return key

    def resolve_api_key(self, key: SecretStr | str) -> tuple[ApiKey, Tenant] | None:
        """The key's metadata and tenant, or None when it is unknown or revoked."""
        found = self.db.directory.api_key_by_hash(hash_api_key(key))
        if found is None or found[0].revoked_at is not None:
            return None
        return found


# --------------------------------------------------------------------------- without storage


def demo_streams(
    catalogue: Catalogue, source_id: str, *, tenant: str = "demo", seed: int = 0
) -> list[StreamInfo]:
    """Streams of a source's demo connector, without storage (CLI ``streams --demo``)."""
    source = catalogue.get(source_id)
    connector = get_connector(source, Mode.DEMO, tenant=tenant, seed=seed)
    with _connector_errors(source, "discovering streams"):
        return connector.discover({})


def demo_preview(
    catalogue: Catalogue,
    source_id: str,
    stream: str,
    *,
    limit: int = 100,
    tenant: str = "demo",
    seed: int = 0,
) -> Preview:
    """A demo sample without storage (CLI ``preview --demo``)."""
    limit = _check_limit(limit)
    source = catalogue.get(source_id)
    connector = get_connector(source, Mode.DEMO, tenant=tenant, seed=seed)
    with _connector_errors(source, f"reading {stream}"):
        info = _find_stream(connector.discover({}), stream, source)
        records = list(islice(connector.read({}, info.name, limit=limit), limit))
    return Preview(connection_id=None, source_id=source.id, stream=info, records=records, mode=Mode.DEMO)


__all__ = [
    "SAMPLE_LIMIT",
    "Hub",
    "StepCallback",
    "TenantService",
    "demo_preview",
    "demo_streams",
    "hash_api_key",
]
