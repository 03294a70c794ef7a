"""``python -m hub handoff setup|show|jobs`` and the bare ``handoff --tenant T [IDs]`` (run), and
``disconnect --keep-airbyte``, against the stateful fake; the warehouse password never printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub import Hub
from hub.cli import main
from hub.settings import Settings
from tests.airbyte_fake import FakeAirbyte
from tests.integration.handoff_support import WAREHOUSE, WAREHOUSE_PW, plaintext_in_home
from tests.integration.sql_fixtures import shop_postgres


def _out(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    got = capsys.readouterr()
    return got.out, got.err


def test_cli_setup_run_jobs_and_disconnect(
    handoff_hub: Hub, postgres, fake_airbyte: FakeAirbyte, tmp_path: Path, capsys, hub_home
):
    acme = handoff_hub.tenant("acme")
    live = acme.connect("postgres", shop_postgres(postgres).config(), actor="alice", mode="live",
                        name="Shop DB")
    demo = acme.connect("shopify", {}, actor="alice", mode="demo")
    assert main(["handoff", "show", "--tenant", "acme"]) == 0
    assert "No hand-off destination is set up" in _out(capsys)[0]
    config = tmp_path / "warehouse.json"
    config.write_text(json.dumps({**WAREHOUSE, "port": "x"}))
    assert main(["handoff", "setup", "--tenant", "acme", "--destination-config", str(config)]) == 1
    out, err = _out(capsys)
    assert "'port'" in err and WAREHOUSE_PW not in out + err
    config.write_text(json.dumps(WAREHOUSE))
    assert main(["handoff", "setup", "--tenant", "acme", "--destination-config", str(config)]) == 0
    out, _ = _out(capsys)
    assert "wh.example.com" in out and "password: ••••••" in out and WAREHOUSE_PW not in out
    assert main(["handoff", "show", "--tenant", "acme", "--json"]) == 0
    shown = json.loads(_out(capsys)[0])
    assert shown["destination"]["password"] == "••••••" and shown["has_destination"]

    argv = ["handoff", "--tenant", "acme", live.id, demo.id, "--streams", f"{live.id}=orders,customers",
            "--schedule", "0 0 2 * * ?", "--json"]
    assert main(argv) == 1  # the demo connection is refused; the live one is handed off
    out, err = _out(capsys)
    rows = {r["connection_id"]: r for r in json.loads(out)}
    assert rows[live.id]["ok"] and rows[live.id]["job_status"] == "pending"
    assert not rows[demo.id]["ok"] and "demo connection" in err
    airbyte_conn = fake_airbyte.store["connections"][rows[live.id]["airbyte_connection_id"]]
    assert [s["name"] for s in airbyte_conn["configurations"]["streams"]] == ["orders", "customers"]
    assert airbyte_conn["schedule"] == {"scheduleType": "cron", "cronExpression": "0 0 2 * * ?"}

    assert main(["handoff", "--tenant", "acme", live.id]) == 0  # the table form; a re-run creates nothing
    out, _ = _out(capsys)
    assert "Shop DB" in out and rows[live.id]["source_id"] in out
    assert len(fake_airbyte.store["sources"]) == 1 and len(fake_airbyte.store["jobs"]) == 1

    fake_airbyte.store["jobs"][str(rows[live.id]["job_id"])]["status"] = "succeeded"
    assert main(["handoff", "jobs", "--tenant", "acme"]) == 0
    assert "succeeded" in _out(capsys)[0]
    assert main(["handoff", "jobs", "--tenant", "acme", "--json"]) == 0
    (job,) = json.loads(_out(capsys)[0])
    assert job["job_status"] == "succeeded" and job["source_id"] == rows[live.id]["source_id"]

    assert main(["disconnect", "--tenant", "acme", live.id, "--keep-airbyte"]) == 0
    assert rows[live.id]["source_id"] in fake_airbyte.store["sources"]  # kept in Airbyte
    assert plaintext_in_home(hub_home, WAREHOUSE_PW) == []


def test_cli_disconnect_deletes_the_airbyte_objects(handoff_hub: Hub, postgres, fake_airbyte, tmp_path):
    acme = handoff_hub.tenant("acme")
    live = acme.connect("postgres", shop_postgres(postgres).config(), actor="alice", mode="live")
    config = tmp_path / "w.json"
    config.write_text(json.dumps(WAREHOUSE))
    assert main(["handoff", "setup", "--tenant", "acme", "--destination-config", str(config),
                 "--workspace-id", "", "--destination-name", "Lake"]) == 0
    assert main(["handoff", "--tenant", "acme"]) == 0  # no ids: every connected connection
    assert len(fake_airbyte.store["sources"]) == 1
    (dest,) = fake_airbyte.store["destinations"].values()
    assert dest["name"] == "Lake"
    assert main(["disconnect", "--tenant", "acme", live.id]) == 0
    assert fake_airbyte.store["sources"] == {} and fake_airbyte.store["connections"] == {}


def test_cli_usage_and_missing_settings(hub_home, capsys, monkeypatch, tmp_path):
    for var in ("HUB_AIRBYTE_API_URL", "HUB_AIRBYTE_CLIENT_ID", "HUB_AIRBYTE_CLIENT_SECRET"):
        monkeypatch.delenv(var, raising=False)
    with Hub.open(Settings.from_env()) as hub:
        hub.create_tenant("acme", name="Acme", business_type="ecommerce")
    assert main(["handoff", "--tenant", "acme"]) == 1
    err = _out(capsys)[1]
    assert "HUB_AIRBYTE_API_URL" in err and "not set up" in err
    assert main(["handoff", "jobs", "--tenant", "acme"]) == 1
    assert "HUB_AIRBYTE_API_URL" in _out(capsys)[1]
    config = tmp_path / "w.json"
    config.write_text(json.dumps(WAREHOUSE))
    assert main(["handoff", "setup", "--tenant", "acme", "--destination-config", str(config)]) == 0
    assert "no Airbyte settings yet" in _out(capsys)[0]  # stored for later, and said so
    with pytest.raises(SystemExit) as usage:
        main(["handoff", "show", "--tenant", "acme", "--streams", "a"])
    assert usage.value.code == 2 and "does not take --streams" in _out(capsys)[1]
    with pytest.raises(SystemExit):
        main(["handoff", "setup", "--tenant", "acme"])
    assert "--destination-config FILE" in _out(capsys)[1]
    assert main(["handoff", "--tenant", "acme", "--schedule", "hourly"]) == 1
    assert "Quartz cron expression" in _out(capsys)[1]
