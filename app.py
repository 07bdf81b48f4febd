"""PairMap's entry point: page configuration, login and navigation only."""

import streamlit as st

import ui

# A local icon: emoji and Material icons as page_icon are fetched from other origins.
st.set_page_config(page_title=ui.t("app.title"), page_icon=ui.FAVICON, layout="wide")
user = ui.login_gate()
ui.sidebar(user)
st.navigation(ui.navigation(user)).run()
