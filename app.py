"""PairMap's entry point: page configuration and navigation only."""

import streamlit as st

from ui import FAVICON, t

# A local icon: emoji and Material icons as page_icon are fetched from other origins.
st.set_page_config(page_title=t("app.title"), page_icon=FAVICON, layout="wide")
navigation = st.navigation(
    {
        t("nav.section.maps"): [
            st.Page("pages/overview.py", title=t("page.overview"), icon=":material/map:",
                    default=True, url_path="overview"),
        ],
    }
)
navigation.run()
