"""The HTTP API with FastAPI's TestClient against a real hub (SQLite in the test's HUB_HOME).

Every endpoint, every error path, cross-tenant attempts on every id route, 401/413/422, no secret in
responses, errors, audit rows or the database file.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from hub import Hub
from hub.api import create_app
from hub.catalogue import Catalogue
from hub.settings import Settings
from hub.storage.crypto import generate_entry
from tests.demo_support import forget_demo_pools, wait_for_demo_pools
from tests.integration.api_support import Caller, bytes_at_rest, make_key, open_hub, stripe_key

CATALOGUE = Catalogue.load()
STRIPE_STREAMS = ["customers", "charges", "invoices", "subscriptions", "balance_transactions"]

#: Every route that takes a connection id: (method, path template).
ID_ROUTES = [
    ("GET", "/api/connections/{id}"),
    ("DELETE", "/api/connections/{id}"),
    ("POST", "/api/connections/{id}/test"),
    ("GET", "/api/connections/{id}/streams"),
    ("GET", "/api/connections/{id}/streams/customers/preview?limit=5"),
    ("GET", "/api/connections/{id}/health"),
    ("POST", "/api/connections/{id}/drift/accept"),
]

#: Every /api route, with a placeholder id where one is needed.
API_ROUTES = [
    ("GET", "/api/airbyte/sources"),
    ("GET", "/api/airbyte/sources/stripe/spec"),
    ("GET", "/api/airbyte/recommendations"),
    ("POST", "/api/connections/store"),
    ("POST", "/api/connections/upload"),
    ("GET", "/api/connections"),
    ("GET", "/api/connections/health"),
    ("POST", "/api/oauth/google-sheets/start"),
    *ID_ROUTES,
    ("GET", "/api/alerts"),
    ("PUT", "/api/alerts"),
    ("POST", "/api/alerts/test"),
    ("GET", "/api/alerts/history"),
    ("GET", "/api/handoff/destination"),
    ("PUT", "/api/handoff/destination"),
    ("POST", "/api/handoff"),
    ("GET", "/api/handoff/jobs"),
]
#: The provider's redirect back: no key, the single-use state authorises it (test_api_oauth.py).
KEYLESS_API_ROUTES = [("GET", "/api/oauth/callback")]


@pytest.fixture
def hub() -> Iterator[Hub]:
    h = open_hub()
    try:
        yield h
    finally:
        h.close()


@pytest.fixture
def acme(hub: Hub) -> Caller:
    return make_key(hub, "acme", "acme-frontend")


@pytest.fixture
def globex(hub: Hub) -> Caller:
    return make_key(hub, "globex", "globex-frontend")


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub)) as c:
        yield c


def store(client: TestClient, caller: Caller, source_id: str = "stripe", **body: Any) -> httpx.Response:
    return client.post(
        "/api/connections/store", headers=caller.headers, json={"source_id": source_id, **body}
    )


def connect_stripe(client: TestClient, caller: Caller, key: str | None = None) -> dict[str, Any]:
    r = store(client, caller, mode="demo", config={"api_key": key or stripe_key()})
    assert r.status_code == 201, r.text
    return r.json()


def call(client: TestClient, method: str, path: str, caller: Caller | None, **kw: Any) -> httpx.Response:
    headers = caller.headers if caller else {}
    if method == "POST" and path.endswith("/store"):
        kw.setdefault("json", {"source_id": "stripe", "mode": "demo", "config": {"api_key": stripe_key()}})
    return client.request(method, path, headers=headers, **kw)


def api_audit(hub: Hub, tenant: str) -> list[dict[str, Any]]:
    return [e.model_dump(mode="json") for e in hub.tenant(tenant).audit_log(action="api.request")]


# --------------------------------------------------------------------------- no key needed


def test_healthz_needs_no_key_and_is_not_audited(client: TestClient, hub: Hub) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert api_audit(hub, "acme") == []


def test_docs_and_the_openapi_schema_are_served(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["ApiKey"]["description"],
    }
    for name in (
        "ConnectionOut",
        "StoreRequest",
        "SourceEntry",
        "Recommendation",
        "Preview",
        "ErrorResponse",
    ):
        assert name in schema["components"]["schemas"]
    api_ops = [
        (p, m, op) for p, ops in schema["paths"].items() if p.startswith("/api/") for m, op in ops.items()
        if (m.upper(), p) not in KEYLESS_API_ROUTES
    ]
    assert "security" not in schema["paths"]["/api/oauth/callback"]["get"]
    assert len(api_ops) == len(API_ROUTES)
    for path, method, op in api_ops:
        assert op["security"] == [{"ApiKey": []}], (method, path)
        for code in ("401", "413", "422", "503"):
            assert code in op["responses"], (method, path, code)
    store_op = schema["paths"]["/api/connections/store"]["post"]
    assert "201" in store_op["responses"]
    assert "failed" in store_op["responses"]["201"]["description"]


# --------------------------------------------------------------------------- catalogue


def test_sources_lists_the_catalogue_and_filters(client: TestClient, hub: Hub, acme: Caller) -> None:
    r = client.get("/api/airbyte/sources", headers=acme.headers)
    assert r.status_code == 200
    body = r.json()
    assert [s["id"] for s in body] == [s.id for s in hub.catalogue.search()]
    assert {"shopify", "stripe", "postgres", "csv"} <= {s["id"] for s in body}
    stripe = next(s for s in body if s["id"] == "stripe")
    assert stripe["category"] == "Payments"
    assert stripe["auth_kind"] == "api_key"
    assert stripe["streams"] == STRIPE_STREAMS

    payments = client.get(
        "/api/airbyte/sources", params={"category": "Payments"}, headers=acme.headers
    ).json()
    assert {s["id"] for s in payments} == {"stripe", "square"}
    found = client.get("/api/airbyte/sources", params={"search": "shopify"}, headers=acme.headers).json()
    assert "shopify" in [s["id"] for s in found]
    nothing = client.get("/api/airbyte/sources", params={"search": "zzqx"}, headers=acme.headers)
    assert nothing.status_code == 200
    assert nothing.json() == []
    unknown = client.get("/api/airbyte/sources", params={"category": "Spaceships"}, headers=acme.headers)
    assert unknown.status_code == 422
    [issue] = unknown.json()["detail"]
    assert issue["loc"] == ["query", "category"]
    assert "Payments" in issue["msg"]  # it names the categories there are


def test_source_spec_describes_the_config_to_store(client: TestClient, acme: Caller) -> None:
    r = client.get("/api/airbyte/sources/stripe/spec", headers=acme.headers)
    assert r.status_code == 200
    spec = r.json()
    assert spec["source_id"] == "stripe"
    assert spec["mode"] == "demo"
    assert spec["connection_specification"]["properties"]["api_key"]["airbyte_secret"] is True
    assert "api_key" in spec["connection_specification"]["required"]

    unknown = client.get("/api/airbyte/sources/nope/spec", headers=acme.headers)
    assert unknown.status_code == 404
    assert "nope" in unknown.json()["detail"]
    live = client.get("/api/airbyte/sources/stripe/spec", params={"mode": "live"}, headers=acme.headers)
    assert live.status_code == 200  # the pinned connector's shipped spec (no install needed)
    assert live.json()["connection_specification"]["properties"]["client_secret"]["airbyte_secret"] is True
    no_live = client.get("/api/airbyte/sources/square/spec", params={"mode": "live"}, headers=acme.headers)
    assert no_live.status_code == 422
    assert no_live.json()["detail"][0]["loc"] == ["query", "mode"]
    pg_live = client.get("/api/airbyte/sources/postgres/spec", params={"mode": "live"}, headers=acme.headers)
    assert pg_live.status_code == 200
    assert pg_live.json()["connection_specification"]["properties"]["password"]["airbyte_secret"] is True


def test_recommendations_default_to_the_tenant_business_type(
    client: TestClient, hub: Hub, acme: Caller, globex: Caller
) -> None:
    def ids(recs: list[Any]) -> list[str]:
        return [r.id if hasattr(r, "id") else r["id"] for r in recs]

    for_acme = client.get("/api/airbyte/recommendations", headers=acme.headers)
    assert for_acme.status_code == 200
    assert ids(for_acme.json()) == ids(hub.catalogue.recommend("ecommerce"))
    assert all(r["reason"] for r in for_acme.json())
    for_globex = client.get("/api/airbyte/recommendations", headers=globex.headers).json()
    assert ids(for_globex) == ids(hub.catalogue.recommend("saas"))
    assert ids(for_globex) != ids(for_acme.json())
    explicit = client.get(
        "/api/airbyte/recommendations", params={"business_type": "saas"}, headers=acme.headers
    )
    assert ids(explicit.json()) == ids(for_globex)
    two = client.get("/api/airbyte/recommendations", params={"limit": 2}, headers=acme.headers).json()
    assert len(two) == 2


def test_unknown_business_type_is_422_naming_the_parameter(client: TestClient, acme: Caller) -> None:
    r = client.get("/api/airbyte/recommendations", params={"business_type": "pirates"}, headers=acme.headers)
    assert r.status_code == 422
    [issue] = r.json()["detail"]
    assert issue["loc"] == ["query", "business_type"]
    assert "ecommerce" in issue["msg"]  # it lists the valid slugs


# --------------------------------------------------------------------------- store and read


def test_store_connects_and_never_returns_the_secret(client: TestClient, acme: Caller) -> None:
    key = stripe_key()
    r = store(client, acme, mode="demo", name="Payments", config={"api_key": key})
    assert r.status_code == 201, r.text
    conn = r.json()
    assert r.headers["location"] == f"/api/connections/{conn['id']}"
    assert conn["source_id"] == "stripe"
    assert conn["name"] == "Payments"
    assert conn["mode"] == "demo"
    assert conn["status"] == "connected"
    assert set(conn) == {
        "id",
        "source_id",
        "name",
        "mode",
        "status",
        "status_detail",
        "metadata",
        "created_at",
        "updated_at",
        "last_checked_at",
    }
    assert key not in r.text

    listed = client.get("/api/connections", headers=acme.headers)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()] == [conn["id"]]
    one = client.get(f"/api/connections/{conn['id']}", headers=acme.headers)
    assert one.status_code == 200
    assert one.json() == conn
    for text in (listed.text, one.text):
        assert key not in text


def test_store_without_mode_picks_demo_for_a_saas_source(client: TestClient, acme: Caller) -> None:
    r = store(client, acme, config={"api_key": stripe_key()})
    assert r.status_code == 201
    assert r.json()["mode"] == "demo"
    assert r.json()["name"] == "Stripe"


@pytest.mark.parametrize("source", CATALOGUE.sources, ids=lambda s: s.id)
def test_demo_mode_with_an_empty_config_connects_sample_data_for_any_source(
    client: TestClient, acme: Caller, source
) -> None:
    r = store(client, acme, source_id=source.id, mode="demo", config={})
    assert r.status_code == 201, r.text
    conn = r.json()
    assert conn["status"] == "connected", conn["status_detail"]
    assert conn["mode"] == "demo" and conn["metadata"]["config"]["sample"] is True
    stream = source.streams[0]
    preview = client.get(
        f"/api/connections/{conn['id']}/streams/{stream}/preview", params={"limit": 3}, headers=acme.headers
    )
    assert preview.status_code == 200 and 1 <= len(preview.json()["records"]) <= 3


def test_sample_data_needs_demo_asked_for_and_no_key_typed(client: TestClient, acme: Caller) -> None:
    unasked = store(client, acme, config={})  # no mode: more likely a forgotten key than a demo
    assert unasked.status_code == 422
    assert unasked.json()["detail"][0]["loc"] == ["body", "config", "api_key"]
    typed = store(client, acme, mode="demo", config={"api_key": "pk_live_" + "x" * 24})
    assert typed.status_code == 201 and typed.json()["status"] == "failed"
    assert "publishable key" in typed.json()["status_detail"]
    flagged = store(client, acme, mode="demo", config={"sample": True})  # not a field of the key form
    assert flagged.status_code == 422
    assert [c["status"] for c in client.get("/api/connections", headers=acme.headers).json()] == ["failed"]


def test_streams_and_preview_of_a_connection(client: TestClient, acme: Caller) -> None:
    conn = connect_stripe(client, acme)
    streams = client.get(f"/api/connections/{conn['id']}/streams", headers=acme.headers)
    assert streams.status_code == 200
    assert [s["name"] for s in streams.json()] == STRIPE_STREAMS
    customers = streams.json()[0]
    assert customers["primary_key"] == ["id"]
    assert "email" in customers["json_schema"]["properties"]

    r = client.get(
        f"/api/connections/{conn['id']}/streams/charges/preview", params={"limit": 7}, headers=acme.headers
    )
    assert r.status_code == 200
    preview = r.json()
    assert preview["connection_id"] == conn["id"]
    assert preview["source_id"] == "stripe"
    assert preview["mode"] == "demo"
    assert preview["stream"]["name"] == "charges"
    assert len(preview["records"]) == 7
    assert all(rec["id"].startswith("ch_") for rec in preview["records"])
    default = client.get(f"/api/connections/{conn['id']}/streams/charges/preview", headers=acme.headers)
    assert len(default.json()["records"]) == 100


@pytest.mark.parametrize("limit", ["0", "-1", "1001", "many"])
def test_preview_limit_is_bounded(client: TestClient, acme: Caller, limit: str) -> None:
    conn = connect_stripe(client, acme)
    r = client.get(
        f"/api/connections/{conn['id']}/streams/charges/preview",
        params={"limit": limit},
        headers=acme.headers,
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "limit"]


def test_preview_of_an_unknown_stream_is_404(client: TestClient, acme: Caller) -> None:
    conn = connect_stripe(client, acme)
    r = client.get(f"/api/connections/{conn['id']}/streams/payouts/preview", headers=acme.headers)
    assert r.status_code == 404
    assert "payouts" in r.json()["detail"]


def test_a_failed_check_is_stored_as_failed_and_can_be_retested(
    client: TestClient, hub: Hub, acme: Caller
) -> None:
    bad = "rk_live_" + "A" * 30  # a restricted key where a secret key belongs
    r = store(client, acme, mode="demo", config={"api_key": bad})
    assert r.status_code == 201, r.text
    conn = r.json()
    assert conn["status"] == "failed"
    assert conn["status_detail"]
    assert bad not in r.text
    retest = client.post(f"/api/connections/{conn['id']}/test", headers=acme.headers)
    assert retest.status_code == 200
    assert retest.json()["status"] == "failed"
    assert retest.json()["last_checked_at"] is not None
    assert bad not in retest.text
    for path in (
        f"/api/connections/{conn['id']}/streams",
        f"/api/connections/{conn['id']}/streams/charges/preview",
    ):
        unreadable = client.get(path, headers=acme.headers)
        assert unreadable.status_code == 409
        assert "failed" in unreadable.json()["detail"]


def test_retest_of_a_connected_connection(client: TestClient, acme: Caller) -> None:
    conn = connect_stripe(client, acme)
    r = client.post(f"/api/connections/{conn['id']}/test", headers=acme.headers)
    assert r.status_code == 200
    assert r.json()["status"] == "connected"
    assert r.json()["last_checked_at"] is not None


def test_delete_disconnects_and_a_later_get_answers_disconnected(client: TestClient, acme: Caller) -> None:
    conn = connect_stripe(client, acme)
    r = client.delete(f"/api/connections/{conn['id']}", headers=acme.headers)
    assert r.status_code == 200
    assert r.json()["status"] == "disconnected"
    again = client.get(f"/api/connections/{conn['id']}", headers=acme.headers)
    assert again.status_code == 200
    assert again.json()["status"] == "disconnected"
    twice = client.delete(f"/api/connections/{conn['id']}", headers=acme.headers)
    assert twice.status_code == 200
    assert twice.json()["status"] == "disconnected"
    assert [c["status"] for c in client.get("/api/connections", headers=acme.headers).json()] == [
        "disconnected"
    ]
    active = client.get("/api/connections", params={"include_disconnected": "false"}, headers=acme.headers)
    assert active.json() == []


def test_a_disconnected_connection_cannot_be_tested_or_read(client: TestClient, acme: Caller) -> None:
    conn = connect_stripe(client, acme)
    client.delete(f"/api/connections/{conn['id']}", headers=acme.headers)
    for method, path in ID_ROUTES[2:5]:  # a disconnected connection's health and history stay readable
        r = client.request(method, path.format(id=conn["id"]), headers=acme.headers)
        assert r.status_code == 409, (method, path, r.text)
        assert isinstance(r.json()["detail"], str)
        assert "disconnected" in r.json()["detail"]


# --------------------------------------------------------------------------- validation


def test_a_config_invalid_against_the_spec_is_422_naming_the_field_and_stores_nothing(
    client: TestClient, hub: Hub, acme: Caller
) -> None:
    r = store(client, acme, mode="demo", config={"account": "acme"})
    assert r.status_code == 422
    [issue] = r.json()["detail"]
    assert issue["loc"] == ["body", "config", "api_key"]
    assert issue["type"] == "config_error"
    assert "api_key" in issue["msg"]
    assert client.get("/api/connections", headers=acme.headers).json() == []
    assert hub.tenant("acme").audit_log(action="connection.create") == []


def test_a_secret_of_the_wrong_type_is_refused_without_echoing_it(client: TestClient, acme: Caller) -> None:
    key = stripe_key()
    r = store(client, acme, mode="demo", config={"api_key": [key]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "config", "api_key"]
    assert key not in r.text
    assert client.get("/api/connections", headers=acme.headers).json() == []


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"source_id": "stripe", "mode": "demo", "config": "SECRET"}, ["body", "config"]),
        ({"source_id": "stripe", "mode": "SECRET", "config": {}}, ["body", "mode"]),
        ({"source_id": "stripe", "config": {}, "token": "SECRET"}, ["body", "token"]),
        ({"source_id": "SECRET" * 30, "config": {}}, ["body", "source_id"]),
        ({"config": {"api_key": "SECRET"}}, ["body", "source_id"]),
        ({"source_id": "stripe", "name": "", "config": {"api_key": "SECRET"}}, ["body", "name"]),
        (["SECRET"], ["body"]),
    ],
)
def test_bad_bodies_are_422_naming_the_field_without_echoing_input(
    client: TestClient, acme: Caller, body: Any, loc: list[str]
) -> None:
    secret = stripe_key()
    raw = json.dumps(body).replace("SECRET", secret)
    r = client.post(
        "/api/connections/store", headers={**acme.headers, "Content-Type": "application/json"}, content=raw
    )
    assert r.status_code == 422
    issues = r.json()["detail"]
    assert next(i["loc"] for i in issues) == loc
    assert all(set(i) == {"loc", "msg", "type"} for i in issues)
    assert secret not in r.text


def test_a_body_that_is_not_utf8_is_400(client: TestClient, acme: Caller) -> None:
    r = client.post(
        "/api/connections/store",
        headers={**acme.headers, "Content-Type": "application/json"},
        content=b'{"source_id": "\xe2"}',
    )
    assert r.status_code == 400
    assert isinstance(r.json()["detail"], str)


def test_malformed_json_is_422_without_echoing_it(client: TestClient, acme: Caller) -> None:
    secret = stripe_key()
    r = client.post(
        "/api/connections/store",
        headers={**acme.headers, "Content-Type": "application/json"},
        content='{"source_id": "stripe", "config": {"api_key": "' + secret + '"',
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "json_invalid"
    assert secret not in r.text


def test_an_unknown_source_is_422_naming_source_id(client: TestClient, acme: Caller) -> None:
    r = store(client, acme, source_id="stripey", config={"api_key": stripe_key()})
    assert r.status_code == 422
    [issue] = r.json()["detail"]
    assert issue["loc"] == ["body", "source_id"]
    assert "stripey" in issue["msg"]
    assert "stripe" in issue["msg"].replace("stripey", "")  # suggests the close match


def test_live_mode_without_a_live_connector_is_422_naming_mode(client: TestClient, acme: Caller) -> None:
    r = store(client, acme, source_id="square", mode="live", config={"api_key": stripe_key()})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "mode"]
    assert client.get("/api/connections", headers=acme.headers).json() == []


def test_oversized_bodies_are_refused_with_413_before_parsing(client: TestClient, acme: Caller) -> None:
    big = {
        "source_id": "stripe",
        "mode": "demo",
        "config": {"api_key": stripe_key(), "account": "x" * 70_000},
    }
    r = store(client, acme, **{k: v for k, v in big.items() if k != "source_id"})
    assert r.status_code == 413
    assert "65536" in r.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while reading
        payload = json.dumps(big).encode()
        for i in range(0, len(payload), 8192):
            yield payload[i : i + 8192]

    chunked = client.post(
        "/api/connections/store",
        headers={**acme.headers, "Content-Type": "application/json"},
        content=chunks(),
    )
    assert chunked.request.headers.get("transfer-encoding") == "chunked"
    assert chunked.status_code == 413
    assert client.get("/api/connections", headers=acme.headers).json() == []


def test_a_body_just_under_the_limit_is_parsed(client: TestClient, acme: Caller) -> None:
    r = store(client, acme, mode="demo", config={"api_key": stripe_key(), "account": "x" * 60_000})
    assert r.status_code != 413


# --------------------------------------------------------------------------- auth and tenants


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
@pytest.mark.parametrize("kind", ["missing", "not-bearer", "wrong", "revoked"])
def test_missing_wrong_or_revoked_keys_get_401(
    client: TestClient, hub: Hub, acme: Caller, method: str, path: str, kind: str
) -> None:
    headers = {
        "missing": {},
        "not-bearer": {"Authorization": f"Basic {acme.key}"},
        "wrong": {"Authorization": f"Bearer {acme.key[:-4]}xxxx"},
        "revoked": acme.headers,
    }[kind]
    if kind == "revoked":
        hub.revoke_api_key("acme", acme.key_id)
    r = client.request(
        method,
        path.format(id=uuid.uuid4()),
        headers=headers,
        json={"source_id": "stripe"} if method == "POST" else None,
    )
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith('Bearer realm="hub"')
    assert ("invalid_token" in r.headers["www-authenticate"]) == (kind in ("wrong", "revoked"))
    assert isinstance(r.json()["detail"], str)
    assert acme.key not in r.text


def test_authentication_comes_before_body_validation(client: TestClient) -> None:
    r = client.post("/api/connections/store", headers={"Content-Type": "application/json"}, content="{nope")
    assert r.status_code == 401


def test_a_revoked_key_stops_working_at_once(client: TestClient, hub: Hub, acme: Caller) -> None:
    assert client.get("/api/connections", headers=acme.headers).status_code == 200
    hub.revoke_api_key("acme", acme.key_id)
    assert client.get("/api/connections", headers=acme.headers).status_code == 401
    other = make_key(hub, "acme", "second")
    assert client.get("/api/connections", headers=other.headers).status_code == 200


@pytest.mark.parametrize(("method", "path"), ID_ROUTES)
def test_unknown_ids_are_404(client: TestClient, acme: Caller, method: str, path: str) -> None:
    unknown = str(uuid.uuid4())
    r = client.request(method, path.format(id=unknown), headers=acme.headers)
    assert r.status_code == 404
    assert isinstance(r.json()["detail"], str)


@pytest.mark.parametrize(("method", "path"), ID_ROUTES)
def test_another_tenants_ids_are_404_like_unknown_ids(
    client: TestClient, hub: Hub, acme: Caller, globex: Caller, method: str, path: str
) -> None:
    conn = connect_stripe(client, acme)
    theirs = client.request(method, path.format(id=conn["id"]), headers=globex.headers)
    unknown_id = str(uuid.uuid4())
    unknown = client.request(method, path.format(id=unknown_id), headers=globex.headers)
    assert theirs.status_code == 404
    assert unknown.status_code == 404
    assert theirs.json()["detail"].replace(conn["id"], "ID") == unknown.json()["detail"].replace(
        unknown_id, "ID"
    )
    # nothing happened to acme's connection, and globex still sees none
    mine = client.get(f"/api/connections/{conn['id']}", headers=acme.headers).json()
    assert mine["status"] == "connected"
    assert mine["updated_at"] == conn["updated_at"]
    assert client.get("/api/connections", headers=globex.headers).json() == []
    assert [a.action for a in hub.tenant("acme").audit_log() if a.actor == globex.name] == []


def _reads_a_tenant(statement: str) -> bool:
    """A statement that looks a tenant up: it reads what a `Tenant` is made of (its business type).

    The audit's append reads and moves ``tenants.audit_head`` but not the business type, so it is not
    counted; the API key's look-up joins its tenant, and is the one look-up a request needs.
    """
    sql = statement.lower()
    return sql.lstrip().startswith(("select", "with")) and "tenants" in sql and "business_type" in sql


def test_the_tenant_is_looked_up_once_per_request(client: TestClient, hub: Hub, acme: Caller) -> None:
    """The key's look-up finds the tenant; the route and the request's audit row reuse it."""
    lookups: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if _reads_a_tenant(statement):
            lookups.append(statement)

    # every engine (the hub's included): the count does not depend on how the store names its engine
    sa.event.listen(Engine, "before_cursor_execute", count)
    try:
        r = client.get("/api/connections", headers=acme.headers)
    finally:
        sa.event.remove(Engine, "before_cursor_execute", count)
    assert r.status_code == 200
    assert len(api_audit(hub, "acme")) == 1  # the audit row was written inside the counted request
    assert len(lookups) == 1, "\n".join(lookups)


# --------------------------------------------------------------------------- audit and storage


def test_every_call_is_audited_with_the_key_name_and_no_body(
    client: TestClient, hub: Hub, acme: Caller, globex: Caller
) -> None:
    key = stripe_key()
    conn = connect_stripe(client, acme, key)
    client.get("/api/connections", headers=acme.headers)
    client.get(
        f"/api/connections/{conn['id']}/streams/customers/preview", params={"limit": 3}, headers=acme.headers
    )
    store(client, acme, mode="demo", config={"account": key})  # 422
    client.get(f"/api/connections/{conn['id']}", headers=globex.headers)  # 404, in globex's log

    rows = api_audit(hub, "acme")
    assert [
        (r["actor"], r["detail"]["method"], r["detail"]["path"], r["detail"]["status"]) for r in rows
    ] == [
        (acme.name, "POST", "/api/connections/store", 201),
        (acme.name, "GET", "/api/connections", 200),
        (acme.name, "GET", f"/api/connections/{conn['id']}/streams/customers/preview", 200),
        (acme.name, "POST", "/api/connections/store", 422),
    ]
    assert [r["outcome"] for r in rows] == ["ok", "ok", "ok", "error"]
    assert all(r["detail"]["key_id"] == acme.key_id for r in rows)
    theirs = api_audit(hub, "globex")
    assert [(r["actor"], r["detail"]["status"]) for r in theirs] == [(globex.name, 404)]
    # the service's own rows name the key too
    created = hub.tenant("acme").audit_log(action="connection.create")
    assert [e.actor for e in created] == [acme.name]
    everything = json.dumps(
        [e.model_dump(mode="json") for t in ("acme", "globex") for e in hub.tenant(t).audit_log()]
    )
    assert key not in everything
    assert acme.key not in everything
    assert hub.tenant("acme").verify_audit().ok


def test_no_plaintext_secret_at_rest(client: TestClient, hub: Hub, hub_home: Path, acme: Caller) -> None:
    key = stripe_key()
    conn = connect_stripe(client, acme, key)
    failed_key = "sk_live_" + "Q" * 12  # too short: stored as failed, still encrypted
    store(client, acme, mode="demo", config={"api_key": failed_key})
    client.post(f"/api/connections/{conn['id']}/test", headers=acme.headers)
    disk = bytes_at_rest(hub_home)
    assert (hub_home / "hub.db").exists()
    assert key.encode() not in disk
    assert failed_key.encode() not in disk
    assert acme.key.encode() not in disk  # API keys are stored as hashes only
    client.delete(f"/api/connections/{conn['id']}", headers=acme.headers)
    assert key.encode() not in bytes_at_rest(hub_home)


def test_cors_lets_the_configured_front_end_origin_call_the_api(hub: Hub, acme: Caller) -> None:
    front = "https://app.example.com"
    with TestClient(create_app(hub, cors_origins=[front])) as client:
        preflight = client.options(
            "/api/connections/store",
            headers={
                "Origin": front,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code == 200  # answered before authentication: a preflight has no key
        assert preflight.headers["access-control-allow-origin"] == front
        r = client.get("/api/connections", headers={**acme.headers, "Origin": front})
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == front
        other = client.get("/api/connections", headers={**acme.headers, "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_cors_origins_come_from_the_environment(
    hub: Hub, acme: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUB_API_CORS_ORIGINS", raising=False)
    with TestClient(create_app(hub)) as client:
        r = client.get("/api/connections", headers={**acme.headers, "Origin": "https://b.example"})
        assert r.status_code == 200
        assert "access-control-allow-origin" not in r.headers  # none unless configured
    monkeypatch.setenv("HUB_API_CORS_ORIGINS", "https://a.example, https://b.example")
    with TestClient(create_app(hub)) as client:
        r = client.get("/api/connections", headers={**acme.headers, "Origin": "https://b.example"})
        assert r.headers["access-control-allow-origin"] == "https://b.example"


def test_cors_origins_come_from_the_settings(hub: Hub, acme: Caller, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUB_API_CORS_ORIGINS", raising=False)
    settings = Settings.from_env(api_cors_origins="https://a.example, https://b.example")
    assert settings.api_cors_origins == ("https://a.example", "https://b.example")
    with TestClient(create_app(hub, settings=settings)) as client:
        r = client.get("/api/connections", headers={**acme.headers, "Origin": "https://b.example"})
        assert r.headers["access-control-allow-origin"] == "https://b.example"
    # the argument still wins over the settings
    with TestClient(create_app(hub, settings=settings, cors_origins=[])) as client:
        r = client.get("/api/connections", headers={**acme.headers, "Origin": "https://b.example"})
        assert r.status_code == 200
        assert "access-control-allow-origin" not in r.headers


def test_a_secret_the_keys_cannot_decrypt_is_a_generic_500_with_the_reason_in_the_log(
    hub: Hub, acme: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    key = stripe_key()
    conn = hub.tenant("acme").connect("stripe", {"api_key": key}, actor="setup", mode="demo")
    other_keys = Hub.open(Settings.from_env(encryption_keys=generate_entry("other")))  # not the key used
    try:
        with TestClient(create_app(other_keys)) as client:
            r = client.post(f"/api/connections/{conn.id}/test", headers=acme.headers)
            assert r.status_code == 500
            assert r.json() == {"detail": "The hub could not complete the request. See the server log."}
            assert client.get(f"/api/connections/{conn.id}", headers=acme.headers).status_code == 200
    finally:
        other_keys.close()
    assert "HUB_ENCRYPTION_KEYS" in caplog.text  # the operator learns what to do
    assert key not in caplog.text


def test_the_api_warms_up_the_demo_data_at_start(hub: Hub) -> None:
    forget_demo_pools()
    with TestClient(create_app(hub)) as c:
        assert c.get("/healthz").status_code == 200
        assert wait_for_demo_pools(30), "the API did not start building the demo data's pools"
