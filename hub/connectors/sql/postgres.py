"""PostgreSQL and Supabase: Airbyte's source-postgres field names, read-only sessions, TLS choices."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import NullPool

from hub.connectors.base import Config
from hub.connectors.sql.base import (
    ADDRESSES,
    LOCK,
    STATEMENT_TIMEOUT,
    SQLConnector,
    db_spec,
    inject_password,
    sha256_text,
)
from hub.connectors.sql.catalog import (
    PG_PROBE,
    Table,
    pg_candidates,
    pg_table,
    pg_tables,
)
from hub.connectors.sql.errors import grant_hint
from hub.models import CheckResult

#: PostgreSQL session settings: read-only, ISO 8601 intervals, UTC, a statement timeout.
_PG_SESSION = (
    ("default_transaction_read_only", "on"),
    ("IntervalStyle", "iso_8601"),
    ("TimeZone", "UTC"),
    ("statement_timeout", f"{STATEMENT_TIMEOUT}s"),
)


class PostgresConnector(SQLConnector):
    """PostgreSQL and Supabase (Airbyte's source-postgres field names)."""

    engine_name = "PostgreSQL"
    default_port = 5432

    def spec(self) -> dict[str, Any]:
        """host, port, database, username, password, schemas, ssl_mode, connect_timeout."""
        return db_spec(
            "PostgreSQL",
            port=5432,
            schemas=True,
            ssl_default="prefer",
            ssl_modes=["disable", "allow", "prefer", "require", "verify-ca", "verify-full"],
            verify=["verify-ca", "verify-full"],
        )

    def _make_engine(self, cfg: Config, *, checking: bool) -> sa.Engine:
        ssl_cfg = cfg.get("ssl_mode") or {}
        mode = ssl_cfg.get("mode", "prefer")
        args: dict[str, Any] = {
            "connect_timeout": int(cfg.get("connect_timeout") or 10),
            "sslmode": mode,
            "application_name": "data-source-hub",
        }
        if mode in ("verify-ca", "verify-full"):
            pem = ssl_cfg.get("ca_certificate")
            args["sslrootcert"] = _pem_file(pem) if pem else "system"
        url = sa.URL.create(
            "postgresql+psycopg",
            username=cfg["username"],
            host=cfg["host"],
            port=int(cfg["port"]),
            database=cfg["database"],
        )
        # psycopg prepares a statement run 5 times on one connection; a transaction pooler (PgBouncer before
        # 1.21) may hand the next statement to another server connection, where it does not exist
        args["prepare_threshold"] = None
        if self._pooled_for(cfg):
            # a pooler refused the start-up options: it may hand the server connection to another client
            # after every transaction, so the settings are made per transaction (SET LOCAL) and end with it
            engine = sa.create_engine(
                url,
                poolclass=NullPool,
                connect_args=args,
                use_native_hstore=False,
                pool_reset_on_return="rollback",
            )
            event.listen(engine, "begin", _settings_per_transaction)
        else:
            # the session settings travel in the start-up packet: no extra round trip; autocommit: no
            # BEGIN/ROLLBACK round trips, and every statement is still read-only (the session's default)
            args["options"] = " ".join(f"-c {name}={value}" for name, value in _PG_SESSION)
            engine = sa.create_engine(
                url,
                poolclass=NullPool,
                connect_args=args,
                use_native_hstore=False,  # no hstore type lookup on connect: hstore columns are read as text
                pool_reset_on_return=None,
                isolation_level="AUTOCOMMIT",
            )
        inject_password(engine)
        event.listen(engine, "do_connect", _pin_addresses)
        return engine

    #: a pooler (PgBouncer, Supabase's poolers) is in front: settings per transaction, see `_make_engine`
    _pooled = False

    def _pooled_for(self, cfg: Config) -> bool:
        """Whether the settings must be made per transaction for ``cfg`` (a pooler in front)."""
        return self._pooled

    def _engine_key(self, cfg: Config, *, checking: bool) -> tuple[Any, ...] | None:
        key = super()._engine_key(cfg, checking=checking)
        return None if key is None else (*key, self._pooled_for(cfg))

    def _fallback(self, exc: BaseException) -> bool:
        if not self._pooled and "unsupported startup parameter" in str(exc).lower():
            self._pooled = True
            return True
        return False

    def _schemas(self, cfg: Config) -> list[str]:
        return list(cfg.get("schemas") or ["public"])

    def _tables(self, conn: sa.Connection, cfg: Config, *, stream: str | None = None) -> list[Table]:
        schemas = self._schemas(cfg)
        if stream is None:
            return pg_tables(conn, schemas)
        table = pg_table(conn, pg_candidates(stream, schemas), schemas[0])
        return [table] if table is not None else []

    def _where(self, cfg: Config) -> str:
        return f"schemas {', '.join(self._schemas(cfg))} of database '{cfg.get('database', '')}'"

    def _probe(self, conn: sa.Connection, cfg: Config) -> CheckResult:
        schemas = self._schemas(cfg)
        rows = list(conn.execute(PG_PROBE, {"schemas": schemas}).mappings())
        t = self._target(cfg)
        first = rows[0]
        user = first["user"]
        missing = [r["schema"] for r in rows if not r["present"]]
        if missing:
            return CheckResult(
                ok=False,
                message=f"{_schema_word(missing).capitalize()} {_names(missing)} "
                f"{'does' if len(missing) == 1 else 'do'} not exist in database '{t.database}'.",
                hint="Check the schema names (they are case-sensitive). The database has: "
                f"{first['all_schemas']}.",
                kind="config",
            )
        unusable = [r["schema"] for r in rows if not r["usable"]]
        readable = sum(int(r["readable"]) for r in rows)
        relations = sum(int(r["relations"]) for r in rows)
        if readable == 0:
            if unusable:
                msg = (
                    f"User '{user}' may not use {_schema_word(unusable)} {_names(unusable)} "
                    f"in database '{t.database}'."
                )
            elif relations:
                msg = (
                    f"User '{user}' has no SELECT privilege on any table or view in "
                    f"{_schema_word(schemas)} {_names(schemas)} ({relations} found)."
                )
            else:
                return CheckResult(
                    ok=False,
                    message=f"Connected, but {_schema_word(schemas)} {_names(schemas)} of database "
                    f"'{t.database}' has no tables or views.",
                    hint=f"Choose the schemas that hold your data. The database has: {first['all_schemas']}.",
                    kind="config",
                )
            return CheckResult(
                ok=False,
                message=msg,
                hint=grant_hint(self.engine_name, schemas, user, t.database),
                kind="permission",
            )
        hidden = relations - readable
        note = f" ({hidden} more not readable by this user)" if hidden else ""
        version = str(first["version"]).split(" ")[0]
        return CheckResult(
            ok=True,
            message=(
                f"Connected to PostgreSQL {version} at {t.endpoint} as '{user}' (read-only): "
                f"{readable} tables and views readable in {_schema_word(schemas)} {_names(schemas)}{note}."
            ),
        )


class SupabaseConnector(PostgresConnector):
    """Supabase's PostgreSQL: the same fields as source-postgres, SSL required, and its three ways in.

    Direct (``db.<project-ref>.supabase.co:5432``), the session pooler (``<region>.pooler.supabase.com:5432``,
    user ``postgres.<project-ref>``) and the transaction pooler (the same host on port 6543). The
    transaction pooler shares server connections between clients after every transaction, so on port
    6543 the session settings are made per transaction from the first connect on.
    """

    engine_name = "Supabase"

    def spec(self) -> dict[str, Any]:
        """PostgreSQL's fields; SSL required (require, verify-ca or verify-full)."""
        spec = db_spec(
            "Supabase",
            port=5432,
            schemas=True,
            ssl_default="require",
            ssl_modes=["require", "verify-ca", "verify-full"],
            verify=["verify-ca", "verify-full"],
        )
        props = spec["properties"]
        props["host"]["description"] = (
            "Direct: db.<project-ref>.supabase.co. Pooler: the host shown under Connect > Session pooler or "
            "Transaction pooler in your Supabase dashboard (<region>.pooler.supabase.com)."
        )
        props["port"]["description"] = (
            "5432 for a direct connection or the session pooler; 6543 for the transaction pooler."
        )
        props["username"]["description"] = (
            "A read-only user (see the setup guide). Through a pooler, add the project: <user>.<project-ref>."
        )
        return spec

    def _pooled_for(self, cfg: Config) -> bool:
        return self._pooled or int(cfg.get("port") or 0) == SUPABASE_TRANSACTION_POOLER_PORT


#: Supabase's transaction pooler (Supavisor in transaction mode) listens here.
SUPABASE_TRANSACTION_POOLER_PORT = 6543


def _pin_addresses(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
    """Connect to the addresses the host policy checked (``hostaddr``: no second lookup).

    libpq (and psycopg, which resolves names itself otherwise) tries each ``host``/``hostaddr`` pair in
    turn and uses ``host``, the name the user typed, for the certificate check and SNI.
    """
    addresses = ADDRESSES.get()
    if addresses and cparams.get("host"):
        cparams["host"] = ",".join([str(cparams["host"])] * len(addresses))
        cparams["hostaddr"] = ",".join(addresses)


def _settings_per_transaction(conn: sa.Connection) -> None:
    """Make the transaction read-only and give it the session settings, for this transaction only."""
    local = "; ".join(
        f"SET LOCAL {name} = '{value}'"
        for name, value in _PG_SESSION
        if name != "default_transaction_read_only"
    )
    conn.exec_driver_sql(f"SET TRANSACTION READ ONLY; {local}")


def _schema_word(items: list[str]) -> str:
    return "schema" if len(items) == 1 else "schemas"


def _names(items: list[str]) -> str:
    return ", ".join(f"'{s}'" for s in items)


_CA_DIR: Path | None = None


def _pem_file(pem: str) -> str:
    """A CA certificate (public, not a secret) as a file named by its hash; libpq wants a path."""
    global _CA_DIR
    with LOCK:
        if _CA_DIR is None or not _CA_DIR.is_dir():
            _CA_DIR = Path(tempfile.mkdtemp(prefix="hub-ca-"))
        path = _CA_DIR / f"{sha256_text(pem)}.pem"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_text(pem)
            os.replace(tmp, path)
    return str(path)
