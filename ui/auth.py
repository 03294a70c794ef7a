"""Sign-in, sign-out and the signed re-authentication cookie.

Passwords are checked by `Hub.authenticate` (bcrypt hashes in storage; it audits ``auth.sign_in`` and
``auth.sign_in_failed``). streamlit-authenticator's `CookieModel` keeps a signed cookie (a JWT with
the username and an expiry, HS256 with ``HUB_COOKIE_KEY`` / ``$HUB_HOME/cookie.key``) so that a
browser reload does not sign the user out. The password never enters session state: the form's
submit callback reads it, blanks the field and checks it.
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import TYPE_CHECKING, Any

import streamlit as st
from pydantic import SecretStr

from hub.auth import cookie_key
from hub.exceptions import HubError
from ui.session import get_hub, load_settings

if TYPE_CHECKING:  # imported on first use: they are slow to import and the sign-in form needs neither
    from streamlit_authenticator.models import CookieModel

    from hub.models import Tenant, User

log = logging.getLogger("hub.app")

COOKIE_NAME = "hub_session"
COOKIE_DAYS = 7.0
COOKIE_ATTEMPTS = 4

DEMO_ACCOUNTS = (
    ("alice", "demo", "Acme Outfitters", "E-commerce"),
    ("bob", "demo", "Globex Cloud", "SaaS"),
)


#: The cookie component is an invisible iframe plus a markdown element holding only a <style> (the
#: library's own spacing fix), but their element containers still take a row (and a gap) at the top of
#: the page in the runs that render them, so the page jumped after sign-in, by an amount that depended
#: on which rerun came last. Out of the flow, they take no space in any run. A style-only `st.html` goes
#: to Streamlit's event container and takes none either. The component renders inside a container that
#: every run creates (`COOKIE_SLOT`), so what follows keeps its place in the page's element tree whether
#: or not a run renders the component: otherwise every element after it moved one place down in those
#: runs, and until the run ended the browser showed the old copy of each (stale) beside the new one.
COOKIE_SLOT = "cookie_slot"
_COOKIE_COMPONENT_CSS = (
    "<style>.stElementContainer:has(iframe[title^='extra_streamlit_components.CookieManager']),"
    ".stElementContainer:has([data-testid='stMarkdownContainer'] > style:only-child),"
    f".st-key-{COOKIE_SLOT},[data-testid='stLayoutWrapper']:has(> .st-key-{COOKIE_SLOT})"
    "{position:absolute;height:0;overflow:hidden;}</style>"
)


_preload_lock = threading.Lock()
_preloaded = False


def preload_cookie_modules() -> None:
    """Import pandas in a daemon thread while the sign-in form is on screen.

    Streamlit imports pandas to inspect the cookie component's arguments: 0.3–1.5 s on a shared 2-core
    machine, which the first sign-in of a process would otherwise wait for. Once per process; a failure
    only costs that time back. Not streamlit-authenticator itself: importing it declares the cookie
    component, and declared outside a script run the browser never receives the cookie (every signed-in
    end-to-end test then waits in vain for it).
    """
    global _preloaded
    with _preload_lock:
        if _preloaded:
            return
        _preloaded = True

    def run() -> None:
        for name in ("pandas",):
            try:
                importlib.import_module(name)
            except Exception:
                log.warning("Preloading %s failed; the first sign-in imports it.", name, exc_info=True)

    threading.Thread(target=run, name="hub-preload-cookie", daemon=True).start()


def _cookie() -> CookieModel:
    """The cookie model (renders streamlit-authenticator's invisible cookie component)."""
    from streamlit_authenticator.models import CookieModel

    settings = load_settings()
    return CookieModel(
        cookie_name=COOKIE_NAME,
        cookie_key=cookie_key(settings).get_secret_value(),
        cookie_expiry_days=COOKIE_DAYS,
    )


def _start_session(user: User, tenant: Tenant) -> None:
    st.session_state["user_id"] = user.id
    st.session_state["username"] = user.username
    st.session_state["user_name"] = user.name
    st.session_state["tenant_id"] = tenant.id
    st.session_state["logout"] = False
    st.session_state["signin_failed"] = False


def _sign_in() -> None:
    """Submit callback of the sign-in form: check the password, start the session, set the cookie."""
    username = str(st.session_state.get("signin_username") or "").strip()
    password = SecretStr(str(st.session_state.get("signin_password") or ""))
    st.session_state["signin_password"] = ""
    st.session_state["signin_failed"] = False
    st.session_state["signin_error"] = None
    if not username or not password.get_secret_value():
        st.session_state["signin_failed"] = True
        return
    try:
        result = get_hub().authenticate(username, password)
    except HubError as exc:  # storage unreachable, keys unusable: say so on the form
        st.session_state["signin_error"] = str(exc)
        return
    if result is None:
        st.session_state["signin_failed"] = True
        return
    _start_session(*result)
    st.session_state["signin_username"] = ""
    st.session_state["cookie_pending"] = "set"
    st.session_state["cookie_attempts"] = 0


def sign_out() -> None:
    """Sign-out callback: audit it, forget the session, and delete the cookie on this run."""
    tenant_id = st.session_state.get("tenant_id")
    username = st.session_state.get("username")
    if tenant_id and username:
        try:
            get_hub().tenant(str(tenant_id)).record(
                "auth.sign_out",
                actor=str(username),
                target_type="user",
                target_id=str(st.session_state["user_id"]),
            )
        except HubError:
            log.warning("Could not audit the sign-out of %s.", username, exc_info=True)
    for key in ("user_id", "username", "user_name", "tenant_id"):
        st.session_state[key] = None
    for key in [str(k) for k in st.session_state]:
        if key.startswith(("dialog_", "preview_", "rename_", "confirm_", "retest_", "oauth_")):
            del st.session_state[key]
    st.session_state["logout"] = True
    st.session_state["cookie_pending"] = "delete"
    st.session_state["cookie_attempts"] = 0


def sync_cookie() -> None:
    """Restore a session from a valid cookie, and send a pending cookie change to the browser.

    A cookie change is sent again on the next runs until the browser's own cookie list (reported by
    the cookie component) confirms it, at most `COOKIE_ATTEMPTS` times: a component rendered only
    once can be dropped by the next rerun before the browser ran it.
    """
    st.html(_COOKIE_COMPONENT_CSS)
    with st.container(key=COOKIE_SLOT):
        _sync_cookie()


def _sync_cookie() -> None:
    pending = st.session_state.get("cookie_pending")
    signed = bool(st.session_state.get("user_id"))
    reading = not signed and not st.session_state.get("logout") and COOKIE_NAME in _cookie_names()
    if not pending and not reading:
        return
    try:
        cookie = _cookie()
        browser = cookie.cookie_manager.cookies if isinstance(cookie.cookie_manager.cookies, dict) else {}
        if pending:
            attempts = int(st.session_state.get("cookie_attempts") or 0)
            confirmed = (
                (COOKIE_NAME in browser)
                if pending == "set"
                else (bool(browser) and COOKIE_NAME not in browser)
            )
            if confirmed or attempts >= COOKIE_ATTEMPTS or (pending == "set" and not signed):
                st.session_state["cookie_pending"] = None
                st.session_state["cookie_attempts"] = 0
            else:
                st.session_state["cookie_attempts"] = attempts + 1
                if pending == "set":
                    cookie.set_cookie()
                else:
                    cookie.delete_cookie()
        elif reading:
            _restore(cookie)
    except HubError:
        log.warning("The sign-in cookie could not be used.", exc_info=True)
        st.session_state["cookie_pending"] = None


def _restore(cookie: CookieModel) -> None:
    """Sign in the user named in a valid cookie (audited as a sign-in by cookie)."""
    token = cookie.get_cookie()
    if not token or not isinstance(token, dict) or not token.get("username"):
        return
    found = get_hub().restore_sign_in(str(token["username"]))
    if found is not None:
        _start_session(*found)


def _cookie_names() -> Any:
    try:
        return dict(st.context.cookies)
    except Exception:  # no browser context (bare mode)
        return {}


def sign_in_page() -> None:
    """The only page a signed-out visitor sees."""
    settings = load_settings()
    _left, middle, _right = st.columns([1, 1.4, 1])
    with middle:
        st.title(f":material/hub: {settings.product_name}")
        st.caption("Connect your data sources, see each one tested, and preview the data before any sync.")
        with st.form("signin", border=True):
            st.text_input("Username", key="signin_username", autocomplete="username")
            st.text_input("Password", type="password", key="signin_password", autocomplete="current-password")
            st.form_submit_button(
                "Sign in", type="primary", key="signin_submit", on_click=_sign_in, width="stretch"
            )
        if st.session_state.get("signin_failed"):
            st.error("Wrong username or password. Check both and try again.", icon=":material/lock:")
        if st.session_state.get("signin_error"):
            st.error(str(st.session_state["signin_error"]), icon=":material/error:")
        if settings.embedded:
            lines = "\n".join(
                f"- **{user}** / `{password}` — {tenant} ({kind})"
                for user, password, tenant, kind in DEMO_ACCOUNTS
            )
            st.info(
                f"**Demo accounts**\n\n{lines}\n\nThese exist only in the local embedded database.",
                icon=":material/person:",
            )
