"""No OAuth secret leaks anywhere, over a whole life: sign-in through the real API server (uvicorn with its
access log) and through the app's path, refusals, refresh with rotation, a revoked refresh token, disconnect.

Every log record of every logger at DEBUG (the hub's, Authlib's, urllib3's, uvicorn's access log) is
scanned, with every exception and message a user sees, the audit rows, the URL the browser is sent to after
the callback, every row of every table and every byte under HUB_HOME, for each access token, refresh token,
code, PKCE verifier and the client secret the life produced. The other OAuth tests check their own slice
(the audit after a sign-in, three tables after a connect); this one holds the whole life to the rule.

The connections are Intercom's, live: its real connector runs against the session's Intercom double (the
connector's own output is in the scanned logs too). Google's app (PKCE) stands beside it for the refusals,
so a PKCE verifier is among the secrets looked for.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn

from hub import Hub
from hub.api import create_app
from hub.exceptions import HubError
from hub.oauth.connect import connect_signed_in
from hub.oauth.flow import OAuthFlow
from hub.oauth.providers import KEPT_REFRESH_PATH, get_path
from hub.oauth.refresh import fresh_access_token
from hub.settings import Settings
from hub.storage.crypto import Sealed
from hub.storage.tables import now, oauth_states
from tests.integration.api_support import bytes_at_rest, make_key
from tests.oidc_support import SHEET_FIELDS, OidcServer, callback_params
from tests.saas_double import Double, Intercom, intercom_env
from tests.servers import free_port

FRONT = "http://127.0.0.1:3998"
APP_URL = "http://127.0.0.1:8598"


class _Secrets:
    """Every secret value the test saw, by kind."""

    def __init__(self) -> None:
        self.found: dict[str, set[str]] = {}

    def add(self, kind: str, value: object) -> None:
        if isinstance(value, str) and value:
            self.found.setdefault(kind, set()).add(value)

    def leaks(self, text: str, where: str) -> list[str]:
        return [f"{kind} in {where}" for kind, values in self.found.items() for v in values if v in text]


@pytest.fixture
def api_server(
    oidc: OidcServer, intercom: tuple[Double, Intercom], hub_home: Path
) -> Iterator[tuple[str, Hub]]:
    """The real API server (uvicorn, access log on, its loggers left to propagate to caplog) in-process."""
    port = free_port()
    settings = Settings.from_env({
        "HUB_HOME": str(hub_home), "HUB_PUBLIC_URL": APP_URL, "HUB_API_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "HUB_API_CORS_ORIGINS": FRONT, "HUB_DEMO_PACE": "0", **oidc.env("GOOGLE"), **oidc.env("INTERCOM"),
        **intercom_env(intercom[0]),
    })
    hub = Hub.open(settings)
    hub.create_tenant("acme", name="Acme", business_type="saas")
    config = uvicorn.Config(create_app(hub, settings=settings), host="127.0.0.1", port=port, log_config=None,
                            access_log=True, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(300):
        if server.started:
            break
        time.sleep(0.02)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}", hub
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        hub.close()


def _verifier(hub: Hub, tenant_id: str) -> str:
    """The PKCE verifier of the one pending sign-in (decrypted here only to look for it elsewhere)."""
    with hub.db.begin(write=False, tenant_id=tenant_id) as c:
        row = c.execute(sa.select(oauth_states)).one()._mapping
    sealed = Sealed(row["key_id"], row["encrypted_verifier"])
    return hub.keys.decrypt(sealed, tenant_id=tenant_id, connection_id=row["id"]).decode()


def _stored_tokens(hub: Hub, tenant_id: str, conn_id: str) -> dict[str, Any]:
    sealed = hub.db.store(tenant_id).get_sealed(conn_id)
    assert sealed is not None
    return hub.keys.open_config(sealed, tenant_id=tenant_id, connection_id=conn_id)


def _expire_soon(hub: Hub, tenant_id: str, conn_id: str) -> None:
    store = hub.db.store(tenant_id)
    conn = store.get_connection(conn_id)
    assert conn is not None
    meta = {**conn.metadata, "credentials_expire_at": (now() + timedelta(seconds=3)).isoformat()}
    store.update_connection(conn_id, expect_status=None, audit=None, changes={"metadata": meta})


def _every_row(hub: Hub) -> str:
    with hub.db.begin(write=False) as c:
        names = sa.inspect(c).get_table_names()
        assert "oauth_states" in names and "audit_logs" in names
        return "\n".join(f"{t}: {c.execute(sa.text(f'SELECT * FROM {t}')).all()}" for t in names)


def test_no_token_code_verifier_or_client_secret_in_logs_urls_messages_audit_or_database(
    api_server: tuple[str, Hub], oidc: OidcServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: every logger, uvicorn's access log included
    base, hub = api_server
    tenant_id = hub.tenant("acme").tenant.id
    seen = _Secrets()
    seen.add("client secret", oidc.client_secret)
    seen.add("client secret", oidc.client("INTERCOM")[1])
    shown: list[str] = []  # what a user or a front end is shown: messages, hints, JSON bodies, URLs

    def refused(exc: BaseException) -> None:
        shown.extend([str(exc), repr(exc)])
        if isinstance(exc, HubError):
            shown.extend([exc.message, exc.hint or ""])

    # 1. the API's sign-in, through the real server: start with a key, the provider's pages, the callback
    caller = make_key(hub, "acme", "web")
    with httpx.Client(base_url=base, timeout=60) as api:
        r = api.post("/api/oauth/intercom/start", json={"return_to": f"{FRONT}/done"},
                     headers={"Authorization": f"Bearer {caller.key}"})
        assert r.status_code == 200, r.text
        back = oidc.consent(r.json()["authorize_url"])
        seen.add("code", callback_params(back)["code"])
        r = api.get(back.removeprefix(base))
        assert r.status_code == 303, r.text
        after_callback = r.headers["location"]
        shown.extend([after_callback, r.text])
        assert after_callback.startswith(f"{FRONT}/done?connection_id=")
        assert "status=connected" in after_callback
        api_conn = after_callback.split("connection_id=")[1].split("&")[0]
        again = api.get(back.removeprefix(base))  # the same callback replayed: refused, says so
        assert again.status_code == 400
        shown.append(again.text)
    first = _stored_tokens(hub, tenant_id, api_conn)
    seen.add("access token", first["access_token"])
    seen.add("refresh token", get_path(first, KEPT_REFRESH_PATH))

    # 2. the app's sign-in (the oauth_callback page's calls), and its refusals
    flow = OAuthFlow(hub)
    url = flow.start(tenant_id, "intercom", user_id="u-alice")
    params = callback_params(oidc.consent(url))
    seen.add("code", params["code"])
    signed = flow.finish(params, user_id="u-alice")
    shown.append(repr(signed))
    conn = connect_signed_in(hub, signed, actor="u-alice")
    assert conn.status == "connected" and conn.mode == "live", conn.status_detail
    seen.add("access token", signed.token.access_token)
    seen.add("refresh token", signed.token.refresh_token)
    shown.append(repr(conn))
    with pytest.raises(HubError) as err:  # the callback reloaded: a used state
        flow.finish(params, user_id="u-alice")
    refused(err.value)
    url = flow.start(tenant_id, "google-sheets", user_id="u-alice", fields=SHEET_FIELDS)
    seen.add("PKCE verifier", _verifier(hub, tenant_id))
    replay = callback_params(oidc.consent(url))
    seen.add("code", replay["code"])
    with pytest.raises(HubError) as err:  # another sign-in's (used) code: the server refuses it
        flow.finish({**replay, "code": params["code"]}, user_id="u-alice")
    refused(err.value)
    url = flow.start(tenant_id, "google-sheets", user_id="u-alice", fields=SHEET_FIELDS)
    denied = callback_params(oidc.consent(url, abort=True))
    with pytest.raises(HubError) as err:
        flow.finish(denied, user_id="u-alice")
    refused(err.value)

    # 3. refresh before a use: the access and the rotated refresh token
    _expire_soon(hub, tenant_id, conn.id)
    fresh = fresh_access_token(hub, tenant_id, conn.id, margin=timedelta(seconds=10))
    rotated = _stored_tokens(hub, tenant_id, conn.id)
    assert fresh == rotated["access_token"] != signed.token.access_token
    assert get_path(rotated, KEPT_REFRESH_PATH) != signed.token.refresh_token
    seen.add("access token", fresh)
    seen.add("refresh token", get_path(rotated, KEPT_REFRESH_PATH))
    # a preview through the real connector with that token (its output is among the scanned logs)
    preview = hub.tenant("acme").preview(conn.id, "admins", limit=5, actor="u-alice")
    assert len(preview.records) == 3
    shown.append(str(preview.model_dump()))

    # 4. a refresh token revoked at the provider: the connection fails with "reconnect"
    client_id, client_secret = oidc.client("INTERCOM")
    httpx.post(oidc.revoke_url, data={"token": get_path(first, KEPT_REFRESH_PATH),
                                      "token_type_hint": "refresh_token",
                                      "client_id": client_id, "client_secret": client_secret},
               timeout=10).raise_for_status()
    _expire_soon(hub, tenant_id, api_conn)
    with pytest.raises(HubError, match="reconnect") as err:
        fresh_access_token(hub, tenant_id, api_conn, margin=timedelta(seconds=10))
    refused(err.value)
    failed = hub.tenant("acme").get_connection(api_conn)
    shown.extend([failed.status_detail or "", repr(failed), str(failed.model_dump())])

    # 5. disconnect: revoked at the provider, then erased
    hub.tenant("acme").disconnect(conn.id, actor="u-alice")
    assert oidc.introspect(fresh, provider="INTERCOM")["active"] is False

    assert {k: len(v) for k, v in seen.found.items()} == {
        "client secret": 2, "PKCE verifier": 1, "code": 3, "access token": 3, "refresh token": 3,
    }
    records = caplog.records
    assert any(r.name == "uvicorn.access" and "/api/oauth/callback?<redacted>" in r.getMessage()
               for r in records)
    # DEBUG reached: the hub's token requests, through urllib3
    assert any(r.name == "urllib3.connectionpool" and "POST /token" in r.getMessage() for r in records)
    # httpx and httpcore log for the test's own clients (the browser walking the provider's pages, the
    # front end calling the API, introspection): their URLs are the browser's, not the hub's. The hub's
    # OAuth requests go through Authlib's requests client (urllib3), which is scanned.
    browser = ("httpx", "httpcore")
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''} {r.stack_info or ''}"
        for r in records if r.name.split(".")[0] not in browser
    )
    leaks = seen.leaks(logged, "the logs")
    leaks += seen.leaks("\n".join(shown), "what users are shown")
    audit = hub.tenant("acme").audit_log()
    assert {"oauth.start", "oauth.callback", "oauth.denied", "oauth.refresh", "oauth.revoke"} <= {
        e.action for e in audit}
    leaks += seen.leaks(str([e.model_dump() for e in audit]), "the audit log")
    leaks += seen.leaks(_every_row(hub), "the database's rows")
    leaks += seen.leaks(bytes_at_rest(hub.settings.home).decode("latin-1"), "the files under HUB_HOME")
    assert leaks == []
