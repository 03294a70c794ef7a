"""The Airbyte API client (hub/handoff/client.py) against Prism serving Airbyte's own spec.

Proves: the official SDK can be pointed at HUB_AIRBYTE_API_URL; the client-credentials exchange happens
once and its token is reused, then replaced before it expires; bad credentials, an unreachable deployment
and missing settings each give a clear error without the secret.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from airbyte_api import api

from hub.handoff.client import AirbyteAPIError, AirbyteNotConfigured, ClientOptions, airbyte_client, explain
from hub.settings import Settings
from tests.airbyte_api_support import PrismServer, TokenServer
from tests.servers import free_port


@pytest.fixture
def token_server() -> Iterator[TokenServer]:
    # a fresh client id per test: the SDK caches sessions per (client id, secret) for the process
    server = TokenServer(client_id=f"hub-{uuid.uuid4().hex[:8]}").start()
    try:
        yield server
    finally:
        server.stop()


def _settings(url: str, token: TokenServer, secret: str | None = None) -> Settings:
    return Settings(
        airbyte_api_url=url,
        airbyte_client_id=token.client_id,
        airbyte_client_secret=secret or token.client_secret,
    )


def test_sdk_lists_workspaces_with_an_exchanged_token(prism: PrismServer, token_server: TokenServer):
    sdk = airbyte_client(_settings(prism.url, token_server), token_url=token_server.url)
    first = sdk.workspaces.list_workspaces(request=api.ListWorkspacesRequest())
    second = sdk.workspaces.list_workspaces(request=api.ListWorkspacesRequest())
    # Prism validated both requests (a missing or malformed bearer token would be a 401 there)
    assert first.workspaces_response is not None and isinstance(first.workspaces_response.data, list)
    assert second.workspaces_response is not None
    assert len(token_server.requests) == 1  # the token is reused while valid
    assert token_server.requests[0]["grant_type"] == "client_credentials"


def test_token_is_replaced_before_it_expires(prism: PrismServer, token_server: TokenServer):
    # the SDK refreshes 60 s before expiry: a 30-s token is already "expiring" at the next call
    token_server.expires_in = 30
    sdk = airbyte_client(_settings(prism.url, token_server), token_url=token_server.url)
    sdk.workspaces.list_workspaces(request=api.ListWorkspacesRequest())
    sdk.workspaces.list_workspaces(request=api.ListWorkspacesRequest())
    assert len(token_server.requests) == 2


def test_bad_credentials_give_a_clear_error_without_the_secret(prism: PrismServer, token_server: TokenServer):
    wrong = "not-the-secret-7c1d"
    sdk = airbyte_client(_settings(prism.url, token_server, secret=wrong), token_url=token_server.url)
    with pytest.raises(Exception) as caught:
        sdk.workspaces.list_workspaces(request=api.ListWorkspacesRequest())
    err = explain(caught.value, doing="listing workspaces")
    assert isinstance(err, AirbyteAPIError) and err.status == 401
    assert "HUB_AIRBYTE_CLIENT_ID" in err.hint
    assert wrong not in str(err) and wrong not in repr(err)


def test_unreachable_deployment_is_a_clear_transient_error(token_server: TokenServer):
    url = f"http://127.0.0.1:{free_port()}"
    opts = ClientOptions(timeout_s=2, retry_initial_ms=10, retry_max_ms=20, retry_max_elapsed_ms=100)
    sdk = airbyte_client(_settings(url, token_server), token_url=token_server.url, options=opts)
    with pytest.raises(Exception) as caught:
        sdk.workspaces.list_workspaces(request=api.ListWorkspacesRequest())
    err = explain(caught.value, doing="listing workspaces")
    assert "could not be reached" in err.message and "HUB_AIRBYTE_API_URL" in err.hint
    assert err.transient


def test_missing_settings_name_what_is_missing():
    with pytest.raises(AirbyteNotConfigured) as caught:
        airbyte_client(Settings(airbyte_api_url="https://api.airbyte.com/v1"))
    assert "HUB_AIRBYTE_CLIENT_ID" in str(caught.value) and "HUB_AIRBYTE_CLIENT_SECRET" in str(caught.value)
    assert "HUB_AIRBYTE_API_URL" not in caught.value.message
