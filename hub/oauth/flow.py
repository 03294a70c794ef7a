"""The OAuth 2.0 authorization code flow with PKCE, through Authlib (`OAuth2Session`): start and callback.

Start: a ``state`` of 256 random bits prefixed with the tenant id (so the callback finds the tenant without
a session or a key), stored as a hash with the PKCE verifier encrypted under the tenant's keys, single use,
expiring after `STATE_TTL`; the user is sent to the provider's authorize URL. Callback: the state is taken
(deleted) in one statement, checked against the user (and API key) that started it and its expiry, then the
code is exchanged with the verifier. Every refusal is a `SignInError` with what happened and what to do,
stores nothing and is audited (``oauth.callback`` failed, or ``oauth.denied``), never with a token or code.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from hub.exceptions import ConfigError, InputError
from hub.models import AuditAction, Connection, Outcome, Status
from hub.oauth.apps import OAuthApp, app_for_source
from hub.oauth.fields import checked_fields, connector_spec, kept_fields
from hub.oauth.providers import Token, for_source
from hub.settings import Settings
from hub.storage.audit import AuditDraft
from hub.storage.oauth_states import OAuthStates, PendingSignIn
from hub.storage.tables import now

if TYPE_CHECKING:
    from hub.services.hub import Hub

log = logging.getLogger(__name__)

#: How long a started sign-in may take (the issue's ten minutes).
STATE_TTL = timedelta(minutes=10)
#: Seconds a token request may take.
TOKEN_TIMEOUT_S = 20


class SignInError(InputError):
    """A sign-in that cannot finish: refused by the provider, or a wrong, used, expired or another's state."""


@dataclass(frozen=True)
class SignedIn:
    """A finished sign-in: the tokens (never shown) and what the start bound them to."""

    pending: PendingSignIn
    token: Token
    expires_at: datetime | None
    scope: str

    def __repr__(self) -> str:
        return f"SignedIn(source={self.pending.source_id!r}, token=***, expires_at={self.expires_at!r})"


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def session(app: OAuthApp, *, redirect_uri: str | None = None, scope: str | None = None) -> OAuth2Session:
    """An Authlib client for ``app`` (PKCE S256 where the provider supports it)."""
    return OAuth2Session(
        client_id=app.client_id,
        client_secret=app.client_secret.get_secret_value(),
        token_endpoint_auth_method=app.provider.client_auth,
        redirect_uri=redirect_uri,
        scope=scope,
        code_challenge_method="S256" if app.provider.pkce else None,
    )


class OAuthFlow:
    """Start and finish sign-ins for one hub (every tenant: the callback names its tenant in the state)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def app(self, source_id: str) -> OAuthApp:
        """The configured app of a source; `InputError` when the operator has configured none."""
        app = app_for_source(self.hub.settings, source_id)
        if app is None:
            entry, provider = for_source(source_id)
            if entry.credentials is None:
                raise InputError(
                    f"{provider.name} sign-in is not available: "
                    f"the hub ships no connector for {source_id} yet.",
                    hint="Use the demo connection until the connector is added to the catalogue.",
                )
            raise InputError(
                f"No {provider.name} OAuth app is configured, so {source_id} can only use the demo consent.",
                hint=f"Set {Settings.var(f'oauth_{provider.key.lower()}_client_id')} and its _CLIENT_SECRET "
                "(README, Connecting real accounts).",
            )
        return app

    def start(
        self,
        tenant_id: str,
        source_id: str,
        *,
        user_id: str,
        face: str = "app",
        account: str | None = None,
        api_key_id: str | None = None,
        return_to: str | None = None,
        connection_id: str | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> str:
        """Store a new sign-in and return the provider's authorize URL to send the browser to.

        ``fields``: what the source's connector needs besides the tokens (Google Sheets' spreadsheet...),
        checked here (`hub.oauth.fields.checked_fields`: a `ConfigError` naming the field stores nothing)
        and kept with the sign-in until the callback connects. A reconnect (``connection_id``) starts from
        the connection's own fields; ``fields`` given replace them one by one.
        """
        reconnected = None
        if connection_id is not None:
            reconnected = self.hub.tenant(tenant_id).get_connection(connection_id)  # NotFound elsewhere
            if reconnected.source_id != source_id or Status(reconnected.status) is not Status.FAILED:
                raise InputError(
                    f"Connection {reconnected.name} cannot be reconnected with a {source_id} sign-in.",
                    hint="Only a failed connection of the same source can be reconnected; connect a new one.",
                )
        app = self.app(source_id)
        carried = self.fields(source_id, fields or {}, reconnected=reconnected)
        redirect_uri = self.hub.settings.redirect_uri("app" if face == "app" else "api")
        if redirect_uri is None:
            var = "HUB_PUBLIC_URL" if face == "app" else "HUB_API_PUBLIC_URL"
            raise InputError(f"{var} is not set, so the provider cannot send you back.",
                             hint=f"Set {var} to the address users reach the hub at.")
        provider = app.provider
        authorize_url = provider.endpoint(provider.authorize_url, account)  # checks the shop/subdomain
        entry = self.hub.catalogue.get(source_id)
        scope = provider.scope_separator.join(s.name for s in entry.scopes) if provider.send_scopes else None
        state = f"{tenant_id}.{secrets.token_urlsafe(32)}"
        verifier = generate_token(64)
        client = session(app, redirect_uri=redirect_uri, scope=scope)
        url, _ = client.create_authorization_url(
            authorize_url, state=state, code_verifier=verifier if provider.pkce else None,
            **provider.extra_params,
        )
        pending_id = str(uuid.uuid4())
        at = now()
        sealed = self.hub.keys.encrypt(verifier.encode(), tenant_id=tenant_id, connection_id=pending_id)
        pending = PendingSignIn(
            id=pending_id, tenant_id=tenant_id, user_id=user_id, api_key_id=api_key_id, source_id=source_id,
            connection_id=connection_id, face=face, redirect_uri=redirect_uri, return_to=return_to,
            account=account, verifier=sealed, created_at=at, expires_at=at + STATE_TTL,
            fields=carried or None,
        )
        OAuthStates(self.hub.db, tenant_id).add(pending, _hash(state))
        self._audit(tenant_id, AuditAction.OAUTH_START, user_id, source_id, Outcome.OK,
                    {"face": face, "fields": sorted(carried)})  # the names only
        url_out: str = url
        return url_out

    def fields(
        self,
        source_id: str,
        given: Mapping[str, Any],
        *,
        reconnected: Connection | None = None,
    ) -> dict[str, Any]:
        """The fields a sign-in of ``source_id`` carries: ``given`` over the ``reconnected`` connection's own.

        `ConfigError` names a field that is missing, unknown, secret, filled by the sign-in or malformed.
        """
        spec = connector_spec(self.hub, source_id)
        if spec is None:  # no connector to configure (Square): nothing to carry
            if given:
                raise ConfigError(f"{source_id} takes no fields at sign-in.", field=sorted(given)[0],
                                  hint="Leave the fields out.")
            return {}
        kept: dict[str, Any] = {}
        if reconnected is not None and reconnected.source_id == source_id:
            kept = kept_fields(spec, source_id, reconnected.metadata.get("config") or {})
        name = self.hub.catalogue.get(source_id).name
        return checked_fields(spec, source_id, name, {**kept, **given})

    def finish(
        self, params: Mapping[str, str], *, user_id: str | None, tenant_id: str | None = None
    ) -> SignedIn:
        """Check the callback's ``state`` and exchange its ``code``; `SignInError` for every refusal.

        ``user_id`` is the signed-in user of the app (None on the API's callback, which has no session:
        there the single-use state alone authorises; it names the API key that started it). The app also
        passes its session's ``tenant_id``: a state of another tenant, or one the API started, is refused.
        """
        state = params.get("state") or ""
        session_tenant = tenant_id
        tenant_id, _, _ = state.partition(".")
        try:
            uuid.UUID(tenant_id)
        except ValueError:
            raise SignInError("This sign-in link is not one the hub started (no valid state).",
                              hint="Start again from the Connect dialog.") from None
        pending = OAuthStates(self.hub.db, tenant_id).take(_hash(state))
        actor = user_id or "api"
        if pending is None:
            self._refuse(tenant_id, actor, "", "unknown or used state",
                         "This sign-in was already used or never started here.")
        assert pending is not None
        if pending.expires_at < now():
            self._refuse(tenant_id, actor, pending.source_id, "expired state",
                         "This sign-in took longer than 10 minutes and has expired.")
        # the app's callback: the signed-in user must be the one who started; the API's (no session, no
        # key): the state alone authorises, and only a state the API started
        if user_id is not None:
            started_by_other = (user_id, pending.face) != (pending.user_id, "app") or (
                session_tenant is not None and session_tenant != pending.tenant_id
            )
        else:
            started_by_other = pending.face != "api"
        if started_by_other:
            self._refuse(tenant_id, actor, pending.source_id, "another user's state",
                         "This sign-in was started by someone else; nothing was connected.")
        error = params.get("error")
        if error:
            denied = error == "access_denied"
            self._refuse(
                tenant_id, actor, pending.source_id, error,
                "You declined the request, so nothing was connected." if denied else
                f"The provider refused the sign-in ({error}).",
                action=AuditAction.OAUTH_DENIED if denied else AuditAction.OAUTH_CALLBACK,
            )
        app = self.app(pending.source_id)
        sealed = pending.verifier
        verifier = self.hub.keys.decrypt(sealed, tenant_id=tenant_id, connection_id=pending.id).decode()
        client = session(app, redirect_uri=pending.redirect_uri)
        token_url = app.provider.endpoint(app.provider.token_url, pending.account)
        try:
            token: dict[str, Any] = client.fetch_token(
                token_url, grant_type="authorization_code", code=params.get("code") or "",
                code_verifier=verifier if app.provider.pkce else None, timeout=TOKEN_TIMEOUT_S,
            )
        except OAuthError as exc:
            self._refuse(tenant_id, actor, pending.source_id, f"token request: {exc.error}",
                         f"{app.provider.name} refused the sign-in code ({exc.error}).")
        except OSError as exc:  # requests' connection errors are OSErrors
            log.warning("OAuth token request to %s failed: %s", app.provider.name, exc.errno)
            self._refuse(tenant_id, actor, pending.source_id, "token request: network",
                         f"Could not reach {app.provider.name} to finish the sign-in.")
        expiry = token.get("expires_at")  # Authlib adds it from expires_in
        expires_at = datetime.fromtimestamp(expiry, tz=now().tzinfo) if expiry else None
        signed = SignedIn(pending, Token(str(token["access_token"]), token.get("refresh_token")), expires_at,
                          str(token.get("scope") or ""))
        self._audit(tenant_id, AuditAction.OAUTH_CALLBACK, actor, pending.source_id, Outcome.OK,
                    {"face": pending.face, "refresh_token": signed.token.refresh_token is not None})
        return signed

    # ------------------------------------------------------------------ audit

    def _refuse(self, tenant_id: str, actor: str, source_id: str, reason: str, message: str,
                *, action: AuditAction = AuditAction.OAUTH_CALLBACK) -> None:
        outcome = Outcome.DENIED if action is AuditAction.OAUTH_DENIED else Outcome.ERROR
        self._audit(tenant_id, action, actor, source_id, outcome, {"reason": reason})
        raise SignInError(message, hint="Start again from the Connect dialog.")

    def _audit(self, tenant_id: str, action: AuditAction, actor: str, source_id: str, outcome: Outcome,
               detail: Mapping[str, Any]) -> None:
        store = self.hub.db.store(tenant_id)
        store.append_audit(AuditDraft(action, actor=actor, target_type="source", target_id=source_id,
                                      outcome=outcome, detail=dict(detail)))
