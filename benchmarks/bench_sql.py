"""Live database previews and discovery against a real PostgreSQL started here.

- a 1,000-row preview (connector read + typed DataFrame) of a 1,000,000-row table, beside the same query
  through plain psycopg into a DataFrame (target <= 1.5x);
- the same preview of a 10,000-row table (target <= 1.2x: the cost must not grow with the table);
- discover on a 200-table schema (target <= 1 s and <= 3 catalog queries).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pandas as pd
import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine

from benchmarks._harness import Report, median_seconds, sized
from hub.connectors import get_connector
from hub.connectors.sql.catalog import CATALOG_TAG
from hub.frames import to_dataframe
from tests.integration.sql_fixtures import BIG_ROWS, shop_postgres, source
from tests.servers import start_postgres


def interleaved(fns: list[Callable[[], object]], *, repeat: int, warmup: int) -> list[float]:
    """Median seconds of each function, measured round-robin."""
    for fn in fns:
        for _ in range(warmup):
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def run(report: Report) -> None:
    server = start_postgres()
    try:
        shop = shop_postgres(server)
        entry = source("postgres")  # the catalogue entry, loaded once (as the service does)
        pg = get_connector(entry, "live")
        cfg = shop.config()
        streams = {s.name: s for s in pg.discover(cfg)}

        def preview(name: str) -> pd.DataFrame:
            # a fresh connector each time: nothing discovered before, so read() looks the table up itself
            fresh = get_connector(entry, "live")
            return to_dataframe(list(fresh.read(cfg, name, limit=1000)), streams[name].json_schema)

        def plain() -> pd.DataFrame:
            with psycopg.connect(
                host=shop.host,
                port=shop.port,
                dbname=shop.database,
                user="reader",
                password=shop.users["reader"],
            ) as conn:
                cur = conn.execute(
                    "SELECT id, account, amount, created_at, updated_at FROM big_events "
                    "ORDER BY id LIMIT 1000"
                )
                return pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])

        assert len(preview("big_events")) == 1000 and len(plain()) == 1000
        # interleaved, so that load from other processes hits all three alike
        base, big, mid = interleaved(
            [plain, lambda: preview("big_events"), lambda: preview("mid_events")],
            repeat=sized(41, 1),
            warmup=sized(3, 0),
        )
        report.add(
            f"preview 1,000 rows of {BIG_ROWS:,}",
            big,
            baseline="plain psycopg -> DataFrame",
            baseline_seconds=base,
            target="<= 1.5x",
        )
        report.add(
            f"preview 1,000 rows of {BIG_ROWS:,}",
            big,
            baseline="same preview of 10,000 rows",
            baseline_seconds=mid,
            target="<= 1.2x",
        )

        with psycopg.connect(server.dsn(database=shop.database), autocommit=True) as admin:
            admin.execute("CREATE SCHEMA wide")
            for i in range(200):
                admin.execute(
                    f"CREATE TABLE wide.t{i:03d} (id bigint PRIMARY KEY, name text, amount numeric(12,2), "
                    f"tags text[], payload jsonb, created_at timestamptz, updated_at timestamptz)"
                )
            admin.execute(
                "GRANT USAGE ON SCHEMA wide TO reader; GRANT SELECT ON ALL TABLES IN SCHEMA wide TO reader"
            )
            admin.execute("ANALYZE")
        wide = shop.config(schemas=["wide"])
        counted: list[str] = []

        def on_execute(conn, cursor, statement, parameters, context, executemany):
            counted.append(statement)

        event.listen(Engine, "before_cursor_execute", on_execute)
        try:
            found = pg.discover(wide)
        finally:
            event.remove(Engine, "before_cursor_execute", on_execute)
        catalog = sum(1 for s in counted if CATALOG_TAG in s)
        assert len(found) == 200
        seconds = median_seconds(lambda: pg.discover(wide), repeat=7, warmup=1)
        report.add(
            "discover 200 tables",
            seconds,
            target="<= 1 s, <= 3 catalog queries",
            note=f"{catalog} catalog queries, {len(counted)} statements in all",
        )
    finally:
        server.stop()
