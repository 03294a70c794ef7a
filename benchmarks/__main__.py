"""``python -m benchmarks [--smoke] [AREA ...]``: run every ``bench_*.py`` (or the named areas); one table.

``--smoke``: every figure once at a tiny size (``make test`` runs this to catch a benchmark that crashes).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import tempfile
import traceback
from pathlib import Path

from benchmarks._harness import SMOKE_ENV, Report


def main(argv: list[str]) -> int:
    """Run the benchmarks; exit 1 if any module crashed."""
    if "--smoke" in argv:
        os.environ[SMOKE_ENV] = "1"  # before the modules are imported: they size themselves on import
        argv = [a for a in argv if a != "--smoke"]
    os.environ.setdefault("HUB_DEMO_PACE", "0")
    os.environ["HUB_HOME"] = tempfile.mkdtemp(prefix="hubbench-")
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if n.removeprefix("bench_") in argv]
    report = Report()
    failed = []
    for name in names:
        report.area = name.removeprefix("bench_")
        print(f"## {report.area}", flush=True)
        try:
            importlib.import_module(f"benchmarks.{name}").run(report)
        except Exception:  # a broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(name)
    print("\n# Summary (medians; ratio = figure / baseline from the same run)\n")
    print(report.table())
    if failed:
        print(f"\nFAILED: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
