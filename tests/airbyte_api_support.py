"""Stand-ins for an Airbyte deployment's public API (v1), on loopback only.

- `start_prism`: Stoplight Prism serving Airbyte's own spec (``tests/fixtures/airbyte/api_sdk.yaml.gz``, the
  file the SDK `airbyte-api` 1.0.x is generated from; snapshot of 2026-08-21) in dynamic mode with a fixed
  seed and ``--errors``, so any request the hub sends that breaks the contract is answered with an error.
  `make test-prism` installs ``@stoplight/prism-cli`` (pinned below) into a cache folder; when it is
  missing (pytest run by hand on a fresh machine) `ensure_prism` installs it once with npm.
- `TokenServer`: the ``/applications/token`` endpoint. The spec names it only as the OAuth scheme's
  ``tokenUrl`` (no path), so Prism cannot answer it; this one counts exchanges and can refuse.
"""

from __future__ import annotations

import copy
import functools
import gzip
import json
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import yaml

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
SPEC_GZ = ROOT / "tests" / "fixtures" / "airbyte" / "api_sdk.yaml.gz"
PRISM_VERSION = "5.14.2"  # 5.16 needs Node 24; these machines have Node 20
PRISM_DIR = Path(os.environ.get("HUB_TEST_PRISM_DIR") or Path.home() / ".cache" / "hub-prism")
PRISM_SEED = "hub-handoff"


def spec_file(folder: Path) -> Path:
    """The spec Prism serves, as JSON in ``folder``, with the one documented mock work-around.

    Work-around (create connection): Prism's dynamic answer fills ``configurations.streams[].mappers``
    with items lacking their discriminator ``algorithm``, which the SDK's response validation rejects
    (../shared/reference/airbyte/README.md). The served copy caps ``mappers`` at zero items, so generated
    answers leave it empty; requests are unaffected (the hub never sends mappers), and everything else
    is Airbyte's file unchanged.
    """
    path = folder / "api_sdk.json"
    if not path.exists():
        spec = copy.deepcopy(load_spec())
        spec["components"]["schemas"]["StreamConfiguration"]["properties"]["mappers"]["maxItems"] = 0
        path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def ensure_prism() -> Path:
    """The prism executable, installed with npm into PRISM_DIR when missing (a no-op after `make test`)."""
    exe = PRISM_DIR / "node_modules" / ".bin" / "prism"
    pkg = PRISM_DIR / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
    if exe.exists() and pkg.exists() and json.loads(pkg.read_text())["version"] == PRISM_VERSION:
        return exe
    npm = shutil.which("npm")
    assert npm, "npm is missing: install Node.js 20 (make system-deps) to run the Airbyte mock server"
    PRISM_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(PRISM_DIR),
         f"@stoplight/prism-cli@{PRISM_VERSION}"],
        check=True, capture_output=True, timeout=600,
    )
    return exe


@dataclass
class PrismServer:
    """Prism on 127.0.0.1:``port``; ``url`` is the API base URL (the spec's paths start at the root)."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_prism(folder: Path) -> PrismServer:
    """Start Prism on the spec and wait until it answers (6-9 s on this spec)."""
    exe = ensure_prism()
    spec = spec_file(folder)
    port = free_port()
    log = folder / "prism.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(exe), "mock", "-d", "--seed", PRISM_SEED, "--errors", "-h", "127.0.0.1", "-p", str(port),
             str(spec)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = PrismServer(proc, port, log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"Prism exited: {log.read_text()[-2000:]}"
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.stop()
    raise AssertionError(f"Prism did not start within 120 s: {log.read_text()[-2000:]}")


def serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """A threaded HTTP server on a free loopback port, serving in a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def shut(server: ThreadingHTTPServer | None) -> None:
    """Stop a server made by `serve` (None: nothing to stop)."""
    if server is not None:
        server.shutdown()
        server.server_close()


@dataclass
class TokenServer:
    """``POST /applications/token`` (client credentials) on loopback; one client id/secret pair is valid."""

    client_id: str = "hub-test-client"
    client_secret: str = "hub-test-secret-9f3a"
    expires_in: int = 180
    requests: list[dict[str, str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/applications/token"

    def start(self) -> TokenServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                owner.requests.append(form)
                ok = (
                    form.get("grant_type") == "client_credentials"
                    and form.get("client_id") == owner.client_id
                    and form.get("client_secret") == owner.client_secret
                )
                payload = (
                    {"access_token": f"tok-{len(owner.requests)}", "token_type": "Bearer",
                     "expires_in": owner.expires_in}
                    if ok else {"message": "invalid client"}
                )
                data = json.dumps(payload).encode()
                self.send_response(200 if ok else 401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = serve(Handler)
        return self

    def stop(self) -> None:
        shut(self._server)


@functools.cache
def load_spec() -> dict[str, Any]:
    """Airbyte's spec as a dict (the C loader: about 1.5 s)."""
    return yaml.load(gzip.decompress(SPEC_GZ.read_bytes()), Loader=yaml.CSafeLoader)


def source_schema(source_type: str) -> dict[str, Any]:
    """The spec's component schema of one source configuration (``source-postgres``, ...)."""
    return load_spec()["components"]["schemas"][f"source-{source_type}"]
