"""The Data Source Hub in Streamlit: page config, sign-in, the tenant context and the navigation.

Run with ``make run`` (or ``streamlit run app.py``). Pages live in ``app_pages/``, not ``pages/``: Streamlit
treats a ``pages/`` folder beside the entry script as an old-style multipage app and would then run a page
without this frame (no sign-in form, no sidebar). Shared widgets and session handling are in ``ui/``;
everything else goes through ``hub`` services.
"""

from __future__ import annotations

import streamlit as st

from hub.exceptions import HubError, NotFound
from ui.auth import sign_in_page, sign_out, sync_cookie
from ui.errors import show_error
from ui.session import (
    forget_context,
    forget_dialogs,
    forget_secrets,
    get_hub,
    has_held_callback,
    hold_callback_params,
    init_state,
    load_settings,
    require_context,
    signed_in,
)

forget_context()  # this run looks the tenant up afresh, once (`require_context`)

try:
    settings = load_settings()
except HubError as exc:  # a malformed HUB_* variable: say which, and stop
    st.set_page_config(page_title="Data Source Hub", page_icon=":material/hub:", layout="wide")
    show_error(exc, where="start-up")
    st.stop()

st.set_page_config(page_title=settings.product_name, page_icon=":material/hub:", layout="wide")
init_state()
sync_cookie()

if not signed_in():
    # Back from an OAuth provider in a new browser session: the code and state leave the URL now; the
    # callback page finishes the sign-in once the cookie (or the form) has signed the user in.
    hold_callback_params()
    # A deep link to a page (e.g. /preview) while signed out shows the sign-in form at that URL
    # instead of Streamlit's "Page not found" dialog.
    st.navigation(
        [st.Page(sign_in_page, title="Sign in", icon=":material/login:", url_path="signin", default=True)]
        + [
            st.Page(sign_in_page, title="Sign in", icon=":material/login:", url_path=path)
            for path in ("connections", "preview", "health", "next_steps", "audit")
        ]
        + [st.Page(sign_in_page, title="Sign in", icon=":material/login:", url_path="oauth_callback")],
        position="hidden",
    ).run()
    forget_secrets()
    # The form is on screen now; open the storage (and create the demo accounts) while the user types.
    try:
        get_hub(settings)
    except HubError as exc:
        show_error(exc, where="start-up")
    st.stop()

try:
    hub = get_hub(settings)
    ctx = require_context()
except NotFound:  # the tenant went away while signed in
    sign_out()
    st.rerun()
except HubError as exc:  # storage or keys unusable: the message says what to fix
    show_error(exc, where="start-up")
    st.stop()

PAGES = [
    st.Page("app_pages/connect.py", title="Connect", icon=":material/add_link:", default=True),
    st.Page("app_pages/connections.py", title="Connections", icon=":material/cable:"),
    st.Page("app_pages/preview.py", title="Data preview", icon=":material/table_view:"),
    st.Page("app_pages/health.py", title="Health", icon=":material/monitor_heart:"),
    st.Page("app_pages/next_steps.py", title="Next steps", icon=":material/rocket_launch:"),
    st.Page("app_pages/audit.py", title="Audit log", icon=":material/policy:"),
    # where an OAuth provider sends the browser back (`<HUB_PUBLIC_URL>/oauth_callback`); not in the menu
    st.Page(
        "app_pages/oauth_callback.py",
        title="Finish sign-in",
        icon=":material/login:",
        url_path="oauth_callback",
        visibility="hidden",
    ),
]
page = st.navigation(PAGES)
forget_dialogs(keep=page.title)  # a dialog left open on one page does not pop up again on return

target = st.session_state.get("navigate_to")
if has_held_callback() and page.url_path != "oauth_callback":
    target = "app_pages/oauth_callback.py"  # a provider's answer that arrived before the sign-in
if target:
    st.session_state["navigate_to"] = None
    st.switch_page(target)

with st.sidebar:
    st.markdown(f"**{ctx.tenant.name}**")
    st.caption(f"Signed in as {ctx.user_name} · `{ctx.username}`")
    st.button("Sign out", key="sign_out", icon=":material/logout:", on_click=sign_out)
    if hub.local_key:
        st.caption(
            ":material/key: Secrets are encrypted with a local key file in HUB_HOME (master.key). "
            "Set HUB_ENCRYPTION_KEYS in production."
        )
    if hub.rls_warning:
        st.warning(hub.rls_warning, icon=":material/shield:")

try:
    page.run()
except Exception as exc:  # the error boundary: a friendly message, the app stays usable
    show_error(exc, where=f"the {page.title} page")
finally:
    forget_secrets()
    forget_context()
