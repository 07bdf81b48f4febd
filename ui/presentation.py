"""The overview's presentation mode, for a projector in a meeting room: one toggle (kept in
step with the address's ``?present=1``, so that the mode can be bookmarked), the page's
style without the sidebar, and the as-of date and window beside the toggle."""

from __future__ import annotations

import streamlit as st

from geo.period import Period
from ui.session import t

PRESENT_KEY = "overview_present"
"""The toggle's key (its state is the mode)."""
PRESENT_PARAMETER = "present"
"""The address's query parameter: ``?present=1`` opens the overview in presentation mode."""
PRESENT_MAP_HEIGHT = 1100
"""The presentation map's tallest (px); ``ui.show_map(fit_window=True)`` shortens it to the
window below its top (about 470 px at 1280×720, about 830 at 1920×1080)."""
PRESENT_CSS = """<style>
/* Presentation mode: no sidebar (nor its button) and no Streamlit header; the page uses the
   whole screen, with little space around it. */
[data-testid="stSidebar"], [data-testid="stExpandSidebarButton"],
[data-testid="stSidebarCollapseButton"], header[data-testid="stHeader"] {
  display: none !important;
}
.stMainBlockContainer, .block-container {
  padding: 0.4rem 1.25rem 0.25rem; max-width: none;
}
.stMainBlockContainer h1 { padding: 0; }
/* The KPI strip in large type, legible from the back of a meeting room. */
.st-key-present_kpis { --kpi-value-size: 3.4rem; }
.st-key-present_kpis [data-testid="stMetricValue"] > div { line-height: 1.1; font-weight: 600; }
.st-key-present_kpis [data-testid="stMetricLabel"] p { font-size: 1.3rem; font-weight: 600; }
.st-key-present_kpis [data-testid="stMetricDelta"] p { font-size: 1.05rem; }
.st-key-present_as_of p { font-size: 1.6rem; font-weight: 700; margin: 0; }
/* The red and black lists beside the map, larger than on the normal overview. */
.st-key-overview_red_black [data-testid="stPageLink"] p { font-size: 1.05rem; }
.st-key-overview_red_black [data-testid="stMarkdownContainer"] p { font-size: 1.1rem; }
</style>"""


def presenting() -> bool:
    """Whether the overview is in presentation mode: the toggle's state, which on the
    page's first run in a session (or after another page) is taken from the address
    (``?present=1``). Call before the toggle is drawn."""
    if PRESENT_KEY not in st.session_state:
        st.session_state[PRESENT_KEY] = st.query_params.get(PRESENT_PARAMETER) == "1"
    return bool(st.session_state[PRESENT_KEY])


def presentation_toggle(period: Period) -> bool:
    """Draw the presentation mode's toggle (keyed ``overview_present``) at the right of
    its row, and keep the address in step with it (``?present=1`` while on, no parameter
    while off); return whether the mode is on. In the mode, the as-of date and window are
    drawn large at the left of the toggle, and the page's style hides the sidebar."""
    # In the mode the large as-of date takes most of the row; otherwise the switch gets
    # the room its label needs in either language ("Presentation mode" was cut at 1280).
    told, switch = st.columns([2, 1] if presenting() else [1, 1],
                              vertical_alignment="center")
    if presenting():
        told.container(key="present_as_of").markdown(
            t("caption.as_of", as_of=period.as_of.isoformat(), window=period.window_days))
    present = switch.toggle(t("present.toggle"), key=PRESENT_KEY,
                            help=t("present.toggle_help"))
    if present:
        st.query_params[PRESENT_PARAMETER] = "1"
        st.html(PRESENT_CSS)
    elif PRESENT_PARAMETER in st.query_params:
        del st.query_params[PRESENT_PARAMETER]
    return bool(present)
