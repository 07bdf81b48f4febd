"""PairMap's entry point: page configuration and the navigation, inside the error guard.

A logged-out session's navigation holds the login page alone; after login, the pages of
the user's role (the overview first).
"""

import streamlit as st

import ui

# A local icon: emoji and Material icons as page_icon are fetched from other origins.
st.set_page_config(page_title=ui.t("app.title"), page_icon=ui.FAVICON, layout="wide")
with ui.reporting_errors():
    ui.start_warming()  # the overview's figures, computed before the first leader asks
    user = ui.current_user()
    page = ui.navigation(user)
    ui.sidebar(user)
    page.run()
