"""One path for connect and reconnect, and a config's secrets wrapped (per the spec) the moment it arrives.

`SpyConnector` stands in for the live PostgreSQL connector through the connector registry: it keeps the
config it is given and, like a careless connector, puts the whole config into its failure messages and
exceptions. Whatever it then leaks shows whether the service wrapped the secrets before handing it on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import SecretStr

from hub import Connection, Hub, Settings, Status, StepEvent, Tenant
from hub.connectors import LIVE_CONNECTORS, public_config, secret_fields, wrap_secrets
from hub.connectors.base import Config, Connector
from hub.exceptions import ConfigError, ConnectorError, TransitionError
from hub.models import CheckResult, StreamInfo

PASSWORD = "hunter2-" + "Zq8vW3xK"
TUNNEL_KEY = "-----BEGIN KEY-----" + "c2VjcmV0LWtleQ"
GOOD_STRIPE = "sk_test_" + "a1B2c3D4e5F6g7H8i9J0k1L2"
BAD_STRIPE = "pk_test_" + "a1B2c3D4e5F6g7H8i9J0k1L2"


class SpyConnector(Connector):
    """A live connector whose spec marks ``password`` and ``tunnel.private_key`` secret.

    ``host`` picks the outcome: ``ok``, ``refused`` (a failed check whose message quotes the config),
    ``raises`` (a `ConnectorError` quoting it) or ``crashes`` (an unexpected exception quoting it).
    """

    seen: ClassVar[list[Config]] = []

    def __init__(self, source: Any, *, settings: Settings | None = None) -> None:
        super().__init__(source)

    def spec(self) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["host"],
            "additionalProperties": False,
            "properties": {
                "host": {"type": "string", "minLength": 1},
                "user": {"type": "string"},
                "password": {"type": "string", "airbyte_secret": True},
                "tunnel": {
                    "type": "object",
                    "properties": {
                        "user": {"type": "string"},
                        "private_key": {"type": "string", "airbyte_secret": True},
                    },
                },
            },
        }

    def check(self, config: Config) -> CheckResult:
        self.seen.append(config)
        host = config["host"]
        if host == "refused":
            return CheckResult(ok=False, message=f"Refused with {config}.", hint="Check it.")
        if host == "raises":
            raise ConnectorError(f"Could not use {config}.")
        if host == "crashes":
            raise RuntimeError(f"crashed on {config!r}")
        return CheckResult(ok=True, message="Access confirmed.")

    def discover(self, config: Config) -> list[StreamInfo]:
        self.seen.append(config)
        return [StreamInfo(name="things", json_schema={"type": "object"}, estimated_rows=2)]

    def read(self, config: Config, stream: str, *, limit: int) -> Iterator[dict[str, Any]]:
        self.seen.append(config)
        yield from ({"id": i} for i in range(min(limit, 2)))


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    monkeypatch.setitem(LIVE_CONNECTORS, "postgres", f"{__name__}:SpyConnector")
    SpyConnector.seen.clear()
    h = Hub.open(Settings.from_env())
    h.create_tenant("acme", name="Acme", business_type="ecommerce")
    yield h
    h.close()


def spy_config(host: str) -> dict[str, Any]:
    """A plain dict, as a face would pass it."""
    tunnel = {"user": "t", "private_key": TUNNEL_KEY}
    return {"host": host, "user": "reader", "password": PASSWORD, "tunnel": tunnel}


def everything_shown(hub: Hub, conn: Connection, steps: list[StepEvent], logs: str) -> str:
    """All that faces, the audit log and the log file get to see of a connection."""
    audit = [e.model_dump(mode="json") for e in hub.tenant("acme").audit_log()]
    shown = [conn.model_dump(mode="json"), audit, [s.model_dump() for s in steps]]
    return json.dumps(shown) + logs


def assert_secrets_absent(text: str) -> None:
    assert PASSWORD not in text and TUNNEL_KEY not in text and "c2VjcmV0LWtleQ" not in text


def bytes_at_rest(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file())


# --------------------------------------------------------------------------- the one place that decides


def test_wrap_secrets_wraps_exactly_the_spec_secret_paths_and_public_config_drops_them() -> None:
    spec = SpyConnector(None).spec()
    config = spy_config("db")
    assert secret_fields(spec) == ["password", "tunnel.private_key"]
    wrapped = wrap_secrets(spec, config)
    assert isinstance(wrapped["password"], SecretStr)
    assert isinstance(wrapped["tunnel"]["private_key"], SecretStr)
    assert wrapped["password"].get_secret_value() == PASSWORD
    assert (wrapped["host"], wrapped["user"], wrapped["tunnel"]["user"]) == ("db", "reader", "t")
    assert config["password"] == PASSWORD  # the caller's dict is left as it was
    assert_secrets_absent(repr(wrapped))
    assert wrap_secrets(spec, wrapped) == wrapped  # wrapping twice changes nothing
    assert public_config(spec, config) == {"host": "db", "user": "reader", "tunnel": {"user": "t"}}
    assert public_config(spec, wrapped) == public_config(spec, config)


def test_everything_inside_a_secret_object_is_secret() -> None:
    spec = {"properties": {"credentials": {"type": "object", "airbyte_secret": True}}}
    wrapped = wrap_secrets(spec, {"credentials": {"client_secret": "abc", "nested": {"x": "y"}, "n": 3}})
    assert isinstance(wrapped["credentials"]["client_secret"], SecretStr)
    assert isinstance(wrapped["credentials"]["nested"]["x"], SecretStr)
    assert wrapped["credentials"]["n"] == 3
    assert public_config(spec, {"credentials": {"client_secret": "abc"}, "region": "eu"}) == {"region": "eu"}


# --------------------------------------------------------------------------- wrapped until the connector


@pytest.mark.parametrize("host", ["ok", "refused", "raises", "crashes"])
def test_a_plain_dict_reaches_the_connector_wrapped_and_its_secrets_show_nowhere(
    hub: Hub, hub_home: Path, host: str, caplog: pytest.LogCaptureFixture
) -> None:
    steps: list[StepEvent] = []
    caplog.set_level(logging.DEBUG)
    acme = hub.tenant("acme")
    conn = acme.connect("postgres", spy_config(host), actor="alice", mode="live", on_step=steps.append)
    assert conn.status is (Status.CONNECTED if host == "ok" else Status.FAILED)
    assert SpyConnector.seen, "the connector was called"
    for given in SpyConnector.seen:
        assert isinstance(given["password"], SecretStr)
        assert isinstance(given["tunnel"]["private_key"], SecretStr)
        assert given["password"].get_secret_value() == PASSWORD  # the connector can still use it
    assert conn.metadata["config"] == {"host": host, "user": "reader", "tunnel": {"user": "t"}}
    assert_secrets_absent(everything_shown(hub, conn, steps, caplog.text))
    assert PASSWORD.encode() not in bytes_at_rest(hub_home)


def test_retest_and_preview_hand_the_stored_config_to_the_connector_wrapped(hub: Hub) -> None:
    acme = hub.tenant("acme")
    conn = acme.connect("postgres", spy_config("ok"), actor="alice", mode="live")
    SpyConnector.seen.clear()
    assert acme.retest(conn.id, actor="alice").status is Status.CONNECTED
    assert acme.preview(conn.id, "things", limit=5, actor="alice").records == [{"id": 0}, {"id": 1}]
    assert acme.streams(conn.id)[0].name == "things"
    assert len(SpyConnector.seen) >= 5
    assert all(isinstance(c["password"], SecretStr) for c in SpyConnector.seen)
    assert all(c["password"].get_secret_value() == PASSWORD for c in SpyConnector.seen)


def test_a_demo_api_key_passed_plainly_never_shows(
    hub: Hub, hub_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    steps: list[StepEvent] = []
    acme = hub.tenant("acme")
    bad = acme.connect("stripe", {"api_key": BAD_STRIPE}, actor="alice", mode="demo", on_step=steps.append)
    good = acme.connect("stripe", {"api_key": GOOD_STRIPE}, actor="alice", mode="demo", on_step=steps.append)
    assert bad.status is Status.FAILED and good.status is Status.CONNECTED
    text = everything_shown(hub, bad, steps, caplog.text) + json.dumps(good.model_dump(mode="json"))
    assert BAD_STRIPE not in text and GOOD_STRIPE not in text
    assert GOOD_STRIPE.encode() not in bytes_at_rest(hub_home)


# --------------------------------------------------------------------------- connect and reconnect: one path


def comparable(conn: Connection) -> dict[str, Any]:
    """What a connect stores, without what differs between any two rows (ids, times, latency)."""
    meta = dict(conn.metadata)
    meta["check"] = {k: v for k, v in meta.get("check", {}).items() if k != "latency_ms"}
    return {"status": conn.status, "status_detail": conn.status_detail, "metadata": meta}


def test_reconnect_stores_what_connect_stores_for_the_same_config(hub: Hub) -> None:
    acme = hub.tenant("acme")
    failed = acme.connect("postgres", spy_config("refused"), actor="alice", mode="live")
    assert failed.status is Status.FAILED
    again = acme.reconnect(failed.id, spy_config("refused"), actor="alice")
    assert comparable(again) == comparable(failed)
    fresh = acme.connect("postgres", spy_config("ok"), actor="alice", mode="live")
    fixed = acme.reconnect(failed.id, spy_config("ok"), actor="alice")
    assert fixed.status is Status.CONNECTED and comparable(fixed) == comparable(fresh)
    assert fixed.id == failed.id and fixed.name == failed.name


def test_reconnect_reports_each_step_as_connect_does(hub: Hub) -> None:
    acme = hub.tenant("acme")
    on_connect: list[StepEvent] = []
    on_reconnect: list[StepEvent] = []
    failed = acme.connect(
        "postgres", spy_config("raises"), actor="alice", mode="live", on_step=on_connect.append
    )
    acme.reconnect(failed.id, spy_config("raises"), actor="alice", on_step=on_reconnect.append)
    assert [(s.step, s.state) for s in on_reconnect] == [(s.step, s.state) for s in on_connect]
    # the same words, but for the one step that says "created" or "new credentials stored"
    stored = ("connecting", "done")
    assert [s.message for s in on_reconnect if (s.step, s.state) != stored] == [
        s.message for s in on_connect if (s.step, s.state) != stored
    ]


def test_reconnect_audits_the_same_transitions_as_connect(hub: Hub) -> None:
    acme = hub.tenant("acme")
    failed = acme.connect("postgres", spy_config("crashes"), actor="alice", mode="live")
    mine = [e for e in acme.audit_log() if e.target_id == failed.id]
    created = [(e.action, e.outcome, e.detail.get("to")) for e in mine]
    acme.reconnect(failed.id, spy_config("crashes"), actor="alice")
    rows = [e for e in acme.audit_log() if e.target_id == failed.id][len(created) :]
    assert [(e.action, e.outcome, e.detail.get("to")) for e in rows] == [
        ("connection.status", "ok", "connecting"),
        *created[1:],  # connect starts with connection.create; then the same transitions
    ]
    assert rows[0].detail["reconnect"] is True


def test_an_invalid_config_fails_reconnect_as_it_fails_connect_and_stores_nothing(hub: Hub) -> None:
    acme = hub.tenant("acme")
    failed = acme.connect("postgres", spy_config("refused"), actor="alice", mode="live")
    audit_rows = len(acme.audit_log())
    bad = {**spy_config("ok"), "port": 5432}  # a field the spec does not have
    with pytest.raises(ConfigError) as on_connect:
        acme.connect("postgres", bad, actor="alice", mode="live")
    with pytest.raises(ConfigError) as on_reconnect:
        acme.reconnect(failed.id, bad, actor="alice")
    assert on_reconnect.value.message == on_connect.value.message
    assert on_reconnect.value.field == on_connect.value.field == "port"
    assert acme.get_connection(failed.id) == failed
    assert len(acme.audit_log()) == audit_rows
    assert [c.id for c in acme.list_connections()] == [failed.id]


def test_only_a_failed_connection_takes_new_credentials(hub: Hub) -> None:
    acme = hub.tenant("acme")
    conn = acme.connect("postgres", spy_config("ok"), actor="alice", mode="live")
    SpyConnector.seen.clear()
    with pytest.raises(TransitionError):
        acme.reconnect(conn.id, spy_config("ok"), actor="alice")
    assert SpyConnector.seen == []  # refused before any work
    assert acme.get_connection(conn.id) == conn


# --------------------------------------------------------------------------- the tenant, resolved once


def test_account_use_cases_take_a_resolved_tenant(hub: Hub) -> None:
    acme: Tenant = hub.tenant("acme").tenant
    user = hub.create_user("carol", tenant=acme, name="Carol", password="pw12")
    assert [u.id for u in hub.list_users(acme)] == [u.id for u in hub.list_users("acme")] == [user.id]
    key, _plain = hub.create_api_key(acme, name="ci")
    assert [k.id for k in hub.list_api_keys(acme)] == [key.id]
    assert hub.revoke_api_key(acme, key.id).revoked_at is not None
    assert hub.tenant(acme).tenant is acme
