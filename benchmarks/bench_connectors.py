"""The Airbyte connectors through the hub, beside the same connectors run by hand in the same run.

- preview of 100 and 1,000 faker ``users`` through the hub (`TenantService.preview`: stored config
  decrypted, discover, a configured catalog, stopped at the limit, audited) vs the connector's own
  ``read`` with the same catalog, stopped at the same count (target <= 1.2x);
- connect (check + discover + a first sample of every stream) vs the serial sum of the connector's own
  ``check``, ``discover`` and one ``read`` per stream stopped at the same count (target <= 0.8x: check and
  discover run at once);
- preview of a 1,000,000-row CSV vs a 10,000-row one through the file connector (target: time within 1.5x,
  and the hub process's peak memory grows by at most 50 MB: the connector runs in its own process).

The connectors come from the tests' cache (``make test-connectors``; filled here when missing).

A reference, in ``make bench`` only (not in smoke runs): the same bounded read through PyAirbyte, in its
own venv (``make bench-pyairbyte``; ``HUB_BENCH_PYAIRBYTE`` names its python) with the faker venv's
``source-faker`` as its local executable, ``AIRBYTE_OFFLINE_MODE=1`` and ``DO_NOT_TRACK=1``, and, when
this runs as root, inside a network namespace of its own (``unshare --net``), so it contacts no registry.
"""

from __future__ import annotations

import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from benchmarks._harness import Report, median_seconds, paired_medians, sized, smoke
from hub import Hub, Settings
from hub.connectors.airbyte.connector import AirbyteConnector
from hub.connectors.airbyte.install import Installer
from hub.models import ConnectorPackage, Mode
from tests.airbyte_support import catalogue_with_faker, ensure_cache, faker_entry

FAKER_CONFIG = {"count": 100_000, "seed": 1}


def _own_run(
    command: list[str],
    verb: str,
    config: dict[str, Any],
    *,
    catalog: Any = None,
    stop: int = 0,
    stream: str = "",
) -> int:
    """The connector's own ``verb``, by hand: files in a temp folder, stdout read line by line.

    With ``stop``: the process is killed once ``stop`` RECORD lines of ``stream`` arrived (as a caller of
    the bare connector would stop it). Returns the records counted.
    """
    with tempfile.TemporaryDirectory() as tmp:
        args = [*command, verb, "--config", str(Path(tmp) / "config.json")]
        (Path(tmp) / "config.json").write_text(json.dumps(config))
        if catalog is not None:
            (Path(tmp) / "catalog.json").write_text(json.dumps(catalog))
            args += ["--catalog", str(Path(tmp) / "catalog.json")]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert proc.stdout is not None
        count = 0
        for line in proc.stdout:
            if stop and b'"RECORD"' in line:
                message = json.loads(line)
                if message.get("type") == "RECORD" and message["record"]["stream"] == stream:
                    count += 1
                    if count >= stop:
                        proc.kill()
                        break
        proc.stdout.close()
        proc.wait()
        return count


def _pyairbyte_reads(executable: Path, stream: str, count: int, repeat: int) -> tuple[float, str] | None:
    """Median seconds of ``repeat`` reads of ``count`` records through PyAirbyte, and how it was isolated.

    None when its venv is not built (``make bench-pyairbyte``). One worker process gets the source and
    discovers once, then times each read (`benchmarks/_pyairbyte_read.py`).
    """
    python = os.environ.get("HUB_BENCH_PYAIRBYTE")
    if not python or not Path(python).is_file():
        return None
    isolated = os.geteuid() == 0 and shutil.which("unshare") is not None
    argv = [
        *(["unshare", "--net"] if isolated else []),
        python,
        str(Path(__file__).with_name("_pyairbyte_read.py")),
    ]
    env = {**os.environ, "AIRBYTE_OFFLINE_MODE": "1", "DO_NOT_TRACK": "1"}
    worker = subprocess.Popen(
        [*argv, str(executable), json.dumps(FAKER_CONFIG), stream, str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert worker.stdin is not None and worker.stdout is not None
    try:
        while worker.stdout.readline().strip() != "ready":  # PyAirbyte prints its own lines first
            if worker.poll() is not None:
                raise RuntimeError(f"the PyAirbyte worker exited with code {worker.returncode}")
        times = []
        for _ in range(repeat + 1):  # the first read warms up
            worker.stdin.write("read\n")
            worker.stdin.flush()
            answer = json.loads(worker.stdout.readline())
            assert answer["records"] == count, answer
            times.append(answer["seconds"])
    finally:
        worker.stdin.close()
        worker.wait(timeout=120)
    return statistics.median(times[1:]), "no network (unshare --net)" if isolated else "network not isolated"


def _catalog(raw_stream: dict[str, Any]) -> dict[str, Any]:
    return {
        "streams": [{"stream": raw_stream, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]
    }


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(report: Report) -> None:
    cache = ensure_cache()
    home = Path(tempfile.mkdtemp(prefix="hubbench-connectors-"))
    settings = Settings(
        home=home,
        connectors_dir=cache,
        catalogue_path=catalogue_with_faker(home),
        demo_pace=0,
        upload_max_mb=500,
    )
    faker = faker_entry()
    package: ConnectorPackage = faker.connector_package  # type: ignore[assignment]
    command = Installer(cache).command(package)
    with Hub.open(settings) as hub:
        hub.create_tenant("bench", name="Bench", business_type="saas")
        svc = hub.tenant("bench")
        conn = svc.connect("faker", FAKER_CONFIG, actor="bench", mode=Mode.LIVE, sample_limit=1)
        probe = AirbyteConnector(faker, settings=settings)
        probe.discover(FAKER_CONFIG)
        raw = next(iter(probe._streams.values()))  # the discovered AirbyteStreams, as the hub has them

        for n in (sized(100, 10), sized(1000, 20)):
            hub_s, own_s = paired_medians(
                lambda n=n: svc.preview(conn.id, "users", limit=n, actor="bench"),
                lambda n=n: _own_run(
                    command, "read", FAKER_CONFIG, catalog=_catalog(raw["users"]), stop=n, stream="users"
                ),
                repeat=sized(5, 1),
            )
            report.add(
                f"faker users preview, {n} records",
                hub_s,
                baseline="connector's own read, same catalog",
                baseline_seconds=own_s,
                target="<= 1.2x",
            )
            reference = None if smoke() else _pyairbyte_reads(Path(command[1]), "users", n, 5)
            if reference is not None:
                report.add(
                    f"PyAirbyte get_records, {n} faker users (reference)",
                    reference[0],
                    baseline="connector's own read, same catalog",
                    baseline_seconds=own_s,
                    note=f"hub preview / PyAirbyte = {hub_s / reference[0]:.2f}x; {reference[1]}",
                )

        sample = sized(50, 5)

        def connect() -> None:
            svc.connect("faker", FAKER_CONFIG, actor="bench", mode=Mode.LIVE, sample_limit=sample)

        def serial() -> None:
            _own_run(command, "check", FAKER_CONFIG)
            _own_run(command, "discover", FAKER_CONFIG)
            for name in raw:
                _own_run(command, "read", FAKER_CONFIG, catalog=_catalog(raw[name]), stop=sample, stream=name)

        hub_s, own_s = paired_medians(connect, serial, repeat=sized(3, 1))
        report.add(
            "faker connect (check+discover+sample)",
            hub_s,
            baseline="serial sum of its own commands",
            baseline_seconds=own_s,
            target="<= 0.8x",
        )

        def upload(rows: int) -> str:
            text = io.BytesIO()
            text.write(b"id,name,amount,placed_on\n")
            for i in range(rows):
                text.write(f"{i},customer {i},{i * 1.25:.2f},2026-01-{i % 28 + 1:02d}\n".encode())
            text.seek(0)
            made = svc.connect_file(
                "csv", text, file_name=f"orders_{rows}.csv", actor="bench", sample_limit=0
            )
            assert made.status.value == "connected", made.status_detail
            return made.id

        small, big = upload(sized(10_000, 100)), upload(sized(1_000_000, 1_000))
        small_s = median_seconds(
            lambda: svc.preview(small, f"orders_{sized(10_000, 100)}", limit=100, actor="b"),
            repeat=sized(3, 1),
        )
        before = _peak_rss_mb()
        big_s = median_seconds(
            lambda: svc.preview(big, f"orders_{sized(1_000_000, 1_000)}", limit=100, actor="b"),
            repeat=sized(3, 1),
        )
        growth = _peak_rss_mb() - before
        report.add(
            f"csv preview (100 records) of {sized(1_000_000, 1_000):,} rows",
            big_s,
            baseline=f"the same of {sized(10_000, 100):,} rows",
            baseline_seconds=small_s,
            target="<= 1.5x",
            note=f"hub peak RSS growth {growth:.1f} MB (target <= 50 MB)",
        )
