"""``python -m hub`` tenants/connect/connections/streams/preview/retest/disconnect/audit/keys.

Most commands run in-process through `hub.cli.main` (the same parser and handlers, in a fresh HUB_HOME);
`test_the_module_entry_point` runs the real ``python -m hub`` subprocesses for exit codes and streams.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from hub.catalogue import Catalogue
from hub.cli import main

REPO = Path(__file__).resolve().parents[2]
GOOD_STRIPE = "sk_test_" + "Z9y8X7w6V5u4T3s2R1q0P9o8"
CATALOGUE = Catalogue.load()


def subprocess_hub(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "hub", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=120
    )


_capsys: pytest.CaptureFixture[str] | None = None


@pytest.fixture(autouse=True)
def _capture(capsys: pytest.CaptureFixture[str]) -> None:
    global _capsys
    _capsys = capsys


def hub(*args: str) -> subprocess.CompletedProcess[str]:
    """Run one command in-process; the result looks like a finished subprocess."""
    assert _capsys is not None
    _capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = _capsys.readouterr()
    return subprocess.CompletedProcess(list(args), code, out, err)


def ok(*args: str) -> str:
    out = hub(*args)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture
def acme() -> str:
    ok("tenants", "add", "acme", "--name", "Acme Outfitters", "--business-type", "ecommerce")
    return "acme"


def test_tenants_add_and_list(acme: str) -> None:
    tenants = json.loads(ok("tenants", "list", "--json"))
    assert [(t["slug"], t["name"], t["business_type"]) for t in tenants] == [
        ("acme", "Acme Outfitters", "ecommerce")
    ]
    dup = hub("tenants", "add", "acme", "--name", "Again", "--business-type", "ecommerce")
    assert dup.returncode == 1 and dup.stderr.startswith("error: ") and "already exists" in dup.stderr
    assert "acme" in ok("tenants", "list")


def test_connect_list_streams_preview_retest_disconnect(acme: str, tmp_path: Path) -> None:
    conn_id = ok("connect", "--tenant", acme, "shopify", "--demo").strip()
    assert len(conn_id) == 36

    listed = json.loads(ok("connections", "--tenant", acme, "--json"))
    assert [c["id"] for c in listed] == [conn_id]
    assert set(listed[0]) == {
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
    assert listed[0]["status"] == "connected" and listed[0]["mode"] == "demo"

    streams = json.loads(ok("streams", "--tenant", acme, conn_id, "--json"))
    assert [s["name"] for s in streams][:2] == ["customers", "orders"]
    assert set(streams[0]) == {"name", "json_schema", "primary_key", "cursor_field", "estimated_rows"}

    rows = list(
        csv.reader(
            io.StringIO(ok("preview", "--tenant", acme, conn_id, "orders", "--limit", "4", "--format", "csv"))
        )
    )
    assert len(rows) == 5 and "total_price" in rows[0]
    records = json.loads(
        ok("preview", "--tenant", acme, conn_id, "orders", "--limit", "2", "--format", "json")
    )
    assert len(records) == 2 and isinstance(records[0], dict)

    assert "connected" in ok("retest", "--tenant", acme, conn_id)
    assert "Disconnected" in ok("disconnect", "--tenant", acme, conn_id)
    after = json.loads(ok("connections", "--tenant", acme, "--json"))
    assert after[0]["status"] == "disconnected"

    audit = json.loads(ok("audit", "--tenant", acme, "--json"))
    actions = [r["action"] for r in audit]
    assert (
        actions[0] == "tenant.create"
        and "connection.preview" in actions
        and actions[-1] == "connection.disconnect"
    )
    assert [r["seq"] for r in audit] == list(range(1, len(audit) + 1))
    assert "verifies" in ok("audit", "--tenant", acme, "--verify")


def test_failed_check_prints_the_connection_and_exits_1(acme: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"api_key": "sk_nope_123"}))
    out = hub("connect", "--tenant", acme, "stripe", "--config", str(bad), "--json")
    assert out.returncode == 1
    conn = json.loads(out.stdout)
    assert conn["status"] == "failed" and "Stripe secret key" in conn["status_detail"]
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("error: ")
    assert "sk_nope_123" not in out.stdout + out.stderr

    good = tmp_path / "good.json"
    good.write_text(json.dumps({"api_key": GOOD_STRIPE}))
    fine = json.loads(
        ok("connect", "--tenant", acme, "stripe", "--config", str(good), "--name", "Pay", "--json")
    )
    assert fine["name"] == "Pay" and fine["status"] == "connected" and fine["mode"] == "demo"

    missing = tmp_path / "missing.json"
    missing.write_text("{}")
    out = hub("connect", "--tenant", acme, "stripe", "--config", str(missing))
    assert out.returncode == 1 and "api_key" in out.stderr
    assert (
        len(json.loads(ok("connections", "--tenant", acme, "--json"))) == 2
    )  # nothing stored for the bad one


@pytest.mark.parametrize("source", CATALOGUE.sources, ids=lambda s: s.id)
def test_connect_demo_needs_no_credentials_for_any_source(acme: str, source) -> None:
    conn = json.loads(ok("connect", "--tenant", acme, source.id, "--demo", "--json"))
    assert conn["status"] == "connected", conn["status_detail"]
    assert conn["mode"] == "demo" and conn["metadata"]["config"]["sample"] is True
    assert conn["metadata"]["check"]["message"].startswith("Demo:")
    stream = source.streams[0]
    records = json.loads(
        ok("preview", "--tenant", acme, conn["id"], stream, "--limit", "3", "--format", "json")
    )
    assert 1 <= len(records) <= 3
    assert json.loads(ok("retest", "--tenant", acme, conn["id"], "--json"))["status"] == "connected"


def test_sample_data_only_when_demo_is_asked_for_and_no_key_is_typed(acme: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    out = hub("connect", "--tenant", acme, "stripe", "--config", str(empty))
    assert out.returncode == 1 and "api_key" in out.stderr
    forced = hub("connect", "--tenant", acme, "stripe", "--config", str(empty), "--mode", "demo", "--json")
    assert forced.returncode == 0 and json.loads(forced.stdout)["metadata"]["config"] == {"sample": True}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"api_key": "pk_live_" + "x" * 24}))
    typed = hub("connect", "--tenant", acme, "stripe", "--config", str(bad), "--mode", "demo", "--json")
    assert typed.returncode == 1 and json.loads(typed.stdout)["status"] == "failed"  # a typed key is checked
    assert [c["status"] for c in json.loads(ok("connections", "--tenant", acme, "--json"))] == [
        "failed",
        "connected",
    ]


def test_demo_forms_need_no_storage_and_usage_errors_exit_2(tmp_path: Path, hub_home: Path) -> None:
    streams = json.loads(ok("streams", "--demo", "stripe", "--json"))
    assert streams[0]["name"] == "customers"
    first = ok("preview", "--demo", "stripe", "charges", "--limit", "3", "--format", "json")
    assert json.loads(first) == json.loads(
        ok("preview", "--demo", "stripe", "charges", "--limit", "3", "--format", "json")
    )
    assert "3 records of stripe/charges (demo)" in ok(
        "preview", "--demo", "stripe", "charges", "--limit", "3"
    )
    assert not (hub_home / "hub.db").exists()
    for args in (
        ["streams", "stripe"],
        ["streams", "--demo", "--tenant", "acme", "stripe"],
        ["preview", "stripe", "charges"],
    ):
        out = hub(*args)
        assert out.returncode == 2 and "exactly one of --demo" in out.stderr


def test_the_module_entry_point(tmp_path: Path) -> None:
    assert (
        subprocess_hub("tenants", "add", "acme", "--name", "Acme", "--business-type", "ecommerce").returncode
        == 0
    )
    made = subprocess_hub("connect", "--tenant", "acme", "shopify", "--demo")
    assert made.returncode == 0 and len(made.stdout.strip()) == 36
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"api_key": "sk_nope_123"}))
    failed = subprocess_hub("connect", "--tenant", "acme", "stripe", "--config", str(bad), "--json")
    assert failed.returncode == 1 and json.loads(failed.stdout)["status"] == "failed"
    assert failed.stderr.startswith("error: ") and failed.stderr.count("\n") == 1
    usage = subprocess_hub("preview", "--demo", "--tenant", "acme", "shopify", "orders")
    assert usage.returncode == 2 and "exactly one of --demo" in usage.stderr


def test_unknown_ids_and_other_tenants_ids_are_not_found(acme: str) -> None:
    ok("tenants", "add", "globex", "--name", "Globex Cloud", "--business-type", "saas")
    conn_id = ok("connect", "--tenant", acme, "csv", "--demo").strip()
    for args in (
        ["connections", "--tenant", "nope"],
        ["retest", "--tenant", "globex", conn_id],
        ["disconnect", "--tenant", "globex", conn_id],
        ["streams", "--tenant", "globex", conn_id],
        ["preview", "--tenant", "globex", conn_id, "orders_export"],
        ["retest", "--tenant", acme, "not-an-id"],
    ):
        out = hub(*args)
        assert out.returncode == 1 and "not found" in out.stderr, args
    assert json.loads(ok("connections", "--tenant", acme, "--json"))[0]["status"] == "connected"


def test_audit_verify_names_the_first_broken_row_after_tampering(acme: str, hub_home: Path) -> None:
    ok("connect", "--tenant", acme, "csv", "--demo")
    con = sqlite3.connect(hub_home / "hub.db")
    con.execute("UPDATE audit_logs SET actor = 'mallory' WHERE seq = 3")
    con.commit()
    con.close()
    out = hub("audit", "--tenant", acme, "--verify")
    assert out.returncode == 1 and "row 3" in out.stderr and "altered" in out.stderr


def test_keys_generate_and_rotate(acme: str, hub_home: Path) -> None:
    entry = ok("keys", "generate", "--id", "k2").strip()
    assert entry.startswith("k2:") and len(entry) == 3 + 44
    ok("connect", "--tenant", acme, "csv", "--demo")
    key_file = hub_home / "master.key"
    key_file.write_text(entry + "\n" + key_file.read_text())
    counts = json.loads(ok("keys", "rotate", "--json"))
    assert counts == {"rotated": 1, "already_current": 0, "failed": 0, "key_id": "k2"}
    assert "0 rotated, 1 already current" in ok("keys", "rotate")
