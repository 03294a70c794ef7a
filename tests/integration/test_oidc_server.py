"""The tests' authorization server behaves like the strict provider the OAuth tests need: PKCE required,
a wrong verifier and a replayed code refused, refresh tokens rotated, revoked tokens inactive, and every
grant counted from its own events."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import urlencode

import httpx

from tests.oidc_support import OidcServer, callback_params

REDIRECT = "http://127.0.0.1:9/oauth_callback"


def _authorize(oidc: OidcServer, challenge: str | None) -> str:
    params = {"client_id": oidc.client_id, "response_type": "code", "redirect_uri": REDIRECT,
              "scope": "read", "state": "s1"}
    if challenge:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    return f"{oidc.authorize_url}?{urlencode(params)}"


def _token(oidc: OidcServer, **data: str) -> httpx.Response:
    return httpx.post(oidc.token_url, data={**data, "client_id": oidc.client_id,
                                            "client_secret": oidc.client_secret}, timeout=10)


def test_the_server_is_strict_and_counts_its_grants(oidc):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    without = callback_params(oidc.consent(_authorize(oidc, None)))
    assert without["error"] == "invalid_request" and "PKCE" in without["error_description"]

    before = oidc.counts()
    code = callback_params(oidc.consent(_authorize(oidc, challenge)))["code"]
    wrong = _token(oidc, grant_type="authorization_code", code=code, redirect_uri=REDIRECT,
                   code_verifier=secrets.token_urlsafe(48))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"

    code = callback_params(oidc.consent(_authorize(oidc, challenge)))["code"]
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                "code_verifier": verifier}
    first = _token(oidc, **exchange)
    assert first.status_code == 200, first.text
    replay = _token(oidc, **exchange)
    assert replay.json()["error"] == "invalid_grant"

    # a replayed code also revokes what the code gave (RFC 6749 section 4.1.2)
    assert oidc.introspect(first.json()["refresh_token"])["active"] is False

    code = callback_params(oidc.consent(_authorize(oidc, challenge)))["code"]
    tokens = _token(oidc, **{**exchange, "code": code}).json()
    refreshed = _token(oidc, grant_type="refresh_token", refresh_token=tokens["refresh_token"]).json()
    assert refreshed["refresh_token"] != tokens["refresh_token"]  # rotated
    assert oidc.introspect(refreshed["access_token"])["active"] is True
    httpx.post(oidc.revoke_url, data={"token": refreshed["refresh_token"], "client_id": oidc.client_id,
                                      "client_secret": oidc.client_secret}, timeout=10).raise_for_status()
    assert oidc.introspect(refreshed["refresh_token"])["active"] is False
    # the retired refresh token is refused too: two refreshes racing with one token cannot both win
    assert _token(oidc, grant_type="refresh_token", refresh_token=tokens["refresh_token"]).status_code == 400

    after = oidc.counts()
    assert after["authorization_code"] - before["authorization_code"] == 2
    assert after["refresh_token"] - before["refresh_token"] == 1
    assert tokens["access_token"] not in oidc.log() and tokens["refresh_token"] not in oidc.log()
