"""Connections of one tenant: connect and reconnect (one path), rename, disconnect, list.

Every change runs the status machine (`hub.status`), is stored and audited in one step
(`TenantScope._move`). The path of a connect, new or with new credentials for a failed connection::

    wrap the config's secrets (spec) -> validate -> encrypt -> store as connecting
    -> testing: check, discover, sample -> connected, or failed with the reason (returned, not raised)

The testing step, and a re-test, are `hub.services.testing`'s.

"Use sample data" is decided here, once for every face (UI, CLI, API): demo mode asked for with an empty
config connects the demo connector's sample data (`Connector.sample_config`), no credentials needed.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from hub.connectors import has_live, public_config, wrap_secrets
from hub.connectors.base import Connector
from hub.downloads import download
from hub.exceptions import ConfigError, ConnectorError, HubError, InputError, NotFound
from hub.models import AuthKind, Connection, Mode, Outcome, SourceEntry, Status
from hub.services.attempts import attempt
from hub.services.probe import StepCallback, emit
from hub.services.testing import SAMPLE_LIMIT, Testing
from hub.status import transition
from hub.storage.audit import AuditDraft
from hub.storage.crypto import Sealed
from hub.storage.tables import now
from hub.uploads import (
    StoredFile,
    Uploads,
    checked_local,
    refused_storage,
    storage_of,
    upload_metadata,
)

log = logging.getLogger(__name__)


class Connections(Testing):
    """Connect, reconnect, rename, disconnect and list one tenant's connections (re-test: `Testing`)."""

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
        metadata: Mapping[str, Any] | None = None,
        file_label: str | None = None,
        sealed_extra: Mapping[str, Any] | None = None,
    ) -> Connection:
        """Validate against the spec, then connecting -> testing (check, discover, sample) -> connected.

        ``config`` may be a plain dict: the fields the connector's spec marks secret are wrapped in
        `SecretStr` before anything else reads it. ``mode`` None means: live when the source has a live
        connector and ``config`` is not empty (an OAuth source: never, it is live only through a sign-in),
        else demo. ``mode`` demo with an empty ``config`` is "Use sample data": the demo connector's
        sample config, no credentials (an omitted mode with an empty config is not: that is more likely a
        forgotten key, refused naming the missing field).
        A config that fails validation raises `ConfigError` and stores nothing. A failed check stores
        the connection as ``failed`` with the reason in ``status_detail`` and returns it.
        ``sample_limit`` (default `SAMPLE_LIMIT`) records are read per stream; 0 skips sampling.
        ``metadata`` (no secrets) is stored beside the public config, e.g. an OAuth sign-in's
        ``credentials_expire_at``.
        ``file_label``: the name a user gave the file of a file source (`FileSources.connect_file`).
        ``sealed_extra``: top-level secrets the hub keeps beside the config (an OAuth refresh token the
        hub refreshes with, `hub.oauth.providers.KEPT_KEY`): sealed with it, never validated, shown or
        given to the connector.
        """
        source = self.hub.catalogue.get(source_id)
        if mode is None:
            # an OAuth source is live only through a sign-in (`hub.oauth.connect`, which says so): a config
            # given without a mode is the demo consent's
            live = (
                has_live(source.id)
                and bool(config)
                and source.auth_kind is not AuthKind.OAUTH2
                and not self._demo_shaped(source, config)
            )
            chosen = Mode.LIVE if live else Mode.DEMO
        else:
            try:
                chosen = Mode(mode)
            except ValueError:
                raise InputError(f"Unknown mode {mode!r}.", hint="Use 'demo' or 'live'.") from None
        return self._connect(
            source,
            chosen,
            config,
            None,
            name=name,
            actor=actor,
            on_step=on_step,
            sample_limit=sample_limit,
            sample=mode is not None and chosen is Mode.DEMO and not config,
            metadata=metadata,
            file_label=file_label,
            sealed_extra=sealed_extra,
        )

    def reconnect(
        self,
        connection_id: str,
        config: Mapping[str, Any],
        *,
        actor: str,
        on_step: StepCallback | None = None,
        sample_limit: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        file_label: str | None = None,
        sealed_extra: Mapping[str, Any] | None = None,
    ) -> Connection:
        """A failed connection with new credentials: failed -> connecting -> testing -> ...

        The same path as `connect` (same validation, encryption, test and results); only the row is
        the existing one.
        """
        conn = self._require(connection_id)
        transition(conn.status, Status.CONNECTING)  # before any work: only a failed connection qualifies
        source = self.hub.catalogue.get(conn.source_id)
        # in the connection's turn: a run still on the old sign-in must not store its tokens over the new ones
        with self._turn(conn):
            return self._connect(
                source,
                conn.mode,
                config,
                conn,
                name=None,
                actor=actor,
                on_step=on_step,
                sample_limit=sample_limit,
                metadata=metadata,
                file_label=file_label,
                sealed_extra=sealed_extra,
            )

    def _connect(
        self,
        source: SourceEntry,
        mode: Mode,
        config: Mapping[str, Any],
        existing: Connection | None,
        *,
        name: str | None,
        actor: str,
        on_step: StepCallback | None,
        sample_limit: int | None,
        sample: bool = False,
        metadata: Mapping[str, Any] | None = None,
        file_label: str | None = None,
        sealed_extra: Mapping[str, Any] | None = None,
    ) -> Connection:
        """The one path of `connect` (``existing`` None: a new row) and `reconnect` (``existing``).

        ``sample``: connect the connector's sample data instead of ``config`` (see `connect`).
        """
        started = time.perf_counter()
        emit(on_step, "connecting", "running", f"Connecting to {source.name}…")
        connector = self._connector(source, mode)
        spec = connector.spec()
        files = mode is Mode.LIVE and source.auth_kind is AuthKind.FILE and not sample
        fetched: StoredFile | None = None
        if files:  # only the tenant's own files, read locally; an https:// file is downloaded first
            config, fetched = self._file_config(config)
            file_label = file_label or (fetched.label if fetched is not None else None)
        try:
            if sample:
                validated = _sample_config(source, connector)
            else:
                config = wrap_secrets(spec, config)  # first: from here on a secret is masked wherever it goes
                # validating reveals the secrets to jsonschema inside the connector and applies the defaults
                # a sign-in's config (its metadata says ``oauth``; only `hub.oauth.connect` passes it)
                # holds the spec's sign-in option, which no user fills in
                signed_in = bool(metadata and "oauth" in metadata)
                validated = wrap_secrets(spec, self._validate(source, connector, config, signed_in=signed_in))
        except BaseException:
            if fetched is not None:  # nothing is stored: neither is the download
                self.uploads().delete(fetched.path.name)
            raise
        conn_id = existing.id if existing is not None else str(uuid.uuid4())
        with attempt(self, conn_id, actor=actor):  # ends connected or failed, whatever stops it
            label = existing.name if existing is not None else _new_name(source, name, validated, file_label)
            sealed = self.hub.keys.seal_config(
                {**validated, **(sealed_extra or {})}, tenant_id=self.tenant.id, connection_id=conn_id
            )
            stored: dict[str, Any] = {**(metadata or {}), "config": public_config(spec, validated)}
            upload = upload_metadata(self.uploads(), validated, label=file_label) if files else None
            if upload is not None:  # the file's label stands for it; its path on the server is not shown
                if fetched is not None and fetched.origin:
                    upload["source_url"] = fetched.origin
                stored["upload"] = upload
                stored["config"].pop("url", None)
            if existing is None:
                conn = self._insert(conn_id, source, mode, label, stored, sealed, actor=actor)
                done = f"Connection to {source.name} created."
            else:
                conn = self._move(
                    existing,
                    Status.CONNECTING,
                    actor=actor,
                    detail=f"Reconnecting to {source.name}…",
                    metadata=stored,
                    sealed=sealed,
                    extra={"reconnect": True},
                )
                done = "New credentials stored."
                _discard_replaced(self.uploads(), existing, upload)
            self._store_control(conn.id, connector)
            self._pace(mode)
            emit(on_step, "connecting", "done", done, time.perf_counter() - started, conn.id)
            return self._test(
                conn,
                source,
                connector,
                validated,
                actor=actor,
                on_step=on_step,
                sample_limit=SAMPLE_LIMIT if sample_limit is None else sample_limit,
            )

    def _file_config(self, config: Mapping[str, Any]) -> tuple[Mapping[str, Any], StoredFile | None]:
        """A live file source's config, checked: a file in the tenant's folder (see `hub.uploads`).

        An ``HTTPS`` one is downloaded by the hub (`hub.downloads`) and becomes a local config; the
        download is returned too, so that a connect that then stores nothing can delete it.
        """
        storage = storage_of(config)
        if storage == "local":
            return checked_local(self.uploads(), config), None
        url = str(config.get("url") or "")
        if storage == "HTTPS" or (storage is None and url.startswith("https://")):
            chosen = str(config["format"]) if config.get("format") else None
            fetched = download(url, self.uploads(), self.hub.settings, chosen=chosen)
            return {**config, **fetched.config()}, fetched
        raise refused_storage(storage)

    def _demo_shaped(self, source: SourceEntry, config: Mapping[str, Any]) -> bool:
        """Whether ``config`` has only the demo form's fields, none of the live connector's.

        An API-key source's demo takes ``{"api_key", "account"}``; its live connector takes its own
        spec's fields (Stripe: ``client_secret``, ``account_id``). A config without a mode goes where
        its fields belong, so clients written for the demo keep getting the demo.
        """
        demo = set(self._connector(source, Mode.DEMO).spec().get("properties") or {})
        live = set(self._connector(source, Mode.LIVE).spec().get("properties") or {})
        keys = set(config)
        return keys <= demo and not keys & live

    def _validate(
        self, source: SourceEntry, connector: Connector, config: Mapping[str, Any], *, signed_in: bool
    ) -> dict[str, Any]:
        try:
            return connector.validate(config, signed_in=signed_in)
        except HubError:
            raise
        except Exception as exc:  # a connector's spec that jsonschema cannot use is a bug, reported plainly
            raise ConnectorError(
                f"The {source.name} connector could not validate the config."  # the traceback is chained
            ) from exc

    def _insert(
        self,
        conn_id: str,
        source: SourceEntry,
        mode: Mode,
        label: str,
        metadata: dict[str, Any],
        sealed: Sealed,
        *,
        actor: str,
    ) -> Connection:
        """The new row, ``connecting``, with its sealed config and its ``connection.create`` audit row."""
        at = now()
        conn = Connection(
            id=conn_id,
            tenant_id=self.tenant.id,
            source_id=source.id,
            name=label,
            mode=mode,
            auth_kind=source.auth_kind,
            status=Status.CONNECTING,
            status_detail=f"Connecting to {source.name}…",
            metadata=metadata,
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
                detail={"source_id": source.id, "mode": mode.value, "name": label},
            ),
        )
        return conn

    # ------------------------------------------------------------------ other changes

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

    def disconnect(self, connection_id: str, *, actor: str, keep_airbyte: bool = False) -> Connection:
        """-> disconnected; the secret is erased, the row stays for the audit trail. Idempotent.

        A connection handed off to Airbyte: its Airbyte connection and source are deleted first (a failure
        there leaves it connected), unless ``keep_airbyte``; then its tokens are not revoked either, since
        Airbyte still uses them. Either way the hub never refreshes them again (no stored secret).
        """
        conn = self._require(connection_id)
        if conn.status is Status.DISCONNECTED:
            return conn
        from hub.handoff.mapping import handed_off  # the hand-off builds on the services

        if handed_off(conn) and not keep_airbyte:
            from hub.handoff.target import remove_from_airbyte

            conn = remove_from_airbyte(self, conn, actor=actor)
        if conn.status in (Status.CONNECTING, Status.TESTING):  # interrupted (e.g. a crashed replica)
            conn = self._move(
                conn,
                Status.FAILED,
                actor=actor,
                outcome=Outcome.ERROR,
                detail="Interrupted: disconnected while it was being tested.",
            )
        from hub.oauth.revoke import revoke_tokens  # the OAuth package builds on the services

        if not (keep_airbyte and handed_off(conn)):  # Airbyte keeps using the kept connection's tokens
            revoke_tokens(self.hub, self.tenant.id, conn, actor=actor)  # before the tokens are erased
        gone = self._move(
            conn,
            Status.DISCONNECTED,
            actor=actor,
            action="connection.disconnect",
            detail="Disconnected; the stored credentials were erased.",
            erase_secret=True,
        )
        upload = conn.metadata.get("upload")
        if isinstance(upload, dict):  # an uploaded or downloaded file goes with its connection
            self.uploads().delete(str(upload.get("stored_as") or ""))
        return gone

    # ------------------------------------------------------------------ read

    def list_connections(self, *, include_disconnected: bool = True) -> list[Connection]:
        """The tenant's connections, newest first."""
        return self._store.list_connections(include_disconnected=include_disconnected)

    def get_connection(self, connection_id: str) -> Connection:
        """One connection (metadata only); `NotFound` for unknown ids and other tenants' ids."""
        return self._require(connection_id)

    def get_connections(self, connection_ids: Sequence[str]) -> dict[str, Connection]:
        """Those of ``connection_ids`` that are this tenant's connections, by id, in one read."""
        return self._store.get_connections(connection_ids)


def _sample_config(source: SourceEntry, connector: Connector) -> dict[str, Any]:
    """The connector's sample data config; its own, so not validated against the credentials form."""
    config = connector.sample_config()
    if config is None:
        raise ConfigError(
            f"{source.name} has no sample data in this mode.",
            hint="Pass the connection details, or connect it in demo mode.",
        )
    return config


def _discard_replaced(uploads: Uploads, existing: Connection, upload: Mapping[str, Any] | None) -> None:
    """Delete the file a reconnect replaced (a failed file connection given a new file)."""
    old = existing.metadata.get("upload")
    if isinstance(old, dict) and (upload is None or old.get("stored_as") != upload.get("stored_as")):
        uploads.delete(str(old.get("stored_as") or ""))


def _new_name(
    source: SourceEntry, name: str | None, config: Mapping[str, Any], file_label: str | None
) -> str:
    """The name given, else the source's name with the config's account, shop, host... (never a secret)."""
    label = (name or "").strip()
    if len(label) > 200:
        raise InputError("The connection name is longer than 200 characters.", hint="Use a shorter name.")
    if label:
        return label
    if file_label:
        return f"{source.name} · {file_label}"[:200]
    for key in ("account", "shop", "host", "database", "file_name"):
        value = config.get(key)
        if isinstance(value, str) and value.strip():
            return f"{source.name} · {value.strip()}"[:200]
    return source.name
