"""The Streamlit side of the hub: session state, sign-in, shared widgets.

This package may import streamlit; `hub` never does.
"""
