"""Accounts: tenants, users, sign-in and API keys; how passwords and API keys are hashed; the demo accounts.

`Accounts` is a base of `Hub` (tenant-neutral: these use cases find or make the tenant themselves).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
import uuid
from datetime import timedelta

import bcrypt
from pydantic import SecretStr

from hub.catalogue import BUSINESS_TYPES
from hub.exceptions import InputError, NotFound, SignInLocked, UnknownBusinessType
from hub.models import ApiKey, Outcome, Tenant, User
from hub.settings import Settings
from hub.storage import Database, SignInRecord
from hub.storage.audit import AuditDraft
from hub.storage.tables import now

log = logging.getLogger(__name__)

BCRYPT_ROUNDS = 12

DEMO_TENANTS = (("acme", "Acme Outfitters", "ecommerce"), ("globex", "Globex Cloud", "saas"))
DEMO_USERS = (("alice", "acme", "Alice (Acme Outfitters)"), ("bob", "globex", "Bob (Globex Cloud)"))
DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo accounts' password (embedded default only)
#: The demo tenants' ids are uuid5 of this namespace and the slug, the same on every install: demo data is
#: seeded by the tenant id, so a sales demo (and the README's screenshots) shows the same records each time.
DEMO_TENANT_NAMESPACE = uuid.UUID("74ec2e4c-a9ba-4c45-a055-8367b24563c9")

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")


def demo_tenant_id(slug: str) -> str:
    """The fixed id of a demo tenant (see `DEMO_TENANT_NAMESPACE`)."""
    return str(uuid.uuid5(DEMO_TENANT_NAMESPACE, slug))


# Both hashes are made once per process, on first need (bcrypt takes a quarter of a second).
_HASH_LOCK = threading.Lock()
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
    """A hash no password matches: an unknown user costs a sign-in the same time as a known one."""
    global _dummy_hash
    with _HASH_LOCK:
        if _dummy_hash is None:
            _dummy_hash = bcrypt.hashpw(secrets.token_bytes(16).hex().encode(), bcrypt.gensalt(BCRYPT_ROUNDS))
        return _dummy_hash


def _demo_password_hash() -> str:
    global _demo_hash
    with _HASH_LOCK:
        if _demo_hash is None:
            _demo_hash = bcrypt.hashpw(DEMO_PASSWORD.encode(), bcrypt.gensalt(BCRYPT_ROUNDS))
        return _demo_hash.decode()


class Accounts:
    """Tenants, users, sign-in and API keys (a base of `Hub`, which supplies ``db`` and ``settings``)."""

    db: Database
    settings: Settings

    # ------------------------------------------------------------------ tenants

    def _resolve_tenant(self, tenant: Tenant | str) -> Tenant:
        """``tenant`` itself when already resolved, else the tenant with that slug or id; else `NotFound`."""
        if isinstance(tenant, Tenant):
            return tenant
        found = self.db.directory.find_tenant(tenant) if isinstance(tenant, str) and tenant else None
        if found is None:
            raise NotFound(
                f"Tenant {tenant!r} not found.", hint="List tenants with `python -m hub tenants list`."
            )
        return found

    def create_tenant(self, slug: str, *, name: str, business_type: str, actor: str = "cli") -> Tenant:
        """Create a tenant (business type validated against the catalogue's business types)."""
        return self._create_tenant(slug, name=name, business_type=business_type, actor=actor)

    def _create_tenant(
        self, slug: str, *, name: str, business_type: str, actor: str, tenant_id: str | None = None
    ) -> Tenant:
        """`create_tenant`, with a given id (the demo accounts') instead of a random one."""
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
            id=tenant_id or str(uuid.uuid4()),
            slug=slug,
            name=name.strip(),
            business_type=business_type,
            created_at=now(),
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
        self, username: str, *, tenant: Tenant | str, name: str, password: SecretStr | str, actor: str = "cli"
    ) -> User:
        """Create a user of a tenant; the password is stored bcrypt-hashed."""
        username = (username or "").strip()
        if not _USERNAME_RE.match(username):
            raise InputError(
                f"The username {username!r} is not valid.", hint="Use letters, digits and . _ @ + - (max 64)."
            )
        found = self._resolve_tenant(tenant)
        return self._create_user(username, found, (name or username).strip(), hash_password(password), actor)

    def _create_user(self, username: str, tenant: Tenant, name: str, password_hash: str, actor: str) -> User:
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

    def list_users(self, tenant: Tenant | str) -> list[User]:
        """A tenant's users."""
        return self.db.store(self._resolve_tenant(tenant).id).list_users()

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

    def sign_in_lockout(self, username: str) -> float | None:
        """Seconds until ``username`` may try again, or None when it is not locked out.

        A username is locked out while ``sign_in_max_failures`` failed sign-ins fall within the last
        ``sign_in_window_s`` seconds (a sliding window). Refused attempts are not counted, so a lockout
        ends at most one window after the failure that started it: an attacker can keep a name locked
        only by failing again, at most ``sign_in_max_failures`` guesses per window.
        """
        limit, window = self.settings.sign_in_max_failures, timedelta(seconds=self.settings.sign_in_window_s)
        current = now()
        failures = self.db.directory.recent_sign_in_failures(username, current - window)
        if len(failures) < limit:
            return None
        return max((failures[-limit] + window - current).total_seconds(), 1.0)

    def authenticate(self, username: str, password: SecretStr | str) -> tuple[User, Tenant] | None:
        """Check a password; audits ``auth.sign_in`` or ``auth.sign_in_failed``. None when it fails.

        `SignInLocked` (a correct password included) while the username is locked out
        (`sign_in_lockout`); failures are counted in the database, so every replica sees them.
        """
        username = (username or "").strip()
        record = self.db.directory.sign_in_record(username)
        wait = self.sign_in_lockout(username)
        if wait is not None:
            if record is not None:
                self._audit_user(record, "auth.sign_in_failed", Outcome.DENIED, {"reason": "locked out"})
            raise SignInLocked(wait)
        if record is None:
            _check_password(password, _dummy().decode())  # same cost as a real check: no user enumeration
            log.info("sign-in failed: unknown user")
            self._count_failure(username)  # unknown names too: a lockout never says whether a user exists
            return None
        reason = (
            "disabled" if record.user.disabled
            else None if _check_password(password, record.password_hash)
            else "wrong password"
        )
        if reason is not None:
            self._audit_user(record, "auth.sign_in_failed", Outcome.DENIED, {"reason": reason})
            self._count_failure(username)
            return None
        self._audit_user(record, "auth.sign_in", Outcome.OK)
        self.db.directory.clear_sign_in_failures(username)
        return record.user, record.tenant

    def _count_failure(self, username: str) -> None:
        current = now()
        # rows past the window count for nobody: each failure prunes them, so the table stays small
        prune = current - timedelta(seconds=self.settings.sign_in_window_s)
        self.db.directory.add_sign_in_failure(username, current, prune_before=prune)

    def restore_sign_in(self, username: str) -> tuple[User, Tenant] | None:
        """The enabled user named in a valid sign-in cookie and their tenant; audits ``auth.sign_in``.

        One look-up by username (the same as a password sign-in), never a walk over tenants: it needs no
        admin connection and its cost does not grow with the number of tenants.
        """
        record = self.db.directory.sign_in_record((username or "").strip())
        if record is None or record.user.disabled:
            return None
        self._audit_user(record, "auth.sign_in", Outcome.OK, {"method": "cookie"})
        return record.user, record.tenant

    def _audit_user(
        self, record: SignInRecord, action: str, outcome: Outcome, detail: dict[str, str] | None = None
    ) -> None:
        """Audit a sign-in event in the user's tenant."""
        self.db.store(record.tenant.id).append_audit(
            AuditDraft(
                action,
                actor=record.user.username,
                target_type="user",
                target_id=record.user.id,
                outcome=outcome,
                detail=detail or {},
            )
        )

    def ensure_demo_accounts(self) -> bool:
        """On the embedded default only: create acme/alice and globex/bob once. True if created."""
        if not self.settings.embedded:
            return False
        created = False
        tenants: dict[str, Tenant] = {}
        for slug, name, btype in DEMO_TENANTS:
            found = self.db.directory.find_tenant(slug)
            if found is None:
                try:
                    found = self._create_tenant(
                        slug, name=name, business_type=btype, actor="system", tenant_id=demo_tenant_id(slug)
                    )
                    created = True
                except InputError:  # another process made it meanwhile
                    found = self._resolve_tenant(slug)
            tenants[slug] = found
        for username, slug, name in DEMO_USERS:
            if self.db.directory.sign_in_record(username) is None:
                try:
                    self._create_user(username, tenants[slug], name, _demo_password_hash(), "system")
                    created = True
                except InputError:  # another process made it meanwhile
                    pass
        return created

    # ------------------------------------------------------------------ API keys

    def create_api_key(
        self, tenant: Tenant | str, *, name: str, actor: str = "cli"
    ) -> tuple[ApiKey, SecretStr]:
        """A new API key; the plaintext is returned once and only its hash is stored."""
        label = (name or "").strip()
        if not label or len(label) > 100:
            raise InputError("An API key needs a name of 1 to 100 characters.", hint="Pass --name.")
        found = self._resolve_tenant(tenant)
        plain = SecretStr(f"hub_{secrets.token_urlsafe(32)}")
        key = ApiKey(id=str(uuid.uuid4()), tenant_id=found.id, name=label, created_at=now())
        self.db.store(found.id).insert_api_key(
            key,
            hash_api_key(plain),
            AuditDraft(
                "apikey.create", actor=actor, target_type="api_key", target_id=key.id, detail={"name": label}
            ),
        )
        return key, plain

    def list_api_keys(self, tenant: Tenant | str) -> list[ApiKey]:
        """A tenant's API keys (metadata)."""
        return self.db.store(self._resolve_tenant(tenant).id).list_api_keys()

    def revoke_api_key(self, tenant: Tenant | str, key_id: str, *, actor: str = "cli") -> ApiKey:
        """Revoke an API key."""
        found = self._resolve_tenant(tenant)
        key = self.db.store(found.id).revoke_api_key(
            key_id, AuditDraft("apikey.revoke", actor=actor, target_type="api_key", target_id=str(key_id))
        )
        if key is None:
            raise NotFound(f"API key {key_id!r} not found for tenant {found.slug!r}.")
        return key

    def resolve_api_key(self, key: SecretStr | str) -> tuple[ApiKey, Tenant] | None:
        """The key's metadata and tenant, or None when it is unknown or revoked."""
        found = self.db.directory.api_key_by_hash(hash_api_key(key))
        if found is None or found[0].revoked_at is not None:
            return None
        return found
