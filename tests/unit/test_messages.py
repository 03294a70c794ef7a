"""No message for users is built from an exception's class name (``psycopg.errors.Foo``, ``ValueError``).

The words come from `hub.connectors.sql.errors.translate`/`driver_message` or from the hub's own
errors; a class name may only reach the log. This scans the code of every face and of ``hub``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXCEPTION_NAMES = {"exc", "e", "err", "error", "orig", "ex", "cause", "again", "failure"}
LOGGERS = {"log", "logger", "logging", "_log"}

#: None left: add one only with a reason.
KNOWN: set[tuple[str, str]] = set()


def _class_name_of_exception(node: ast.AST) -> str | None:
    """The variable's name when ``node`` is ``type(exc).__name__`` or ``exc.__class__.__name__``."""
    if not (isinstance(node, ast.Attribute) and node.attr in ("__name__", "__qualname__")):
        return None
    inner = node.value
    if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "type":
        inner = inner.args[0] if inner.args else inner
    elif isinstance(inner, ast.Attribute) and inner.attr == "__class__":
        inner = inner.value
    else:
        return None
    return inner.id if isinstance(inner, ast.Name) and inner.id in EXCEPTION_NAMES else None


def _logging_calls(tree: ast.AST) -> set[int]:
    """ids of every node inside a logging call (``log.exception(...)``): class names may go there."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in LOGGERS
        ):
            inside.update(id(n) for n in ast.walk(node))
    return inside


def test_no_user_message_is_built_from_an_exception_class_name():
    files = [*ROOT.joinpath("hub").rglob("*.py"), *ROOT.joinpath("ui").rglob("*.py")]
    files += [*ROOT.joinpath("app_pages").rglob("*.py"), ROOT / "app.py"]
    found = set()
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        logged = _logging_calls(tree)
        for node in ast.walk(tree):
            name = _class_name_of_exception(node)
            if name and id(node) not in logged:
                found.add((str(path.relative_to(ROOT)), name))
    assert found - KNOWN == set()


def test_the_scan_finds_what_it_looks_for():
    tree = ast.parse('raise X(f"failed ({type(exc).__name__})")\nlog.error("%s", type(exc).__name__)')
    logged = _logging_calls(tree)
    hits = [n for n in ast.walk(tree) if _class_name_of_exception(n) and id(n) not in logged]
    assert len(hits) == 1
