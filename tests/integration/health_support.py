"""A small PostgreSQL source of its own for the health tests: they stop, start and alter it."""

from __future__ import annotations

import secrets
import subprocess
from dataclasses import dataclass
from typing import Any

from tests.servers import PostgresServer, start_postgres


@dataclass
class WatchedSource:
    """A PostgreSQL cluster with database ``shop`` (one table) and a read-only user ``watcher``."""

    server: PostgresServer
    password: str
    opts: str

    @classmethod
    def start(cls) -> WatchedSource:
        """A new cluster (about 1 s) with the source database."""
        server = start_postgres()
        password = secrets.token_urlsafe(12)
        server.psql("CREATE DATABASE shop")
        server.psql(
            f"CREATE ROLE watcher LOGIN PASSWORD '{password}';"
            "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(10,2), placed_at timestamptz);"
            "INSERT INTO orders SELECT g, g * 1.5, now() FROM generate_series(1, 20) g;"
            "GRANT USAGE ON SCHEMA public TO watcher;"
            "GRANT SELECT ON ALL TABLES IN SCHEMA public TO watcher;",
            database="shop",
        )
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {server.port} -k {server.dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        return cls(server, password, opts)

    def config(self, **overrides: Any) -> dict[str, Any]:
        """The connector config of ``watcher``."""
        cfg: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.server.port,
            "database": "shop",
            "username": "watcher",
            "password": self.password,
            "connect_timeout": 3,
        }
        cfg.update(overrides)
        return cfg

    def sql(self, statement: str) -> str:
        """Run SQL in ``shop`` as the superuser."""
        return self.server.psql(statement, database="shop")

    def _pg_ctl(self, *args: str) -> None:
        s = self.server
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(s.bindir / "pg_ctl"), "-D", str(s.dir / "data"), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def stop(self) -> None:
        """Stop the server (its files stay)."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start_again(self) -> None:
        """Start the stopped server on the same port."""
        self._pg_ctl("-l", str(self.server.dir / "server.log"), "-w", "-t", "60", "start", "-o", self.opts)

    def remove(self) -> None:
        """Stop it and remove its files."""
        self.server.stop()
