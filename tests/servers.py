"""Real database servers for the tests: PostgreSQL and MariaDB in temp folders on loopback.

Started once per test session by the fixtures in ``tests/conftest.py``; ``make test`` installs the
server packages. A missing server binary is a test failure (never a skip).
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    """A loopback port that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120, **kw)  # type: ignore[call-overload]


@dataclass
class PostgresServer:
    """A PostgreSQL cluster: superuser ``postgres`` with ``password`` on 127.0.0.1:``port``."""

    dir: Path
    port: int
    password: str
    bindir: Path
    host: str = "127.0.0.1"
    extra_stop: list[str] = field(default_factory=list)

    def url(self, database: str = "postgres", user: str = "postgres", password: str | None = None) -> str:
        """A SQLAlchemy URL (psycopg 3)."""
        pw = self.password if password is None else password
        return f"postgresql+psycopg://{user}:{pw}@{self.host}:{self.port}/{database}"

    def dsn(self, database: str = "postgres", user: str = "postgres", password: str | None = None) -> str:
        """A libpq connection string."""
        pw = self.password if password is None else password
        return f"host={self.host} port={self.port} dbname={database} user={user} password={pw}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the superuser over the unix socket; returns stdout."""
        out = _run(
            ["runuser", "-u", "postgres", "--", str(self.bindir / "psql"), "-h", str(self.dir), "-p",
             str(self.port), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", sql]
        )
        return out.stdout

    def create_database(self, name: str | None = None) -> str:
        """A fresh, empty database; returns its name."""
        name = name or f"t_{secrets.token_hex(6)}"
        self.psql(f'CREATE DATABASE "{name}"')
        return name

    def stop(self) -> None:
        """Stop the cluster and remove its folder."""
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"),
             "-m", "fast", "-w", "stop"], capture_output=True, timeout=60, check=False,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def postgres_bindir() -> Path:
    """The newest installed PostgreSQL server's bin folder."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin. Run `make test` "
            "(it installs the postgresql package) or `apt-get install -y postgresql`."
        )
    return Path(found[-1]).parent


def start_postgres(*, extra_conf: list[str] | None = None, hba: str | None = None) -> PostgresServer:
    """Start a throwaway cluster (about 1 s). ``hba`` replaces pg_hba.conf when given."""
    bindir = postgres_bindir()
    d = Path(tempfile.mkdtemp(prefix="hubpg-"))
    os.chmod(d, 0o755)
    password = secrets.token_urlsafe(16)
    pwfile = d / "pw"
    pwfile.write_text(password)
    shutil.chown(d, "postgres", "postgres")
    shutil.chown(pwfile, "postgres", "postgres")
    _run(["runuser", "-u", "postgres", "--", str(bindir / "initdb"), "-D", str(d / "data"), "-U", "postgres",
          "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8",
          "--locale=C.UTF-8"])
    if hba is not None:
        (d / "data" / "pg_hba.conf").write_text(hba)
    port = free_port()
    opts = (f"-c listen_addresses=127.0.0.1 -p {port} -k {d} -c fsync=off -c synchronous_commit=off "
            f"-c full_page_writes=off -c max_connections=200")
    for c in extra_conf or []:
        opts += f" -c {c}"
    _run(["runuser", "-u", "postgres", "--", str(bindir / "pg_ctl"), "-D", str(d / "data"), "-l",
          str(d / "server.log"), "-w", "-t", "60", "start", "-o", opts])
    return PostgresServer(dir=d, port=port, password=password, bindir=bindir)


@dataclass
class MariaDBServer:
    """A MariaDB server: ``root`` with ``password`` on 127.0.0.1:``port``."""

    dir: Path
    port: int
    password: str
    proc: subprocess.Popen[bytes]
    host: str = "127.0.0.1"

    @property
    def socket(self) -> Path:
        """The unix socket (for admin commands)."""
        return self.dir / "mysqld.sock"

    def url(self, database: str = "", user: str = "root", password: str | None = None) -> str:
        """A SQLAlchemy URL (PyMySQL)."""
        pw = self.password if password is None else password
        return f"mysql+pymysql://{user}:{pw}@{self.host}:{self.port}/{database}"

    def sql(self, sql: str, database: str | None = None) -> str:
        """Run SQL as root over the socket; returns tab-separated stdout."""
        cmd = ["mariadb", "--no-defaults", "-S", str(self.socket), "-uroot", f"-p{self.password}", "-N", "-B"]
        if database:
            cmd.append(database)
        return _run([*cmd, "-e", sql]).stdout

    def create_database(self, name: str | None = None) -> str:
        """A fresh, empty database; returns its name."""
        name = name or f"t_{secrets.token_hex(6)}"
        self.sql(f"CREATE DATABASE `{name}`")
        return name

    def stop(self) -> None:
        """SIGTERM, wait, remove the folder."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def start_mariadb(*, extra_args: list[str] | None = None) -> MariaDBServer:
    """Start a throwaway MariaDB (about 1 s)."""
    if not shutil.which("mariadbd") and not Path("/usr/sbin/mariadbd").exists():
        raise RuntimeError("mariadbd not found. Run `make test` (it installs mariadb-server) or "
                           "`apt-get install -y mariadb-server`.")
    mariadbd = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
    d = Path(tempfile.mkdtemp(prefix="hubmy-"))
    _run(["mariadb-install-db", "--no-defaults", "--user=root", f"--datadir={d / 'data'}",
          "--auth-root-authentication-method=normal", "--skip-test-db"])
    port = free_port()
    log = open(d / "stdout.log", "w")  # noqa: SIM115 - kept open for the server's lifetime
    proc = subprocess.Popen(
        [mariadbd, "--no-defaults", "--user=root", f"--datadir={d / 'data'}", f"--port={port}",
         "--bind-address=127.0.0.1", f"--socket={d / 'mysqld.sock'}", f"--pid-file={d / 'mysqld.pid'}",
         f"--log-error={d / 'error.log'}", "--skip-log-bin", "--skip-name-resolve",
         "--innodb-buffer-pool-size=64M", "--max-connections=300", *(extra_args or [])],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    for _ in range(600):
        ok = subprocess.run(
            ["mariadb-admin", "--no-defaults", "-S", str(d / "mysqld.sock"), "-uroot", "ping"],
            capture_output=True, timeout=10, check=False,
        )
        if ok.returncode == 0:
            break
        if proc.poll() is not None:
            raise RuntimeError(f"mariadbd exited: {(d / 'error.log').read_text()[-2000:]}")
        time.sleep(0.1)
    else:
        raise RuntimeError("mariadbd did not start in 60 s")
    password = secrets.token_urlsafe(16)
    _run(["mariadb", "--no-defaults", "-S", str(d / "mysqld.sock"), "-uroot", "-e",
          f"ALTER USER 'root'@'localhost' IDENTIFIED BY '{password}'; "
          f"CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '{password}'; "
          f"ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '{password}'; "
          f"GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;"])
    return MariaDBServer(dir=d, port=port, password=password, proc=proc)


@dataclass
class PgBouncerServer:
    """PgBouncer on 127.0.0.1:``port`` in front of a `PostgresServer`, in ``pool_mode`` (a pooler such as
    Supabase's: session mode on 5432, transaction mode on 6543)."""

    dir: Path
    port: int
    proc: subprocess.Popen[bytes]
    pool_mode: str
    host: str = "127.0.0.1"

    def log_tail(self, chars: int = 2000) -> str:
        """The end of PgBouncer's log (for failure messages)."""
        path = self.dir / "pgbouncer.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self) -> None:
        """SIGTERM, wait, remove the folder."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def start_pgbouncer(
    server: PostgresServer,
    users: dict[str, str],
    *,
    pool_mode: str = "transaction",
    host: str = "127.0.0.1",
    port: int | None = None,
    tls: tuple[Path, Path] | None = None,
    ignore_startup_parameters: str = "",
) -> PgBouncerServer:
    """Start Debian's PgBouncer (as the postgres user: it refuses root) for ``users`` (name -> password).

    ``tls`` (certificate, key; readable by postgres) makes clients use TLS; ``ignore_startup_parameters``
    accepts and silently drops those start-up parameters, as some hosted poolers do.
    """
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        raise RuntimeError("pgbouncer not found. Run `make test` (it installs the pgbouncer package) or "
                           "`apt-get install -y pgbouncer`.")
    d = Path(tempfile.mkdtemp(prefix="hubpgb-"))
    os.chmod(d, 0o755)
    port = port or free_port()
    tls_conf = (
        f"client_tls_sslmode = require\nclient_tls_cert_file = {tls[0]}\nclient_tls_key_file = {tls[1]}\n"
        if tls
        else ""
    )
    (d / "userlist.txt").write_text("".join(f'"{u}" "{p}"\n' for u, p in users.items()))
    (d / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={server.host} port={server.port}\n"
        "[pgbouncer]\n"
        f"listen_addr = {host}\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = scram-sha-256\nauth_file = {d / 'userlist.txt'}\n"
        f"pool_mode = {pool_mode}\nmax_client_conn = 200\ndefault_pool_size = 4\n"
        f"logfile = {d / 'pgbouncer.log'}\npidfile = {d / 'pgbouncer.pid'}\n"
        f"ignore_startup_parameters = {ignore_startup_parameters}\n" + tls_conf
    )
    for path in (d, d / "userlist.txt", d / "pgbouncer.ini"):
        shutil.chown(path, "postgres", "postgres")
    proc = subprocess.Popen(
        ["runuser", "-u", "postgres", "--", binary, str(d / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    bouncer = PgBouncerServer(dir=d, port=port, proc=proc, pool_mode=pool_mode, host=host)
    for _ in range(300):
        with socket.socket() as s:
            if s.connect_ex((host, port)) == 0:
                return bouncer
        if proc.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {bouncer.log_tail()}")
        time.sleep(0.05)
    bouncer.stop()
    raise RuntimeError("pgbouncer did not start in 15 s")
