"""The Streamlit shell's floor for ``benchmarks/explorer.py``: a bare two-page app.

What any page of the explorer costs before its own content — Streamlit's frontend loading,
its websocket, a script run and the sidebar's navigation — measured with the same Streamlit,
the same settings (run from the repository's root: its ``.streamlit/config.toml``) and the
same browser as the explorer's pages, so that each page's figure has this one beside it.
"""

import streamlit as st


def hello() -> None:
    st.title("Hello")


def other() -> None:
    st.title("Other")


st.set_page_config(page_title="floor", layout="wide")
st.navigation([st.Page(hello, title="Hello", default=True), st.Page(other, title="Other")]).run()
