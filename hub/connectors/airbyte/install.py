"""Install pinned Airbyte connector packages, each into its own virtual environment.

One folder per package and version under ``HUB_CONNECTORS_DIR`` (``$HUB_HOME/connectors``):
``airbyte-source-faker-7.2.1/``. An install is built in a hidden temporary folder beside it, checked by
running the connector's ``spec``, and renamed into place: a folder with the final name is always
complete, and a failed install leaves nothing. A file lock per package and version makes two processes
(two app replicas on a shared volume, the CLI and the app) never build the same one at once; the second
waits and then finds it installed.

`uv` (a PyPI package the hub depends on) builds the venvs, with ``UV_PYTHON_DOWNLOADS=never``: these
machines cannot download interpreters. Without uv, ``venv`` and pip do the same more slowly.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout
from pydantic import BaseModel

from hub.connectors.airbyte import procs
from hub.exceptions import ConnectorInstallError
from hub.models import ConnectorPackage

log = logging.getLogger(__name__)

#: Written last into a finished venv: what it holds and how it was checked.
MARKER = "hub-connector.json"

Progress = Callable[[str], None]


class InstalledConnector(BaseModel):
    """One connector venv on this machine."""

    package: str
    version: str
    path: Path
    python: str
    installed_at: str
    size_bytes: int


def resolve_python(setting: str | None) -> str:
    """The interpreter for connector venvs: ``setting``, else this one when below 3.12, else python3.11.

    Raises `ConnectorInstallError` saying what to install when none fits (several connectors require
    Python below 3.12).
    """
    if setting:
        found = shutil.which(setting) or (setting if Path(setting).is_file() else None)
        if found is None:
            raise ConnectorInstallError(
                f"HUB_CONNECTOR_PYTHON is {setting!r}, which is not an interpreter on this machine.",
                hint="Install Python 3.11 (e.g. `apt-get install python3.11`) and point the setting at it.",
            )
        _check_version(found)
        return found
    if sys.version_info < (3, 12):
        return sys.executable
    found = shutil.which("python3.11")
    if found is None:
        raise ConnectorInstallError(
            f"The Airbyte connectors need Python 3.10 or 3.11; the hub runs on {sys.version.split()[0]} "
            "and there is no python3.11 on the PATH.",
            hint="Install Python 3.11 (e.g. `apt-get install python3.11` or `uv python install 3.11`), or "
            "set HUB_CONNECTOR_PYTHON to one.",
        )
    return found


def _check_version(python: str) -> None:
    try:
        out = subprocess.run(  # noqa: S603 - the operator's own interpreter setting
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        raise ConnectorInstallError(
            f"HUB_CONNECTOR_PYTHON ({python}) could not be run: {exc}.",
            hint="Point it at a working Python 3.10 or 3.11.",
        ) from None
    major, minor = (int(p) for p in out.split("."))
    if not (3, 10) <= (major, minor) < (3, 12):
        raise ConnectorInstallError(
            f"HUB_CONNECTOR_PYTHON ({python}) is Python {out}; the connectors need 3.10 or 3.11.",
            hint="Install Python 3.11 and point HUB_CONNECTOR_PYTHON at it.",
        )


def entry_script(package: ConnectorPackage) -> str:
    """The connector's command: ``airbyte-source-faker`` installs ``source-faker``."""
    return package.name.removeprefix("airbyte-")


def folder_size(path: Path) -> int:
    """Bytes taken by the files under ``path`` (symlinks not followed)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


class Installer:
    """Installs, lists and removes connector venvs under ``root``."""

    def __init__(self, root: Path, *, python: str | None = None, timeout: float = 900) -> None:
        self.root = root
        self.python_setting = python
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"Installer(root={str(self.root)!r})"

    def path(self, package: ConnectorPackage) -> Path:
        """The venv folder of ``package`` (it may not exist)."""
        return self.root / package.key

    def command(self, package: ConnectorPackage) -> list[str]:
        """How to run the installed connector: its venv's python and entry script.

        The script is run through the python, not by its ``#!`` line: the venv was built under another
        (temporary) name.
        """
        venv = self.path(package)
        return [str(venv / "bin" / "python"), str(venv / "bin" / entry_script(package))]

    def is_installed(self, package: ConnectorPackage) -> bool:
        """Whether ``package``'s venv is in place (only finished installs are ever renamed into place)."""
        return (self.path(package) / MARKER).is_file()

    def installed(self) -> list[InstalledConnector]:
        """Every finished venv under ``root``, by package name."""
        found: list[InstalledConnector] = []
        if not self.root.is_dir():
            return found
        for folder in sorted(self.root.iterdir()):
            marker = folder / MARKER
            if folder.name.startswith(".") or not marker.is_file():
                continue
            info = json.loads(marker.read_text(encoding="utf-8"))
            found.append(InstalledConnector(**info, path=folder, size_bytes=folder_size(folder)))
        return found

    def ensure(self, package: ConnectorPackage, *, on_progress: Progress | None = None) -> Path:
        """``package``'s venv, installed first when missing (locked, atomic, checked by ``spec``)."""
        if self.is_installed(package):
            return self.path(package)
        self.root.mkdir(parents=True, exist_ok=True)
        locks = self.root / ".locks"
        locks.mkdir(exist_ok=True)
        say = on_progress or (lambda _m: None)
        lock = FileLock(str(locks / f"{package.key}.lock"))
        try:
            lock.acquire(timeout=0.05)
        except Timeout:
            say(f"Waiting for another install of {package.name} {package.version} to finish…")
            try:
                lock.acquire(timeout=self.timeout)
            except Timeout:
                raise ConnectorInstallError(
                    f"Another install of {package.name} {package.version} has not finished after "
                    f"{self.timeout:g} seconds.",
                    hint="Retry later, or remove a stuck install with `python -m hub connectors remove`.",
                    transient=True,
                ) from None
        try:
            if self.is_installed(package):  # built by the process we waited for
                return self.path(package)
            self._clean_stale(package)
            return self._build(package, say)
        finally:
            lock.release()

    def remove(self, package: ConnectorPackage) -> bool:
        """Delete ``package``'s venv (under the install lock); False when it was not installed."""
        target = self.path(package)
        if not target.exists():
            return False
        (self.root / ".locks").mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.root / ".locks" / f"{package.key}.lock"), timeout=self.timeout):
            # rename first: a half-deleted folder must never look installed
            doomed = self.root / f".{package.key}.removing-{time.time_ns()}"
            target.rename(doomed)
            shutil.rmtree(doomed, ignore_errors=True)
        return True

    # ------------------------------------------------------------------ building

    def _clean_stale(self, package: ConnectorPackage) -> None:
        """Leftovers of a build that died (we hold the lock, so no build of this package runs)."""
        for stale in self.root.glob(f".{package.key}.*"):
            shutil.rmtree(stale, ignore_errors=True)

    def _build(self, package: ConnectorPackage, say: Progress) -> Path:
        python = resolve_python(self.python_setting)
        started = time.monotonic()
        tmp = Path(tempfile.mkdtemp(prefix=f".{package.key}.", dir=self.root))
        try:
            say(f"Installing {package.name} {package.version} (once per machine; it can take a minute)…")
            self._install(package, python, tmp, say)
            say(f"Checking {package.name} (running its spec)…")
            self._check_spec(package, tmp)
            marker = {
                "package": package.name,
                "version": package.version,
                "python": python,
                "installed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            (tmp / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
            tmp.rename(self.path(package))
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        size = folder_size(self.path(package)) / 1_000_000
        say(
            f"Installed {package.name} {package.version} ({size:,.0f} MB) "
            f"in {time.monotonic() - started:.0f} s."
        )
        log.info("installed %s into %s (%.0f MB)", package.key, self.path(package), size)
        return self.path(package)

    def _install(self, package: ConnectorPackage, python: str, tmp: Path, say: Progress) -> None:
        requirement = f"{package.name}=={package.version}"
        uv = _uv_binary()
        env = procs.child_env({"UV_PYTHON_DOWNLOADS": "never"})
        if uv is not None:
            steps = [
                [uv, "venv", "--quiet", "--allow-existing", "--relocatable", "--python", python, str(tmp)],
                [uv, "pip", "install", "--python", str(tmp / "bin" / "python"), requirement],
            ]
        else:
            say("uv is not available; installing with venv and pip (slower)…")
            steps = [
                [python, "-m", "venv", str(tmp)],
                [
                    str(tmp / "bin" / "python"),
                    "-m",
                    "pip",
                    "install",
                    "--disable-pip-version-check",
                    requirement,
                ],
            ]
        deadline = time.monotonic() + self.timeout
        for argv in steps:
            self._step(package, argv, env, deadline)

    def _step(self, package: ConnectorPackage, argv: list[str], env: dict[str, str], deadline: float) -> None:
        proc = procs.start(argv, env=env, stderr_to_stdout=True)
        lines: list[str] = []

        def collect() -> None:
            assert proc.stdout is not None
            try:
                for raw in proc.stdout:
                    lines.append(raw.decode("utf-8", errors="replace").rstrip())
            except (ValueError, OSError):
                pass

        reader = threading.Thread(target=collect, daemon=True)
        reader.start()
        try:
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            procs.stop(proc)
            raise ConnectorInstallError(
                f"Installing {package.name} {package.version} took longer than {self.timeout:g} seconds.",
                hint="Check the network to PyPI and retry; HUB_CONNECTOR_INSTALL_TIMEOUT_S raises the limit.",
                transient=True,
            ) from None
        reader.join(timeout=5)
        code = procs.stop(proc)
        if code != 0:
            why = _reason(lines)
            log.warning("install of %s failed:\n%s", package.key, "\n".join(lines[-40:]))
            raise ConnectorInstallError(
                f"Could not install {package.name} {package.version}: {why}",
                hint="Nothing was installed. Check the network to PyPI and the pinned version, then retry.",
            )

    def _check_spec(self, package: ConnectorPackage, venv: Path) -> None:
        from hub.connectors.airbyte.runner import Run

        command = [str(venv / "bin" / "python"), str(venv / "bin" / entry_script(package))]
        if not Path(command[1]).is_file():
            raise ConnectorInstallError(
                f"{package.name} {package.version} installed no `{entry_script(package)}` command.",
                hint="Pin another version of the package in the catalogue.",
            )
        run = Run(command, "spec", timeout=120, max_message_bytes=16_000_000, name=package.name)
        try:
            if not any(m.spec is not None for m in run.messages()):
                raise ConnectorInstallError(
                    f"{package.name} {package.version} installed, but its `spec` printed no spec.",
                    hint="Pin another version of the package in the catalogue.",
                )
        except ConnectorInstallError:
            raise
        except Exception as exc:
            raise ConnectorInstallError(
                f"{package.name} {package.version} installed, but its `spec` failed: {exc}",
                hint="Pin another version, or check HUB_CONNECTOR_PYTHON.",
            ) from None


def _uv_binary() -> str | None:
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def _reason(lines: list[str]) -> str:
    """The installer's own explanation: its last error lines, shortened."""
    useful = [ln.strip() for ln in lines if ln.strip()]
    errors = [
        ln for ln in useful if ln.lower().startswith(("error", "×", "x ", "cause", "because", "and because"))
    ]
    text = " ".join((errors or useful)[-4:]) or "the installer gave no reason"
    return text[:600]
