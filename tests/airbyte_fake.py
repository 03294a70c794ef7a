"""A small stateful stand-in for Airbyte's public API (v1) on loopback, for what Prism cannot do: state.

It keeps workspaces, sources, destinations, connections and jobs in memory, answers in the spec's shapes
and validates every answer it sends against the spec's own response schemas (``#/components/schemas/...``
of ``tests/fixtures/airbyte/api_sdk.yaml.gz``), so it cannot drift from Airbyte's contract. It also serves
``/applications/token``. ``fail`` queues error answers: ``fail[("POST", "/connections")] = [409]``.
``GET /jobs?connectionId=..&limit=..`` lists a connection's jobs, newest first (a ``JobsResponse``); a test
moves a job on by setting ``store["jobs"][id]["status"]``.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jsonschema

from tests.airbyte_api_support import load_spec, serve, shut

CLIENT_ID, CLIENT_SECRET = "fake-client", "fake-secret-51ab"
_KINDS = {  # path segment -> (id field, response schema)
    "workspaces": ("workspaceId", "WorkspaceResponse"),
    "sources": ("sourceId", "SourceResponse"),
    "destinations": ("destinationId", "DestinationResponse"),
    "connections": ("connectionId", "ConnectionResponse"),
    "jobs": ("jobId", "JobResponse"),
}


def _validator(schema: str) -> jsonschema.Draft202012Validator:
    spec = load_spec()
    root = {"$ref": f"#/components/schemas/{schema}", "components": spec["components"]}
    return jsonschema.Draft202012Validator(root)


@dataclass
class FakeAirbyte:
    """The server; ``store[kind][id]`` is its state, ``calls`` counts (method, kind) pairs."""

    store: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {k: {} for k in _KINDS})
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    fail: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    delay_s: float = 0.0
    _server: ThreadingHTTPServer | None = None
    _validators: dict[str, jsonschema.Draft202012Validator] = field(default_factory=dict)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token_url(self) -> str:
        return self.url + "/applications/token"

    def created(self) -> int:
        return sum(n for (method, _), n in self.calls.items() if method == "POST")

    def _answer(
        self, kind: str, method: str, path_id: str | None, body: dict[str, Any], query: str = ""
    ) -> tuple[int, Any]:
        id_field = _KINDS[kind][0]
        items = self.store[kind]
        if kind == "jobs" and method == "GET" and path_id is None:  # list jobs: newest first, ?limit=
            params = {k: v[-1] for k, v in parse_qs(query).items()}
            wanted = params.get("connectionId")
            found = [j for j in items.values() if wanted in (None, j["connectionId"])]
            found.sort(key=lambda j: int(j["jobId"]), reverse=True)
            return 200, {"data": found[: int(params.get("limit", 20))]}
        if method == "POST" and path_id is None:
            new_id: Any = len(items) + 1 if kind == "jobs" else str(uuid.uuid4())
            items[str(new_id)] = self._build(kind, id_field, new_id, body)
            return 200, items[str(new_id)]
        if path_id is None or path_id not in items:
            return 404, {"type": "error", "title": "not-found", "status": 404, "detail": f"{kind} not found"}
        if method == "GET":
            return 200, items[path_id]
        if method == "PATCH":
            items[path_id].update({k: v for k, v in body.items() if k in items[path_id]})
            return 200, items[path_id]
        if method == "DELETE":
            del items[path_id]
            return 204, None
        return 405, {"detail": method}

    def _build(self, kind: str, id_field: str, new_id: Any, body: dict[str, Any]) -> dict[str, Any]:
        now = int(time.time())
        base: dict[str, Any] = {id_field: new_id}
        if kind == "workspaces":
            return {**base, "name": body["name"], "dataResidency": "auto", "notifications": {}}
        if kind in ("sources", "destinations"):
            type_field = "sourceType" if kind == "sources" else "destinationType"
            cfg = body["configuration"]
            return {**base, "name": body["name"], type_field: cfg.get(type_field, "?"),
                    "definitionId": str(uuid.uuid5(uuid.NAMESPACE_URL, str(cfg.get(type_field)))),
                    "workspaceId": body["workspaceId"], "configuration": cfg, "createdAt": now}
        if kind == "connections":
            src = self.store["sources"][body["sourceId"]]
            return {**base, "name": body.get("name") or "c", "sourceId": body["sourceId"],
                    "destinationId": body["destinationId"], "workspaceId": src["workspaceId"],
                    "status": "active", "schedule": body.get("schedule") or {"scheduleType": "manual"},
                    "configurations": body.get("configurations") or {"streams": []}, "createdAt": now,
                    "tags": []}
        return {**base, "status": "pending", "jobType": body["jobType"], "connectionId": body["connectionId"],
                "startTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}

    def start(self) -> FakeAirbyte:
        owner = self
        load_spec()  # parsed here (cached), not inside the first request, which a client's timeout may cut

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, payload: Any) -> None:
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/applications/token":
                    form = raw.decode()
                    ok = f"client_id={CLIENT_ID}" in form and f"client_secret={CLIENT_SECRET}" in form
                    token = {"access_token": "fake-token", "token_type": "Bearer", "expires_in": 180}
                    return self._send(200 if ok else 401, token if ok else {"detail": "bad client"})
                if self.headers.get("Authorization") != "Bearer fake-token":
                    return self._send(401, {"detail": "unauthorised"})
                m = re.fullmatch(r"/(\w+)(?:/([^/?]+))?", self.path.split("?")[0])
                if not m or m.group(1) not in _KINDS:
                    return self._send(404, {"detail": "no such path"})
                kind, path_id = m.group(1), m.group(2)
                owner.calls[(method, kind)] += 1
                queued = owner.fail.get((method, f"/{kind}"))
                if queued:
                    status = queued.pop(0)
                    return self._send(status, {"type": "error", "status": status, "detail": "injected"})
                if owner.delay_s:
                    time.sleep(owner.delay_s)
                query = self.path.partition("?")[2]
                status, payload = owner._answer(kind, method, path_id, json.loads(raw or b"{}"), query)
                if status == 200:
                    schema = "JobsResponse" if kind == "jobs" and path_id is None and method == "GET" \
                        else _KINDS[kind][1]
                    validator = owner._validators.get(schema)
                    if validator is None:  # built once per schema (setdefault would build it every time)
                        validator = owner._validators.setdefault(schema, _validator(schema))
                    validator.validate(payload)  # an answer off the spec breaks the test, not the hub
                self._send(status, payload)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PATCH(self) -> None:
                self._handle("PATCH")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

        self._server = serve(Handler)
        return self

    def stop(self) -> None:
        shut(self._server)
