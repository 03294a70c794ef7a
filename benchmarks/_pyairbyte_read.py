"""The faker read through PyAirbyte, run by ``bench_connectors`` with the python of PyAirbyte's own venv.

PyAirbyte cannot share the hub's environment, so this file imports nothing of the hub. It is a small
worker: it gets the source once (the connector's local executable, ``AIRBYTE_OFFLINE_MODE=1`` and
``DO_NOT_TRACK=1`` set by the caller, so no registry is contacted) and discovers its catalog, then for
each line ``read`` on stdin reads ``STREAM`` through ``get_records`` until ``COUNT`` records have
arrived and prints the seconds it took.

Usage: ``python _pyairbyte_read.py EXECUTABLE CONFIG_JSON STREAM COUNT``
"""

from __future__ import annotations

import json
import sys
import time

import airbyte as ab


def main(executable: str, config: str, stream: str, count: int) -> None:
    """Answer every ``read`` line with the seconds one bounded read took."""
    source = ab.get_source(
        "source-faker", config=json.loads(config), local_executable=executable, install_if_missing=False
    )
    source.select_streams([stream])
    source.discovered_catalog  # noqa: B018 - discover once, as the hub keeps its stored catalog
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "read":
            break
        started = time.perf_counter()
        records = source.get_records(stream)
        n = 0
        for _record in records:
            n += 1
            if n >= count:
                break
        del records  # closes the read: PyAirbyte stops the connector
        print(json.dumps({"seconds": time.perf_counter() - started, "records": n}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
