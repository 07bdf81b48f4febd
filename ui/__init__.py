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
    township_table,
    village_card,
    village_choices,
    village_total,
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
from ui.widgets import (
    MISSING,
    NEGLECTED_SHOWN,
    OVERVIEW_MAP_HEIGHT,
    TOWNSHIP_SHOWN,
    download_buttons,
    issue_table,
    kpi_card,
    link_to,
    neglected_columns,
    show_map,
    show_village_card,
    table,
    township_columns,
    village_map,
    visit_columns,
)
from ui.writes import import_boundary_file, import_records, record_visit

__all__ = [
    "FAVICON",
    "MISSING",
    "NEGLECTED_SHOWN",
    "OVERVIEW_MAP_HEIGHT",
    "TOWNSHIP_SHOWN",
    "CoverageData",
    "current_user",
    "department_choices",
    "describe_visits",
    "download_buttons",
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
    "neglected_columns",
    "neglected_table",
    "page",
    "record_visit",
    "reporting_errors",
    "show_map",
    "show_village_card",
    "sidebar",
    "t",
    "table",
    "township_choices",
    "township_columns",
    "township_table",
    "village_card",
    "village_choices",
    "village_map",
    "village_total",
    "visit_columns",
    "visit_records",
]
