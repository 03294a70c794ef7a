"""The HTTP API's contract stays put: `app.openapi()` equals the snapshot taken before the API was split.

``tests/fixtures/openapi.json`` was written from ``hub/api.py`` as it stood before it became the
``hub/api/`` package (pretty-printed, sorted keys). Every route, status code, operationId, parameter
and schema is in it, so any drift in the web front end's contract shows here as a readable diff.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from fastapi import FastAPI

from hub.api import create_app

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "openapi.json"


def _text(schema: object) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_openapi_schema_equals_the_snapshot() -> None:
    # the text, not the parsed dicts, so that a difference reads as a line diff
    assert _text(create_app().openapi()) == FIXTURE.read_text(encoding="utf-8")


def test_the_uvicorn_entry_is_one_app_with_the_same_schema() -> None:
    """``uvicorn hub.api:app`` reads the module attribute; it is made once, on first access."""
    module = importlib.import_module("hub.api")
    first, again = module.app, module.app
    assert isinstance(first, FastAPI)
    assert first is again
    assert _text(first.openapi()) == FIXTURE.read_text(encoding="utf-8")
