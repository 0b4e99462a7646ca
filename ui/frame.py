"""Every page starts here: it makes sure app.py framed the run, then hands the page the current view."""

from __future__ import annotations

import streamlit as st

from ui import filters


def _legacy_pages_mode() -> bool:
    """True when Streamlit ran a page file without app.py (see framed())."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a later Streamlit without the pages/ folder mode
        return False
    return bool(getattr(PagesManager, "uses_pages_directory", False))


def framed() -> filters.View:
    """The current view, after making sure the page runs inside app.py's navigation and sidebar.

    Because this app keeps its pages in a folder named pages/, Streamlit 1.67 treats it as an old-style
    multipage app until app.py has called st.navigation once in the process: a deep link that is the
    first request after a server start runs the page file alone (no sidebar filters, no banner).
    Switching that mode off and rerunning lets app.py frame the same page, with the same URL.
    """
    if _legacy_pages_mode():
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        st.rerun()
    return filters.current()
