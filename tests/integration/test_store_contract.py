"""One contract suite for the storage, on SQLite (the embedded default) and PostgreSQL (as the app role).

Everything goes through the real services (`Hub`, `TenantService`) and the real demo connector; tampering and
inspection use plain SQL on the database itself.
"""

from __future__ import annotations

import logging
import secrets
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from hub import Hub
from hub.exceptions import ConfigError, CryptoError, HubError, InputError, NotFound, TransitionError
from hub.handoff.target import MASK, handoff_setup, set_handoff_setup
from hub.models import Mode, Status, StepEvent
from hub.storage.crypto import generate_entry
from tests.integration.handoff_support import WAREHOUSE
from tests.storage_support import (
    PgDatabase,
    admin_exec,
    demo_config,
    make_pg_database,
    open_hub,
    sqlite_path,
    unique_slug,
)

GOOD_STRIPE = "sk_test_" + "a1B2c3D4e5F6g7H8i9J0k1L2"


@pytest.fixture(scope="module")
def pg_db(postgres) -> PgDatabase:  # type: ignore[no-untyped-def]
    return make_pg_database(postgres)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def hub(backend: str, request: pytest.FixtureRequest) -> Iterator[Hub]:
    pg = request.getfixturevalue("pg_db") if backend == "postgres" else None
    h = open_hub(backend, pg)
    try:
        yield h
    finally:
        h.close()


@pytest.fixture
def two(hub: Hub) -> tuple[str, str]:
    a, b = unique_slug("a"), unique_slug("b")
    hub.create_tenant(a, name="Tenant A", business_type="ecommerce")
    hub.create_tenant(b, name="Tenant B", business_type="saas")
    return a, b


def _count(hub: Hub, table: str, tenant_id: str) -> int:
    return int(admin_exec(hub, f"SELECT count(*) FROM {table} WHERE tenant_id = :t", {"t": tenant_id})[0][0])


# --------------------------------------------------------------------------- connect and the status machine


def test_demo_connect_runs_every_step_and_audits_each_transition(hub: Hub, two: tuple[str, str]) -> None:
    a, _ = two
    svc = hub.tenant(a)
    events: list[StepEvent] = []
    conn = svc.connect("shopify", demo_config(hub, "shopify", a), actor="alice", on_step=events.append)

    assert conn.status is Status.CONNECTED and conn.mode is Mode.DEMO
    assert conn.metadata["streams"] == ["customers", "orders", "products", "product_variants", "transactions"]
    assert conn.metadata["sample_counts"] == dict.fromkeys(conn.metadata["streams"], 50)
    assert conn.metadata["config"]["account"] and "access_token" not in conn.metadata["config"]
    assert conn.last_checked_at is not None and conn.status_detail.startswith("Connected · 5 streams")
    assert [(e.step, e.state) for e in events if e.state != "progress"] == [
        ("connecting", "running"),
        ("connecting", "done"),
        ("testing", "running"),
        ("testing", "done"),
        ("discovering", "running"),
        ("discovering", "done"),
        ("sampling", "running"),
        ("sampling", "done"),
    ]
    # the sample's progress: records so far after each stream, then the total, all inside "sampling"
    progress = [e for e in events if e.state == "progress"]
    assert {e.step for e in progress} == {"sampling"}
    assert [e.message for e in progress] == [f"Read {50 * n:,} records…" for n in range(1, 6)] + [
        "Read 250 records of 5 streams…"
    ]
    first_sampling = next(i for i, e in enumerate(events) if e.step == "sampling")
    assert all(events.index(e) > first_sampling for e in progress) and events[-1].state == "done"
    assert svc.get_connection(conn.id) == conn
    assert [c.id for c in svc.list_connections()] == [conn.id]

    rows = [
        (e.action, e.detail.get("to"), e.outcome.value) for e in svc.audit_log() if e.target_id == conn.id
    ]
    assert rows == [
        ("connection.create", None, "ok"),
        ("connection.status", "testing", "ok"),
        ("connection.status", "connected", "ok"),
    ]
    stored = admin_exec(
        hub, "SELECT mode, status, key_id FROM tenant_airbyte_connections WHERE id = :i", {"i": conn.id}
    )
    assert stored[0][0] == "demo" and stored[0][1] == "connected" and stored[0][2] == hub.keys.current_id
    assert svc.verify_audit().ok


def test_failed_check_is_stored_returned_and_retried(hub: Hub, two: tuple[str, str]) -> None:
    a, _ = two
    svc = hub.tenant(a)
    conn = svc.connect("stripe", {"api_key": "sk_wrong"}, actor="alice")
    assert conn.status is Status.FAILED
    assert "Stripe secret key" in conn.status_detail
    assert svc.get_connection(conn.id).status is Status.FAILED

    retried = svc.retest(conn.id, actor="alice")  # failed -> testing -> failed again (same stored key)
    assert retried.status is Status.FAILED
    fixed = svc.reconnect(conn.id, {"api_key": GOOD_STRIPE}, actor="alice")
    assert fixed.status is Status.CONNECTED and fixed.id == conn.id
    assert svc.retest(conn.id, actor="alice").status is Status.CONNECTED
    with pytest.raises(TransitionError):
        svc.reconnect(conn.id, {"api_key": GOOD_STRIPE}, actor="alice")  # connected -> connecting is illegal
    actions = [e.action for e in svc.audit_log() if e.target_id == conn.id]
    assert actions.count("connection.retest") == 2 and actions[0] == "connection.create"
    assert svc.verify_audit().ok


def test_bad_config_names_the_field_and_stores_nothing(hub: Hub, two: tuple[str, str]) -> None:
    a, _ = two
    svc = hub.tenant(a)
    before = len(svc.audit_log())
    with pytest.raises(ConfigError) as err:
        svc.connect("stripe", {}, actor="alice")
    assert err.value.field == "api_key"
    with pytest.raises(ConfigError) as err2:
        svc.connect("shopify", {"account": "x", "unexpected": 1}, actor="alice", mode="demo")
    assert "unexpected" in str(err2.value)
    with pytest.raises(NotFound):
        svc.connect("no-such-source", {}, actor="alice")
    with pytest.raises(ConfigError):  # no live connector for Square
        svc.connect("square", {"api_key": GOOD_STRIPE}, actor="alice", mode="live")
    assert svc.list_connections() == []
    assert _count(hub, "tenant_airbyte_connections", svc.tenant.id) == 0
    assert len(svc.audit_log()) == before


def test_disconnect_erases_the_secret_keeps_the_row_and_is_final(hub: Hub, two: tuple[str, str]) -> None:
    a, _ = two
    svc = hub.tenant(a)
    conn = svc.connect("postgres", {}, actor="alice", mode="demo")
    gone = svc.disconnect(conn.id, actor="alice")
    assert gone.status is Status.DISCONNECTED
    assert svc.disconnect(conn.id, actor="alice") == gone  # idempotent
    row = admin_exec(
        hub,
        "SELECT encrypted_config, key_id, status FROM tenant_airbyte_connections WHERE id = :i",
        {"i": conn.id},
    )
    assert row == [(None, None, "disconnected")]
    assert [c.id for c in svc.list_connections()] == [conn.id]
    assert svc.list_connections(include_disconnected=False) == []
    with pytest.raises(TransitionError):
        svc.retest(conn.id, actor="alice")
    with pytest.raises(InputError):
        svc.preview(conn.id, "orders", actor="alice")
    assert svc.rename(conn.id, "Old warehouse", actor="alice").name == "Old warehouse"
    assert svc.audit_log(action="connection.disconnect")[0].target_id == conn.id


def test_streams_and_preview_are_bounded_and_audited(hub: Hub, two: tuple[str, str]) -> None:
    a, _ = two
    svc = hub.tenant(a)
    conn = svc.connect("hubspot", demo_config(hub, "hubspot", a), actor="alice")
    assert [s.name for s in svc.streams(conn.id)] == ["contacts", "companies", "deals"]
    p = svc.preview(conn.id, "deals", limit=7, actor="alice")
    assert (
        len(p.records) == 7
        and p.stream.name == "deals"
        and p.mode is Mode.DEMO
        and p.connection_id == conn.id
    )
    with pytest.raises(NotFound) as err:
        svc.preview(conn.id, "nope", actor="alice")
    assert "contacts" in (err.value.hint or "")
    with pytest.raises(InputError):
        svc.preview(conn.id, "deals", limit=0, actor="alice")
    previews = svc.audit_log(action="connection.preview")
    assert [(e.outcome.value, e.detail.get("records")) for e in previews] == [("ok", 7), ("error", None)]


# --------------------------------------------------------------------------- tenant isolation


def test_tenant_b_can_never_reach_tenant_a_connections(hub: Hub, two: tuple[str, str]) -> None:
    a, b = two
    sa_, sb = hub.tenant(a), hub.tenant(b)
    conn = sa_.connect("shopify", demo_config(hub, "shopify", a), actor="alice")
    assert sb.list_connections() == []
    for attempt in (
        lambda: sb.get_connection(conn.id),
        lambda: sb.preview(conn.id, "orders", actor="bob"),
        lambda: sb.streams(conn.id),
        lambda: sb.retest(conn.id, actor="bob"),
        lambda: sb.disconnect(conn.id, actor="bob"),
        lambda: sb.rename(conn.id, "mine", actor="bob"),
        lambda: sb.reconnect(conn.id, {}, actor="bob"),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert (
        sa_.get_connection(conn.id).status is Status.CONNECTED
        and sa_.get_connection(conn.id).name == conn.name
    )
    assert all(e.tenant_id == sb.tenant.id for e in sb.audit_log())
    assert not any(e.target_id == conn.id for e in sb.audit_log())
    with pytest.raises(NotFound):
        hub.tenant("no-such-tenant")


def test_several_connections_read_at_once_are_only_the_tenants_own(hub: Hub, two: tuple[str, str]) -> None:
    a, b = two
    sa_, sb = hub.tenant(a), hub.tenant(b)
    mine = [sa_.connect("shopify", demo_config(hub, "shopify", a), actor="alice") for _ in range(2)]
    theirs = sb.connect("shopify", demo_config(hub, "shopify", b), actor="bob")
    ids = [mine[0].id, theirs.id, "not-a-uuid", str(uuid.uuid4()), mine[1].id, mine[0].id]
    assert sa_.get_connections(ids) == {c.id: sa_.get_connection(c.id) for c in mine}
    assert sb.get_connections(ids) == {theirs.id: sb.get_connection(theirs.id)}
    assert sa_.get_connections([]) == {}


# --------------------------------------------------------------------------- encryption


def test_ciphertext_moved_to_another_row_or_tenant_fails_to_decrypt(hub: Hub, two: tuple[str, str]) -> None:
    a, b = two
    sa_, sb = hub.tenant(a), hub.tenant(b)
    src = sa_.connect("stripe", {"api_key": GOOD_STRIPE}, actor="alice")
    same_tenant = sa_.connect("stripe", {"api_key": GOOD_STRIPE}, actor="alice")
    other_tenant = sb.connect("stripe", {"api_key": GOOD_STRIPE}, actor="bob")
    for target in (same_tenant.id, other_tenant.id):
        admin_exec(
            hub,
            "UPDATE tenant_airbyte_connections SET encrypted_config = (SELECT encrypted_config FROM "
            "tenant_airbyte_connections WHERE id = :s) WHERE id = :t",
            {"s": src.id, "t": target},
        )
    with pytest.raises(CryptoError) as e1:
        sa_.retest(same_tenant.id, actor="alice")
    with pytest.raises(CryptoError):
        sb.retest(other_tenant.id, actor="bob")
    assert same_tenant.id in str(e1.value)
    assert sa_.retest(src.id, actor="alice").status is Status.CONNECTED  # the original still works


def test_unknown_key_id_fails_that_row_only_and_rotation_reencrypts(
    backend: str, request: pytest.FixtureRequest, hub: Hub, two: tuple[str, str]
) -> None:
    a, _ = two
    svc = hub.tenant(a)
    old_key = hub.keys.current_id
    c1 = svc.connect("stripe", {"api_key": GOOD_STRIPE}, actor="alice")
    c2 = svc.connect("postgres", {}, actor="alice", mode="demo")
    admin_exec(hub, "UPDATE tenant_airbyte_connections SET key_id = 'ghost' WHERE id = :i", {"i": c2.id})
    with pytest.raises(CryptoError) as err:
        svc.retest(c2.id, actor="alice")
    assert "'ghost'" in str(err.value)
    assert {c.id for c in svc.list_connections()} == {c1.id, c2.id}
    assert svc.retest(c1.id, actor="alice").status is Status.CONNECTED
    # the tenant settings' secrets: the alerts' webhook secret and the hand-off's warehouse password
    svc.set_alert_destinations(
        webhook_url="https://93.184.216.34/hooks/alerts",
        webhook_secret="whsec-rotate-me",
        emails=[],
        actor="alice",
    )
    set_handoff_setup(svc, destination_config=WAREHOUSE, actor="alice")

    # A new first key; the old one still decrypts. Rotation moves every row it can to the new key.
    new_entry = generate_entry("k2")
    old_entry = _key_entry(hub, backend, request)
    hub2 = _reopen(hub, backend, request, encryption_keys=f"{new_entry},{old_entry}")
    try:
        counts = hub2.rotate_keys(actor="ops")
        assert counts["failed"] >= 1 and counts["rotated"] >= 1
        assert admin_exec(
            hub2, "SELECT key_id FROM tenant_airbyte_connections WHERE id = :i", {"i": c1.id}
        ) == [("k2",)]
        rot = [e for e in hub2.tenant(a).audit_log(action="key.rotate")]
        assert rot and rot[-1].detail["rotated"] >= 1 and rot[-1].detail["key_id"] == "k2"
        assert c2.id in rot[-1].detail["failed_connections"]
        assert sorted(
            admin_exec(
                hub2, "SELECT name, key_id FROM tenant_settings WHERE tenant_id = :t", {"t": svc.tenant.id}
            )
        ) == [("alerts", "k2"), ("handoff", "k2")]
        again = hub2.rotate_keys(actor="ops")
        assert again["rotated"] == 0 and again["already_current"] >= 1
    finally:
        hub2.close()
    hub3 = _reopen(hub, backend, request, encryption_keys=new_entry)  # the old key retired
    try:
        assert hub3.tenant(a).retest(c1.id, actor="alice").status is Status.CONNECTED
        # the settings' secrets still open under the new key alone
        assert hub3.tenant(a).alert_destinations().webhook_secret not in (None, "")
        assert handoff_setup(hub3.tenant(a)).destination["password"] == MASK
    finally:
        hub3.close()
    assert old_key != "k2"


def _key_entry(hub: Hub, backend: str, request: pytest.FixtureRequest) -> str:
    if backend == "postgres":
        return str(request.getfixturevalue("pg_db").keys)
    return Path(hub.keys.origin).read_text().strip().splitlines()[0]


def _reopen(hub: Hub, backend: str, request: pytest.FixtureRequest, **overrides: str) -> Hub:
    pg = request.getfixturevalue("pg_db") if backend == "postgres" else None
    return open_hub(backend, pg, **overrides)


# --------------------------------------------------------------------------- secrets never leak


def test_a_secret_never_appears_outside_its_ciphertext(
    hub: Hub, two: tuple[str, str], backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    a, _ = two
    svc = hub.tenant(a)
    secret = f"sk_test_{secrets.token_hex(12)}"
    conn = svc.connect("stripe", {"api_key": SecretStr(secret)}, actor="alice", name="Payments")
    assert conn.status is Status.CONNECTED
    svc.retest(conn.id, actor="alice")
    svc.preview(conn.id, "charges", limit=3, actor="alice")
    # a malformed secret: the failure is stored, and its text never carries the value
    bad = f"sk_nope_{secrets.token_hex(12)}"
    failed = svc.connect("stripe", {"api_key": bad}, actor="alice")
    errors: list[str] = []
    for attempt in (
        lambda: svc.connect("shopify", {"account": 5, "access_token": secret}, actor="a", mode="demo"),
        lambda: svc.connect("shopify", {"access_token": secret}, actor="a", mode="demo"),
    ):
        with pytest.raises(HubError) as err:
            attempt()
        errors.append(f"{err.value} {err.value!r} {err.value.hint}")

    texts = [
        repr(hub),
        repr(svc),
        repr(conn),
        repr(failed),
        str(conn.public()),
        str(failed.public()),
        *errors,
        caplog.text,
        *(repr(e) for e in svc.audit_log()),
    ]
    for value in (secret, bad):
        assert not any(value in t for t in texts)
    dump = _database_text(hub, backend)
    assert secret not in dump and bad not in dump
    assert conn.id in dump  # the dump really holds the rows


def _database_text(hub: Hub, backend: str) -> str:
    if backend == "sqlite":
        path = sqlite_path(hub)
        return "".join(p.read_bytes().decode("latin-1") for p in path.parent.glob(path.name + "*"))
    parts = []
    for table in ("tenants", "users", "tenant_airbyte_connections", "audit_logs", "api_keys"):
        rows = admin_exec(hub, f"SELECT t::text FROM {table} t")
        parts.extend(r[0] for r in rows)
    return "\n".join(parts)


# --------------------------------------------------------------------------- users and API keys


def test_users_sign_in_and_api_keys(hub: Hub, two: tuple[str, str]) -> None:
    a, b = two
    name = unique_slug("u")
    pw = f"pw-{secrets.token_hex(6)}"
    user = hub.create_user(name, tenant=a, name="Una", password=SecretStr(pw))
    with pytest.raises(InputError):
        hub.create_user(name, tenant=b, name="Dup", password="whatever")
    assert [u.username for u in hub.list_users(a)] == [name] and hub.list_users(b) == []
    signed = hub.authenticate(name, pw)
    assert signed is not None and signed[0].id == user.id and signed[1].slug == a
    assert hub.authenticate(name, "wrong") is None and hub.authenticate("nobody-" + name, pw) is None
    log = hub.tenant(a).audit_log()
    assert [e.action for e in log if e.actor == name] == ["auth.sign_in", "auth.sign_in_failed"]
    assert all(pw not in str(e.detail) for e in log)
    hub.remove_user(name)
    assert hub.authenticate(name, pw) is None
    with pytest.raises(NotFound):
        hub.remove_user(name)

    key, plain = hub.create_api_key(a, name="ci")
    assert plain.get_secret_value() not in repr(key)
    found = hub.resolve_api_key(plain)
    assert found is not None and found[0].id == key.id and found[1].slug == a
    assert [k.id for k in hub.list_api_keys(a)] == [key.id] and hub.list_api_keys(b) == []
    with pytest.raises(NotFound):
        hub.revoke_api_key(b, key.id)  # another tenant's key reads as not found
    assert hub.revoke_api_key(a, key.id).revoked_at is not None
    assert hub.resolve_api_key(plain) is None and hub.resolve_api_key("hub_nonsense") is None
    stored = admin_exec(hub, "SELECT key_hash FROM api_keys WHERE id = :i", {"i": key.id})[0][0]
    assert plain.get_secret_value() not in stored and len(stored) == 64
    assert [e.action for e in hub.tenant(a).audit_log() if e.action.startswith("apikey")] == [
        "apikey.create",
        "apikey.revoke",
    ]
    assert hub.tenant(a).verify_audit().ok


# --------------------------------------------------------------------------- concurrency


def test_eight_threads_times_one_hundred_connects(hub: Hub) -> None:
    slug = unique_slug("c")
    hub.create_tenant(slug, name="Busy", business_type="saas")
    svc = hub.tenant(slug)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(100):
                c = svc.connect("csv", {}, actor="load", sample_limit=1)
                assert c.status is Status.CONNECTED
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(svc.list_connections()) == 800
    result = svc.verify_audit()
    assert result.ok and result.rows == 1 + 800 * 3, result
    seqs = [e.seq for e in svc.audit_log()]
    assert seqs == list(range(1, 2402))


# --------------------------------------------------------------------------- tampering with stored rows


@pytest.mark.parametrize("tamper", ["edit", "delete_middle", "delete_newest", "reorder"])
def test_tampering_with_stored_audit_rows_is_detected(hub: Hub, tamper: str) -> None:
    slug = unique_slug("t")
    hub.create_tenant(slug, name="T", business_type="saas")
    svc = hub.tenant(slug)
    svc.connect("csv", {}, actor="alice")  # rows 2-4
    svc.record("api.request", actor="api", detail={"path": "/x"})  # row 5
    assert svc.verify_audit().ok
    tid = svc.tenant.id
    where = "tenant_id = :t AND seq = :s"
    if tamper == "edit":
        admin_exec(hub, f"UPDATE audit_logs SET actor = 'mallory' WHERE {where}", {"t": tid, "s": 3})
        expected = 3
    elif tamper == "delete_middle":
        admin_exec(hub, f"DELETE FROM audit_logs WHERE {where}", {"t": tid, "s": 2})
        expected = 2
    elif tamper == "delete_newest":
        admin_exec(hub, f"DELETE FROM audit_logs WHERE {where}", {"t": tid, "s": 5})
        expected = 5
    else:
        admin_exec(hub, f"UPDATE audit_logs SET seq = 100 WHERE {where}", {"t": tid, "s": 2})
        admin_exec(hub, f"UPDATE audit_logs SET seq = 2 WHERE {where}", {"t": tid, "s": 3})
        admin_exec(hub, f"UPDATE audit_logs SET seq = 3 WHERE {where}", {"t": tid, "s": 100})
        expected = 2
    result = svc.verify_audit()
    assert not result.ok and result.first_broken_seq == expected, result
