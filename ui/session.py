"""Session state (ids and flags only, never secrets), the cached Hub, and the signed-in context.

Every key the app keeps in ``st.session_state`` is listed in `DEFAULTS` and set up by `init_state`.
Secrets typed into forms never reach session state: a form's submit callback moves the value into a
`SecretStr` held by `take_secret`/`pop_secret` for the rest of that one script run, and blanks the
widget.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st
from pydantic import SecretStr
from streamlit.runtime.scriptrunner import get_script_run_ctx

from hub.settings import Settings

if TYPE_CHECKING:  # hub.services (SQLAlchemy, bcrypt...) is imported when the hub is first opened
    from hub import Hub, TenantService
    from hub.models import Tenant

log = logging.getLogger("hub.app")

#: Every session-state key the app owns, with its initial value. Ids and flags only.
DEFAULTS: dict[str, Any] = {
    # who is signed in (set by ui.auth)
    "user_id": None,
    "username": None,
    "user_name": None,
    "tenant_id": None,
    "logout": False,  # True after sign-out: the cookie is deleted, and never read again in this session
    "signin_failed": False,
    "signin_error": None,  # why sign-in could not be checked (storage down...): words, never a secret
    "cookie_expires": None,  # epoch seconds: the sign-in cookie this password sign-in set (ui.auth)
    "cookie_checked": False,  # the cookie the browser sent was tried (once per session)
    # the connect dialog
    "dialog_source": None,  # catalogue id of the source whose dialog is open
    "dialog_connection": None,  # the connection the open dialog made (shows its result)
    "dialog_error": None,  # a message to show in the dialog (validation errors; never a secret)
    "dialog_retry": False,  # Retry was pressed: run it in the dialog
    "dialog_action": None,  # "approve" | "submit" | "sample": run it in the dialog
    # OAuth sign-in: the open dialog's authorize link (its `state` nonce, never a token) and what it is for
    "oauth_link": None,  # {"for": [source, connection, account], "url": ..., "at": epoch seconds}
    "oauth_result": None,  # oauth_callback's outcome: {"connection_id"} or {"error", "hint"}, and "steps"
    # the connections page
    "retest_connection": None,
    "rename_connection": None,
    "confirm_disconnect": None,
    "connections_notice": None,
    # the preview page
    "preview_target": None,  # a connection id chosen on another page
    # navigation requested by a callback (callbacks cannot switch pages themselves)
    "navigate_to": None,
}


def init_state() -> None:
    """Set every key of `DEFAULTS` that is missing (once per session)."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)


# --------------------------------------------------------------------------- secrets handed from a callback

_handoff = threading.local()


def take_secret(widget_key: str) -> None:
    """Form-submit callback: move a password widget's value into a one-run `SecretStr`, blank the widget.

    Streamlit runs the callback and then the script in the same thread, so `pop_secret` in the
    script body gets the value; nothing is kept in session state.
    """
    value = st.session_state.get(widget_key) or ""
    store: dict[str, SecretStr] = getattr(_handoff, "secrets", None) or {}
    store[widget_key] = SecretStr(str(value))
    _handoff.secrets = store
    st.session_state[widget_key] = ""


def pop_secret(widget_key: str) -> SecretStr | None:
    """The value `take_secret` took in this run (once), or None."""
    store: dict[str, SecretStr] = getattr(_handoff, "secrets", None) or {}
    return store.pop(widget_key, None)


def take_secrets(*widget_keys: str) -> None:
    """`take_secret` for several widgets (one callback)."""
    for key in widget_keys:
        take_secret(key)


def forget_secrets() -> None:
    """Drop anything `take_secret` left behind (called at the start of every run)."""
    _handoff.secrets = {}


# --------------------------------------------------------------------------- settings and the hub


def _secrets_env() -> dict[str, str]:
    """``HUB_*`` values from ``st.secrets`` (top-level keys, or a ``[hub]`` table), as strings."""
    found: dict[str, str] = {}
    try:
        if not st.secrets.load_if_toml_exists():
            return found
        for key, value in st.secrets.items():
            if key.upper().startswith("HUB_") and isinstance(value, str | int | float):
                found[key.upper()] = str(value)
        table = st.secrets.get("hub")
        if table is not None and hasattr(table, "items"):
            for key, value in table.items():
                if isinstance(value, str | int | float):
                    found[f"HUB_{key.upper()}"] = str(value)
    except Exception:  # a malformed secrets file must not take the app down; env still applies
        log.warning("Could not read st.secrets; using the environment only.", exc_info=True)
    return found


def load_settings() -> Settings:
    """Settings from ``st.secrets`` overridden by the environment (``HUB_*``)."""
    env = {k: v for k, v in os.environ.items() if k.startswith("HUB_")}
    return Settings.from_env({**_secrets_env(), **env})


def _fingerprint(settings: Settings) -> str:
    """A cache key for the settings: every field, secrets revealed and then hashed.

    Any change of configuration, the OAuth apps and the Airbyte settings included, opens a hub of its own.
    """

    def text(value: Any) -> str:
        return value.get_secret_value() if isinstance(value, SecretStr) else repr(value)

    parts = [str(settings.home.resolve())]
    parts += [f"{name}={text(getattr(settings, name))}" for name in sorted(type(settings).model_fields)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _close_hub(hub: Hub) -> None:
    try:
        hub.close()
    except Exception:  # closing a stale hub must never break a page
        log.warning("Closing a cached hub failed.", exc_info=True)


@st.cache_resource(max_entries=4, show_spinner=False, on_release=_close_hub)
def _open_hub(fingerprint: str, _settings: Settings) -> Hub:
    """One Hub per distinct settings: tenant-neutral, shared by every session of this server."""
    from hub import Hub

    hub = Hub.open(_settings)  # with the catalogue of these settings (st.secrets may name it)
    if _settings.embedded:
        hub.ensure_demo_accounts()
    hub.start_warm_up()  # the demo data's pools, built while the visitor signs in
    hub.start_monitor()  # the health monitor's thread when HUB_MONITOR is on (the embedded default)
    return hub


def get_hub(settings: Settings | None = None) -> Hub:
    """The shared Hub for the current settings."""
    settings = settings or load_settings()
    return _open_hub(_fingerprint(settings), settings)


# --------------------------------------------------------------------------- the signed-in context


@dataclass(frozen=True)
class Context:
    """Who is signed in, and the services bound to their tenant (made once per run, never kept longer)."""

    hub: Hub
    service: TenantService
    tenant: Tenant
    username: str
    user_name: str

    @property
    def product_name(self) -> str:
        """HUB_PRODUCT_NAME."""
        return self.hub.settings.product_name


def signed_in() -> bool:
    """Whether this session has a signed-in user."""
    return bool(st.session_state.get("user_id") and st.session_state.get("tenant_id"))


# The context of the script run in progress. app.py, the page and its dialog all ask for it; the tenant is
# looked up for the first and handed to the others. Thread-local and keyed by session and user, so a
# server thread never hands one visitor's context to another; app.py forgets it at both ends of a run.
_run = threading.local()


def require_context() -> Context:
    """The signed-in context of this run; stops the page (with a sign-in prompt) when nobody is signed in.

    The first call in a run resolves the tenant (one look-up); later calls in the same run (the page after
    app.py, a dialog after its page) get the same `Context`.
    """
    if not signed_in():
        st.warning("Please sign in to see this page.", icon=":material/lock:")
        st.stop()
    key = (_session_id(), st.session_state["user_id"], st.session_state["tenant_id"])
    current: tuple[Any, Context] | None = getattr(_run, "context", None)
    if current is not None and current[0] == key:
        return current[1]
    hub = get_hub()
    service = hub.tenant(str(st.session_state["tenant_id"]))
    ctx = Context(
        hub=hub,
        service=service,
        tenant=service.tenant,
        username=str(st.session_state["username"]),
        user_name=str(st.session_state.get("user_name") or st.session_state["username"]),
    )
    _run.context = (key, ctx)
    return ctx


def forget_context() -> None:
    """Drop the run's context (app.py, at the start and the end of every run)."""
    _run.context = None


def _session_id() -> str:
    run_ctx = get_script_run_ctx()
    return run_ctx.session_id if run_ctx is not None else ""


def clear_dialog() -> None:
    """Close the connect dialog (also its ``on_dismiss``)."""
    st.session_state["dialog_source"] = None
    st.session_state["dialog_connection"] = None
    st.session_state["dialog_error"] = None
    st.session_state["dialog_retry"] = False
    st.session_state["dialog_action"] = None
    st.session_state["oauth_link"] = None


def go_to(page: str, **state: Any) -> None:
    """Button callback: set some session keys and switch to ``page`` (done by app.py on this run)."""
    for key, value in state.items():
        st.session_state[key] = value
    st.session_state["navigate_to"] = page


# --------------------------------------------------------------------------- the OAuth callback's parameters

#: Names the provider sends back to ``oauth_callback``.
CALLBACK_PARAMS = ("state", "code", "error", "error_description", "iss")
#: How long a provider's answer is held for its session.
_HOLD_S = 600.0
_held: dict[str, tuple[float, dict[str, str]]] = {}
_held_lock = threading.Lock()


def _hold(params: dict[str, str]) -> None:
    with _held_lock:
        _held[_session_id()] = (time.monotonic(), params)


def hold_callback_params() -> None:
    """Move a provider's answer (``?state=…&code=…``) out of the URL and hold it for this session.

    Held in this process's memory, keyed by the session — not in session state, and never in the URL
    again — until `take_callback_params` hands it to the callback page and `release_callback_params` drops
    it. Called before the sign-in too: a provider sends the browser back into a new session, which the
    sign-in cookie (or the form) signs in on this or a later run. Held first, then cleared: a rerun that
    stops this run while the URL is being cleared loses nothing.
    """
    if not any(k in st.query_params for k in ("state", "code", "error")):
        return
    _hold({k: str(st.query_params[k]) for k in CALLBACK_PARAMS if k in st.query_params})
    st.query_params.clear()  # no code or state stays in the address bar or the history


def take_callback_params() -> dict[str, str] | None:
    """The provider's answer for this session (from the URL, or held since before the sign-in), or None.

    It stays held until the page calls `release_callback_params` as its work starts, so a rerun that
    stops the page before then finds it again.
    """
    hold_callback_params()
    with _held_lock:
        cutoff = time.monotonic() - _HOLD_S
        for key in [k for k, (at, _) in _held.items() if at < cutoff]:
            del _held[key]
        held = _held.get(_session_id())
    return dict(held[1]) if held else None


def release_callback_params() -> None:
    """Drop this session's held answer: the callback page is using it (once)."""
    with _held_lock:
        _held.pop(_session_id(), None)


def has_held_callback() -> bool:
    """Whether a provider's answer waits for this session's callback page."""
    with _held_lock:
        return _session_id() in _held


def forget_dialogs(*, keep: str) -> None:
    """Close the dialogs of every page but ``keep`` (a page title), so none reopens on a later visit."""
    if keep != "Connect" and st.session_state.get("dialog_source"):
        clear_dialog()
    if keep != "Connections":
        st.session_state["rename_connection"] = None
        st.session_state["confirm_disconnect"] = None
