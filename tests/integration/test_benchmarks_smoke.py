"""``python -m benchmarks --smoke``: every benchmark area runs once at a tiny size and prints its figures.

A benchmark that crashes fails the suite here; its timings are not checked (they belong to ``make bench``).
The sql and storage areas start their own PostgreSQL, the ui area its own Streamlit servers and Chromium,
the oauth area its own oidc-provider.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
AREAS = ("api", "catalogue", "connectors", "demo", "handoff", "health", "oauth", "sql", "storage", "ui")


def test_every_benchmark_area_runs_once_at_a_tiny_size(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BENCH_SMOKE"}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "FAILED" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    for area in AREAS:
        assert f"## {area}\n" in proc.stdout + "\n", area
        assert any(line.startswith(f"| {area} | ") for line in rows), f"no figure from the {area} area"
