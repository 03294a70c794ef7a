"""``make screenshots`` gives the same images every time, so ``docs/`` changes only when the app does.

Two runs of ``python -m tests.e2e.screenshots`` into temporary folders (each on its own fresh
``HUB_HOME``) must produce byte-identical PNGs. Before the demo tenants had fixed ids and Chromium
rastered whole tiles, every run changed the images (other records in the preview, a few edge pixels).
The runs are subprocesses: the module drives its own Playwright, which cannot share this session's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.e2e.support import REPO


def _take(folder: Path) -> dict[str, bytes]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.e2e.screenshots", str(folder)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.png"))}


def test_two_screenshot_runs_give_identical_images(tmp_path: Path) -> None:
    first = _take(tmp_path / "first")
    second = _take(tmp_path / "second")
    assert sorted(first) == ["connect.png", "consent.png", "preview.png"]
    changed = [name for name in first if first[name] != second.get(name)]
    assert changed == [], f"these images differ between two runs: {changed}"
