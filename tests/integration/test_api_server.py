"""The real server: `uvicorn hub.api:app` (as `make api` runs it) on a free loopback port, via httpx."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.integration.api_support import bytes_at_rest, make_key, open_hub, stripe_key
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def uvicorn_server(log: Path) -> Iterator[str]:
    """Start `uvicorn hub.api:app` on a free loopback port; yield its base URL; stop it with SIGTERM."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "hub.api:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "no answer on /healthz within 30 s:\n" + log.read_text()
            time.sleep(0.1)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # a clean shutdown: the lifespan closed the hub (uvicorn then re-raises the SIGTERM it handled)
    assert proc.returncode in (0, -signal.SIGTERM), log.read_text()
    assert "Application shutdown complete." in log.read_text()


def test_the_real_server_serves_the_api(tmp_path: Path, hub_home: Path) -> None:
    hub = open_hub()
    try:
        key = make_key(hub, "acme", "server-test").key
    finally:
        hub.close()
    secret = stripe_key()
    log = tmp_path / "uvicorn.log"
    with uvicorn_server(log) as base:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as api:
            assert api.get("/docs").status_code == 200
            assert api.get("/openapi.json").json()["info"]["title"] == "Data Source Hub API"
            sources = api.get("/api/airbyte/sources")
            assert sources.status_code == 200
            assert len(sources.json()) >= 20
            stored = api.post(
                "/api/connections/store",
                json={"source_id": "stripe", "mode": "demo", "config": {"api_key": secret}},
            )
            assert stored.status_code == 201, stored.text
            assert stored.json()["status"] == "connected"
            preview = api.get(f"{stored.headers['location']}/streams/customers/preview", params={"limit": 3})
            assert preview.status_code == 200
            assert len(preview.json()["records"]) == 3
            too_big = api.post(
                "/api/connections/store", content=b"x" * 100_000, headers={"Content-Type": "application/json"}
            )
            assert too_big.status_code == 413
        denied = httpx.get(f"{base}/api/connections", timeout=10)
        assert denied.status_code == 401
        assert denied.headers["www-authenticate"].startswith("Bearer")
        # an OAuth callback's code never reaches uvicorn's access log (as `make api` configures it)
        code = stripe_key()
        callback = httpx.get(f"{base}/api/oauth/callback", params={"code": code, "state": "x"}, timeout=10)
        assert callback.status_code == 400
    assert secret.encode() not in bytes_at_rest(hub_home)
    text = log.read_text()
    assert "Traceback" not in text
    assert '"GET /api/oauth/callback?<redacted> HTTP/1.1" 400' in text and code not in text
    assert secret not in text
    assert key not in text


def test_a_fresh_embedded_server_has_the_demo_tenants(tmp_path: Path, hub_home: Path) -> None:
    """The README's first steps: `make api` on a fresh clone, then a key for the demo tenant acme."""
    assert not hub_home.exists()
    with uvicorn_server(tmp_path / "uvicorn.log") as base:
        made = subprocess.run(
            [sys.executable, "-m", "hub", "apikeys", "create", "--tenant", "acme"],
            cwd=ROOT,
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert made.returncode == 0, made.stderr
        key = made.stdout.strip()
        recs = httpx.get(
            f"{base}/api/airbyte/recommendations", headers={"Authorization": f"Bearer {key}"}, timeout=30
        )
        assert recs.status_code == 200
        assert recs.json()[0]["id"] == "shopify"  # acme is an e-commerce business
