"""MySQL and MariaDB: Airbyte's source-mysql field names, read-only sessions in UTC, TLS choices."""

from __future__ import annotations

import socket
import ssl
from typing import Any

import pymysql
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import NullPool

from hub.connectors.base import Config
from hub.connectors.sql.base import (
    ADDRESSES,
    STATEMENT_TIMEOUT,
    SQLConnector,
    db_spec,
    inject_password,
    session_setup,
)
from hub.connectors.sql.catalog import (
    MY_TABLES as _MY_TABLES,
)
from hub.connectors.sql.catalog import (
    Table,
    mysql_readable,
    mysql_tables,
)
from hub.connectors.sql.errors import grant_hint
from hub.models import CheckResult


class MySQLConnector(SQLConnector):
    """MySQL and MariaDB (Airbyte's source-mysql field names)."""

    engine_name = "MySQL"
    default_port = 3306

    def spec(self) -> dict[str, Any]:
        """host, port, database, username, password, ssl_mode, connect_timeout."""
        return db_spec(
            "MySQL",
            port=3306,
            schemas=False,
            ssl_default="preferred",
            ssl_modes=["preferred", "required", "verify_ca", "verify_identity"],
            verify=["verify_ca", "verify_identity"],
        )

    def _make_engine(self, cfg: Config, *, checking: bool) -> sa.Engine:
        ssl_cfg = cfg.get("ssl_mode") or {}
        mode = ssl_cfg.get("mode", "preferred")
        timeout = int(cfg.get("connect_timeout") or 10)
        args: dict[str, Any] = {
            "connect_timeout": timeout,
            # PyMySQL waits for the server's greeting with the read timeout: keep it bounded too
            "read_timeout": timeout if checking else max(timeout, STATEMENT_TIMEOUT),
            "write_timeout": max(timeout, STATEMENT_TIMEOUT),
        }
        if mode != "preferred":
            pem = ssl_cfg.get("ca_certificate")
            if mode in ("verify_ca", "verify_identity"):
                ctx = ssl.create_default_context(cadata=pem) if pem else ssl.create_default_context()
                ctx.check_hostname = mode == "verify_identity"
                ctx.verify_mode = ssl.CERT_REQUIRED
            else:  # required: encrypt, do not verify (like the mysql client's --ssl-mode=REQUIRED)
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            args["ssl"] = ctx
        url = sa.URL.create(
            "mysql+pymysql",
            username=cfg["username"],
            host=cfg["host"],
            port=int(cfg["port"]),
            database=cfg["database"],
            query={"charset": "utf8mb4"},
        )
        engine = sa.create_engine(
            url,
            poolclass=NullPool,
            connect_args=args,
            pool_reset_on_return=None,
            isolation_level="AUTOCOMMIT",
        )
        inject_password(engine)
        event.listen(engine, "do_connect", _connect_pinned)  # after the password: it returns the connection
        event.listen(
            engine,
            "connect",
            session_setup(
                [
                    "SET SESSION TRANSACTION READ ONLY",
                    "SET time_zone = '+00:00'",
                ]
            ),
            insert=True,
        )
        return engine

    def _tables(self, conn: sa.Connection, cfg: Config, *, stream: str | None = None) -> list[Table]:
        return mysql_tables(conn, cfg["database"], table=stream)

    def _probe(self, conn: sa.Connection, cfg: Config) -> CheckResult:
        t = self._target(cfg)
        version, user, tls = conn.execute(
            sa.text(
                "SELECT VERSION(), CURRENT_USER(), (SELECT VARIABLE_VALUE FROM "
                "information_schema.SESSION_STATUS "
                "WHERE VARIABLE_NAME = 'Ssl_cipher')"
            )
        ).one()
        rows = [dict(r) for r in conn.execute(_MY_TABLES, {"db": t.database, "table": None}).mappings()]
        tables, readable = mysql_readable(rows)
        n_read = len(tables) if readable is None else len(set(tables) & readable)
        flavour = "MariaDB" if "mariadb" in str(version).lower() else "MySQL"
        if n_read == 0:
            if not tables and readable is None:
                return CheckResult(
                    ok=False,
                    message=f"Connected, but database '{t.database}' has no tables or views.",
                    hint="Check the database name.",
                    kind="config",
                )
            return CheckResult(
                ok=False,
                message=f"User '{t.user}' has no SELECT privilege on any table or view in database "
                f"'{t.database}'.",
                hint=grant_hint(self.engine_name, [], t.user, t.database),
                kind="permission",
            )
        enc = "encrypted" if tls else "not encrypted"
        return CheckResult(
            ok=True,
            message=(
                f"Connected to {flavour} {str(version).split('-')[0]} at {t.endpoint} as '{user}' "
                f"(read-only, {enc}): {n_read} tables and views readable in database '{t.database}'."
            ),
        )


def _connect_pinned(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
    """A PyMySQL connection over a socket to the first address the host policy checked that answers.

    PyMySQL takes a connected socket (``connect(sock)``) and keeps ``host``, the name the user typed, for
    TLS (``server_hostname``): verify_identity checks the certificate against the name, while the
    packets go to the checked address and no second lookup happens.
    """
    addresses = ADDRESSES.get()
    if not addresses:
        return None
    host, port = str(cparams.get("host", "")), int(cparams.get("port", 3306))
    failure: OSError | None = None
    for address in addresses:
        try:
            sock = socket.create_connection((address, port), cparams.get("connect_timeout"))
        except OSError as exc:
            failure = exc
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        conn = pymysql.connect(*cargs, **cparams, defer_connect=True)
        conn.connect(sock)
        return conn
    raise pymysql.err.OperationalError(2003, f"Can't connect to MySQL server on {host!r} ({failure})")
