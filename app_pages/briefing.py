"""Briefing: the meeting's handout, in one click.

The as-of date and window are the overview's (the caption under the title); the files
are made from the same figures as the overview and the Departments page.
"""

import streamlit as st

import ui
from geo.access import Action
from ui import t


def render() -> None:
    user, period = ui.page(Action.VIEW_MAPS, "page.briefing")
    briefing = ui.load_briefing(user, period)
    st.write(t("briefing.intro"))
    st.caption(t("briefing.contents"))
    ui.briefing_downloads(briefing, key="briefing")
    months = briefing.months_period
    st.caption(t("briefing.months_caption", start=months.start.isoformat(),
                 end=months.as_of.isoformat()))


render()
