"""The layers of design.md: ``hub`` never imports Streamlit (presentation lives in ``ui/``)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import hub

HUB = Path(hub.__file__).parent


def _imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_hub_module_names_streamlit_or_ui():
    offenders = {
        str(path.relative_to(HUB.parent)): sorted(
            n for n in _imported_names(path) if n.split(".")[0] in {"streamlit", "ui", "app_pages"}
        )
        for path in HUB.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_every_hub_module_loads_no_streamlit():
    script = (
        "import importlib, pkgutil, sys\n"
        "import hub\n"
        "for m in pkgutil.walk_packages(hub.__path__, 'hub.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n == 'streamlit' or n.startswith('streamlit.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
