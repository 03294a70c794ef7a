"""Live database connectors: PostgreSQL (and Supabase), MySQL/MariaDB, SQLite files.

All three speak through SQLAlchemy (psycopg 3, PyMySQL, sqlite3). Connections are never pooled
(``NullPool``): each operation opens one and closes it. Engines for PostgreSQL and MySQL are shared
between operations on the same server, user and options (`_EngineCache`) only to skip SQLAlchemy's
start-up queries; they hold no password: it reaches the driver per connection from the running
operation (`_PASSWORD`, a context variable) and is never stored.

Sessions are read-only: PostgreSQL ``default_transaction_read_only=on`` (sent as a start-up option, or
``SET`` after connecting when a pooler such as PgBouncer refuses options), MySQL ``SET SESSION
TRANSACTION READ ONLY``, SQLite ``mode=ro`` + ``PRAGMA query_only``. Identifiers are quoted by
SQLAlchemy; names from users only reach SQL as bind parameters or after they were found in the catalog.

Stream names: a relation in the first schema of ``schemas`` (PostgreSQL; ``public`` by default) is
named by its table name; one in another chosen schema is ``schema.table``. MySQL streams are the
tables of the configured database; SQLite streams the tables and views of the file.

Type mapping and the precision choice for numerics: see `hub.connectors.sql_types`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import sqlite3
import ssl
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.pool import NullPool

from hub.connectors.base import Config, Connector
from hub.connectors.sql_catalog import (
    MY_TABLES as _MY_TABLES,
)
from hub.connectors.sql_catalog import (
    PG_PROBE,
    Table,
    mysql_readable,
    mysql_tables,
    pg_candidates,
    pg_table,
    pg_tables,
    sqlite_tables,
)
from hub.connectors.sql_errors import Target, dns_error, grant_hint, translate
from hub.connectors.sql_types import BINARY_LIMIT, TEXT_LIMIT, rows_to_records
from hub.exceptions import ConfigError, ConnectorError, HubError, NotFound
from hub.models import CheckResult, SourceEntry, StreamInfo
from hub.settings import Settings

#: Longest a query may run (seconds) once connected.
STATEMENT_TIMEOUT = 30
#: Upper bound for ``read(limit=...)``: a preview never loads more.
MAX_LIMIT = 100_000
#: How long a connector object reuses the columns it discovered for `read` (seconds).
RECENT_SECONDS = 60.0

_HOST = {
    "type": "string",
    "title": "Host",
    "description": "The server's host name or IP address, e.g. db.example.com.",
    "minLength": 1,
    "maxLength": 253,
    # no spaces, slashes (unix sockets), commas (host lists), quotes or URL/conninfo syntax
    "pattern": r"^[A-Za-z0-9_.:\[\]%-]+$",
    "order": 0,
}
_TIMEOUT = {
    "type": "integer",
    "title": "Connect timeout (seconds)",
    "description": "How long to wait for the server to answer.",
    "default": 10,
    "minimum": 1,
    "maximum": 120,
    "order": 8,
}


def _ssl_spec(modes: list[str], default: str, verify: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "title": "SSL mode",
        "description": "Whether and how to encrypt the connection. The verify modes check the server's "
        "certificate against the CA certificate you paste (or the system's trusted CAs when left empty).",
        "default": {"mode": default},
        "required": ["mode"],
        "additionalProperties": False,
        "properties": {
            "mode": {"type": "string", "title": "Mode", "enum": modes, "default": default, "order": 0},
            "ca_certificate": {
                "type": "string",
                "title": "CA certificate",
                "description": "PEM text of the CA that signed the server's certificate "
                f"(modes {', '.join(verify)}).",
                "airbyte_secret": True,
                "multiline": True,
                "maxLength": 100_000,
                "order": 1,
            },
        },
        "order": 7,
    }


def _db_spec(
    title: str, *, port: int, ssl_modes: list[str], ssl_default: str, verify: list[str], schemas: bool
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "host": dict(_HOST),
        "port": {
            "type": "integer",
            "title": "Port",
            "default": port,
            "minimum": 1,
            "maximum": 65535,
            "order": 1,
        },
        "database": {
            "type": "string",
            "title": "Database",
            "description": "The database to read.",
            "minLength": 1,
            "maxLength": 128,
            "order": 2,
        },
        "username": {
            "type": "string",
            "title": "User",
            "description": "A read-only user (see the setup guide).",
            "minLength": 1,
            "maxLength": 128,
            "order": 3,
        },
        "password": {
            "type": "string",
            "title": "Password",
            "airbyte_secret": True,
            "maxLength": 1024,
            "order": 4,
        },
        "ssl_mode": _ssl_spec(ssl_modes, ssl_default, verify),
        "connect_timeout": {**_TIMEOUT, "minimum": 2 if title == "PostgreSQL" else 1},
    }
    if schemas:
        props["schemas"] = {
            "type": "array",
            "title": "Schemas",
            "description": "The schemas to read; streams in the first one are named by table name alone.",
            "items": {"type": "string", "minLength": 1, "maxLength": 128},
            "minItems": 1,
            "uniqueItems": True,
            "default": ["public"],
            "order": 5,
        }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": f"{title} source",
        "type": "object",
        "required": ["host", "port", "database", "username"],
        "additionalProperties": False,
        "properties": props,
    }


class _SQLConnector(Connector):
    """What the three SQL connectors share: engines, check, discover, read."""

    engine_name: ClassVar[str] = "SQL"
    default_port: ClassVar[int] = 0

    def __init__(self, source: SourceEntry, *, settings: Settings | None = None) -> None:
        super().__init__(source)
        self._settings = settings

    @property
    def settings(self) -> Settings:
        """The hub's settings (read from the environment when none were given; only SQLite needs them)."""
        if self._settings is None:
            self._settings = Settings.from_env()
        return self._settings

    # ------------------------------------------------------------------ to implement per database

    def _make_engine(self, cfg: Config, *, checking: bool) -> sa.Engine:
        """An engine for ``cfg`` that holds no secret (the password arrives per connection)."""
        raise NotImplementedError

    def _engine_key(self, cfg: Config, *, checking: bool) -> tuple[Any, ...] | None:
        """The key under which the engine is shared (None: never shared)."""
        ssl_cfg = cfg.get("ssl_mode") or {}
        pem = ssl_cfg.get("ca_certificate")
        return (
            type(self).__name__,
            cfg.get("host"),
            int(cfg.get("port") or 0),
            cfg.get("database"),
            cfg.get("username"),
            ssl_cfg.get("mode"),
            _sha256(pem) if pem else None,
            int(cfg.get("connect_timeout") or 10),
            checking,
        )

    def _tables(self, conn: sa.Connection, cfg: Config, *, stream: str | None = None) -> list[Table]:
        raise NotImplementedError

    def _probe(self, conn: sa.Connection, cfg: Config) -> CheckResult:
        raise NotImplementedError

    def _target(self, cfg: Config) -> Target:
        mode = (cfg.get("ssl_mode") or {}).get("mode", "")
        return Target(
            engine=self.engine_name,
            host=str(cfg.get("host", "")),
            port=int(cfg.get("port") or 0),
            user=str(cfg.get("username", "")),
            database=str(cfg.get("database", "")),
            ssl_mode=str(mode),
            timeout=float(cfg.get("connect_timeout") or 10),
            default_port=self.default_port,
        )

    def _secrets(self, cfg: Config) -> tuple[str, ...]:
        return tuple(
            s
            for s in (cfg.get("password"), (cfg.get("ssl_mode") or {}).get("ca_certificate"))
            if isinstance(s, str) and s
        )

    # ------------------------------------------------------------------ plumbing

    @contextlib.contextmanager
    def _connect(self, cfg: Config, *, resolve: bool = False) -> Iterator[sa.Connection]:
        """A read-only connection; every driver failure becomes a `ConnectorError` (no secrets)."""
        target = self._target(cfg)
        if resolve and target.host:
            try:
                socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
            except socket.gaierror as exc:
                raise dns_error(target, exc) from None
            except UnicodeError:
                raise dns_error(target, socket.gaierror(socket.EAI_NONAME, "bad name")) from None
        token = _PASSWORD.set(cfg.get("password") or None)
        try:
            with contextlib.ExitStack() as stack:
                try:
                    conn = self._open(cfg, stack, checking=resolve)
                except HubError:
                    raise
                except (sa.exc.SQLAlchemyError, OSError, ValueError, ssl.SSLError) as exc:
                    if not self._fallback(exc):
                        raise translate(exc, target, secrets=self._secrets(cfg)) from None
                    try:  # once more, the way the server (or a pooler in front of it) accepts
                        conn = self._open(cfg, stack, checking=resolve)
                    except (sa.exc.SQLAlchemyError, OSError, ValueError, ssl.SSLError) as again:
                        raise translate(again, target, secrets=self._secrets(cfg)) from None
                try:
                    yield conn
                except HubError:
                    raise
                except (sa.exc.SQLAlchemyError, OSError) as exc:
                    raise translate(exc, target, secrets=self._secrets(cfg)) from None
        finally:
            _PASSWORD.reset(token)

    def _open(self, cfg: Config, stack: contextlib.ExitStack, *, checking: bool) -> sa.Connection:
        key = self._engine_key(cfg, checking=checking)
        if key is None:
            engine = self._make_engine(cfg, checking=checking)
            stack.callback(engine.dispose)
        else:
            engine = _ENGINES.get(key, lambda: self._make_engine(cfg, checking=checking))
        return stack.enter_context(engine.connect())

    def _fallback(self, exc: BaseException) -> bool:
        """Whether a failed connect should be tried once more another way (see PostgresConnector)."""
        return False

    # ------------------------------------------------------------------ the protocol

    def check(self, config: Config) -> CheckResult:
        """Connect (with the timeout), run a trivial query, and look at what the user may read."""
        started = time.perf_counter()

        def ms() -> float:
            return round((time.perf_counter() - started) * 1000, 1)

        try:
            cfg = self.validate(config)
            with self._connect(cfg, resolve=True) as conn:
                result = self._probe(conn, cfg)
        except ConfigError as exc:
            return CheckResult(ok=False, message=exc.message, hint=exc.hint, transient=False, latency_ms=ms())
        except ConnectorError as exc:
            return CheckResult(
                ok=False, message=exc.message, hint=exc.hint, transient=exc.transient, latency_ms=ms()
            )
        return result.model_copy(update={"latency_ms": ms()})

    def discover(self, config: Config) -> list[StreamInfo]:
        """Every table and view the user may read, with JSON Schemas, keys, cursors and estimates."""
        cfg = self.validate(config)
        with self._connect(cfg) as conn:
            tables = self._tables(conn, cfg)
        # a read right after discovery (preview, sampling) reuses the columns instead of asking again
        self._recent = (_fingerprint(cfg), time.monotonic(), {t.stream: t for t in tables})
        return [t.stream_info() for t in sorted(tables, key=lambda t: t.stream)]

    def read(self, config: Config, stream: str, *, limit: int) -> Iterator[dict[str, Any]]:
        """At most ``limit`` rows of ``stream``: LIMIT in the SQL, ordered by the primary key."""
        cfg = self.validate(config)
        limit = max(0, min(int(limit), MAX_LIMIT))
        known = self._recently_discovered(cfg, stream)
        if known is not None and limit:
            with self._connect(cfg) as conn:
                try:
                    rows = conn.execute(_select(known, limit, dialect=conn.dialect.name)).fetchall()
                except (sa.exc.ProgrammingError, sa.exc.OperationalError):
                    rows = None  # the table changed since discovery: look it up again below
            if rows is not None:
                yield from rows_to_records(
                    [c.name for c in known.columns], [c.kind for c in known.columns], rows
                )
                return
        with self._connect(cfg) as conn:
            table = self._find(conn, cfg, stream)
            rows = conn.execute(_select(table, limit, dialect=conn.dialect.name)).fetchall() if limit else []
        yield from rows_to_records([c.name for c in table.columns], [c.kind for c in table.columns], rows)

    _recent: tuple[str, float, dict[str, Table]] | None = None

    def _recently_discovered(self, cfg: Config, stream: str) -> Table | None:
        if self._recent is None:
            return None
        fingerprint, at, tables = self._recent
        if fingerprint != _fingerprint(cfg) or time.monotonic() - at > RECENT_SECONDS:
            return None
        return tables.get(stream)

    def _find(self, conn: sa.Connection, cfg: Config, stream: str) -> Table:
        if not isinstance(stream, str) or not stream or len(stream) > 300:
            raise NotFound(
                f"There is no stream named {stream!r}.", hint="Pick one of the discovered streams."
            )
        tables = self._tables(conn, cfg, stream=stream)
        if not tables:
            raise NotFound(
                f"There is no readable table or view named '{stream}' in {self._where(cfg)}.",
                hint="Pick one of the discovered streams; the user may lack SELECT on it.",
            )
        return tables[0]

    def _where(self, cfg: Config) -> str:
        return f"database '{cfg.get('database', '')}'"


def _select(table: Table, limit: int, *, dialect: str) -> sa.Select[Any]:
    """SELECT the readable columns (exotic ones cast to text, long ones cut in SQL), keyed order, LIMIT."""
    cols: list[sa.ColumnClause[Any]] = [sa.column(c.name) for c in table.columns]
    t = sa.table(table.name, *cols, schema=table.schema if dialect == "postgresql" else None)
    exprs: list[sa.ColumnElement[Any]] = []
    for i, (col, c) in enumerate(zip(cols, table.columns, strict=True)):
        e: sa.ColumnElement[Any] = col
        if c.select_as == "text":
            e = sa.cast(col, sa.Text)
        elif c.select_as == "text[]" and dialect == "postgresql":
            e = sa.cast(col, postgresql.ARRAY(sa.Text))
        elif c.select_as == "numeric":
            e = sa.cast(col, sa.Numeric)
        elif c.kind == "number" and dialect == "postgresql" and c.pg_type.startswith("numeric"):
            # at most 15 digits (see sql_types): a double holds it, and psycopg loads doubles natively
            e = sa.cast(col, postgresql.DOUBLE_PRECISION)
        elif c.select_as == "iso" and dialect == "postgresql":
            # to_json writes ISO 8601 ("2024-01-02T03:04:05.5+00:00"; the session time zone is UTC)
            e = sa.func.to_json(col).op("#>>")(sa.literal_column("'{}'"))
        elif c.select_as == "substr":
            n = BINARY_LIMIT + 1 if c.kind == "binary" else TEXT_LIMIT + 1
            e = sa.func.substr(col, 1, n)
        exprs.append(e.label(f"c{i}"))
    stmt = sa.select(*exprs).select_from(t)
    pk = table.primary_key
    if pk:
        by_name = {c.name: col for c, col in zip(table.columns, cols, strict=True)}
        stmt = stmt.order_by(*(by_name[k] for k in pk))
    return stmt.limit(limit)


def _session_setup(statements: list[str]) -> Callable[[Any, Any], None]:
    """A pool ``connect`` listener: run ``statements`` on each new DBAPI connection, outside a transaction."""

    def setup(dbapi_conn: Any, _record: Any) -> None:
        previous = getattr(dbapi_conn, "autocommit", None)
        if previous is False and hasattr(dbapi_conn, "autocommit") and not callable(dbapi_conn.autocommit):
            dbapi_conn.autocommit = True
        cur = dbapi_conn.cursor()
        try:
            for sql in statements:
                cur.execute(sql)
        finally:
            cur.close()
            if previous is False and not callable(getattr(dbapi_conn, "autocommit", None)):
                dbapi_conn.autocommit = False

    return setup


# --------------------------------------------------------------------------- PostgreSQL


class PostgresConnector(_SQLConnector):
    """PostgreSQL and Supabase (Airbyte's source-postgres field names)."""

    engine_name = "PostgreSQL"
    default_port = 5432

    def spec(self) -> dict[str, Any]:
        """host, port, database, username, password, schemas, ssl_mode, connect_timeout."""
        return _db_spec(
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
        # no hstore type lookup on connect (hstore columns are read as text); no ROLLBACK on close
        if not self._set_after_connect:
            # the session settings travel in the start-up packet: no extra round trip
            args["options"] = " ".join(f"-c {name}={value}" for name, value in _PG_SESSION)
        # autocommit: no BEGIN/ROLLBACK round trips; every statement is still read-only (session default)
        engine = sa.create_engine(
            url,
            poolclass=NullPool,
            connect_args=args,
            use_native_hstore=False,  # no hstore type lookup on connect: hstore columns are read as text
            pool_reset_on_return=None,
            isolation_level="AUTOCOMMIT",
        )
        _inject_password(engine)
        if self._set_after_connect:  # PgBouncer and some poolers refuse start-up options
            statements = "; ".join(f"SET {name} = '{value}'" for name, value in _PG_SESSION)
            event.listen(engine, "connect", _session_setup([statements]), insert=True)
        return engine

    _set_after_connect = False

    def _engine_key(self, cfg: Config, *, checking: bool) -> tuple[Any, ...] | None:
        key = super()._engine_key(cfg, checking=checking)
        return None if key is None else (*key, self._set_after_connect)

    def _fallback(self, exc: BaseException) -> bool:
        if not self._set_after_connect and "unsupported startup parameter" in str(exc).lower():
            self._set_after_connect = True
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
                )
            return CheckResult(
                ok=False, message=msg, hint=grant_hint(self.engine_name, schemas, user, t.database)
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


def _schema_word(items: list[str]) -> str:
    return "schema" if len(items) == 1 else "schemas"


def _names(items: list[str]) -> str:
    return ", ".join(f"'{s}'" for s in items)


def _fingerprint(cfg: Config) -> str:
    """A digest of the whole config (the password included, so it is only ever kept hashed)."""
    return _sha256(json.dumps(cfg, sort_keys=True, default=str))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


_CA_DIR: Path | None = None


def _pem_file(pem: str) -> str:
    """A CA certificate (public, not a secret) as a file named by its hash; libpq wants a path."""
    global _CA_DIR
    with _LOCK:
        if _CA_DIR is None or not _CA_DIR.is_dir():
            _CA_DIR = Path(tempfile.mkdtemp(prefix="hub-ca-"))
        path = _CA_DIR / f"{_sha256(pem)}.pem"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_text(pem)
            os.replace(tmp, path)
    return str(path)


#: PostgreSQL session settings: read-only, ISO 8601 intervals, UTC, a statement timeout.
_PG_SESSION = (
    ("default_transaction_read_only", "on"),
    ("IntervalStyle", "iso_8601"),
    ("TimeZone", "UTC"),
    ("statement_timeout", f"{STATEMENT_TIMEOUT}s"),
)

#: The password of the operation running in this thread/task; read by the engines' ``do_connect`` hook.
_PASSWORD: ContextVar[str | None] = ContextVar("hub_sql_password", default=None)
_LOCK = threading.Lock()


def _inject_password(engine: sa.Engine) -> None:
    """Hand the current operation's password to the driver at connect time (never stored in the engine)."""

    def do_connect(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        password = _PASSWORD.get()
        if password:
            cparams["password"] = password

    event.listen(engine, "do_connect", do_connect)


class _EngineCache:
    """Engines shared by operations on the same server, user and options.

    An engine holds no password (see `_inject_password`) and no connection (``NullPool``); sharing it
    only saves SQLAlchemy's per-engine start-up queries. Least recently used engines are dropped.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._engines: OrderedDict[tuple[Any, ...], sa.Engine] = OrderedDict()

    def get(self, key: tuple[Any, ...], make: Callable[[], sa.Engine]) -> sa.Engine:
        with _LOCK:
            engine = self._engines.get(key)
            if engine is not None:
                self._engines.move_to_end(key)
                return engine
        engine = make()
        with _LOCK:
            self._engines[key] = engine
            while len(self._engines) > self.size:
                self._engines.popitem(last=False)[1].dispose()
        return engine

    def clear(self) -> None:
        with _LOCK:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


_ENGINES = _EngineCache()


# --------------------------------------------------------------------------- MySQL / MariaDB


class MySQLConnector(_SQLConnector):
    """MySQL and MariaDB (Airbyte's source-mysql field names)."""

    engine_name = "MySQL"
    default_port = 3306

    def spec(self) -> dict[str, Any]:
        """host, port, database, username, password, ssl_mode, connect_timeout."""
        return _db_spec(
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
        _inject_password(engine)
        event.listen(
            engine,
            "connect",
            _session_setup(
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
                )
            return CheckResult(
                ok=False,
                message=f"User '{t.user}' has no SELECT privilege on any table or view in database "
                f"'{t.database}'.",
                hint=grant_hint(self.engine_name, [], t.user, t.database),
            )
        enc = "encrypted" if tls else "not encrypted"
        return CheckResult(
            ok=True,
            message=(
                f"Connected to {flavour} {str(version).split('-')[0]} at {t.endpoint} as '{user}' "
                f"(read-only, {enc}): {n_read} tables and views readable in database '{t.database}'."
            ),
        )


# --------------------------------------------------------------------------- SQLite


class SQLiteConnector(_SQLConnector):
    """A SQLite file under ``HUB_SQLITE_ROOT`` (read-only; never the hub's own files)."""

    engine_name = "SQLite"

    def spec(self) -> dict[str, Any]:
        """``path``: a file under the server's SQLite folder."""
        return {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "SQLite source",
            "type": "object",
            "required": ["path"],
            "additionalProperties": False,
            "properties": {
                "path": {
                    "type": "string",
                    "title": "File",
                    "description": "Path of the .db file, relative to the server's SQLite folder "
                    "(HUB_SQLITE_ROOT).",
                    "minLength": 1,
                    "maxLength": 1024,
                    "order": 0,
                },
            },
        }

    def _target(self, cfg: Config) -> Target:
        return Target(
            engine="SQLite",
            host="",
            port=0,
            user="",
            database=str(cfg.get("path", "")),
            ssl_mode="",
            timeout=5,
            default_port=0,
        )

    def resolve_path(self, raw: str) -> Path:
        """The real file for ``raw``; `ConfigError` when SQLite is off or the path leaves its folder."""
        root_setting = self.settings.sqlite_root
        if root_setting is None:
            raise ConfigError(
                "SQLite sources are turned off on this server.",
                field="path",
                hint="An administrator can turn them on by setting HUB_SQLITE_ROOT to the folder that holds "
                "the files.",
            )
        root = Path(root_setting).resolve()
        home = Path(self.settings.home).resolve()
        if root == home or root.is_relative_to(home) or home.is_relative_to(root):
            raise ConfigError(
                "SQLite sources are turned off: HUB_SQLITE_ROOT may not be the hub's own folder (HUB_HOME), "
                "inside it, or above it.",
                field="path",
                hint="Point HUB_SQLITE_ROOT at a folder that holds only the files to share.",
            )
        if "\x00" in raw:
            raise ConfigError(
                "The file path contains a NUL character.", field="path", hint="Enter a plain path."
            )
        given = Path(raw)
        candidate = (given if given.is_absolute() else root / given).resolve()
        if not candidate.is_relative_to(root):
            raise ConfigError(
                f"The file '{raw}' is outside the SQLite folder.",
                field="path",
                hint="Enter a path inside the server's SQLite folder (HUB_SQLITE_ROOT); links out of it are "
                "refused.",
            )
        if candidate.is_relative_to(home) or self._is_hub_file(candidate):
            raise ConfigError(
                f"The file '{raw}' belongs to the hub itself.",
                field="path",
                hint="Choose one of your own database files.",
            )
        if not candidate.is_file():
            raise ConfigError(
                f"There is no file '{raw}' in the SQLite folder.",
                field="path",
                hint="Check the file name; paths are relative to the SQLite folder.",
            )
        try:
            with candidate.open("rb") as fh:
                header = fh.read(16)
        except OSError as exc:
            raise ConfigError(
                f"The file '{raw}' cannot be read.",
                field="path",
                hint="Ask the administrator to make it readable by the hub.",
            ) from exc
        if header and header != b"SQLite format 3\x00":
            raise ConfigError(
                f"The file '{raw}' is not a SQLite database.",
                field="path",
                hint="Choose a SQLite 3 database file.",
            )
        return candidate

    def _is_hub_file(self, candidate: Path) -> bool:
        """The hub's storage file (by path or inode, so hard links are caught too)."""
        own: list[Path] = []
        url = sa.make_url(self.settings.url)
        if url.get_backend_name() == "sqlite" and url.database:
            own.append(Path(url.database))
        home = Path(self.settings.home)
        if home.is_dir():
            own.extend(p for p in home.iterdir() if p.is_file())
        try:
            st = candidate.stat()
        except OSError:
            return False
        for path in own:
            with contextlib.suppress(OSError):
                if path.resolve() == candidate:
                    return True
                other = path.stat()
                if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
                    return True
        return False

    def _engine_key(self, cfg: Config, *, checking: bool) -> tuple[Any, ...] | None:
        return None  # cheap to make; and the path is checked again on every operation

    def _make_engine(self, cfg: Config, *, checking: bool) -> sa.Engine:
        path = self.resolve_path(str(cfg["path"]))
        uri = f"file:{quote(str(path))}?mode=ro"

        def creator() -> sqlite3.Connection:
            conn = sqlite3.connect(uri, uri=True, timeout=5, check_same_thread=False)
            conn.execute("PRAGMA query_only = ON")
            return conn

        return sa.create_engine("sqlite://", creator=creator, poolclass=NullPool)

    def _tables(self, conn: sa.Connection, cfg: Config, *, stream: str | None = None) -> list[Table]:
        return sqlite_tables(conn, table=stream)

    def _where(self, cfg: Config) -> str:
        return f"the file '{cfg.get('path', '')}'"

    def _probe(self, conn: sa.Connection, cfg: Config) -> CheckResult:
        version = conn.execute(sa.text("SELECT sqlite_version()")).scalar_one()
        tables = self._tables(conn, cfg)
        if not tables:
            return CheckResult(
                ok=False,
                message=f"The file '{cfg['path']}' has no tables or views.",
                hint="Choose a database file that holds data.",
            )
        return CheckResult(
            ok=True,
            message=(f"Opened '{cfg['path']}' read-only (SQLite {version}): {len(tables)} tables and views."),
        )


__all__ = ["MAX_LIMIT", "MySQLConnector", "PostgresConnector", "SQLiteConnector"]
