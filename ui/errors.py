"""Friendly errors: the hub's message and hint, never a traceback; a decorator for whole sections."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from hub.exceptions import HubError, NotFound

log = logging.getLogger("hub.app")

F = TypeVar("F", bound=Callable[..., Any])


def show_error(exc: BaseException, *, where: str = "this page") -> None:
    """A friendly message for an error: the hub's message and hint, never a traceback."""
    if isinstance(exc, NotFound):
        st.warning(
            f"{exc.message} It may have been removed, or it belongs to another account.",
            icon=":material/search_off:",
        )
        if exc.hint:
            st.caption(exc.hint)
    elif isinstance(exc, HubError):
        st.error(exc.message, icon=":material/error:")
        if exc.hint:
            st.caption(exc.hint)
    else:
        log.exception("Unexpected error on %s", where)
        st.error(
            f"Something went wrong on {where}. The problem was logged; the rest of the app still works. "
            "Try again, or pick another page.",
            icon=":material/sentiment_dissatisfied:",
        )


def error_boundary(where: str) -> Callable[[F], F]:
    """Decorator: a `HubError` or unexpected exception in ``fn`` becomes a friendly message."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # st.stop/st.rerun are BaseExceptions and pass through
                show_error(exc, where=where)
                return None

        return inner  # type: ignore[return-value]

    return wrap
