"""File sources with the real `airbyte-source-file`: uploads stored per tenant, connected, previewed, deleted.

The connector comes from the cache `make test` fills (tests/airbyte_support.py).
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from hub import Hub, Settings
from hub.connectors.airbyte import procs
from hub.exceptions import ConfigError, FileTooLarge, InputError
from hub.models import Mode, Status
from hub.services.tenant import TenantService
from tests.airbyte_support import ensure_cache

ORDERS = "id,amount,placed_on\n" + "".join(f"{i},{i * 1.5},2026-01-0{i % 9 + 1}\n" for i in range(40))


@pytest.fixture(scope="module")
def cache() -> Path:
    return ensure_cache()


@pytest.fixture
def hub(cache: Path, hub_home: Path) -> Iterator[Hub]:
    with Hub.open(Settings(home=hub_home, connectors_dir=cache, demo_pace=0)) as opened:
        opened.create_tenant("acme", name="Acme", business_type="retail")
        opened.create_tenant("globex", name="Globex", business_type="saas")
        yield opened


def _files(svc: TenantService) -> list[Path]:
    folder = svc.uploads().folder
    return sorted(folder.iterdir()) if folder.exists() else []


def test_an_uploaded_csv_is_stored_privately_connected_previewed_and_deleted_on_disconnect(hub: Hub) -> None:
    svc = hub.tenant("acme")
    conn = svc.connect_file("csv", io.BytesIO(ORDERS.encode()), file_name="../../Orders 2026.csv", actor="t")
    assert conn.status is Status.CONNECTED, conn.status_detail
    assert conn.mode is Mode.LIVE
    assert conn.name == "CSV file · Orders 2026.csv"  # the label: the last part of the name given
    upload = conn.metadata["upload"]
    assert upload["file_name"] == "Orders 2026.csv" and upload["format"] == "csv"
    assert "url" not in conn.metadata["config"]  # the server's path is not shown
    (stored,) = _files(svc)
    assert stored.name == upload["stored_as"] and ".." not in stored.name and "Orders" not in stored.name
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(stored.parent.parent.stat().st_mode) == 0o700
    assert conn.metadata["streams"] == ["orders_2026"]

    preview = svc.preview(conn.id, "orders_2026", limit=5, actor="t")
    assert [r["id"] for r in preview.records] == [0, 1, 2, 3, 4]
    assert procs.running() == 0

    svc.disconnect(conn.id, actor="t")
    assert _files(svc) == []


def _excel(path: Path) -> bytes:
    # written by the file connector's own venv, which has openpyxl (the hub's does not need it)
    out = path / "stock.xlsx"
    python = ensure_cache() / "airbyte-source-file-0.5.39" / "bin" / "python"
    code = (
        "import pandas as pd, sys; "
        "pd.DataFrame({'sku': ['a', 'b', 'c'], 'qty': [1, 2, 3]}).to_excel(sys.argv[1], index=False)"
    )
    subprocess.run([str(python), "-c", code, str(out)], check=True, timeout=120)
    return out.read_bytes()


def _parquet(path: Path) -> bytes:
    buf = io.BytesIO()
    pd.DataFrame({"sku": ["a", "b", "c"], "qty": [1, 2, 3]}).to_parquet(buf, index=False)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("file_name", "make"),
    [
        (
            "stock.jsonl",
            lambda _p: b"".join(
                json.dumps({"sku": s, "qty": q}).encode() + b"\n" for s, q in [("a", 1), ("b", 2), ("c", 3)]
            ),
        ),
        (
            "stock.json",
            lambda _p: json.dumps(
                [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}, {"sku": "c", "qty": 3}]
            ).encode(),
        ),
        ("stock.xlsx", _excel),
        ("stock.parquet", _parquet),
        ("stock.tsv", lambda _p: b"sku\tqty\na\t1\nb\t2\nc\t3\n"),
    ],
)
def test_each_format_is_read_by_the_connector(hub: Hub, tmp_path: Path, file_name: str, make: object) -> None:
    svc = hub.tenant("acme")
    data = make(tmp_path)  # type: ignore[operator]
    source = "excel" if file_name.endswith(".xlsx") else "csv"
    conn = svc.connect_file(source, io.BytesIO(data), file_name=file_name, actor="t", sample_limit=5)
    assert conn.status is Status.CONNECTED, conn.status_detail
    rows = svc.preview(conn.id, "stock", limit=10, actor="t").records
    assert [(r["sku"], int(r["qty"])) for r in rows] == [("a", 1), ("b", 2), ("c", 3)]


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(cache: Path, hub_home: Path) -> None:
    settings = Settings(home=hub_home, connectors_dir=cache, upload_max_mb=0.001)  # 1,000 bytes
    with Hub.open(settings) as hub:
        hub.create_tenant("acme", name="Acme", business_type="retail")
        svc = hub.tenant("acme")
        with pytest.raises(FileTooLarge) as err:
            svc.connect_file("csv", io.BytesIO(ORDERS.encode() * 10), file_name="big.csv", actor="t")
        assert "larger than 0.001 MB" in err.value.message and "HUB_UPLOAD_MAX_MB" in err.value.message
        assert _files(svc) == [] and svc.list_connections() == []


def test_unknown_extension_empty_file_and_non_file_source_keep_nothing(hub: Hub) -> None:
    svc = hub.tenant("acme")
    with pytest.raises(InputError, match=r"ends with '\.exe'; the hub reads \.csv"):
        svc.connect_file("csv", io.BytesIO(b"x"), file_name="tool.exe", actor="t")
    with pytest.raises(InputError, match="is empty"):
        svc.connect_file("csv", io.BytesIO(b""), file_name="empty.csv", actor="t")
    with pytest.raises(InputError, match="not a file source"):
        svc.connect_file("stripe", io.BytesIO(ORDERS.encode()), file_name="o.csv", actor="t")
    assert _files(svc) == [] and svc.list_connections() == []


def test_a_config_may_name_only_the_tenants_own_files(hub: Hub, tmp_path: Path) -> None:
    acme, globex = hub.tenant("acme"), hub.tenant("globex")
    theirs = globex.connect_file(
        "csv", io.BytesIO(ORDERS.encode()), file_name="o.csv", actor="t", sample_limit=0
    )
    (their_file,) = _files(globex)
    elsewhere = tmp_path / "server.csv"
    elsewhere.write_text(ORDERS)
    for url in (str(their_file), str(elsewhere), "/etc/passwd", str(acme.uploads().folder / "../x.csv")):
        config = {"dataset_name": "o", "format": "csv", "url": url, "provider": {"storage": "local"}}
        with pytest.raises(ConfigError, match="reads only a file uploaded to this hub"):
            acme.connect("csv", config, actor="t", mode=Mode.LIVE)
    for storage in ({"storage": "S3"}, {"storage": "SSH", "host": "h", "user": "u"}):
        config = {"dataset_name": "o", "format": "csv", "url": "s3://b/o.csv", "provider": storage}
        with pytest.raises(ConfigError, match="not offered by this hub"):
            acme.connect("csv", config, actor="t", mode=Mode.LIVE)
    assert acme.list_connections() == []
    assert globex.get_connection(theirs.id).status is Status.CONNECTED


def test_a_failed_connection_keeps_its_file_and_a_new_file_replaces_it(hub: Hub) -> None:
    svc = hub.tenant("acme")
    junk = bytes(range(256)) * 64  # binary junk named .csv
    failed = svc.connect_file("csv", io.BytesIO(junk), file_name="junk.csv", actor="t")
    assert failed.status is Status.FAILED
    (kept,) = _files(svc)  # kept for a retry
    fixed = svc.connect_file(
        "csv", io.BytesIO(ORDERS.encode()), file_name="orders.csv", actor="t", connection_id=failed.id
    )
    assert fixed.id == failed.id and fixed.status is Status.CONNECTED, fixed.status_detail
    (now_kept,) = _files(svc)
    assert now_kept != kept and now_kept.name == fixed.metadata["upload"]["stored_as"]


def test_cli_connects_a_file_and_previews_it(cache: Path, hub_home: Path, tmp_path: Path) -> None:
    with Hub.open(Settings(home=hub_home, connectors_dir=cache)) as opened:
        opened.create_tenant("acme", name="Acme", business_type="retail")
    env = {**os.environ, "HUB_HOME": str(hub_home), "HUB_CONNECTORS_DIR": str(cache), "HUB_DEMO_PACE": "0"}
    data = tmp_path / "Orders.csv"
    data.write_text(ORDERS)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hub", *args], capture_output=True, text=True, env=env, timeout=300
        )

    done = cli("connect", "--tenant", "acme", "csv", "--file", str(data), "--json")
    assert done.returncode == 0, done.stderr
    conn = json.loads(done.stdout)
    assert conn["status"] == "connected" and conn["metadata"]["upload"]["file_name"] == "Orders.csv"
    rows = cli("preview", "--tenant", "acme", conn["id"], "orders", "--limit", "2", "--format", "json")
    assert rows.returncode == 0, rows.stderr
    assert [r["id"] for r in json.loads(rows.stdout)] == [0, 1]
    missing = cli("connect", "--tenant", "acme", "csv", "--file", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and missing.stderr.startswith("error: Cannot read")
    options = cli("connect", "--tenant", "acme", "csv", "--file", str(data), "--reader-options", "[1]")
    assert options.returncode == 1 and options.stderr.startswith("error: The reader options are not a JSON")


@pytest.mark.parametrize(
    ("file_name", "data"),
    [
        ("junk.csv", bytes(range(256)) * 64),  # binary junk named .csv
        ("orders.parquet", ORDERS.encode()),  # a CSV named .parquet
        ("stock.xlsx", ORDERS.encode()),  # a CSV named .xlsx
    ],
)
def test_a_file_that_is_not_what_its_name_says_fails_with_the_connectors_message(
    hub: Hub, file_name: str, data: bytes
) -> None:
    svc = hub.tenant("acme")
    source = "excel" if file_name.endswith(".xlsx") else "csv"
    conn = svc.connect_file(source, io.BytesIO(data), file_name=file_name, actor="t")
    assert conn.status is Status.FAILED
    check = conn.metadata["check"]
    assert check["step"] == "testing" and check["kind"] in {"config", "source_error"}
    # the connector's own words, not a traceback and not a generic "failed unexpectedly"
    assert "Traceback" not in conn.status_detail and "unexpectedly" not in conn.status_detail
    assert f"Failed to load {file_name!r}" in conn.status_detail  # its name, not the stored path
    assert str(svc.uploads().folder) not in conn.status_detail
    logs = check["logs"]  # the connector's last lines, kept for the details, its stored path relabelled
    assert logs and all(isinstance(line, str) for line in logs)
    assert str(svc.uploads().folder) not in "\n".join(logs)
    assert procs.running() == 0
    svc.disconnect(conn.id, actor="t")
    assert _files(svc) == []  # nothing left behind once the failed connection is removed


def test_a_relative_hub_home_still_stores_an_absolute_path(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # HUB_HOME's default is the relative ./.hub
    with Hub.open(Settings(home=Path(".hub"), connectors_dir=cache, demo_pace=0)) as hub:
        hub.create_tenant("acme", name="Acme", business_type="retail")
        svc = hub.tenant("acme")
        conn = svc.connect_file(
            "csv", io.BytesIO(ORDERS.encode()), file_name="o.csv", actor="t", sample_limit=1
        )
        assert conn.status is Status.CONNECTED, conn.status_detail
        assert svc.uploads().folder == (tmp_path / ".hub" / "uploads" / conn.tenant_id)
