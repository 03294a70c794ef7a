"""The OAuth sign-in against a real authorization server (npm oidc-provider): start stores a single-use,
expiring state with an encrypted PKCE verifier; the callback exchanges the code through Authlib; every
refusal (wrong, reused, expired or another user's state, denied consent, a replayed code, a wrong
verifier) is a clear error, stores nothing and is audited without a token or code.

The tests that connect sign in to Intercom (`intercom_hub`): the connection is live, so its real connector
checks and discovers through the session's Intercom double (tests/saas_double.py), which accepts only the
tokens the server reports active."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from hub import Hub
from hub.oauth.flow import OAuthFlow, SignedIn, SignInError
from hub.settings import Settings
from hub.storage.tables import now, oauth_states
from tests.oidc_support import SHEET_FIELDS, OidcServer, callback_params
from tests.saas_double import Double, Intercom, intercom_env

APP_URL = "http://127.0.0.1:8599"


@pytest.fixture
def hub(oidc: OidcServer, hub_home) -> Iterator[Hub]:
    settings = Settings.from_env({"HUB_HOME": str(hub_home), "HUB_PUBLIC_URL": APP_URL, **oidc.env("GOOGLE")})
    h = Hub.open(settings)
    h.create_tenant("acme", name="Acme", business_type="saas")
    try:
        yield h
    finally:
        h.close()


@pytest.fixture
def intercom_hub(oidc: OidcServer, intercom: tuple[Double, Intercom], hub_home) -> Iterator[Hub]:
    """A hub whose Intercom app signs in at the session's server and whose Intercom connector reads the
    double."""
    settings = Settings.from_env({
        "HUB_HOME": str(hub_home), "HUB_PUBLIC_URL": APP_URL, **oidc.env("INTERCOM"),
        **intercom_env(intercom[0]),
    })
    h = Hub.open(settings)
    h.create_tenant("acme", name="Acme", business_type="saas")
    try:
        yield h
    finally:
        h.close()


def _signed_in(hub: Hub, oidc: OidcServer) -> tuple[SignedIn, str]:
    """A real Intercom sign-in (auto consent) and the URL the provider sent the browser back to."""
    back = oidc.consent(OAuthFlow(hub).start(_tenant(hub), "intercom", user_id="u-alice"))
    return OAuthFlow(hub).finish(callback_params(back), user_id="u-alice"), back


def _tenant(hub: Hub) -> str:
    return hub.tenant("acme").tenant.id


def _start(hub: Hub, user: str = "u-alice") -> str:
    return OAuthFlow(hub).start(_tenant(hub), "google-sheets", user_id=user, fields=SHEET_FIELDS)


def _states(hub: Hub) -> list[dict[str, object]]:
    with hub.db.begin(write=False, tenant_id=_tenant(hub)) as c:
        return [dict(r._mapping) for r in c.execute(sa.select(oauth_states)).all()]


def test_the_full_flow_returns_fresh_tokens_and_leaves_nothing_behind(hub, oidc):
    url = _start(hub)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(oidc.authorize_url)
    assert query["code_challenge_method"] == ["S256"] and query["access_type"] == ["offline"]
    assert query["redirect_uri"] == [f"{APP_URL}/oauth_callback"]
    state = query["state"][0]
    assert len(state.split(".", 1)[1]) >= 22  # >= 128 bits of randomness after the tenant id
    stored = _states(hub)
    assert len(stored) == 1 and state not in str(stored) and "code_verifier" not in str(stored)

    before = oidc.counts()["authorization_code"]
    back = oidc.consent(url)
    assert back.startswith(f"{APP_URL}/oauth_callback?")
    signed = OAuthFlow(hub).finish(callback_params(back), user_id="u-alice")
    assert oidc.introspect(signed.token.access_token)["active"] is True
    assert signed.token.refresh_token and signed.expires_at is not None
    assert oidc.counts()["authorization_code"] == before + 1
    assert _states(hub) == []
    assert signed.token.access_token not in repr(signed)

    log = hub.tenant("acme").audit_log()
    assert [e.action for e in log][-2:] == ["oauth.start", "oauth.callback"]
    text = str([e.model_dump() for e in log])
    assert signed.token.access_token not in text and callback_params(back)["code"] not in text


def test_a_reused_state_is_refused(hub, oidc):
    params = callback_params(oidc.consent(_start(hub)))
    OAuthFlow(hub).finish(params, user_id="u-alice")
    with pytest.raises(SignInError, match="already used or never started"):
        OAuthFlow(hub).finish(params, user_id="u-alice")
    assert hub.tenant("acme").audit_log()[-1].outcome == "error"


def test_a_wrong_state_is_refused(hub, oidc):
    params = callback_params(oidc.consent(_start(hub)))
    for bad in ("", "nonsense", f"{_tenant(hub)}.not-the-state"):
        with pytest.raises(SignInError):
            OAuthFlow(hub).finish({**params, "state": bad}, user_id="u-alice")
    assert len(_states(hub)) == 1  # the real sign-in is untouched


def test_an_expired_state_is_refused(hub, oidc):
    params = callback_params(oidc.consent(_start(hub)))
    with hub.db.begin(write=True, tenant_id=_tenant(hub)) as c:
        c.execute(sa.update(oauth_states).values(expires_at=now() - timedelta(seconds=1)))
    with pytest.raises(SignInError, match="expired"):
        OAuthFlow(hub).finish(params, user_id="u-alice")


def test_another_users_callback_is_refused(hub, oidc):
    params = callback_params(oidc.consent(_start(hub, user="u-alice")))
    with pytest.raises(SignInError, match="started by someone else"):
        OAuthFlow(hub).finish(params, user_id="u-mallory")
    entry = hub.tenant("acme").audit_log()[-1]
    assert entry.actor == "u-mallory" and entry.detail["reason"] == "another user's state"


def test_denied_consent_is_a_clear_message_and_audited(hub, oidc):
    params = callback_params(oidc.consent(_start(hub), abort=True))
    assert params["error"] == "access_denied"
    with pytest.raises(SignInError, match="declined"):
        OAuthFlow(hub).finish(params, user_id="u-alice")
    entry = hub.tenant("acme").audit_log()[-1]
    assert entry.action == "oauth.denied" and entry.outcome == "denied"


def test_a_replayed_code_is_refused_by_the_server_and_the_hub_says_so(hub, oidc):
    flow = OAuthFlow(hub)
    url = _start(hub)
    params = callback_params(oidc.consent(url))
    flow.finish(params, user_id="u-alice")
    # a second sign-in whose callback carries the first one's code: the server refuses it
    params2 = callback_params(oidc.consent(_start(hub)))
    with pytest.raises(SignInError, match=r"refused the sign-in code \(invalid_grant\)"):
        flow.finish({**params2, "code": params["code"]}, user_id="u-alice")


def test_a_wrong_pkce_verifier_is_refused(hub, oidc):
    params = callback_params(oidc.consent(_start(hub)))
    other = _start(hub)
    other_state = parse_qs(urlsplit(other).query)["state"][0]
    # the code of the first sign-in with the second one's state: its verifier does not match the challenge
    with pytest.raises(SignInError, match="invalid_grant"):
        OAuthFlow(hub).finish({**params, "state": other_state}, user_id="u-alice")


def test_without_an_app_the_source_keeps_the_demo_consent(hub_home):
    with Hub.open(Settings.from_env({"HUB_HOME": str(hub_home)})) as h:
        h.create_tenant("acme", name="Acme", business_type="saas")
        with pytest.raises(Exception, match="No Google OAuth app is configured"):
            OAuthFlow(h).start(h.tenant("acme").tenant.id, "google-sheets", user_id="u")


def test_a_signed_in_source_connects_with_its_tokens_encrypted(intercom_hub, oidc):
    hub = intercom_hub
    from hub.oauth.connect import connect_signed_in

    signed, back = _signed_in(hub, oidc)
    conn = connect_signed_in(hub, signed, actor="u-alice")
    assert conn.status == "connected", conn.status_detail
    assert conn.mode == "live" and "admins" in conn.metadata["streams"]  # the real connector discovered
    assert conn.metadata["credentials_expire_at"] == signed.expires_at.isoformat()
    assert conn.metadata["oauth"]["provider"] == "INTERCOM"
    secrets_ = (signed.token.access_token, signed.token.refresh_token, callback_params(back)["code"])
    with hub.db.begin(write=False) as c:
        dump = str([c.execute(sa.text(f"SELECT * FROM {t}")).all()
                    for t in ("tenant_airbyte_connections", "audit_logs", "oauth_states")])
    assert not [s for s in secrets_ if s and s in dump]
    assert not [s for s in secrets_ if s and s in str(conn.model_dump())]


def test_twenty_concurrent_uses_of_an_expiring_connection_cause_one_refresh(intercom_hub, oidc):
    hub = intercom_hub
    from concurrent.futures import ThreadPoolExecutor

    from hub.oauth.connect import connect_signed_in
    from hub.oauth.refresh import fresh_access_token

    signed, _ = _signed_in(hub, oidc)
    conn = connect_signed_in(hub, signed, actor="u-alice")
    tenant = _tenant(hub)
    # fresh: a use does not refresh
    before = oidc.counts()["refresh_token"]
    assert fresh_access_token(hub, tenant, conn.id, margin=timedelta(seconds=5)) == signed.token.access_token
    assert oidc.counts()["refresh_token"] == before
    # expiring within the margin (10 s; the server's tokens live 30 s): twenty uses at once, one refresh
    soon = (now() + timedelta(seconds=3)).isoformat()
    meta = {**conn.metadata, "credentials_expire_at": soon}
    store = hub.db.store(tenant)
    store.update_connection(conn.id, expect_status=None, audit=None, changes={"metadata": meta})
    conn = hub.tenant("acme").get_connection(conn.id)

    def use(_: int) -> str:
        return fresh_access_token(hub, tenant, conn.id, margin=timedelta(seconds=10))

    with ThreadPoolExecutor(20) as pool:
        tokens = list(pool.map(use, range(20)))
    assert oidc.counts()["refresh_token"] == before + 1
    assert len(set(tokens)) == 1 and tokens[0] != signed.token.access_token
    assert oidc.introspect(tokens[0], provider="INTERCOM")["active"] is True
    refreshed = hub.tenant("acme").get_connection(conn.id)
    assert refreshed.metadata["credentials_expire_at"] != conn.metadata["credentials_expire_at"]
    entries = hub.tenant("acme").audit_log(action="oauth.refresh")
    assert len(entries) == 1 and entries[0].detail == {"rotated": True}
    assert tokens[0] not in str(entries[0].model_dump())


def test_disconnect_revokes_at_the_provider_then_erases(intercom_hub, oidc):
    hub = intercom_hub
    from hub.oauth.connect import connect_signed_in

    signed, _ = _signed_in(hub, oidc)
    conn = connect_signed_in(hub, signed, actor="u-alice")
    assert oidc.introspect(signed.token.refresh_token, provider="INTERCOM")["active"] is True
    hub.tenant("acme").disconnect(conn.id, actor="u-alice")
    assert oidc.introspect(signed.token.refresh_token, provider="INTERCOM")["active"] is False
    assert oidc.introspect(signed.token.access_token, provider="INTERCOM")["active"] is False
    assert hub.db.store(_tenant(hub)).get_sealed(conn.id) is None
    revoke = hub.tenant("acme").audit_log(action="oauth.revoke")
    assert len(revoke) == 1 and revoke[0].outcome == "ok"


def test_a_revoked_refresh_token_fails_the_connection_with_reconnect_and_no_retry(intercom_hub, oidc):
    hub = intercom_hub
    import httpx

    from hub.exceptions import AuthError
    from hub.oauth.connect import connect_signed_in
    from hub.oauth.refresh import fresh_access_token

    signed, _ = _signed_in(hub, oidc)
    conn = connect_signed_in(hub, signed, actor="u-alice")
    # the user revokes the hub's access at the provider (RFC 7009, as the provider's own settings page does)
    revoked = httpx.post(oidc.revoke_url, data={
        "token": signed.token.refresh_token, "token_type_hint": "refresh_token",
        "client_id": oidc.client("INTERCOM")[0], "client_secret": oidc.client("INTERCOM")[1],
    }, timeout=10)
    assert revoked.status_code == 200
    assert oidc.introspect(signed.token.refresh_token, provider="INTERCOM")["active"] is False
    tenant = _tenant(hub)
    meta = {**conn.metadata, "credentials_expire_at": (now() + timedelta(seconds=3)).isoformat()}
    store = hub.db.store(tenant)
    store.update_connection(conn.id, expect_status=None, audit=None, changes={"metadata": meta})
    before = oidc.counts()["refresh_token"]

    with pytest.raises(AuthError, match="Authorization expired — reconnect") as err:
        fresh_access_token(hub, tenant, conn.id, margin=timedelta(seconds=10))
    assert err.value.hint and "Reconnect" in err.value.hint
    assert oidc.counts()["refresh_token"] == before  # refused, and not tried again

    failed = hub.tenant("acme").get_connection(conn.id)
    assert failed.status == "failed" and failed.status_detail.startswith("Authorization expired — reconnect.")
    assert failed.metadata["credentials_refresh_error"] == "invalid_grant"
    assert failed.metadata["check"]["kind"] == "auth_expired"
    audit = [e for e in hub.tenant("acme").audit_log() if e.target_id == conn.id]
    moves = [(e.action, e.detail.get("to")) for e in audit if e.detail.get("to")]
    assert ("oauth.refresh", "testing") in moves and ("connection.status", "failed") in moves
    assert signed.token.refresh_token not in str([e.model_dump() for e in audit])


def test_a_connection_handed_off_to_airbyte_is_never_refreshed_by_the_hub(intercom_hub, oidc):
    hub = intercom_hub
    from hub.exceptions import InputError
    from hub.oauth.connect import connect_signed_in
    from hub.oauth.refresh import fresh_access_token

    signed, _ = _signed_in(hub, oidc)
    conn = connect_signed_in(hub, signed, actor="u-alice")
    tenant = _tenant(hub)
    meta = {
        **conn.metadata,
        "credentials_expire_at": (now() + timedelta(seconds=3)).isoformat(),
        "airbyte": {"source_id": "5b1c0f7e-0000-4000-8000-000000000001", "handed_off": True},
    }
    store = hub.db.store(tenant)
    store.update_connection(conn.id, expect_status=None, audit=None, changes={"metadata": meta})
    before = oidc.counts()["refresh_token"]
    with pytest.raises(InputError, match="handed off to Airbyte"):
        fresh_access_token(hub, tenant, conn.id, margin=timedelta(seconds=10))
    assert oidc.counts()["refresh_token"] == before  # Airbyte owns the (rotating) refresh token now
    assert oidc.introspect(signed.token.refresh_token, provider="INTERCOM")["active"] is True
