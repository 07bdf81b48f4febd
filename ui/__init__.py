"""Streamlit glue, the only code besides the pages that imports streamlit (``geo`` never
does): ``session`` (settings, engine, login, navigation, the page-setup call and the
error guard), ``loaders`` (cached, typed reads), ``widgets`` and ``writes``.

Pages use what is re-exported here: ``user, period = ui.page(action, title_key)`` first,
then loaders, widgets and writes; a form's write goes inside
``with ui.reporting_errors():``.
"""

from ui.loaders import (
    CoverageData,
    department_choices,
    describe_visits,
    editable_visits,
    load_coverage,
    neglected_table,
    township_choices,
    village_card,
    village_choices,
    visit_records,
)
from ui.session import (
    FAVICON,
    current_user,
    get_engine,
    get_settings,
    navigation,
    page,
    reporting_errors,
    sidebar,
    t,
)
from ui.widgets import issue_table, kpi_card, link_to, show_map, village_map, visit_columns
from ui.writes import import_boundary_file, import_records, record_visit

__all__ = [
    "FAVICON",
    "CoverageData",
    "current_user",
    "department_choices",
    "describe_visits",
    "editable_visits",
    "get_engine",
    "get_settings",
    "import_boundary_file",
    "import_records",
    "issue_table",
    "kpi_card",
    "link_to",
    "load_coverage",
    "navigation",
    "neglected_table",
    "page",
    "record_visit",
    "reporting_errors",
    "show_map",
    "sidebar",
    "t",
    "township_choices",
    "village_card",
    "village_choices",
    "village_map",
    "visit_columns",
    "visit_records",
]
