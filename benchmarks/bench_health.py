"""Health: a monitor cycle beside the same checks called directly, and the newest page of a long timeline.

* One `Monitor.run_once` over N demo connections (all due) at concurrency 8, beside the same N
  ``check_connection`` calls made directly by 8 threads: the monitor's own cost (listing what is due, the
  ``check:`` leases taken in batches, reading the leased connections again (one read per batch),
  delivering leftover alerts). Target <= 1.2x.
* ``check_history(limit=100)`` (the newest page) of a connection with 100,000 checks stored, beside the
  same with 1,000: the timeline index makes it a range read, not a scan. Target <= 1.5x.

Both on the embedded SQLite database.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from benchmarks._harness import Report, median_seconds, paired_medians, sized
from hub import Hub
from hub.services.monitor import Monitor
from hub.settings import Settings
from hub.storage.tables import connection_checks, now

SOURCES = ("shopify", "stripe", "hubspot", "salesforce")
CONCURRENCY = 8


def _hub(name: str) -> Hub:
    home = Path(tempfile.mkdtemp(prefix=f"hubbench-{name}-"))
    # interval 1 s: after a pause every connection is due again, so each cycle checks all of them
    return Hub.open(Settings.from_env(home=home, demo_pace=0, check_interval_s=1, monitor=False))


def _monitor_cycle(report: Report) -> None:
    n = sized(1000, 8)
    hub = _hub("monitor")
    hub.create_tenant("bench", name="Bench", business_type="saas")
    scope = hub.tenant("bench")
    ids = [scope.connect(SOURCES[i % len(SOURCES)], {}, actor="bench", mode="demo").id for i in range(n)]
    monitor = Monitor(hub, concurrency=CONCURRENCY)

    def all_due() -> None:
        time.sleep(1.2)  # interval + the largest jitter; not timed (paired_medians times the calls only)

    def cycle() -> None:
        report_ = monitor.run_once()
        assert len(report_.checked) == n, (report_.due, len(report_.checked), report_.skipped)

    def direct() -> None:
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            list(pool.map(lambda i: scope.check_connection(i, actor="bench"), ids))

    times_m, times_d = [], []
    for _ in range(sized(3, 1)):
        all_due()
        times_m.append(median_seconds(cycle, repeat=1, warmup=0))
        times_d.append(median_seconds(direct, repeat=1, warmup=0))
    hub.close()
    direct_s, cycle_s = sorted(times_d)[len(times_d) // 2], sorted(times_m)[len(times_m) // 2]
    report.add(f"{n} check_connection calls, {CONCURRENCY} threads", direct_s, note="baseline: no monitor")
    report.add(
        f"Monitor.run_once over {n} due demo connections, concurrency {CONCURRENCY}",
        cycle_s,
        baseline="direct checks",
        baseline_seconds=direct_s,
        target="<= 1.2x",
    )


def _timeline(report: Report) -> None:
    small, big = sized(1000, 10), sized(100_000, 100)
    hub = _hub("timeline")
    tenant = hub.create_tenant("bench", name="Bench", business_type="saas")
    scope = hub.tenant("bench")
    a = scope.connect("shopify", {}, actor="bench", mode="demo").id
    b = scope.connect("stripe", {}, actor="bench", mode="demo").id
    start = now()
    # checks of both connections interleaved, as the monitor writes them
    with hub.db.begin(write=True, tenant_id=tenant.id, action="bench rows") as c:
        rows = []
        for i in range(big):
            for conn_id, count in ((a, small), (b, big)):
                if i < count:
                    rows.append(
                        {
                            "id": str(uuid.uuid4()),
                            "tenant_id": tenant.id,
                            "connection_id": conn_id,
                            "at": start - timedelta(minutes=i),
                            "outcome": "ok",
                            "kind": "ok",
                            "latency_ms": 12.5,
                            "stream_count": 4,
                            "schema_fingerprint": "f" * 64,
                            "message": "ok",
                        }
                    )
            if len(rows) >= 10_000:
                c.execute(sa.insert(connection_checks), rows)
                rows = []
        if rows:
            c.execute(sa.insert(connection_checks), rows)
    page_small, page_big = paired_medians(
        lambda: scope.check_history(a, limit=100), lambda: scope.check_history(b, limit=100), repeat=200
    )
    hub.close()
    report.add(f"newest page (100) of {small:,} checks", page_small, note="baseline")
    report.add(
        f"newest page (100) of {big:,} checks",
        page_big,
        baseline=f"{small:,} checks",
        baseline_seconds=page_small,
        target="<= 1.5x",
    )


def run(report: Report) -> None:
    _monitor_cycle(report)
    _timeline(report)
