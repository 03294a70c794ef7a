"""Child processes in their own process group, ended as a whole: terminated, then killed, then reaped.

A connector (or an installer) may start children of its own; signalling the group reaches them all, so a
time limit, a cancel or the hub's shutdown leaves no orphan and no zombie behind.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

#: The processes started here that are still running, ended at interpreter exit.
_RUNNING: set[subprocess.Popen[bytes]] = set()
_LOCK = threading.Lock()

#: Seconds between SIGTERM and SIGKILL.
GRACE_S = 2.0


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a child: the hub's, without any ``HUB_*`` setting (keys, database URLs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_") and k != "VIRTUAL_ENV"}
    env.update(extra or {})
    return env


def start(
    argv: Sequence[str | Path],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stderr_to_stdout: bool = False,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in a new session (its own process group), stdout and stderr piped, no stdin."""
    proc = subprocess.Popen(  # noqa: S603 - argv is built by the hub, never by a tenant
        [str(a) for a in argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if stderr_to_stdout else subprocess.PIPE,
        cwd=cwd,
        env=dict(env) if env is not None else child_env(),
        start_new_session=True,
    )
    with _LOCK:
        _RUNNING.add(proc)
    return proc


def stop(proc: subprocess.Popen[bytes], *, grace: float = GRACE_S) -> int:
    """End ``proc``'s whole process group (TERM, CONT for a stopped one, then KILL) and reap it.

    ``grace`` 0 kills at once: for a process whose remaining work nobody wants (a preview that has its
    records), so it costs what a bare ``kill`` costs. Returns the exit code (negative: the signal). Safe
    to call on a process that has already ended.
    """
    try:
        if grace > 0 and proc.poll() is None:
            _signal_group(proc, signal.SIGTERM)
            _signal_group(
                proc, signal.SIGCONT
            )  # a stopped (SIGSTOP) process only acts on TERM once continued
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=grace)
        # the leader may be gone while children it started still run in its group
        _signal_group(proc, signal.SIGKILL)
        code = proc.wait()
    finally:
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        with _LOCK:
            _RUNNING.discard(proc)
    return code


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)  # the group id is the leader's pid (start_new_session)


def stop_all() -> None:
    """End every process started here (the hub is shutting down)."""
    with _LOCK:
        running = list(_RUNNING)
    for proc in running:
        stop(proc, grace=0.5)


def running() -> int:
    """How many processes started here are still running (for tests and health)."""
    with _LOCK:
        return len(_RUNNING)


atexit.register(stop_all)
