"""The app's sign-in at service level (`start_in_app`, `finish_in_app`) against oidc-provider: the normal
connect with progress, reconnect of an expired sign-in keeping the connection's id and history, and the
refusals only the app's callback makes (a state of another tenant, or one the API started).

The sign-ins are Intercom's: the connection is live, its real connector checking and discovering through
the session's Intercom double (tests/saas_double.py), which accepts only tokens the server reports active.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub import Hub
from hub.exceptions import InputError, NotFound
from hub.models import Status, StepEvent
from hub.oauth.connect import finish_in_app, start_in_app
from hub.oauth.flow import OAuthFlow, SignInError
from hub.settings import Settings
from tests.oidc_support import OidcServer, callback_params
from tests.saas_double import Double, Intercom, intercom_env

APP_URL = "http://127.0.0.1:8599"


@pytest.fixture
def hub(oidc: OidcServer, intercom: tuple[Double, Intercom], hub_home) -> Iterator[Hub]:
    settings = Settings.from_env({
        "HUB_HOME": str(hub_home), "HUB_PUBLIC_URL": APP_URL, "HUB_API_PUBLIC_URL": APP_URL,
        **oidc.env("INTERCOM"), **intercom_env(intercom[0]),
    })
    h = Hub.open(settings)
    h.create_tenant("acme", name="Acme", business_type="saas")
    h.create_tenant("globex", name="Globex", business_type="saas")
    try:
        yield h
    finally:
        h.close()


def _tid(hub: Hub, slug: str = "acme") -> str:
    return hub.tenant(slug).tenant.id


def _sign_in(hub: Hub, oidc: OidcServer, *, connection_id: str | None = None) -> dict[str, str]:
    url = start_in_app(hub, _tid(hub), "intercom", user="alice", connection_id=connection_id)
    return callback_params(oidc.consent(url))


def test_finish_in_app_connects_with_progress(hub, oidc):
    steps: list[StepEvent] = []
    conn = finish_in_app(hub, _sign_in(hub, oidc), tenant_id=_tid(hub), user="alice", on_step=steps.append)
    assert conn.status is Status.CONNECTED and conn.metadata["oauth"]["provider"] == "INTERCOM"
    assert conn.mode == "live" and "admins" in conn.metadata["streams"]
    assert steps[0].message == "Signed in with Intercom"
    done = {s.step for s in steps if s.state == "done"}
    assert {"connecting", "testing", "discovering"} <= done  # no sample: HUB_SIGNIN_SAMPLE_LIMIT=0 here


def test_reconnect_runs_the_flow_again_and_keeps_id_and_history(hub, oidc):
    service = hub.tenant("acme")
    first = finish_in_app(hub, _sign_in(hub, oidc), tenant_id=_tid(hub), user="alice")
    service.authorization_expired(first.id, actor="hub", reason="invalid_grant")
    failed = service.get_connection(first.id)
    assert failed.status is Status.FAILED and failed.status_detail.startswith("Authorization expired")
    history = [e.id for e in service.audit_log() if e.target_id == first.id]

    before = oidc.counts()["authorization_code"]
    again = finish_in_app(hub, _sign_in(hub, oidc, connection_id=first.id), tenant_id=_tid(hub), user="alice")
    assert oidc.counts()["authorization_code"] == before + 1  # a new sign-in at the provider
    assert again.id == first.id and again.status is Status.CONNECTED
    assert [c.id for c in service.list_connections()] == [first.id]
    assert "credentials_refresh_error" not in again.metadata and again.metadata["credentials_expire_at"]
    entries = [e for e in service.audit_log() if e.target_id == first.id]
    assert [e.id for e in entries][: len(history)] == history  # the old history stays, the new follows
    assert any(e.detail.get("to") == "connected" for e in entries[len(history):])


def test_reconnect_only_a_failed_connection_of_the_same_source(hub, oidc):
    conn = finish_in_app(hub, _sign_in(hub, oidc), tenant_id=_tid(hub), user="alice")
    with pytest.raises(InputError, match="cannot be reconnected"):  # connected, not failed
        start_in_app(hub, _tid(hub), "intercom", user="alice", connection_id=conn.id)
    hub.tenant("acme").authorization_expired(conn.id, actor="hub", reason="invalid_grant")
    with pytest.raises(InputError, match="cannot be reconnected"):  # another source
        start_in_app(hub, _tid(hub), "google-analytics", user="alice", connection_id=conn.id)
    with pytest.raises(NotFound):  # another tenant's connection is not found there
        start_in_app(hub, _tid(hub, "globex"), "intercom", user="alice", connection_id=conn.id)


def test_the_app_refuses_another_tenants_or_the_apis_state(hub, oidc):
    params = _sign_in(hub, oidc)
    with pytest.raises(SignInError, match="started by someone else"):
        finish_in_app(hub, params, tenant_id=_tid(hub, "globex"), user="alice")
    api_url = OAuthFlow(hub).start(_tid(hub), "intercom", user_id="alice", face="api")
    api_params = callback_params(oidc.consent(api_url))
    with pytest.raises(SignInError, match="started by someone else"):
        finish_in_app(hub, api_params, tenant_id=_tid(hub), user="alice")
    assert hub.tenant("acme").list_connections() == []
    reasons = [e.detail.get("reason") for e in hub.tenant("acme").audit_log(action="oauth.callback")]
    assert reasons.count("another user's state") == 2
