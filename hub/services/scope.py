"""What every use case of one tenant starts from: the tenant, its store, and its connections' configs.

Also the one way a connection's status changes (`TenantScope._move`): the status machine (`hub.status`),
the stored row and its audit row, in one step.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from hub.connectors import get_connector, wrap_secrets
from hub.connectors.base import Connector
from hub.exceptions import InputError, NotFound, TransitionError
from hub.models import Connection, Mode, Outcome, SourceEntry, Status, Tenant
from hub.status import transition
from hub.storage import SqlStore
from hub.storage.audit import AuditDraft
from hub.storage.crypto import Sealed
from hub.storage.tables import now
from hub.uploads import Uploads

if TYPE_CHECKING:
    from hub.services.hub import Hub


class TenantScope:
    """One tenant, resolved once, with the store bound to it; the base of `TenantService`'s parts."""

    tenant: Tenant

    def __init__(self, hub: Hub, tenant: Tenant, store: SqlStore) -> None:
        self.hub = hub
        self.tenant = tenant
        self._store = store

    def __repr__(self) -> str:
        return f"{type(self).__name__}(tenant={self.tenant.slug!r})"

    def _connector(self, source: SourceEntry, mode: Mode) -> Connector:
        return get_connector(source, mode, tenant=self.tenant.id, settings=self.hub.settings)

    def uploads(self) -> Uploads:
        """The tenant's folder of uploaded files (``HUB_UPLOADS_DIR/<tenant id>``)."""
        settings = self.hub.settings
        return Uploads(settings.uploads_path, self.tenant.id, max_bytes=settings.upload_max_bytes)

    def _store_control(self, connection_id: str, connector: Connector) -> None:
        """Store a config the connector updates itself (an Airbyte CONTROL message) at once, encrypted.

        Only connectors that can send one (``on_control``) are wired; a rotated refresh token must not be
        lost when the operation fails later.
        """
        if not hasattr(connector, "on_control"):
            return

        def store(new: dict[str, Any]) -> None:
            old = self._store.get_sealed(connection_id)
            if old is None:
                return
            wrapped = wrap_secrets(connector.spec(), new)
            sealed = self.hub.keys.seal_config(wrapped, tenant_id=self.tenant.id, connection_id=connection_id)
            self._store.replace_sealed(connection_id, old_key_id=old.key_id, sealed=sealed)

        connector.on_control = store

    @contextmanager
    def _connector_run(
        self, conn: Connection, connector: Connector, *, wait: bool = True
    ) -> Iterator[dict[str, Any]]:
        """The stored config for one run of ``connector`` on ``conn`` (the body), its CONTROL config stored.

        Where the connection's runs take turns (a live sign-in its connector refreshes itself, spending a
        single-use refresh token), the turn is held from before the config is read until the body has
        ended (`hub.oauth.refresh.connector_turn`; ``wait=False``: `ConnectionBusy` at once if taken).
        """
        with self._turn(conn, wait=wait):
            self._store_control(conn.id, connector)
            yield self._config(conn, connector)

    def _turn(self, conn: Connection, *, wait: bool = True) -> AbstractContextManager[None]:
        """``conn``'s turn where its connector runs take turns (`hub.oauth.refresh.connector_turn`)."""
        from hub.oauth.refresh import connector_turn  # hub.oauth.refresh imports the services

        return connector_turn(self.hub, conn, wait=wait)

    def _require(self, connection_id: str) -> Connection:
        conn = self._store.get_connection(connection_id) if isinstance(connection_id, str) else None
        if conn is None:
            raise NotFound(
                f"Connection {connection_id!r} not found for tenant {self.tenant.slug!r}.",
                hint="List this tenant's connections with `python -m hub connections --tenant "
                f"{self.tenant.slug}`.",
            )
        return conn

    def _config(self, conn: Connection, connector: Connector) -> dict[str, Any]:
        """The stored config, decrypted, with its secret fields wrapped again until the connector.

        A live OAuth connection's access token is refreshed first where the hub refreshes it
        (`hub.oauth.refresh.connector_view`): every use (re-test, preview, health check) gets a fresh one.
        """
        sealed = self._store.get_sealed(conn.id)
        if sealed is None:
            raise InputError(
                f"Connection {conn.id} has no stored credentials (it is {conn.status.value}).",
                hint="Connect the source again.",
            )
        opened = self.hub.keys.open_config(sealed, tenant_id=self.tenant.id, connection_id=conn.id)
        from hub.oauth.refresh import connector_view  # a live sign-in: a fresh access token, hub keys out

        return wrap_secrets(connector.spec(), connector_view(self.hub, self.tenant.id, conn, opened))

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
