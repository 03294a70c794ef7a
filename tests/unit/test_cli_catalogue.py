"""``python -m hub sources`` and ``recommend`` in a real subprocess: output shapes, exit codes, errors."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hub.catalogue import CATALOGUE_ENV, REPO_ROOT

RAW: dict[str, Any] = json.loads((REPO_ROOT / "data" / "mock_sources.json").read_text(encoding="utf-8"))
SOURCE_KEYS = {"id", "name", "category", "auth_kind", "description", "streams", "tags"}
#: What the CLI lists without HUB_SQLITE_ROOT: every entry but SQLite files.
OFFERED = [s for s in RAW["sources"] if s["id"] != "sqlite"]


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path = REPO_ROOT
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != CATALOGUE_ENV}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "hub", *args], cwd=cwd, env=full_env, capture_output=True, text=True,
        timeout=60, check=False,
    )


def error_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


# --------------------------------------------------------------------------- sources


def test_sources_json_shape() -> None:
    proc = run("sources", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert isinstance(data, list) and len(data) == len(OFFERED)
    assert all(set(item) == SOURCE_KEYS for item in data)
    stripe = next(item for item in data if item["id"] == "stripe")
    assert stripe == {
        "id": "stripe", "name": "Stripe", "category": "Payments", "auth_kind": "api_key",
        "description": stripe["description"],
        "streams": ["customers", "charges", "invoices", "subscriptions", "balance_transactions"],
        "tags": stripe["tags"],
    }
    assert proc.stderr == ""


def test_sources_table_for_people() -> None:
    proc = run("sources")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "CATEGORY", "AUTH", "STREAMS", "DESCRIPTION"]
    shopify = next(line for line in lines if line.startswith("shopify "))
    assert "Shopify" in shopify and "E-commerce" in shopify and "OAuth" in shopify
    assert lines[-1] == f"{len(OFFERED)} sources in 10 categories."


def test_sqlite_files_are_listed_and_previewed_only_with_hub_sqlite_root(tmp_path: Path) -> None:
    listed = run("sources", "--json")
    assert "sqlite" not in [item["id"] for item in json.loads(listed.stdout)]
    refused = run("preview", "--demo", "sqlite", "customers", "--limit", "3")
    assert refused.returncode == 1
    assert error_line(refused) == (
        "error: SQLite files are turned off on this hub: HUB_SQLITE_ROOT is not set. An administrator can "
        "turn them on by setting HUB_SQLITE_ROOT to the folder that holds the files."
    )
    on = {"HUB_SQLITE_ROOT": str(tmp_path)}
    listed = run("sources", "--json", env=on)
    ids = [item["id"] for item in json.loads(listed.stdout)]
    assert ids == [s["id"] for s in RAW["sources"]] and "sqlite" in ids
    shown = run("preview", "--demo", "sqlite", "customers", "--limit", "3", "--format", "json", env=on)
    assert shown.returncode == 0, shown.stderr
    assert len(json.loads(shown.stdout)) == 3


def test_sources_filters() -> None:
    proc = run("sources", "--category", "payments", "--search", "refunds", "--json")
    assert proc.returncode == 0
    assert [s["id"] for s in json.loads(proc.stdout)] == ["square"]
    proc = run("sources", "--search", "CRM", "--json")
    assert {s["id"] for s in json.loads(proc.stdout)} == {"salesforce", "hubspot"}


def test_sources_no_match_is_not_an_error() -> None:
    proc = run("sources", "--search", "blockchain")
    assert proc.returncode == 0
    assert proc.stdout.startswith("No sources match 'blockchain'.")
    proc = run("sources", "--search", "blockchain", "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout) == []


def test_sources_unknown_category_lists_categories() -> None:
    proc = run("sources", "--category", "Gardening", "--json")
    assert proc.returncode == 1
    assert proc.stdout == ""
    line = error_line(proc)
    assert line.startswith("error: Unknown category 'Gardening'. Categories: E-commerce, Payments, CRM,")


# --------------------------------------------------------------------------- recommend


def test_recommend_json_shape() -> None:
    proc = run("recommend", "--business-type", "saas", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert len(data) == 4
    assert all(set(item) == {"id", "name", "reason", "score"} for item in data)
    assert data[0]["id"] == "stripe"
    assert all(isinstance(item["score"], float) and item["reason"] for item in data)


def test_recommend_table_for_people() -> None:
    proc = run("recommend", "--business-type", "b2b-services", "--limit", "2")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0] == "Recommended for B2B services"
    assert lines[2].split() == ["#", "ID", "NAME", "SCORE", "WHY"]
    assert lines[4].startswith("1  salesforce")
    assert len(lines) == 6


def test_recommend_unknown_business_type() -> None:
    proc = run("recommend", "--business-type", "restaurant")
    assert proc.returncode == 1
    assert error_line(proc) == (
        "error: Unknown business type 'restaurant'. Use one of: ecommerce, saas, b2b-services, agency, "
        "marketplace, retail."
    )


@pytest.mark.parametrize("args", [
    ["recommend"],
    ["recommend", "--business-type", "saas", "--limit", "0"],
    ["recommend", "--business-type", "saas", "--limit", "many"],
    ["sources", "--colour", "blue"],
    ["no-such-command"],
])
def test_usage_errors_exit_2(args: list[str]) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    assert error_line(proc)
    assert proc.stdout == ""


# --------------------------------------------------------------------------- the catalogue file


def test_malformed_catalogue_exits_1_naming_entry_and_field(tmp_path: Path) -> None:
    doc = copy.deepcopy(RAW)
    doc["sources"][2]["auth_kind"] = "password"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    proc = run("sources", "--json", env={CATALOGUE_ENV: str(path)})
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert error_line(proc).startswith(
        f"error: {path}: entry 3 ('stripe'): field 'auth_kind': "
        "Input should be 'oauth2', 'api_key', 'database', 'file' or 'none'"
    )


def test_missing_catalogue_falls_back_with_a_note(tmp_path: Path) -> None:
    proc = run("sources", "--json", env={CATALOGUE_ENV: str(tmp_path / "gone.json")})
    assert proc.returncode == 0
    assert len(json.loads(proc.stdout)) == len(OFFERED)  # stdout is still one JSON document
    assert proc.stderr == (
        f"note: {tmp_path / 'gone.json'} is missing; showing the catalogue bundled with the app.\n"
    )


def test_checkout_without_data_folder_uses_the_bundled_copy(tmp_path: Path) -> None:
    """A copy of the package with no data/ beside it (as when installed elsewhere) still has a catalogue."""
    shutil.copytree(REPO_ROOT / "hub", tmp_path / "hub", ignore=shutil.ignore_patterns("__pycache__"))
    proc = run("recommend", "--business-type", "retail", "--json", cwd=tmp_path,
               env={"PYTHONPATH": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["id"] == "square"
    assert proc.stderr == (
        "note: data/mock_sources.json is missing; showing the catalogue bundled with the app.\n"
    )
