"""The connect dialogs, one per source kind: OAuth (real sign-in or demo consent), API key, database, file.

Every dialog offers **Use sample data** (button key ``<form>_sample``: ``consent_sample``, ``apikey_sample``,
``db_sample``, ``file_sample``): a demo connection with no credentials (the connect service decides what
that is). A dialog is open while ``st.session_state["dialog_source"]`` names a source (set by a card's button,
cleared by Done/Cancel and by ``on_dismiss``), so that it survives reruns and clicks inside it work
under AppTest too. Buttons that start work only set ``dialog_action``/``dialog_retry`` in their
callbacks; the dialog body then runs the work under ``st.status``. Secrets typed into a form go
through `ui.session.take_secret` and never into session state.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import streamlit as st
from pydantic import SecretStr

from hub.auth import approve, consent_request
from hub.connectors import has_live
from hub.connectors.airbyte.forms import FormField, form_fields
from hub.exceptions import ConfigError, HubError, NotFound
from hub.models import AuthKind, Connection, FailureKind, Mode, SourceEntry, Status, StepEvent
from hub.oauth.apps import app_for_source
from hub.oauth.connect import sign_in_spec, start_in_app
from hub.presenting import sample_summary
from ui import file_form, spec_form
from ui.components import error_boundary, failure_box, run_with_progress, setup_guide, unreadable_notice
from ui.session import Context, clear_dialog, pop_secret, require_context, take_secret

Step = Callable[[StepEvent], None]

SSL_WORDS = {
    "disable": "Off",
    "allow": "Allow (use TLS if the server insists)",
    "prefer": "Prefer TLS (default)",
    "require": "Require TLS",
    "verify-ca": "Require TLS and verify the CA",
    "verify-full": "Require TLS and verify the host name",
    "preferred": "Prefer TLS (default)",
    "required": "Require TLS",
    "verify_ca": "Require TLS and verify the CA",
    "verify_identity": "Require TLS and verify the host name",
}


# --------------------------------------------------------------------------- opening and closing


def open_dialog(source_id: str, connection_id: str | None = None) -> None:
    """Button callback: open the connect dialog of a source (optionally on an existing failed connection)."""
    clear_dialog()
    st.session_state["dialog_source"] = source_id
    st.session_state["dialog_connection"] = connection_id


def _set_action(action: str) -> None:
    st.session_state["dialog_action"] = action


def _set_retry() -> None:
    st.session_state["dialog_retry"] = True


def _submit(action: str, *secret_keys: str) -> None:
    for key in secret_keys:
        take_secret(key)
    st.session_state["dialog_action"] = action


def _close() -> None:
    clear_dialog()
    st.rerun()


def show_connect_dialog(ctx: Context) -> None:
    """Open the dialog named in session state, if any (called at the end of the Connect page)."""
    source_id = st.session_state.get("dialog_source")
    if not source_id:
        return
    try:
        source = ctx.hub.catalogue.get(str(source_id))
    except NotFound:
        clear_dialog()
        return
    dialog = st.dialog(f"Connect {source.name}", width="medium", on_dismiss=clear_dialog)(_dialog_body)
    dialog(source.id)


# --------------------------------------------------------------------------- the body


@error_boundary("the connect dialog")
def _dialog_body(source_id: str) -> None:
    if not st.session_state.get("dialog_source"):
        st.rerun()  # closed by a callback during a dialog-only rerun
    # Asked for, not passed in: a dialog-only rerun runs this body alone, and a context is per run (the
    # page's run already resolved it; a dialog-only rerun resolves it once).
    ctx = require_context()
    source = ctx.hub.catalogue.get(source_id)
    conn = _dialog_connection(ctx)
    action = st.session_state.get("dialog_action")
    st.session_state["dialog_action"] = None
    retry = bool(st.session_state.get("dialog_retry"))
    st.session_state["dialog_retry"] = False

    if conn is not None and Status(conn.status) is Status.CONNECTED and not action:
        _success(ctx, source, conn)
        setup_guide(source)
        return
    failed = conn if conn is not None and Status(conn.status) is Status.FAILED else None
    if failed is not None and not action and not retry:
        failure_box(failed)
        if _sign_in_again(ctx, source, failed):  # the old tokens are refused: only a new sign-in helps
            st.caption("The provider no longer accepts this connection's sign-in. Sign in again below.")
        else:
            st.button(
                "Retry",
                key="dialog_retry_button",
                icon=":material/refresh:",
                type="primary",
                on_click=_set_retry,
            )
            st.caption(
                "Retry tests the credentials you gave before. To use new ones, fill in the form below."
            )
        st.divider()

    _form_for(source)(ctx, source, failed)

    result: Connection | None = None
    if retry and failed is not None:
        result = run_with_progress(
            f"Retrying {failed.name}…",
            lambda step: ctx.service.retest(failed.id, actor=ctx.username, on_step=step),
        )
    elif action == "upload":
        result = file_form.connect(ctx, source, failed, on_step=_remembering)
    elif action:
        config, mode = _config_for(ctx, source, action)
        if config is not None:
            if failed is not None and action != "sample":
                result = run_with_progress(
                    f"Reconnecting {source.name}…",
                    lambda step: ctx.service.reconnect(failed.id, config, actor=ctx.username, on_step=step),
                )
            else:
                result = run_with_progress(
                    f"Connecting {source.name}…",
                    lambda step: ctx.service.connect(
                        source.id, config, actor=ctx.username, mode=mode, on_step=_remembering(step)
                    ),
                )
    if result is not None:
        st.session_state["dialog_connection"] = result.id
        if Status(result.status) is Status.CONNECTED:
            _success_actions(result)
        else:
            st.button("Retry", key="dialog_retry_button", icon=":material/refresh:", on_click=_set_retry)
    setup_guide(source)


def _sign_in_again(ctx: Context, source: SourceEntry, failed: Connection) -> bool:
    """Whether a failed connection's sign-in expired and the provider's app can sign in again."""
    check = failed.metadata.get("check") or {}
    return (
        source.auth_kind is AuthKind.OAUTH2
        and check.get("kind") == FailureKind.AUTH_EXPIRED
        and app_for_source(ctx.hub.settings, source.id) is not None
    )


def _remembering(on_step: Callable[[StepEvent], None]) -> Callable[[StepEvent], None]:
    """``on_step`` that also keeps the id of the row a new connect made.

    ``dialog_action`` is cleared before the work starts; if a rerun stops the work (the service then ends
    the row failed, "interrupted"), the next run shows that row with Retry instead of an empty form.
    """

    def remember(event: StepEvent) -> None:
        if event.connection_id:
            st.session_state["dialog_connection"] = event.connection_id
        on_step(event)

    return remember


def _dialog_connection(ctx: Context) -> Connection | None:
    conn_id = st.session_state.get("dialog_connection")
    if not conn_id:
        return None
    try:
        return ctx.service.get_connection(str(conn_id))
    except NotFound:
        st.session_state["dialog_connection"] = None
        st.warning(
            "That connection was not found. It may have been removed, or it belongs to another account.",
            icon=":material/search_off:",
        )
        return None


def _success(ctx: Context, source: SourceEntry, conn: Connection) -> None:
    demo = " (demo data)" if Mode(conn.mode) is Mode.DEMO else ""
    st.success(
        f"**{source.name} is connected{demo}.** {sample_summary(conn)}", icon=":material/check_circle:"
    )
    _success_actions(conn)


def _success_actions(conn: Connection) -> None:
    unreadable_notice(conn)
    left, right = st.columns(2)
    with left:
        if st.button("Done", key="dialog_done", type="primary", width="stretch"):
            _close()
    with right:
        if st.button("Preview data", key="dialog_preview", icon=":material/table_view:", width="stretch"):
            clear_dialog()
            st.session_state["preview_target"] = conn.id
            st.switch_page("app_pages/preview.py")


# --------------------------------------------------------------------------- one form per kind


#: How long the dialog reuses the authorize link it made (the hub's state lives 10 minutes).
LINK_REUSE_S = 300.0


def _oauth_form(ctx: Context, source: SourceEntry, failed: Connection | None) -> None:
    """**Sign in with <Provider>** where the operator configured its OAuth app; the demo consent otherwise."""
    app = app_for_source(ctx.hub.settings, source.id)
    if app is None:
        _demo_consent(ctx, source)
        return
    provider = app.provider
    if failed is not None:
        st.markdown(
            f"Sign in with {provider.name} again to reconnect **{failed.name}**: it keeps its id and history."
        )
    else:
        st.markdown(
            f"Sign in with your {provider.name} account. {provider.name} asks you to allow read access, then "
            "sends you back here, where the connection is tested and a first sample read. The tokens are "
            "encrypted before they are stored."
        )
    account: str | None = None
    if provider.account_field:
        suffix = ".myshopify.com" if provider.key == "SHOPIFY" else ".zendesk.com"
        account = st.text_input(
            f"Your {provider.name} {provider.account_field}",
            key="oauth_account",
            placeholder="acme",
            help=f"As in your {provider.name} address: `acme` for acme{suffix}.",
        ).strip() or None
    reconnect = failed.id if failed is not None else None
    asked = form_fields(sign_in_spec(ctx.hub, ctx.tenant.id, source.id, connection_id=reconnect))
    fields: dict[str, Any] | None = {}
    if asked:  # what the connector needs besides the tokens (Google Sheets' spreadsheet...), asked first
        st.caption(
            f"{source.name}'s connector also needs the following to read your data. They are not secret and "
            "are kept with the connection."
        )
        spec_form.render_fields(asked)
        fields = _sign_in_fields(asked)
    url = None
    if fields is not None:
        needs_account = provider.account_field is not None
        url = _authorize_link(ctx, source, failed, account, fields, needs_account=needs_account)
    left, right = st.columns(2)
    with left:
        if url is not None:
            st.link_button(
                f"Sign in with {provider.name}",
                url,
                key="oauth_sign_in",
                type="primary",
                icon=":material/login:",
                width="stretch",
            )
        else:
            st.button(
                f"Sign in with {provider.name}",
                key="oauth_sign_in_disabled",
                type="primary",
                icon=":material/login:",
                disabled=True,
                width="stretch",
            )
    with right:
        _sample_choice("consent", f"No {provider.name} account at hand? Sample data needs no sign-in.")
    redirect = ctx.hub.settings.redirect_uri("app")
    if redirect:
        st.caption(f":material/link: Redirect URI registered with {provider.name}: `{redirect}`")


def _sign_in_fields(asked: list[FormField]) -> dict[str, Any] | None:
    """The sign-in's fields as typed; None (with what to do shown) while one is missing or unreadable.

    Nothing is started, so nothing is stored, until every asked field is filled in; `start_in_app` then
    checks the values themselves.
    """
    try:
        fields = spec_form.read_config(asked)
    except ConfigError as exc:
        st.error(f"{exc.message} {exc.hint}", icon=":material/edit:")
        return None
    missing = [f.title for f in asked if f.required and f.path[-1] not in fields]
    if missing:
        names = ", ".join(f"**{title}**" for title in missing)
        st.caption(f":material/edit: Fill in {names} first, then sign in.")
        return None
    return fields


def _authorize_link(
    ctx: Context,
    source: SourceEntry,
    failed: Connection | None,
    account: str | None,
    fields: dict[str, Any],
    *,
    needs_account: bool,
) -> str | None:
    """The provider's authorize URL for this dialog, made once and reused for `LINK_REUSE_S` (one state).

    Another account or other fields make a new one (the state keeps what it was started with).
    """
    if needs_account and not account:
        st.caption(":material/edit: Type it first, then sign in.")
        return None
    purpose = [source.id, failed.id if failed is not None else None, account, fields]
    held = st.session_state.get("oauth_link")
    if held and held["for"] == purpose and time.time() - held["at"] < LINK_REUSE_S:
        return str(held["url"])
    try:
        url = start_in_app(
            ctx.hub,
            ctx.tenant.id,
            source.id,
            user=ctx.username,
            account=account,
            connection_id=failed.id if failed is not None else None,
            fields=fields,
        )
    except HubError as exc:  # a malformed shop or field, HUB_PUBLIC_URL unset: what to fix; sample data
        st.error(exc.message, icon=":material/error:")
        if exc.hint:
            st.caption(exc.hint)
        st.session_state["oauth_link"] = None
        return None
    st.session_state["oauth_link"] = {"for": purpose, "url": url, "at": time.time()}
    return url


def _demo_consent(ctx: Context, source: SourceEntry) -> None:
    """The simulated consent screen (no OAuth app configured for the source's provider)."""
    request = consent_request(source, ctx.tenant, ctx.product_name)
    with st.container(border=True, key="consent_screen"):
        st.markdown(f"### {request.icon} {request.headline}")
        for scope in request.scopes:
            st.markdown(f"- :material/check: {scope.description}  \n  :gray[`{scope.name}`]")
        st.markdown(f"**Account:** {request.account}")
        st.markdown("**We will read:** " + ", ".join(request.reads) + ".")
        st.info(request.demo_note, icon=":material/science:")
    left, right = st.columns(2)
    with left:
        st.button(
            "Approve",
            key="consent_approve",
            type="primary",
            icon=":material/verified_user:",
            on_click=_set_action,
            args=("approve",),
            width="stretch",
        )
    with right:
        if st.button("Cancel", key="consent_cancel", width="stretch"):
            _close()
    _sample_choice("consent", f"No {source.name} account at hand? Sample data needs no sign-in.")
    if has_live(source.id):  # its connector also takes credentials one can type: a live connection
        with st.expander(f"Or connect {source.name} with a token", icon=":material/key:"):
            st.caption(
                f"What {source.name}'s Airbyte connector accepts besides a sign-in (a private app token, an "
                "API token, a service account key): the connection is live. Secrets are encrypted before "
                "they are stored."
            )
            spec_form.render(
                form_fields(ctx.hub.source_spec(source.id, Mode.LIVE)),
                on_submit=_set_action,
                submit_label="Connect with this token",
            )


def _api_key_form(ctx: Context, source: SourceEntry, failed: Connection | None) -> None:
    fmt = source.api_key
    _sample_choice("apikey", "No key at hand? Sample data makes a demo connection. Or paste your key:")
    if failed is None:
        st.markdown(f"Paste your {source.name} API key. It is encrypted before it is stored.")
    with st.form("apikey_form", border=False):
        st.text_input(
            "API key",
            type="password",
            key="apikey_value",
            placeholder=fmt.example if fmt else "",
            help=f"Where to find it: {fmt.where}" if fmt else None,
            autocomplete="off",
        )
        if fmt:
            st.caption(f":material/info: Where to find it: {fmt.where}")
        st.text_input("Account name (optional)", key="apikey_account", placeholder=ctx.tenant.name)
        st.caption(
            ":material/science: Until the live client exists, the key is checked against the format "
            f"{source.name} documents and the connection serves demo data."
        )
        st.form_submit_button(
            "Connect" if failed is None else "Connect with this key",
            type="primary",
            key="apikey_submit",
            on_click=_submit,
            args=("submit", "apikey_value"),
        )


def _live_fields(ctx: Context, source: SourceEntry) -> dict[str, Any]:
    """The fields of the source's live connector, which the database form follows (none: sample data only)."""
    try:
        fields: dict[str, Any] = ctx.hub.source_spec(source.id, Mode.LIVE)["properties"]
    except ConfigError:  # a catalogue entry without a live connector
        return {}
    return fields


def _database_form(ctx: Context, source: SourceEntry, failed: Connection | None) -> None:
    fields = _live_fields(ctx, source)
    if not fields:
        _sample_choice("db", f"{source.name} can be connected with sample data only, for now.")
        return
    _sample_choice("db", "No database at hand? Sample data makes a demo connection. Or connect your own:")
    with st.form("db_form", border=True):
        if "path" in fields:  # a SQLite file: one path under the server's folder
            st.text_input(
                "File", key="db_path", placeholder="shop.db", help=fields["path"].get("description")
            )
            _database_submit(failed)
            return
        postgres = "schemas" in fields
        left, right = st.columns([3, 1])
        left.text_input(
            "Host", key="db_host", placeholder="db.example.com", help=fields["host"].get("description")
        )
        right.number_input(
            "Port",
            key="db_port",
            min_value=1,
            max_value=65535,
            value=fields["port"]["default"],
            help=fields["port"].get("description"),
        )
        st.text_input("Database", key="db_database", placeholder="analytics" if postgres else "shop")
        left, right = st.columns(2)
        left.text_input(
            "Username",
            key="db_username",
            placeholder="reader",
            autocomplete="off",
            help=fields["username"].get("description"),
        )
        right.text_input("Password", type="password", key="db_password", autocomplete="new-password")
        ssl = fields["ssl_mode"]["properties"]["mode"]  # the connector's modes (Supabase: TLS only)
        st.selectbox(
            "SSL mode",
            ssl["enum"],
            index=ssl["enum"].index(ssl["default"]),
            key="db_ssl_mode",
            format_func=lambda m: SSL_WORDS.get(m, m),
        )
        with st.expander("More options"):
            if postgres:
                st.text_input(
                    "Schemas",
                    key="db_schemas",
                    placeholder="public",
                    help="Comma-separated. Tables in the first schema keep their names; "
                    "others read schema.table.",
                )
            st.text_area(
                "CA certificate",
                key="db_ca_certificate",
                placeholder="-----BEGIN CERTIFICATE-----",
                help="For the verify modes: the PEM of the CA that signed the server's certificate. "
                "Empty: the system's trusted CAs.",
            )
        _database_submit(failed)


def _database_submit(failed: Connection | None) -> None:
    st.form_submit_button(
        "Connect" if failed is None else "Connect with these details",
        type="primary",
        key="db_submit",
        on_click=_submit,
        args=("submit", "db_password"),
    )


def _file_form(ctx: Context, source: SourceEntry, failed: Connection | None) -> None:
    """Upload a file (read by the real file connector), or connect sample data."""
    file_form.render(ctx, action_button=_action_button, failed=failed)
    _sample_choice("file", "No file at hand? Connect a sample file with realistic demo data.")


def _spec_form(ctx: Context, source: SourceEntry, failed: Connection | None) -> None:
    """A source served live by its Airbyte connector: the connector's own spec as a form, or sample data."""
    if source.auth_kind is AuthKind.NONE:  # the sample data generator: nothing to sign in to
        st.markdown(
            f"{source.name} needs no account: its Airbyte connector generates the records on this server. "
            "The first connect installs the connector once (a few hundred MB)."
        )
        _sample_choice("none", "")
    else:
        _sample_choice("apikey", "No account at hand? Sample data makes a demo connection. Or connect yours:")
        if failed is None:
            st.markdown(
                f"Connect your {source.name} account with the fields its Airbyte connector asks for. "
                "Secrets are encrypted before they are stored."
            )
    if source.api_key is not None:
        st.caption(f":material/info: Where to find the key: {source.api_key.where}")
    spec_form.render(
        form_fields(ctx.hub.source_spec(source.id, Mode.LIVE)),
        on_submit=_set_action,
        submit_label="Connect" if failed is None else "Connect with these details",
    )


def _spec_config(ctx: Context, source: SourceEntry) -> tuple[dict[str, Any] | None, Mode]:
    try:
        return spec_form.read_config(form_fields(ctx.hub.source_spec(source.id, Mode.LIVE))), Mode.LIVE
    except ConfigError as exc:
        st.error(f"{exc.message} {exc.hint}", icon=":material/edit:")
        return None, Mode.LIVE


def _form_for(source: SourceEntry) -> Callable[[Context, SourceEntry, Connection | None], None]:
    """The dialog's form: the connector's spec form for a live API-key source, else the kind's own."""
    if source.auth_kind in (AuthKind.API_KEY, AuthKind.NONE) and has_live(source.id):
        return _spec_form
    return _FORMS[source.auth_kind]


def _action_button(label: str, key: str, action: str, *, icon: str, help_text: str) -> None:
    """A form's primary button: it sets ``dialog_action`` to ``action``; the dialog body does the work."""
    st.button(label, key=key, type="primary", icon=icon, on_click=_set_action, args=(action,), help=help_text)


def _sample_choice(form: str, caption: str, *, primary: bool = False) -> None:
    """The "Use sample data" button of a form (key ``<form>_sample``) and a line that says what it is."""
    st.button(
        "Use sample data",
        key=f"{form}_sample",
        type="primary" if primary else "secondary",
        icon=":material/science:",
        on_click=_set_action,
        args=("sample",),
        help="A demo connection with realistic sample data; no credentials needed.",
    )
    if caption:
        st.caption(caption)


_FORMS: dict[AuthKind, Callable[[Context, SourceEntry, Connection | None], None]] = {
    AuthKind.OAUTH2: _oauth_form,
    AuthKind.API_KEY: _api_key_form,
    AuthKind.DATABASE: _database_form,
    AuthKind.FILE: _file_form,
    AuthKind.NONE: _spec_form,
}


def _config_for(ctx: Context, source: SourceEntry, action: str) -> tuple[dict[str, Any] | None, Mode]:
    """The config (secrets as `SecretStr`) and mode for an action of the open dialog."""
    if action == "approve":
        return approve(consent_request(source, ctx.tenant, ctx.product_name)), Mode.DEMO
    if action == "sample":  # demo mode and no config: the service connects the sample data
        return {}, Mode.DEMO
    if action == "live" and has_live(source.id) and source.auth_kind is not AuthKind.DATABASE:
        return _spec_config(ctx, source)
    if source.auth_kind is AuthKind.API_KEY:
        key = pop_secret("apikey_value") or SecretStr("")
        config: dict[str, Any] = {"api_key": key}
        account = str(st.session_state.get("apikey_account") or "").strip()
        if account:
            config["account"] = account
        if not key.get_secret_value():
            st.error("Paste the API key first.", icon=":material/edit:")
            return None, Mode.DEMO
        return config, Mode.DEMO
    if source.auth_kind is AuthKind.DATABASE:
        password = pop_secret("db_password") or SecretStr("")
        fields = _live_fields(ctx, source)
        if "path" in fields:
            path = str(st.session_state.get("db_path") or "").strip()
            if not path:
                st.error("Enter the file's path, or use sample data.", icon=":material/edit:")
                return None, Mode.LIVE
            return {"path": path}, Mode.LIVE
        host = str(st.session_state.get("db_host") or "").strip()
        if not host:
            st.error("Enter the database host, or use sample data.", icon=":material/edit:")
            return None, Mode.LIVE
        config = {
            "host": host,
            "port": int(st.session_state.get("db_port") or 0),
            "database": str(st.session_state.get("db_database") or "").strip(),
            "username": str(st.session_state.get("db_username") or "").strip(),
            "password": password,
            "ssl_mode": {"mode": str(st.session_state.get("db_ssl_mode") or "")},
        }
        ca = str(st.session_state.get("db_ca_certificate") or "").strip()
        if ca and config["ssl_mode"]["mode"].startswith("verify"):
            config["ssl_mode"]["ca_certificate"] = ca
        schemas = [s.strip() for s in str(st.session_state.get("db_schemas") or "").split(",") if s.strip()]
        if schemas and "schemas" in fields:
            config["schemas"] = list(dict.fromkeys(schemas))
        return config, Mode.LIVE
    return {}, Mode.DEMO
