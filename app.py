"""The ecograph explorer: ``streamlit run app.py`` (or ``ecograph serve``).

Thin by design: the page configuration, the store selector, the navigation. Each page
lives in ``ecograph/explorer/`` and calls the same functions as the command line.
"""

import streamlit as st

from ecograph.explorer import pages, warmup
from ecograph.explorer.state import store_selector

st.set_page_config(page_title="ecograph explorer", page_icon="🕸️", layout="wide")
store_selector()
navigation = st.navigation(
    [
        st.Page(page.path, title=page.title, icon=page.icon, url_path=page.url_path, default=i == 0)
        for i, page in enumerate(pages())
    ]
)
warmup.visited(navigation.url_path)  # the warm-up makes this page's needs first
navigation.run()
