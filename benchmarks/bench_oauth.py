"""OAuth refresh before a use, against a real authorization server (npm oidc-provider on loopback).

* The time the hub adds to a use whose token needs a refresh: `fresh_access_token` on a connection whose
  token expires within the margin (read and decrypt the config, take the ``oauth:<id>`` lease in the
  database, the refresh itself, seal and store the rotated tokens with the audit row, release the lease),
  beside the token request alone (one Authlib ``refresh_token`` call from a client of its own to the same
  server, on a grant of its own) as the baseline. Both rotate their refresh token on every call.
* 20 concurrent uses of a connection whose token is expiring: the refreshes the server counted from its own
  ``grant.success`` events (must be exactly 1, or the benchmark fails).

The connection is a live Intercom sign-in (the hub refreshes Intercom's tokens; the specs of Google's,
HubSpot's and Salesforce's connectors make them refresh themselves): its connector checks and discovers
once, at connect, against the tests' Intercom double in a network namespace (tests/saas_double.py).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from authlib.integrations.requests_client import OAuth2Session

from benchmarks._harness import Report, sized
from hub import Hub
from hub.oauth.connect import connect_signed_in
from hub.oauth.flow import OAuthFlow, SignedIn
from hub.oauth.refresh import fresh_access_token
from hub.settings import Settings
from hub.storage.tables import now
from tests.oidc_support import OidcServer, callback_params, start_oidc
from tests.saas_double import Intercom, api_double, intercom_env, outside_netns

SOURCE = "intercom"
USES = 20


def _expire_soon(hub: Hub, tenant_id: str, connection_id: str) -> None:
    """Put the connection's token inside the refresh margin (as time passing would)."""
    store = hub.db.store(tenant_id)
    conn = store.get_connection(connection_id)
    assert conn is not None
    meta = {**conn.metadata, "credentials_expire_at": now().isoformat()}
    store.update_connection(connection_id, expect_status=None, audit=None, changes={"metadata": meta})


def _signed_in(hub: Hub, oidc: OidcServer, tenant_id: str) -> SignedIn:
    """One real sign-in (the provider's development pages walked by `OidcServer.consent`)."""
    flow = OAuthFlow(hub)
    back = oidc.consent(flow.start(tenant_id, SOURCE, user_id="bench"))
    return flow.finish(callback_params(back), user_id="bench")


def run(report: Report) -> None:
    # an hour's access tokens, as Google's: with tokens shorter than the hub's refresh margin (60 s) every
    # use would refresh
    oidc = start_oidc(access_ttl_s=3600)

    def active(token: str) -> bool:
        return oidc.introspect(token, provider="INTERCOM")["active"] is True

    try:
        with tempfile.TemporaryDirectory() as folder, outside_netns(active) as introspect, api_double(
            ["api.intercom.io"], Intercom(introspect), Path(folder)
        ) as double:
            env = {"HUB_PUBLIC_URL": "http://127.0.0.1:8599", **oidc.env("INTERCOM"), **intercom_env(double)}
            with Hub.open(Settings.from_env({**os.environ, **env}, demo_pace=0, monitor=False)) as hub:
                _measure(report, hub, oidc)
    finally:
        oidc.stop()


def _measure(report: Report, hub: Hub, oidc: OidcServer) -> None:
    tenant_id = hub.create_tenant("bench-oauth", name="Bench OAuth", business_type="saas").id
    conn = connect_signed_in(hub, _signed_in(hub, oidc, tenant_id), actor="bench")
    assert conn.status == "connected", conn.status_detail
    conn_id = conn.id
    # the baseline's own grant, so that the two rotating refresh tokens never retire each other
    token = _signed_in(hub, oidc, tenant_id).token
    baseline_token: dict[str, Any] = {"refresh_token": token.refresh_token}
    client_id, client_secret = oidc.client("INTERCOM")
    plain = OAuth2Session(client_id=client_id, client_secret=client_secret,
                          token_endpoint_auth_method="client_secret_post")

    def token_request() -> None:
        fresh = plain.refresh_token(oidc.token_url, refresh_token=baseline_token["refresh_token"], timeout=20)
        baseline_token.update(fresh)

    def hub_use() -> str:
        return fresh_access_token(hub, tenant_id, conn_id, actor="bench")

    token_request()  # warm-up: connections, Authlib's first use, the server's first refresh
    _expire_soon(hub, tenant_id, conn_id)
    hub_use()
    hub_times, base_times = [], []
    before = oidc.counts()["refresh_token"]
    repeat = sized(20, 1)
    for _ in range(repeat):  # alternated, so both share the machine's drift
        _expire_soon(hub, tenant_id, conn_id)  # not timed: it stands for the clock moving on
        t0 = time.perf_counter()
        hub_use()
        hub_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        token_request()
        base_times.append(time.perf_counter() - t0)
    refreshes = oidc.counts()["refresh_token"] - before
    assert refreshes == 2 * repeat, f"expected {2 * repeat} refreshes at the server, counted {refreshes}"
    hub_s, base_s = statistics.median(hub_times), statistics.median(base_times)
    report.add("token request alone (Authlib refresh_token to oidc-provider)", base_s, note="baseline")
    report.add("use needing a refresh (fresh_access_token: lease, refresh, encrypted store, audit)", hub_s,
               baseline="token request alone", baseline_seconds=base_s,
               note=f"hub adds {(hub_s - base_s) * 1000:.1f} ms")

    _expire_soon(hub, tenant_id, conn_id)
    before = oidc.counts()["refresh_token"]
    with ThreadPoolExecutor(USES) as pool:
        t0 = time.perf_counter()
        tokens = set(pool.map(lambda _: hub_use(), range(USES)))
        wall = time.perf_counter() - t0
    refreshes = oidc.counts()["refresh_token"] - before
    assert refreshes == 1 and len(tokens) == 1, f"{USES} concurrent uses: {refreshes} refreshes at the server"
    report.add(f"{USES} concurrent uses of an expiring connection", wall, baseline="token request alone",
               baseline_seconds=base_s, target="1 refresh at the server",
               note=f"{refreshes} refresh counted by the server")
    # a use with a fresh token never reaches the server
    before = oidc.counts()["refresh_token"]
    fresh_s = statistics.median(_timed(hub_use) for _ in range(sized(20, 1)))
    assert oidc.counts()["refresh_token"] == before
    report.add("use with a fresh token (no refresh)", fresh_s, baseline="token request alone",
               baseline_seconds=base_s, note="0 requests to the server")


def _timed(fn: Any) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0
