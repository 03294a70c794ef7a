"""Shared machinery for driving the app in a real browser: the server, Chromium, and page helpers.

Used by the e2e tests (``tests/e2e/conftest.py``), ``python -m tests.e2e.screenshots`` and
``benchmarks/bench_ui.py``, so that all three start the app and the browser the same way.

- `StreamlitServer` runs ``streamlit run`` as a subprocess in its own process group, with its own
  ``HUB_HOME`` and demo pacing off, polls ``/_stcore/health`` until it answers 200, and stops the
  whole group by its pid.
- `CHROMIUM_LAUNCH` is the launch recipe for the system Chromium (never ``playwright install``).
- `settle`, `sign_in`, `shot` are the page helpers the flows use.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "e2e"

CHROMIUM = "/usr/bin/chromium"
# Without the networking flags Chromium keeps trying to reach Google on a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CHROMIUM_LAUNCH: dict[str, Any] = {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}

VIEWPORT = {"width": 1400, "height": 900}

# Generous for a 2-core machine shared with other work; every wait is on a condition, not on time.
expect.set_options(timeout=20_000)


def free_port() -> int:
    """A loopback TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(hub_home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for an app server: its own HUB_HOME, the embedded default, no demo pacing.

    Every other ``HUB_*`` variable of the caller is dropped (a developer's database URL, keys, product
    name or catalogue path must not leak into a test server); pass ``extra`` to set some on purpose.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        {
            "HUB_HOME": str(hub_home),
            "HUB_DEMO_PACE": "0",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


class StreamlitServer:
    """``streamlit run SCRIPT`` on a free loopback port, in its own process group.

    Use as a context manager, or call `start` and `stop`. The combined stdout/stderr go to
    ``log_path`` (a temp file unless given) so that a failing test can keep it.
    """

    def __init__(
        self,
        script: str | Path = "app.py",
        *,
        cwd: Path = REPO,
        hub_home: Path | None = None,
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        port: int | None = None,
    ) -> None:
        self.script = str(script)
        self.cwd = cwd
        self._owned: list[Path] = []  # temp files made here, removed by `close`
        if hub_home is None:
            hub_home = Path(tempfile.mkdtemp(prefix="hub-e2e-home-"))
            self._owned.append(hub_home)
        if log_path is None:
            fd, name = tempfile.mkstemp(prefix="hub-e2e-streamlit-", suffix=".log")
            os.close(fd)
            log_path = Path(name)
            self._owned.append(log_path)
        # An empty secrets file instead of ./.streamlit/secrets.toml: the app reads HUB_* settings
        # from st.secrets, and a developer's file must not point a test server at a real database.
        fd, name = tempfile.mkstemp(prefix="hub-e2e-secrets-", suffix=".toml")
        os.close(fd)
        self.secrets_file = Path(name)
        self._owned.append(self.secrets_file)
        self.hub_home = hub_home
        self.env = server_env(self.hub_home, env)
        self.log_path = log_path
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        #: secrets the tests typed into this server's pages (passwords); see `leaked_secrets`
        self.typed_secrets: set[str] = set()

    @property
    def url(self) -> str:
        """The app's base URL (with a trailing slash)."""
        return f"http://127.0.0.1:{self.port}/"

    def command(self) -> list[str]:
        """The exact ``streamlit run`` command line."""
        return [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            self.script,
            "--server.headless",
            "true",
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--secrets.files",
            str(self.secrets_file),
            # No file watcher: nothing edits the app during a run, and it costs CPU on small machines.
            "--server.fileWatcherType",
            "none",
        ]

    def start(self, *, timeout: float = 60.0) -> StreamlitServer:
        """Start the server and wait until ``/_stcore/health`` answers 200."""
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                self.command(),
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.wait_healthy(timeout=timeout)
        return self

    def wait_healthy(self, *, timeout: float = 60.0) -> None:
        """Poll the health endpoint; raise with the log's tail if the server dies or never answers."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        health = f"{self.url}_stcore/health"
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with code {self.proc.returncode} before answering {health}:\n"
                    f"{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(health, timeout=2) as resp:  # loopback only
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"streamlit did not answer {health} within {timeout:.0f} s:\n{self.log_tail()}"
                )
            time.sleep(0.05)

    def stop(self, *, timeout: float = 10.0) -> None:
        """SIGTERM the server's process group, then SIGKILL if it lingers."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=timeout)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout)

    def leaked_secrets(self) -> list[str]:
        """Which secrets appear in the server's log: those typed into it, and its own key files' keys.

        Reported by a short label, never by value.
        """
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        found = [f"a typed secret ({len(v)} characters)" for v in self.typed_secrets if v and v in text]
        for name in ("master.key", "cookie.key"):
            path = self.hub_home / name
            if not path.exists():
                continue
            for line in path.read_text().splitlines():
                value = line.split(":", 1)[-1].strip()
                if len(value) >= 16 and value in text:
                    found.append(f"a key from {name}")
        return found

    def log_tail(self, lines: int = 60) -> str:
        """The last lines of the server log."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def close(self) -> None:
        """Stop the server and remove the temp HUB_HOME and log this object made itself."""
        self.stop()
        for path in self._owned:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        self._owned.clear()

    def __enter__(self) -> StreamlitServer:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- page helpers -----------------------------------------------------------------------------------

# Streamlit marks its root element with the script's state ("initial", "running", "notRunning", ...).
# The init script records when that attribute last changed, so `settle` can ask for a quiet period:
# a click that lands in a run still going (a dialog's work, a page switch) is lost.
_WATCH_RUNS = """
(() => {
  window.__hubLastChange = performance.now();
  new MutationObserver(() => { window.__hubLastChange = performance.now(); })
    .observe(document, {subtree: true, attributes: true,
                        attributeFilter: ["data-test-script-state", "data-test-connection-state"]});
})();
"""
_IDLE_FOR = """
(quietMs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const idle = app && app.dataset.testScriptState === "notRunning"
    && app.dataset.testConnectionState === "CONNECTED";
  if (!idle) {
    return false;
  }
  const last = window.__hubLastChange === undefined ? 0 : window.__hubLastChange;
  return performance.now() - last >= quietMs;
}
"""


def watch_reruns(page: Page) -> None:
    """Install the rerun watcher; call once per page before the first `goto`."""
    page.add_init_script(_WATCH_RUNS)


def settle(page: Page, *, quiet_ms: int = 400, timeout: float = 30_000) -> None:
    """Wait until the app is connected and no script has run for ``quiet_ms`` (reruns have settled).

    A rerun that a click triggers may not have started yet when this is called, so flows also wait
    for the text they expect next; this guarantees that the next click does not land mid-run.
    """
    page.wait_for_function(_IDLE_FOR, arg=quiet_ms, polling=50, timeout=timeout)


def open_app(page: Page, url: str, *, timeout: float = 30_000) -> None:
    """Load the app and wait for its first run to finish (call `watch_reruns` first)."""
    page.goto(url, wait_until="domcontentloaded", timeout=timeout)
    settle(page, timeout=timeout)


def sign_in_form(page: Page) -> Any:
    """The sign-in form's username field (streamlit-authenticator's labels)."""
    return page.get_by_label("Username", exact=True)


def sign_in(page: Page, username: str, password: str, *, timeout: float = 30_000) -> None:
    """Fill streamlit-authenticator's form and submit it (does not wait for the result)."""
    user = sign_in_form(page)
    expect(user).to_be_visible(timeout=timeout)
    user.fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name=re.compile(r"^(Log ?in|Sign ?in)$", re.IGNORECASE)).click()


def click(page: Page, target: Any, *, quiet_ms: int = 400) -> None:
    """Click ``target`` (a locator) once the app has settled, so the click cannot land mid-rerun."""
    settle(page, quiet_ms=quiet_ms)
    target.click()


def shot(page: Page, folder: Path, name: str, *, full_page: bool = False) -> Path:
    """Save a PNG screenshot of the viewport as ``folder/name.png``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


def key_locator(page: Page, key: str) -> Any:
    """The element container Streamlit renders for a widget with ``key=`` (CSS class ``st-key-<key>``)."""
    return page.locator(f".st-key-{re.sub(r'[^a-zA-Z0-9_-]', '-', key.strip())}")
