"""Disconnect revokes a signed-in connection's tokens at the provider (RFC 7009) before they are erased.

Only where the provider has an RFC 7009 endpoint (`Provider.revoke_url`). A provider that cannot be reached
does not keep the user connected: the tokens are erased either way and the failure is audited
(``oauth.revoke`` failed), so the user can also revoke the app in the provider's settings.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from authlib.integrations.base_client.errors import OAuthError
from requests import RequestException

from hub.models import AuditAction, Connection, Outcome
from hub.oauth.apps import app_for_source
from hub.oauth.flow import TOKEN_TIMEOUT_S, session
from hub.oauth.providers import SOURCES, get_path
from hub.storage.audit import AuditDraft

if TYPE_CHECKING:
    from hub.services.hub import Hub

log = logging.getLogger(__name__)


def revoke_tokens(hub: Hub, tenant_id: str, conn: Connection, *, actor: str) -> bool | None:
    """Revoke the refresh and access tokens of ``conn``; None when it has none to revoke here."""
    app = app_for_source(hub.settings, conn.source_id) if conn.metadata.get("oauth") else None
    store = hub.db.store(tenant_id)
    sealed = store.get_sealed(conn.id)
    if app is None or app.provider.revoke_url is None or sealed is None:
        return None
    config = hub.keys.open_config(sealed, tenant_id=tenant_id, connection_id=conn.id)
    ok = True
    client = session(app)
    entry = SOURCES[conn.source_id]
    places = {"refresh_token": entry.stored_refresh_path, "access_token": entry.access_path}
    for hint, path in places.items():
        token = get_path(config, path) if path else None
        if not token:
            continue
        try:
            r = client.revoke_token(app.provider.revoke_url, token=token, token_type_hint=hint,
                                    timeout=TOKEN_TIMEOUT_S)
            ok = ok and r.status_code == 200
        except (OAuthError, RequestException):
            log.warning("Revoking a %s at %s failed.", hint, app.provider.name)
            ok = False
    store.append_audit(AuditDraft(AuditAction.OAUTH_REVOKE, actor=actor, target_type="connection",
                                  target_id=conn.id, outcome=Outcome.OK if ok else Outcome.ERROR,
                                  detail={"provider": app.provider.key}))
    return ok
