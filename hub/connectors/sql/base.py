"""What the live database connectors share: engines that hold no secret, check, discover, bounded reads.

All three speak through SQLAlchemy (psycopg 3, PyMySQL, sqlite3). Connections are never pooled
(``NullPool``): each operation opens one and closes it. Engines for PostgreSQL and MySQL are shared
between operations on the same server, user and options (`EngineCache`) only to skip SQLAlchemy's
start-up queries; they hold no password: it reaches the driver per connection from the running
operation (`PASSWORD`, a context variable) and is never stored.

Sessions are read-only: PostgreSQL ``default_transaction_read_only=on`` (sent as a start-up option, or
``SET`` after connecting when a pooler such as PgBouncer refuses options), MySQL ``SET SESSION
TRANSACTION READ ONLY``, SQLite ``mode=ro`` + ``PRAGMA query_only``. Identifiers are quoted by
SQLAlchemy; names from users only reach SQL as bind parameters or after they were found in the catalog.

Stream names: a relation in the first schema of ``schemas`` (PostgreSQL; ``public`` by default) is
named by its table name; one in another chosen schema is ``schema.table``. MySQL streams are the
tables of the configured database; SQLite streams the tables and views of the file.

Type mapping and the precision choice for numerics: see `hub.connectors.sql.columns`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql

from hub.connectors.base import Config, Connector
from hub.connectors.sql.catalog import (
    Table,
)
from hub.connectors.sql.errors import Target, stream_error, translate
from hub.connectors.sql.values import BINARY_LIMIT, TEXT_LIMIT, rows_to_records
from hub.exceptions import ConfigError, ConnectorError, HubError, NotFound
from hub.models import CheckResult, SourceEntry, StreamInfo
from hub.netpolicy import HostPolicy
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


def db_spec(
    title: str, *, port: int, ssl_modes: list[str], ssl_default: str, verify: list[str], schemas: bool
) -> dict[str, Any]:
    """The spec of a server database (Airbyte's field names); ``schemas`` adds PostgreSQL's schema list."""
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


class SQLConnector(Connector):
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
            sha256_text(pem) if pem else None,
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
    def _connect(self, cfg: Config, *, checking: bool = False) -> Iterator[sa.Connection]:
        """A read-only connection; every driver failure becomes a `ConnectorError` (no secrets).

        The host goes through the hub's host policy first (`hub.netpolicy`): resolved once, every
        address checked, and the driver connects to those addresses (`ADDRESSES`), never to the name
        again; the name stays the one TLS checks.
        """
        target = self._target(cfg)
        addresses: tuple[str, ...] = ()
        if target.host:
            addresses = (
                HostPolicy(self.settings)
                .resolve(target.host, target.port, database=target.database, username=target.user)
                .addresses
            )
        token = PASSWORD.set(cfg.get("password") or None)
        pinned = ADDRESSES.set(addresses)
        try:
            with contextlib.ExitStack() as stack:
                try:
                    conn = self._open(cfg, stack, checking=checking)
                except HubError:
                    raise
                except (sa.exc.SQLAlchemyError, OSError, ValueError, ssl.SSLError) as exc:
                    if not self._fallback(exc):
                        raise translate(exc, target, secrets=self._secrets(cfg)) from None
                    try:  # once more, the way the server (or a pooler in front of it) accepts
                        conn = self._open(cfg, stack, checking=checking)
                    except (sa.exc.SQLAlchemyError, OSError, ValueError, ssl.SSLError) as again:
                        raise translate(again, target, secrets=self._secrets(cfg)) from None
                try:
                    yield conn
                except HubError:
                    raise
                except (sa.exc.SQLAlchemyError, OSError) as exc:
                    raise translate(exc, target, secrets=self._secrets(cfg)) from None
        finally:
            ADDRESSES.reset(pinned)
            PASSWORD.reset(token)

    def _open(self, cfg: Config, stack: contextlib.ExitStack, *, checking: bool) -> sa.Connection:
        key = self._engine_key(cfg, checking=checking)
        if key is None:
            engine = self._make_engine(cfg, checking=checking)
            stack.callback(engine.dispose)
        else:
            engine = ENGINES.get(key, lambda: self._make_engine(cfg, checking=checking))
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
            with self._connect(cfg, checking=True) as conn:
                result = self._probe(conn, cfg)
        except ConfigError as exc:
            return CheckResult(
                ok=False, message=exc.message, hint=exc.hint, transient=False, latency_ms=ms(), kind="config"
            )
        except ConnectorError as exc:
            return CheckResult(
                ok=False,
                message=exc.message,
                hint=exc.hint,
                transient=exc.transient,
                latency_ms=ms(),
                kind=exc.kind,
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
            rows = self._rows(conn, cfg, table, limit) if limit else []
        yield from rows_to_records([c.name for c in table.columns], [c.kind for c in table.columns], rows)

    def _rows(self, conn: sa.Connection, cfg: Config, table: Table, limit: int) -> list[Any]:
        """The sample's rows; `StreamError` when the server refuses this relation's query."""
        try:
            return list(conn.execute(_select(table, limit, dialect=conn.dialect.name)).fetchall())
        except sa.exc.DBAPIError as exc:
            preparer = conn.dialect.identifier_preparer
            qualified = ".".join(preparer.quote(p) for p in (table.schema, table.name) if p)
            err = stream_error(
                exc,
                self._target(cfg),
                stream=table.stream,
                kind=table.kind,
                qualified=qualified,
                secrets=self._secrets(cfg),
            )
            if err is None:
                raise  # the connection failed, not the query: `_connect` says so
            raise err from None

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
            # at most 15 digits (see sql.columns): a double holds it, and psycopg loads doubles natively
            e = sa.cast(col, postgresql.DOUBLE_PRECISION)
        elif c.select_as == "iso" and dialect == "postgresql":
            # to_json writes ISO 8601 ("2024-01-02T03:04:05.5+00:00"; the session time zone is UTC)
            e = sa.func.to_json(col).op("#>>")(sa.literal_column("'{}'"))
        elif c.select_as == "substr":
            n = BINARY_LIMIT + 1 if c.kind == "binary" else TEXT_LIMIT + 1
            e = sa.func.substr(col, 1, n)
        exprs.append(e.label(f"c{i}"))
    if (
        not exprs
    ):  # a view whose columns the server cannot tell (see catalog.mysql_tables): its error tells why
        exprs = [sa.literal_column("1").label("c0")]
    stmt = sa.select(*exprs).select_from(t)
    pk = table.primary_key
    if pk:
        by_name = {c.name: col for c, col in zip(table.columns, cols, strict=True)}
        stmt = stmt.order_by(*(by_name[k] for k in pk))
    return stmt.limit(limit)


def session_setup(statements: list[str]) -> Callable[[Any, Any], None]:
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


def _fingerprint(cfg: Config) -> str:
    """A digest of the whole config (the password included, so it is only ever kept hashed)."""
    return sha256_text(json.dumps(cfg, sort_keys=True, default=str))


def sha256_text(text: str) -> str:
    """The hex SHA-256 of ``text``."""
    return hashlib.sha256(text.encode()).hexdigest()


#: The password of the operation running in this thread/task; read by the engines' ``do_connect`` hook.
PASSWORD: ContextVar[str | None] = ContextVar("hub_sql_password", default=None)
#: The addresses the host policy checked for the running operation's host; the engines connect to these.
ADDRESSES: ContextVar[tuple[str, ...]] = ContextVar("hub_sql_addresses", default=())
LOCK = threading.Lock()


def inject_password(engine: sa.Engine) -> None:
    """Hand the current operation's password to the driver at connect time (never stored in the engine)."""

    def do_connect(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        password = PASSWORD.get()
        if password:
            cparams["password"] = password

    event.listen(engine, "do_connect", do_connect)


class EngineCache:
    """Engines shared by operations on the same server, user and options.

    An engine holds no password (see `inject_password`) and no connection (``NullPool``); sharing it
    only saves SQLAlchemy's per-engine start-up queries. Least recently used engines are dropped.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._engines: OrderedDict[tuple[Any, ...], sa.Engine] = OrderedDict()

    def get(self, key: tuple[Any, ...], make: Callable[[], sa.Engine]) -> sa.Engine:
        """The engine under ``key``, made by ``make`` the first time."""
        with LOCK:
            engine = self._engines.get(key)
            if engine is not None:
                self._engines.move_to_end(key)
                return engine
        engine = make()
        with LOCK:
            self._engines[key] = engine
            while len(self._engines) > self.size:
                self._engines.popitem(last=False)[1].dispose()
        return engine

    def clear(self) -> None:
        """Dispose of every engine."""
        with LOCK:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


ENGINES = EngineCache()
