"""HTTP API under a bounded load: requests/s and p50/p99 latency against a real uvicorn on loopback.

``python -m benchmarks api``. One uvicorn process (``hub.api:app``, as ``make api`` runs it) on a free
loopback port, on SQLite in the benchmark's HUB_HOME. A fixed number of concurrent httpx clients
(asyncio, one keep-alive AsyncClient each) load one endpoint at a time, for a fixed time or a request
cap, whichever comes first. The endpoints take turns in short rounds (healthz, sources, store, healthz,
...) so that each sees the same background load on a shared machine; the figures aggregate the rounds.

The baseline is ``GET /healthz`` on the same server in the same run (no key, no storage, no audit), so
the ratios show what authentication + the audit row + the work itself cost. The clients share the
machine's cores with the server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks._harness import Report, sized

CLIENTS = 8
ROUNDS = sized(4, 1)
SECONDS_PER_ROUND = sized(1.0, 0.2)
MAX_REQUESTS_PER_ROUND = 1000
WARMUP_PER_CLIENT = 3
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Scenario:
    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: Callable[[], Any] | None
    expect: int
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _round(base: str, sc: Scenario) -> None:
    """One round: CLIENTS clients warm up, then send requests back to back for SECONDS_PER_ROUND."""
    sent = 0
    warmed = 0
    all_warm = asyncio.Event()
    go = asyncio.Event()
    stop_at = 0.0

    async def worker() -> None:
        nonlocal sent, warmed
        async with httpx.AsyncClient(base_url=base, headers=sc.headers, timeout=60) as client:
            for _ in range(WARMUP_PER_CLIENT):
                await client.request(sc.method, sc.path, json=sc.body() if sc.body else None)
            warmed += 1
            if warmed == CLIENTS:
                all_warm.set()
            await go.wait()
            while time.perf_counter() < stop_at and sent < MAX_REQUESTS_PER_ROUND:
                sent += 1
                t0 = time.perf_counter()
                r = await client.request(sc.method, sc.path, json=sc.body() if sc.body else None)
                sc.latencies.append(time.perf_counter() - t0)
                if r.status_code != sc.expect:
                    sc.errors += 1

    tasks = [asyncio.create_task(worker()) for _ in range(CLIENTS)]
    await all_warm.wait()  # every client connected and warm: start the clock for all at once
    start = time.perf_counter()
    stop_at = start + SECONDS_PER_ROUND
    go.set()
    await asyncio.gather(*tasks)
    sc.seconds += time.perf_counter() - start
    sc.requests += sent


def _start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "hub.api:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            raise RuntimeError("uvicorn exited:\n" + log.read_text())
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("uvicorn did not start within 30 s:\n" + log.read_text())
        time.sleep(0.1)


def run(report: Report) -> None:
    from hub import Hub, Settings

    home = Path(os.environ["HUB_HOME"])
    hub = Hub.open(Settings.from_env())
    try:
        hub.create_tenant("bench", name="Bench Co", business_type="ecommerce")
        key = hub.create_api_key("bench", name="bench")[1].get_secret_value()
    finally:
        hub.close()

    port = _free_port()
    proc = _start_server(port, home / "uvicorn.log")
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {key}"}
    counter = iter(range(10**9))

    def stripe_body() -> dict[str, Any]:  # a valid, distinct Stripe-format key per request
        return {"source_id": "stripe", "mode": "demo", "config": {"api_key": f"sk_test_{next(counter):032d}"}}

    scenarios = [
        Scenario("GET /healthz", "GET", "/healthz", {}, None, 200),
        Scenario("GET /api/airbyte/sources", "GET", "/api/airbyte/sources", auth, None, 200),
        Scenario(
            "POST /api/connections/store (stripe demo)",
            "POST",
            "/api/connections/store",
            auth,
            stripe_body,
            201,
        ),
    ]
    try:
        for _ in range(ROUNDS):
            for sc in scenarios:
                asyncio.run(_round(base, sc))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()

    baseline = scenarios[0]
    load = os.getloadavg()[0]
    print(
        f"\n{CLIENTS} concurrent clients; {ROUNDS} interleaved rounds of {SECONDS_PER_ROUND:.0f} s "
        f"per endpoint; loopback; {os.cpu_count()} cores, load average {load:.1f}\n"
    )
    print("| endpoint | requests | errors | req/s | p50 | p99 | p50 vs /healthz |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for sc in scenarios:
        print(
            f"| {sc.name} | {sc.requests} | {sc.errors} | {sc.rps:.0f} | {sc.pct(0.5) * 1000:.2f} ms "
            f"| {sc.pct(0.99) * 1000:.2f} ms | {sc.pct(0.5) / baseline.pct(0.5):.2f}x |"
        )
    print()
    for sc in scenarios:
        is_base = sc is baseline
        report.add(
            f"{sc.name} p50 latency",
            sc.pct(0.5),
            baseline="" if is_base else "GET /healthz p50",
            baseline_seconds=None if is_base else baseline.pct(0.5),
            note=f"{sc.rps:.0f} req/s; p99 {sc.pct(0.99) * 1000:.1f} ms; {sc.requests} requests, "
            f"{sc.errors} errors; {CLIENTS} clients",
        )
    failed = [sc.name for sc in scenarios if sc.errors]
    if failed:
        raise RuntimeError(f"unexpected statuses from: {', '.join(failed)}")
