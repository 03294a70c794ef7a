"""The generic live form: a connector's own spec as Streamlit widgets.

`hub.connectors.airbyte.forms` decides what the fields are (order, kinds, defaults, choices) and turns the
typed values into a config; this module only draws the widgets and reads them back. Every widget's key is
the field's (``spec__<path>``), so tests address them by config path. Secret fields are password inputs,
taken out of the session by the submit button's callback (`take_secrets`) and read once with
`pop_secret`: they never stay in session state.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from hub.connectors.airbyte.forms import FormField, build_config, secret_keys, split_optional
from ui.session import pop_secret, take_secrets

#: The submit button's key.
SUBMIT_KEY = "spec_submit"


def render(fields: list[FormField], *, on_submit: Any, submit_label: str = "Connect") -> None:
    """The fields (required first, the optional ones folded) and a submit button.

    ``on_submit`` (a callable taking the action name) runs in the button's callback after the secrets
    were taken out of the widgets.
    """
    render_fields(fields)
    st.button(
        submit_label,
        key=SUBMIT_KEY,
        type="primary",
        icon=":material/bolt:",
        on_click=_submit,
        args=(fields, on_submit),
    )


def render_fields(fields: list[FormField]) -> None:
    """The fields' widgets alone (required first, the optional ones folded), without a submit button."""
    main, optional = split_optional(fields)
    for field in main:
        _widget(field)
    if optional:
        with st.expander("Optional fields"):
            for field in optional:
                _widget(field)


def read_config(fields: list[FormField]) -> dict[str, Any]:
    """The config typed into the form (secrets as `SecretStr`); `ConfigError` names a field it cannot read."""
    values: dict[str, Any] = {}
    secret = set(secret_keys(fields))
    for key in _all_keys(fields):
        values[key] = pop_secret(key) if key in secret else st.session_state.get(key)
    return build_config(fields, values)


def _submit(fields: list[FormField], on_submit: Any) -> None:
    take_secrets(*secret_keys(fields))
    on_submit("live")


def _all_keys(fields: list[FormField]) -> list[str]:
    keys: list[str] = []
    for field in fields:
        keys.append(field.key)
        for choice in field.choices:
            keys.extend(_all_keys(choice.fields))
    return keys


def _widget(field: FormField) -> None:
    label = field.title
    if field.kind == "choice":
        _choice(field)
    elif field.kind == "boolean":
        st.checkbox(label, value=bool(field.default), key=field.key, help=field.help)
    elif field.kind == "enum":
        index = field.options.index(field.default) if field.default in field.options else None
        st.selectbox(
            label, field.options, index=index, key=field.key, help=field.help, placeholder="Choose one"
        )
    elif field.kind == "multiselect":
        default = [v for v in (field.default or []) if v in field.options]
        st.multiselect(label, field.options, default=default, key=field.key, help=field.help)
    elif field.kind in ("integer", "number"):
        _number(field)
    elif field.kind in ("list", "json"):
        value = ", ".join(map(str, field.default)) if isinstance(field.default, list) else ""
        how = " One per line, or separated by commas." if field.kind == "list" else ""
        st.text_area(
            label,
            value=value,
            key=field.key,
            help=(field.help or "") + how,
            placeholder=field.placeholder,
            height=80,
        )
    elif field.multiline and not field.secret:
        st.text_area(label, key=field.key, help=field.help, placeholder=field.placeholder)
    else:
        st.text_input(
            label,
            value=None if field.secret or field.default is None else str(field.default),
            key=field.key,
            type="password" if field.secret else "default",
            help=field.help,
            placeholder=field.placeholder,
            autocomplete="new-password" if field.secret else "off",
        )


def _number(field: FormField) -> None:
    integer = field.kind == "integer"

    def cast(value: float | None) -> int | float | None:
        if value is None:
            return None
        return int(value) if integer else float(value)

    default = field.default if isinstance(field.default, int | float) else None
    st.number_input(
        field.title,
        value=cast(default),
        min_value=cast(field.minimum),
        max_value=cast(field.maximum),
        step=1 if integer else None,
        key=field.key,
        help=field.help,
        placeholder=field.placeholder,
    )


def _choice(field: FormField) -> None:
    """A ``oneOf``: which option (a radio for few, a select box for many), then that option's fields."""
    if len(field.choices) > 1:
        options = list(range(len(field.choices)))
        pick = st.radio if len(options) <= 3 else st.selectbox
        chosen = pick(
            field.title,
            options,
            index=field.default_choice,
            key=field.key,
            format_func=lambda i: field.choices[i].title,
            help=field.help,
            **({"horizontal": True} if pick is st.radio else {}),
        )
    else:
        chosen = 0
        st.markdown(f"**{field.title}**")
    with st.container(border=True):
        index = chosen if isinstance(chosen, int) else field.default_choice
        for sub in field.choices[index].fields:
            _widget(sub)
        if not field.choices[index].fields:
            st.caption("Nothing more to fill in for this option.")
