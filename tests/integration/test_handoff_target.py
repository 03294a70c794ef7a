"""The tenant's hand-off (hub/handoff/target.py): the setup stored encrypted and shown masked, many
connections handed off at once (one failing does not stop the others), the jobs read back from Airbyte,
and disconnect deleting or keeping the Airbyte objects. Against the stateful fake, and Prism for shapes."""

from __future__ import annotations

import json
import uuid

import pytest

from hub import Hub
from hub.exceptions import InputError
from hub.handoff.client import AirbyteNotConfigured, ClientOptions, airbyte_client
from hub.handoff.mapping import hub_may_refresh
from hub.handoff.ops import AirbyteOps, Schedule
from hub.handoff.target import (
    MASK,
    hand_off_many,
    handoff_jobs,
    handoff_setup,
    set_handoff_setup,
    validate_destination,
)
from hub.settings import Settings
from tests.airbyte_api_support import PrismServer, TokenServer
from tests.airbyte_fake import FakeAirbyte
from tests.integration.handoff_support import WAREHOUSE, WAREHOUSE_PW, plaintext_in_home
from tests.integration.sql_fixtures import shop_postgres


def _live(acme, postgres, name: str = "Shop DB"):
    return acme.connect("postgres", shop_postgres(postgres).config(), actor="alice", mode="live", name=name)


def test_setup_is_stored_encrypted_and_shown_masked(handoff_hub: Hub, hub_home):
    acme = handoff_hub.tenant("acme")
    assert not handoff_setup(acme).has_destination and handoff_setup(acme).configured
    view = set_handoff_setup(acme, destination_config=WAREHOUSE, actor="alice", workspace_id="ws-1")
    assert view.destination["password"] == MASK and view.destination["host"] == "wh.example.com"
    assert view.destination["schema"] == "analytics" and view.workspace_id == "ws-1"
    assert WAREHOUSE_PW not in view.model_dump_json() and WAREHOUSE_PW not in repr(view)
    audit = [e for e in acme.audit_log() if e.action == "handoff.setup"]
    assert len(audit) == 1
    assert WAREHOUSE_PW not in json.dumps([e.model_dump(mode="json") for e in acme.audit_log()])
    assert plaintext_in_home(hub_home, WAREHOUSE_PW) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [({"host": None}, "host"), ({"port": "abc"}, "port"), ({"port": 70000}, "port"),
     ({"colour": "blue"}, "colour"), ({"ssl_mode": "maybe"}, "ssl_mode")],
)
def test_a_bad_destination_names_the_field_and_keeps_the_stored_one(handoff_hub: Hub, change, field):
    acme = handoff_hub.tenant("acme")
    set_handoff_setup(acme, destination_config=WAREHOUSE, actor="alice")
    bad = {k: v for k, v in {**WAREHOUSE, **change}.items() if v is not None}
    with pytest.raises(InputError, match=f"'{field}'") as caught:
        set_handoff_setup(acme, destination_config=bad, actor="alice")
    assert WAREHOUSE_PW not in str(caught.value)
    assert handoff_setup(acme).destination["schema"] == "analytics"  # nothing lost


def test_the_password_is_required_once_then_kept_when_left_out(handoff_hub: Hub, postgres, fake_airbyte):
    acme = handoff_hub.tenant("acme")
    without = {k: v for k, v in WAREHOUSE.items() if k != "password"}
    with pytest.raises(InputError, match="'password' is missing"):
        set_handoff_setup(acme, destination_config=without, actor="alice")
    with pytest.raises(InputError, match="'password' is invalid: must not be empty"):
        set_handoff_setup(acme, destination_config={**without, "password": ""}, actor="alice")
    set_handoff_setup(acme, destination_config=WAREHOUSE, actor="alice")
    set_handoff_setup(acme, destination_config={**without, "password": "", "username": "l2"}, actor="alice")
    hand_off_many(acme, [_live(acme, postgres).id], actor="alice")
    (dest,) = fake_airbyte.store["destinations"].values()
    assert (dest["configuration"]["username"], dest["configuration"]["password"]) == ("l2", WAREHOUSE_PW)


def test_hand_off_many_goes_on_past_a_refused_connection(
    handoff_hub: Hub, postgres, fake_airbyte: FakeAirbyte, hub_home
):
    acme = handoff_hub.tenant("acme")
    live = _live(acme, postgres)
    demo = acme.connect("shopify", {}, actor="alice", mode="demo")
    set_handoff_setup(acme, destination_config=WAREHOUSE, actor="alice")
    out = hand_off_many(acme, [demo.id, live.id], actor="alice", streams={live.id: ["orders"]},
                        schedule=Schedule("cron", "0 0 * * * ?"))
    by_id = {o.connection_id: o for o in out}
    assert not by_id[demo.id].ok and "demo connection" in (by_id[demo.id].error or "")
    ok = by_id[live.id]
    assert ok.ok and ok.source_id and ok.airbyte_connection_id and ok.job_status == "pending"
    stored = handoff_setup(acme)
    assert stored.destination_id in fake_airbyte.store["destinations"] and stored.workspace_id
    sent = fake_airbyte.store["destinations"][stored.destination_id]["configuration"]
    assert sent["password"] == WAREHOUSE_PW and sent["schema"] == "analytics"  # only Airbyte sees it
    conn = fake_airbyte.store["connections"][ok.airbyte_connection_id]
    assert [s["name"] for s in conn["configurations"]["streams"]] == ["orders"]
    assert conn["schedule"]["scheduleType"] == "cron"
    created = fake_airbyte.created()
    hand_off_many(acme, [live.id], actor="alice", streams={live.id: ["orders"]})
    assert fake_airbyte.created() == created  # the re-run (destination included) creates nothing
    assert not hub_may_refresh(acme.get_connection(live.id))
    dump = json.dumps([e.model_dump(mode="json") for e in acme.audit_log()])
    assert WAREHOUSE_PW not in dump and plaintext_in_home(hub_home, WAREHOUSE_PW) == []


def test_a_changed_destination_is_sent_to_the_remembered_one(handoff_hub: Hub, postgres, fake_airbyte):
    acme = handoff_hub.tenant("acme")
    live = _live(acme, postgres)
    set_handoff_setup(acme, destination_config=WAREHOUSE, actor="alice")
    hand_off_many(acme, [live.id], actor="alice")
    set_handoff_setup(acme, destination_config={**WAREHOUSE, "schema": "raw"}, actor="alice")
    hand_off_many(acme, [live.id], actor="alice")
    (dest,) = fake_airbyte.store["destinations"].values()
    assert dest["configuration"]["schema"] == "raw"


def test_a_refused_destination_stops_before_any_connection(handoff_hub: Hub, postgres, fake_airbyte):
    acme = handoff_hub.tenant("acme")
    live = _live(acme, postgres)
    set_handoff_setup(acme, destination_config=WAREHOUSE, actor="alice")
    fake_airbyte.fail[("POST", "/destinations")] = [422]
    with pytest.raises(Exception, match="refused the configuration"):
        hand_off_many(acme, [live.id], actor="alice")
    assert handoff_setup(acme).workspace_id  # the workspace made is remembered
    assert fake_airbyte.store["sources"] == {}
    hand_off_many(acme, [live.id], actor="alice")
    assert len(fake_airbyte.store["workspaces"]) == 1 and len(fake_airbyte.store["destinations"]) == 1


def test_no_destination_and_no_settings_are_clear_errors(handoff_hub: Hub, hub_home):
    acme = handoff_hub.tenant("acme")
    with pytest.raises(InputError, match="No destination is set up"):
        hand_off_many(acme, None, actor="alice")
    bare = Hub.open(Settings(home=hub_home))
    try:
        with pytest.raises(AirbyteNotConfigured, match="HUB_AIRBYTE_API_URL"):
            hand_off_many(bare.tenant("acme"), None, actor="alice")
        assert not handoff_setup(bare.tenant("acme")).configured
    finally:
        bare.close()


def test_jobs_are_read_from_airbyte_and_stored(handoff_hub: Hub, postgres, fake_airbyte):
    acme = handoff_hub.tenant("acme")
    live = _live(acme, postgres)
    set_handoff_setup(acme, destination_config=WAREHOUSE, actor="alice")
    (out,) = hand_off_many(acme, [live.id], actor="alice")
    assert [j.job_status for j in handoff_jobs(acme, actor="alice")] == ["pending"]
    moves = (("running", "running"), ("succeeded", "succeeded"), ("cancelled", "failed"))
    for airbyte_status, shown in moves:
        fake_airbyte.store["jobs"][str(out.job_id)]["status"] = airbyte_status
        (job,) = handoff_jobs(acme, actor="alice")
        assert (job.job_id, job.job_status, job.airbyte_connection_id) == (
            out.job_id, shown, out.airbyte_connection_id)
        assert acme.get_connection(live.id).metadata["airbyte"]["job_status"] == shown
    fake_airbyte.fail[("GET", "/jobs")] = [403]
    (job,) = handoff_jobs(acme, actor="alice")
    assert job.job_status == "failed" and job.error and "workspace" in job.error  # stored status kept


@pytest.mark.parametrize("keep", [False, True])
def test_disconnect_deletes_or_keeps_the_airbyte_objects(handoff_hub: Hub, postgres, fake_airbyte, keep):
    acme = handoff_hub.tenant("acme")
    live = _live(acme, postgres)
    set_handoff_setup(acme, destination_config=WAREHOUSE, actor="alice")
    (out,) = hand_off_many(acme, [live.id], actor="alice")
    gone = acme.disconnect(live.id, actor="alice", keep_airbyte=keep)
    assert gone.status.value == "disconnected" and not hub_may_refresh(gone)
    assert (out.source_id in fake_airbyte.store["sources"]) is keep
    assert (out.airbyte_connection_id in fake_airbyte.store["connections"]) is keep
    assert handoff_jobs(acme, actor="alice") == []


def test_disconnect_that_airbyte_refuses_leaves_the_connection_connected(handoff_hub: Hub, postgres,
                                                                        fake_airbyte):
    acme = handoff_hub.tenant("acme")
    live = _live(acme, postgres)
    set_handoff_setup(acme, destination_config=WAREHOUSE, actor="alice")
    (out,) = hand_off_many(acme, [live.id], actor="alice")
    fake_airbyte.fail[("DELETE", "/sources")] = [403]
    with pytest.raises(Exception, match="still connected") as caught:
        acme.disconnect(live.id, actor="alice")
    assert "--keep-airbyte" in str(caught.value) and "keep_airbyte=true" in str(caught.value)
    assert acme.get_connection(live.id).status.value == "connected"
    assert out.airbyte_connection_id not in fake_airbyte.store["connections"]  # that part is done
    fake_airbyte.fail.clear()
    acme.disconnect(live.id, actor="alice")
    assert fake_airbyte.store["sources"] == {}


def test_the_new_calls_pass_airbytes_contract_on_prism(prism: PrismServer):
    """Prism validates each request against the spec (the warehouse configuration as `set_handoff_setup`
    makes it, the jobs list, the deletions). It keeps no state and its ids are not UUIDs, so each call gets
    fixed UUIDs (as in test_handoff_ops); its answers are random, so only shapes are checked."""
    token = TokenServer(client_id=f"hub-{uuid.uuid4().hex[:8]}").start()
    try:
        settings = Settings(airbyte_api_url=prism.url, airbyte_client_id=token.client_id,
                            airbyte_client_secret=token.client_secret)
        ops = AirbyteOps(airbyte_client(settings, token_url=token.url, options=ClientOptions(timeout_s=10)))
        ws, dst, conn, src = (str(uuid.UUID(int=i)) for i in (11, 12, 13, 14))
        config = validate_destination(WAREHOUSE)
        made, created = ops.ensure_destination(ws, None, "Warehouse", config)
        assert isinstance(made, str) and created
        ops.update_destination(dst, "Warehouse", validate_destination({**WAREHOUSE, "ssl_mode": "require"}))
        latest = ops.latest_job(conn)
        assert latest is None or latest[1] in {"pending", "running", "succeeded", "failed"}
        assert ops.delete_connection(conn) and ops.delete_source(src)
    finally:
        token.stop()


def test_disconnect_without_the_settings_says_how_to_keep(handoff_hub: Hub, postgres, hub_home):
    acme = handoff_hub.tenant("acme")
    live = _live(acme, postgres)
    set_handoff_setup(acme, destination_config=WAREHOUSE, actor="alice")
    hand_off_many(acme, [live.id], actor="alice")
    bare = Hub.open(Settings(home=hub_home))
    try:
        with pytest.raises(AirbyteNotConfigured, match="cannot be deleted") as caught:
            bare.tenant("acme").disconnect(live.id, actor="alice")
        assert "--keep-airbyte" in caught.value.hint
        assert bare.tenant("acme").get_connection(live.id).status.value == "connected"
        gone = bare.tenant("acme").disconnect(live.id, actor="alice", keep_airbyte=True)
        assert gone.status.value == "disconnected" and not hub_may_refresh(gone)
    finally:
        bare.close()
