"""Sign-in, sign-out and the signed re-authentication cookie.

Passwords are checked by `Hub.authenticate` (bcrypt hashes in storage; it audits ``auth.sign_in`` and
``auth.sign_in_failed``). A signed cookie keeps a browser reload from signing the user out: a JWT with
the username and an expiry, HS256 with ``HUB_COOKIE_KEY`` / ``$HUB_HOME/cookie.key``
(`hub.auth.session_token`). The password never enters session state: the form's submit callback reads it,
blanks the field and checks it.

The cookie is read from the request that opened the session (``st.context.cookies``) and written by a
one-line script in an `st.html` element (`sync_cookie`), so a sign-in is a single script run: no
component round trip, no rerun. The cookie is ``SameSite=Strict``, ``Secure`` whenever the page is
served over HTTPS, and expires with its token (7 days). A script cannot set ``HttpOnly`` (neither could
the cookie component this replaced): a script injected into the page could read the token, which is why
the app renders no untrusted HTML with scripts allowed, and why the token names only the user.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import streamlit as st
from pydantic import SecretStr

from hub.auth import cookie_key, session_token, session_username
from hub.exceptions import HubError
from ui.session import get_hub, load_settings

if TYPE_CHECKING:
    from hub.models import Tenant, User

log = logging.getLogger("hub.app")

COOKIE_NAME = "hub_session"
COOKIE_DAYS = 7

DEMO_ACCOUNTS = (
    ("alice", "demo", "Acme Outfitters", "E-commerce"),
    ("bob", "demo", "Globex Cloud", "SaaS"),
)


#: The cookie's script element renders inside a container that every run creates (`COOKIE_SLOT`), so what
#: follows keeps its place in the page's element tree whether or not a run renders the script (otherwise
#: every later element moves one place in those runs, and until the run ends the browser shows a stale
#: copy of each beside the new one). Out of the flow, the slot takes no space (no row, no gap) in any
#: run. The style-only `st.html` that says so goes to Streamlit's event container and takes none either.
COOKIE_SLOT = "cookie_slot"
_COOKIE_SLOT_CSS = (
    f"<style>.st-key-{COOKIE_SLOT},[data-testid='stLayoutWrapper']:has(> .st-key-{COOKIE_SLOT})"
    "{position:absolute;height:0;overflow:hidden;}</style>"
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
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=COOKIE_DAYS)
    st.session_state["cookie_expires"] = expires.timestamp()


def sign_out() -> None:
    """Sign-out callback: audit it, forget the session; the next runs delete the cookie."""
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
    for key in ("user_id", "username", "user_name", "tenant_id", "cookie_expires"):
        st.session_state[key] = None
    for key in [str(k) for k in st.session_state]:
        if key.startswith(("dialog_", "preview_", "rename_", "confirm_", "retest_", "oauth_")):
            del st.session_state[key]
    st.session_state["logout"] = True


def sync_cookie() -> None:
    """Restore a session from a valid cookie, and keep the browser's cookie in step with the session.

    Every run of a password-signed-in session renders the script that sets the cookie, and every run after
    a sign-out the one that deletes it. The element's text is the same in each run, so the browser runs it
    once, when it first appears; a run that is cut short before the browser got it is made good by the
    next. Neither triggers a rerun.
    """
    st.html(_COOKIE_SLOT_CSS)
    with st.container(key=COOKIE_SLOT):
        _sync_cookie()


def _sync_cookie() -> None:
    if st.session_state.get("user_id"):
        expires = st.session_state.get("cookie_expires")
        if expires is not None and st.session_state.get("username"):
            _set_cookie(str(st.session_state["username"]), datetime.fromtimestamp(float(expires), UTC))
        return
    if st.session_state.get("logout"):
        _write_cookie(f"{COOKIE_NAME}=; Path=/; Max-Age=0; SameSite=Strict")
        return
    token = _browser_cookie()
    if token is None or st.session_state.get("cookie_checked"):
        return
    st.session_state["cookie_checked"] = True  # once per session: the request's cookies do not change
    try:
        _restore(token)
    except HubError:
        log.warning("The sign-in cookie could not be used.", exc_info=True)


def _restore(token: str) -> None:
    """Sign in the user named in a valid cookie (audited as a sign-in by cookie)."""
    username = session_username(cookie_key(load_settings()), token)
    found = get_hub().restore_sign_in(username) if username else None
    if found is None:  # tampered, expired, or the user is gone or disabled: the form, as if there were none
        return
    _start_session(*found)


def _set_cookie(username: str, expires: datetime) -> None:
    token = session_token(cookie_key(load_settings()), username, expires)
    stamp = expires.strftime("%a, %d %b %Y %H:%M:%S GMT")
    _write_cookie(f"{COOKIE_NAME}={token}; Path=/; Expires={stamp}; SameSite=Strict")


def _write_cookie(cookie: str) -> None:
    """Render the script that stores ``cookie`` in the browser (``Secure`` when the page came over HTTPS).

    ``cookie`` is built here from the cookie name, a token this app signed and a date: nothing a user typed.
    """
    text = json.dumps(cookie).replace("<", "\\u003c")
    script = f'document.cookie = {text} + (location.protocol === "https:" ? "; Secure" : "");'
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


def _browser_cookie() -> str | None:
    """The sign-in cookie the browser sent with the request that opened this session, if any."""
    try:
        value = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # no browser context (bare mode)
        return None
    return str(value) if value else None


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
