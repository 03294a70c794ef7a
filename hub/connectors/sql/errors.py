"""Driver errors -> `ConnectorError` with words a user can act on (never the password, never a class name).

psycopg and PyMySQL report connection failures as text (and MySQL error codes); this module reads
them at the boundary and says what failed, for which host, user or database, and what to do. A query
the server refuses for one relation (not populated, permission denied, a view whose query fails)
becomes a `StreamError` (`stream_error`): the source works, that stream does not. Whatever the case,
the words shown are the database's own message (`driver_message`), never SQLAlchemy's rendering of it,
which starts with the driver's class name (``(psycopg.errors.ObjectNotInPrerequisiteState) ...``).
"""

from __future__ import annotations

import re
import socket
import ssl
from dataclasses import dataclass
from typing import Any

from hub.exceptions import ConnectorError, StreamError
from hub.netpolicy import lookup_error

_PG_GRANTS = (
    "GRANT USAGE ON SCHEMA {schema} TO {user}; GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {user};"
)


@dataclass(frozen=True)
class Target:
    """Where a connector tried to connect, for messages. Holds no secret."""

    engine: str  # "PostgreSQL", "MySQL"
    host: str
    port: int
    user: str
    database: str
    ssl_mode: str
    timeout: float
    default_port: int

    @property
    def endpoint(self) -> str:
        """``host:port`` (a file's path for SQLite)."""
        return f"{self.host}:{self.port}" if self.host else f"'{self.database}'"


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for s in secrets:
        if s and len(s) >= 3:
            text = text.replace(s, "***")
    return text


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen:
        seen.append(cur)
        nxt = getattr(cur, "orig", None) or getattr(cur, "original_exception", None) or cur.__cause__
        cur = nxt if isinstance(nxt, BaseException) else cur.__context__
    return seen


def _text_of(exc: BaseException) -> str:
    parts = []
    for e in _chain(exc):
        args: tuple[Any, ...] = tuple(getattr(e, "args", ()))
        if len(args) >= 2 and isinstance(args[0], int):  # PyMySQL: (code, message)
            parts.append(f"{args[0]} {args[1]}")
        else:
            parts.append(str(e))
    return " | ".join(parts)


def _mysql_code(exc: BaseException) -> int | None:
    for e in _chain(exc):
        args: tuple[Any, ...] = tuple(getattr(e, "args", ()))
        if len(args) >= 2 and isinstance(args[0], int) and type(e).__module__.startswith("pymysql"):
            return int(args[0])
    return None


def _kinded(err: ConnectorError, kind: str) -> ConnectorError:
    err.kind = kind
    return err


#: PostgreSQL SQLSTATEs (exact, then by class) -> failure kind (`hub.models.FailureKind`).
_PG_KINDS = {
    "28P01": "auth_expired",  # invalid_password
    "28000": "auth_expired",  # invalid_authorization_specification
    "42501": "permission",  # insufficient_privilege
    "3D000": "config",  # invalid_catalog_name: the database does not exist
    "3F000": "config",  # invalid_schema_name
    "57014": "timeout",  # query_canceled (statement_timeout)
    "57P01": "network",  # admin_shutdown: the server went away
    "57P02": "network",  # crash_shutdown
    "57P03": "network",  # cannot_connect_now: starting up or shutting down
    "53300": "source_error",  # too_many_connections
}
_PG_KIND_CLASSES = {"08": "network", "28": "auth_expired", "53": "source_error", "58": "source_error"}

#: MySQL error numbers -> failure kind.
_MY_KINDS = {
    1045: "auth_expired",  # access denied (using password)
    1044: "permission",  # access denied to the database
    1142: "permission",  # command denied on a table
    1143: "permission",  # column denied
    1227: "permission",  # specific privilege required
    1049: "config",  # unknown database
    2002: "network",  # cannot connect through the socket
    2003: "network",  # cannot connect to the server
    2005: "network",  # unknown server host
    2006: "network",  # server has gone away
    2013: "timeout",  # lost connection during the query (read timeout)
    1969: "timeout",  # statement max_statement_time exceeded
    3024: "timeout",  # query execution was interrupted, max_execution_time exceeded
    1040: "source_error",  # too many connections
}


def failure_kind_of_code(exc: BaseException) -> str | None:
    """The failure kind the server's error code says (SQLSTATE or MySQL number); None without a code."""
    for e in _chain(exc):
        sqlstate = getattr(e, "sqlstate", None)
        if isinstance(sqlstate, str) and len(sqlstate) == 5:
            return _PG_KINDS.get(sqlstate) or _PG_KIND_CLASSES.get(sqlstate[:2])
    code = _mysql_code(exc)
    return _MY_KINDS.get(code) if code is not None else None


def dns_error(target: Target, exc: socket.gaierror) -> ConnectorError:
    """The host name does not resolve."""
    return lookup_error(target.host, exc)


def translate(exc: BaseException, target: Target, *, secrets: tuple[str, ...] = ()) -> ConnectorError:
    """A `ConnectorError` for any failure while connecting to or reading from ``target``.

    Its ``kind`` comes from the server's error code (PostgreSQL's SQLSTATE, MySQL's error number) where
    the driver has one; libpq reports a failed connection without a SQLSTATE (the text is all there is),
    so there the kind is the one of the message's case.
    """
    err = _translate(exc, target, secrets=secrets)
    coded = failure_kind_of_code(exc)
    if coded is not None:
        err.kind = coded
    return err


def _translate(exc: BaseException, target: Target, *, secrets: tuple[str, ...] = ()) -> ConnectorError:
    raw = _text_of(exc)
    text = raw.lower()
    code = _mysql_code(exc)
    t = target
    gai = next((e for e in _chain(exc) if isinstance(e, socket.gaierror)), None)
    if (
        gai is not None
        or "could not translate host name" in text
        or "failed to resolve host" in text
        or ("name or service not known" in text or "temporary failure in name resolution" in text)
    ):
        if gai is None:
            gai = socket.gaierror(socket.EAI_AGAIN if "temporary" in text else socket.EAI_NONAME, raw)
        return _kinded(dns_error(t, gai), "network")
    cert = next((e for e in _chain(exc) if isinstance(e, ssl.SSLCertVerificationError)), None)
    if (
        cert is not None
        or "certificate verify failed" in text
        or "does not match host name" in text
        or ("hostname mismatch" in text or "root certificate file" in text)
    ):
        if any(
            m in text for m in ("does not match host name", "mismatch", "doesn't match", "is not valid for")
        ):
            why = f"the certificate does not name the host '{t.host}'"
            hint = (
                "Connect with the host name the certificate was issued for, or choose SSL mode "
                f"'{'verify-ca' if t.engine == 'PostgreSQL' else 'verify_ca'}' to check only the CA."
            )
        else:
            why = "it is not signed by the CA certificate you gave (or a trusted CA)"
            hint = (
                "Paste the CA certificate that signed the server's certificate, or choose SSL mode "
                f"'{'require' if t.engine == 'PostgreSQL' else 'required'}' to encrypt without verifying."
            )
        return ConnectorError(
            f"The server certificate of {t.endpoint} could not be verified: {why}.",
            hint=hint,
            transient=False,
            kind="config",
        )
    text = text.replace("pg_hba.conf rejects connection", "no pg_hba.conf entry")
    if "no pg_hba.conf entry" in text and "no encryption" in text:
        return ConnectorError(
            f"The server at {t.endpoint} requires SSL for user '{t.user}', but SSL mode is '{t.ssl_mode}'.",
            hint="Choose SSL mode 'require' (or 'verify-full' with the server's CA certificate).",
            kind="config",
        )
    if "no pg_hba.conf entry" in text and ("ssl encryption" in text or "gssapi" in text):
        return ConnectorError(
            f"The server at {t.endpoint} refuses SSL connections for user '{t.user}' (SSL mode "
            f"'{t.ssl_mode}').",
            hint="Choose SSL mode 'prefer' or 'disable', or ask the administrator to allow SSL (hostssl) "
            "for this user.",
            kind="config",
        )
    if "no pg_hba.conf entry" in text:
        return ConnectorError(
            f"The server at {t.endpoint} does not accept connections from this machine for user '{t.user}' "
            f"and database '{t.database}'.",
            hint="Ask the administrator to allow this host in pg_hba.conf (or the provider's network "
            "settings).",
            kind="permission",
        )
    if (
        "server does not support ssl" in text
        or "ssl is required but the server doesn't support it" in text
        or (code == 2026 and "support" in text)
    ):
        return ConnectorError(
            f"The server at {t.endpoint} does not offer SSL, but SSL mode '{t.ssl_mode}' requires it.",
            hint=f"Choose SSL mode '{'prefer' if t.engine == 'PostgreSQL' else 'preferred'}', or enable SSL "
            "on the server.",
            kind="config",
        )
    if "password authentication failed" in text or "authentication failed" in text or code == 1045:
        hint = "Check the user name and password, or create the user with the SQL in the setup guide."
        if code == 1045 and t.ssl_mode in ("preferred",):
            hint += " If the user was created with REQUIRE SSL, the server must offer SSL."
        return ConnectorError(
            f"Password authentication failed for user '{t.user}' on {t.endpoint}.",
            hint=hint,
            kind="auth_expired",
        )
    if ("database" in text and "does not exist" in text) or code == 1049:
        return ConnectorError(
            f"The database '{t.database}' does not exist on {t.endpoint}.",
            hint="Check the database name (names are case-sensitive).",
            kind="config",
        )
    if "permission denied for database" in text:
        return ConnectorError(
            f"User '{t.user}' may not connect to the database '{t.database}' on {t.endpoint}.",
            hint=f'Grant access: GRANT CONNECT ON DATABASE "{t.database}" TO "{t.user}";',
            kind="permission",
        )
    if code == 1044:  # MySQL does not tell a user whether a database they may not use exists
        return ConnectorError(
            f"The database '{t.database}' does not exist on {t.endpoint}, or user '{t.user}' may not use it.",
            hint=f"Check the database name (names are case-sensitive), or grant access: "
            f"GRANT SELECT ON `{t.database}`.* TO '{t.user}'@'%';",
            kind="permission",
        )
    if "connection refused" in text or "errno 111" in text:
        return ConnectorError(
            f"Nothing is listening on {t.endpoint} (connection refused).",
            hint=f"Check the port ({t.engine} usually listens on {t.default_port}) and that the server is "
            "running "
            "and accepts TCP connections from this machine.",
            transient=True,
            kind="network",
        )
    if (
        "network is unreachable" in text
        or "no route to host" in text
        or "errno 101" in text
        or "errno 113" in text
    ):
        return ConnectorError(
            f"Could not reach {t.endpoint}: no network route to the host.",
            hint="Check the host, and that this machine's network can reach the server (VPN, firewall, "
            "the provider's IP allow-list).",
            transient=True,
            kind="network",
        )
    if "statement timeout" in text or code == 1969:
        return ConnectorError(
            f"A query on {t.endpoint} took too long and was stopped.",
            hint="Try again when the server is less busy; a view that is slow to compute may need an index.",
            transient=True,
            kind="timeout",
        )
    if "timeout" in text or "timed out" in text or code in (2013,):
        return ConnectorError(
            f"Timed out after {t.timeout:g} s connecting to {t.endpoint}: the server did not answer.",
            hint="Check the host and port and that a firewall lets this machine in; raise the connect "
            "timeout if "
            "the server is slow.",
            transient=True,
            kind="timeout",
        )
    if "read-only" in text or "read only transaction" in text or code == 1792:
        return ConnectorError(
            "The hub tried to write to the source, which it never does.",
            hint="Report this as a bug.",
            kind="source_error",
        )
    if "too many connections" in text or "remaining connection slots" in text or code == 1040:
        return ConnectorError(
            f"The server at {t.endpoint} has no free connections.",
            hint="Try again in a minute.",
            transient=True,
            kind="source_error",
        )
    said = _scrub(driver_message(exc), secrets)
    if "ssl" in text or "tls" in text:
        return ConnectorError(
            f"The SSL connection to {t.endpoint} failed: {said}.",
            hint="Check the SSL mode and the CA certificate.",
            kind="config",
        )
    return ConnectorError(
        f"Could not use the {t.engine} database at {t.endpoint}: {said}.",
        hint="Check the connection details; retry later if the server is busy.",
        transient=True,
        kind="source_error",
    )


def _first_line(text: str) -> str:
    for marker in ("(Background on this error", "\n"):
        text = text.split(marker, 1)[0]
    return text.strip().rstrip(".")[:300]


#: A driver's or SQLAlchemy's class name as their messages print it: ``(psycopg.errors.UndefinedTable)``.
_CLASS_NAME = re.compile(
    r"\(?\b(?:psycopg2?|pymysql|MySQLdb|sqlalchemy|sqlite3|builtins)(?:\.[A-Za-z_]\w*)*\.[A-Z]\w*\)?:?\s*"
)


def without_class_names(text: str) -> str:
    """``text`` with any driver class name (``(pymysql.err.OperationalError)``) taken out."""
    return _CLASS_NAME.sub("", text).strip()


def driver_message(exc: BaseException) -> str:
    """The database's own words for ``exc``, first line only: never a class name, never the SQL."""
    orig: BaseException = exc
    for e in _chain(exc):  # the innermost driver error, below SQLAlchemy's wrapper
        orig = e
        if type(e).__module__.split(".")[0] in ("psycopg", "pymysql", "sqlite3"):
            break
    diag = getattr(orig, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    args: tuple[Any, ...] = tuple(getattr(orig, "args", ()))
    if primary:
        text = str(primary)
    elif len(args) >= 2 and isinstance(args[0], int):  # PyMySQL: (code, message)
        text = str(args[1])
    else:
        text = str(orig)
    return without_class_names(_first_line(text)) or "the server reported an error without a message"


# SQLSTATE classes (PostgreSQL) and MySQL codes that mean the connection, not the query, failed
_PG_CONNECTION_CLASSES = ("08", "53", "57P", "58", "XX")
_MY_CONNECTION_CODES = {1040, 1053, 1152, 1153, 1158, 1159, 1160, 1161, 1184, 1927}
_MY_TIMEOUT_CODES = {1969, 3024}


def stream_error(
    exc: BaseException,
    target: Target,
    *,
    stream: str,
    kind: str,
    qualified: str,
    secrets: tuple[str, ...] = (),
) -> StreamError | None:
    """A `StreamError` when the server refused the query of one relation; None when the connection failed.

    Args:
        exc: what reading the relation raised.
        target: where (for the user name in hints).
        stream: the stream's name.
        kind: "table", "view", "materialized view"...
        qualified: the relation's quoted, schema-qualified SQL name (for the advice).
        secrets: values to mask.

    """
    orig = next((e for e in _chain(exc) if type(e).__module__.split(".")[0] in ("psycopg", "pymysql")), None)
    if orig is None:
        return None
    said = _scrub(driver_message(exc), secrets)
    sqlstate = getattr(orig, "sqlstate", None)
    code = _mysql_code(exc)
    if sqlstate is not None:
        if sqlstate.startswith(_PG_CONNECTION_CLASSES):
            return None
        timeout, populated = sqlstate == "57014", sqlstate == "55000" and "has not been populated" in said
        denied = sqlstate == "42501"
    elif code is not None and code < 2000:  # below 2000: the server's errors; from 2000: the client's
        if code in _MY_CONNECTION_CODES:
            return None
        timeout, populated, denied = code in _MY_TIMEOUT_CODES, False, code in (1142, 1143)
    else:
        return None
    is_view = "view" in kind
    if populated:
        reason = f"not populated: run REFRESH MATERIALIZED VIEW {qualified}"
        why = "the materialized view has not been populated"
        hint = f"Run REFRESH MATERIALIZED VIEW {qualified}; on the database, then re-test the connection."
    elif denied:
        reason = said if said.lower().startswith("permission denied") else f"permission denied: {said}"
        why = reason
        hint = (
            "A view reads its tables with its owner's privileges: grant the view's owner SELECT on the "
            "tables it reads, then re-test the connection."
            if is_view
            else f"Grant SELECT on {qualified} to user '{target.user}', then re-test the connection."
        )
    elif timeout:
        reason = "too slow: the query was stopped after the statement time limit"
        why = "reading it took longer than the statement time limit"
        hint = "Preview it when the server is less busy; a slow view may need an index."
    elif code == 1356:  # MySQL does not say which of these it is
        reason = (
            "the view's query fails: it references a table, column or function that is missing, or its "
            "definer lacks the privileges to use them"
        )
        why = reason
        hint = f"Fix or recreate the view {qualified} (SHOW CREATE VIEW shows its query and definer)."
    else:
        reason = f"the view's query fails: {said}" if is_view else f"the query fails: {said}"
        why = reason
        hint = f"Fix {qualified} on the database (or leave it out), then re-test the connection."
    return StreamError(
        f"The stream '{stream}' cannot be read: {why}.",
        stream=stream,
        reason=reason,
        hint=hint,
        transient=timeout,
        kind="timeout" if timeout else "permission" if denied else "source_error",
    )


def grant_hint(engine: str, schemas: list[str], user: str, database: str) -> str:
    """The SQL that gives ``user`` read access."""
    if engine == "PostgreSQL":
        return "Grant read access, e.g. " + " ".join(_PG_GRANTS.format(schema=s, user=user) for s in schemas)
    return f"Grant read access, e.g. GRANT SELECT ON `{database}`.* TO '{user}'@'%';"


def describe(value: Any) -> str:
    """A short, safe rendering of a config value for messages."""
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


__all__ = [
    "Target",
    "dns_error",
    "driver_message",
    "failure_kind_of_code",
    "grant_hint",
    "stream_error",
    "translate",
    "without_class_names",
]
