"""`Hub`: the tenant-neutral entry point that opens the storage, the catalogue and the keys.

Its use cases come from one base per job: `Accounts` (tenants, users, sign-in, API keys, demo accounts)
and `KeyRotation`; `Hub.tenant` hands out the `TenantService` of one tenant.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from hub.catalogue import Catalogue
from hub.connectors import get_connector
from hub.exceptions import HubError, StorageError
from hub.models import Mode, Tenant
from hub.services.accounts import Accounts
from hub.services.attempts import recover_interrupted
from hub.services.keys import KeyRotation
from hub.services.tenant import TenantService
from hub.settings import Settings
from hub.storage import Database
from hub.storage.crypto import KeyRing

if TYPE_CHECKING:
    from hub.services.monitor import Monitor

log = logging.getLogger(__name__)


class Hub(Accounts, KeyRotation):
    """Tenant-neutral entry point: settings, catalogue, storage, keys. Thread-safe; holds no tenant state."""

    settings: Settings
    catalogue: Catalogue

    def __init__(self, settings: Settings, catalogue: Catalogue, db: Database, keys: KeyRing) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.db = db
        self.keys = keys
        self._monitor: Monitor | None = None  # the embedded monitor (`start_monitor`)

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
        cat = catalogue or Catalogue.load_or_fallback(settings=settings)
        db = Database(settings.url, admin_url=settings.admin_database_url)
        hub = cls(settings, cat, db, keys)
        try:  # connects whose process died before this one started (their leases have expired)
            hub.recover_interrupted()
        except HubError:  # the health monitor tries again; starting matters more
            log.warning("Could not end interrupted connects at start-up.", exc_info=True)
        hub._seal_plain_webhook_urls()
        return hub

    def _seal_plain_webhook_urls(self) -> None:
        """Alert settings stored before webhook URLs were sealed get sealed now (needs work across tenants).

        On PostgreSQL without ``HUB_ADMIN_DATABASE_URL`` the app role sees no tenant here; the monitor (which
        needs the admin connection) does it when it opens the hub.
        """
        from hub.services.alerts import seal_plain_webhook_urls

        try:
            seal_plain_webhook_urls(self)
        except StorageError as exc:  # the app role alone on PostgreSQL, or the database away for a moment
            log.debug("plain webhook URLs not sealed at start-up: %s", exc.message)
        except HubError:  # a key missing from the ring: the row stays readable as it is
            log.warning("Could not seal the plain webhook URLs at start-up.", exc_info=True)

    def close(self) -> None:
        """Stop the embedded monitor (checks in flight finish on their own); dispose of the engines."""
        if self._monitor is not None:
            self._monitor.stop.set()
        self.db.dispose()

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tenant(self, tenant: Tenant | str) -> TenantService:
        """The services bound to one tenant (a `Tenant` already resolved, or its slug or id).

        A face that has resolved the tenant once (the API's auth middleware, a page run) passes the
        `Tenant` itself, so it is not looked up again; `NotFound` for an unknown slug or id.
        """
        found = self._resolve_tenant(tenant)
        return TenantService(self, found, self.db.store(found.id))

    def recover_interrupted(self) -> list[str]:
        """End ``failed`` ("interrupted") every connect whose process died; the connection ids it ended.

        A connect's lease expires ``HUB_LEASE_SECONDS`` after its process stopped renewing it; one that is
        still renewed (another replica's running connect) is never touched. Run by `open` and by the
        health monitor.
        """
        return recover_interrupted(self)

    def start_monitor(self) -> bool:
        """Run the health monitor in a daemon thread of this process (once; HUB_MONITOR); whether it runs.

        The app calls it on every page run; only the first call of the process starts the thread.
        """
        from hub.services.monitor import start_embedded

        return start_embedded(self) is not None

    # ------------------------------------------------------------------ warm-up

    def source_spec(self, source_id: str, mode: Mode | str = Mode.DEMO) -> dict[str, Any]:
        """The JSON Schema a user's ``config`` for ``source_id`` fills in ``mode`` (forms, API, validation).

        `NotFound` for an unknown source; `ConfigError` when it has no connector in that mode.
        """
        source = self.catalogue.get(source_id)
        return get_connector(source, Mode(mode), tenant="spec", settings=self.settings).form_spec()

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
