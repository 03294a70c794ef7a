"""Schemathesis over the API's own OpenAPI schema: no 5xx, and every response matches the schema.

Each operation is fuzzed with positive and negative data, and each connection-id route also with the
ids of a real connected and a real failed connection. Bounded: a fixed seed, a capped number of
examples, no example database. Authenticated with a real key of a tenant that has connections.

(Schemathesis' ``pytest.from_fixture`` does not run on pytest 9.2 - it sets ``node._nodeid`` - so
the cases come from its Hypothesis strategies, ``APIOperation.as_strategy``, inside ordinary tests.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from hub import Hub
from hub.api import create_app
from tests.integration.api_support import make_key, open_hub, stripe_key

SEED = 20261127
MAX_EXAMPLES = 15
CONFIG = {"seed": SEED, "generation": {"database": "none", "with-security-parameters": False}}

#: Every operation of the schema (made without storage: create_app() opens nothing).
_PATHS = create_app().openapi()["paths"]
OPERATIONS = [f"{m.upper()} {p}" for p, ops in _PATHS.items() for m in ops]
ID_OPERATIONS = [op for op in OPERATIONS if "{connection_id}" in op]
#: Negative data needs something to break: operations with parameters or a body.
CASES = [
    pytest.param(f"{m.upper()} {p}", mode, id=f"{m.upper()} {p} {mode.value}")
    for p, ops in _PATHS.items()
    for m, op in ops.items()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or op.get("parameters") or op.get("requestBody")
]


@dataclass
class Api:
    app: FastAPI
    key: str
    connected_id: str
    failed_id: str


@pytest.fixture
def api() -> Iterator[Api]:
    hub: Hub = open_hub()
    try:
        key = make_key(hub, "acme", "schemathesis").key
        acme = hub.tenant("acme")
        ok = acme.connect("stripe", {"api_key": stripe_key()}, actor="setup", mode="demo")
        failed = acme.connect("stripe", {"api_key": "sk_test_short"}, actor="setup", mode="demo")
        assert (ok.status.value, failed.status.value) == ("connected", "failed")
        yield Api(create_app(hub), key, ok.id, failed.id)
    finally:
        hub.close()


def fuzz(api: Api, label: str, mode: GenerationMode, path_parameters: dict[str, Any] | None = None) -> None:
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", api.app, config=schemathesis.Config.from_dict(CONFIG)
    )
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    headers = {"Authorization": f"Bearer {api.key}"}

    @seed(SEED)
    @settings(
        max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

    check()


@pytest.mark.parametrize(("label", "mode"), CASES)
def test_operation_conforms_to_the_schema(api: Api, label: str, mode: GenerationMode) -> None:
    fuzz(api, label, mode)


@pytest.mark.parametrize("which", ["connected", "failed"])
@pytest.mark.parametrize("label", ID_OPERATIONS)
def test_id_routes_with_real_ids_conform_to_the_schema(api: Api, label: str, which: str) -> None:
    real_id = api.connected_id if which == "connected" else api.failed_id
    fuzz(api, label, GenerationMode.POSITIVE, {"connection_id": real_id})


def test_the_schema_lists_every_endpoint() -> None:
    assert sorted(OPERATIONS) == sorted(
        [
            "GET /healthz",
            "GET /api/airbyte/sources",
            "GET /api/airbyte/sources/{source_id}/spec",
            "GET /api/airbyte/recommendations",
            "POST /api/connections/store",
            "POST /api/connections/upload",
            "GET /api/connections",
            "GET /api/connections/{connection_id}",
            "DELETE /api/connections/{connection_id}",
            "POST /api/connections/{connection_id}/test",
            "GET /api/connections/{connection_id}/streams",
            "GET /api/connections/{connection_id}/streams/{stream}/preview",
            "GET /api/connections/health",
            "POST /api/oauth/{source_id}/start",
            "GET /api/oauth/callback",
            "GET /api/connections/{connection_id}/health",
            "POST /api/connections/{connection_id}/drift/accept",
            "GET /api/alerts",
            "PUT /api/alerts",
            "POST /api/alerts/test",
            "GET /api/alerts/history",
            "GET /api/handoff/destination",
            "PUT /api/handoff/destination",
            "POST /api/handoff",
            "GET /api/handoff/jobs",
        ]
    )
