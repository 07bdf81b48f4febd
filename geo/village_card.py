"""The village card: everything the map's click on one village shows."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.coverage import NEED_WEIGHTS, compute_need_factors, compute_pairing_compliance
from geo.i18n import DEFAULT_LANG, translate
from geo.inputs import CoverageInputs
from geo.neglected import joined


@dataclass(frozen=True)
class VillageCard:
    """One village: its figures, reasons, pairings with compliance, last visits, need."""

    code: str
    name: str
    township: str
    reasons: list[str]  # labels in ``lang``
    days_since_last_visit: int | None
    visits_in_window: int
    need: float
    priority: float | None
    pairings: pd.DataFrame  # department, kind, start_date, end_date, required, compliance
    last_visits: pd.DataFrame  # date, department, kind, households, summary
    need_factors: pd.DataFrame  # factor, value (scaled 0-1), weight
    lang: str = DEFAULT_LANG

    @property
    def reasons_text(self) -> str:
        """The reasons' labels as one list in ``lang`` (empty with none)."""
        return joined(self.reasons, self.lang)


def build_village_card(
    code: str,
    status: pd.DataFrame,
    inputs: CoverageInputs,
    townships: pd.DataFrame,
    departments: pd.DataFrame,
    visible_visits: pd.DataFrame | None = None,
    lang: str = DEFAULT_LANG,
) -> VillageCard:
    """Build the card of village ``code``.

    Parameters
    ----------
    status : DataFrame
        ``geo.status.compute_village_status`` output.
    inputs : CoverageInputs
        What ``status`` was computed from (its visits, all of them, give compliance; no
        private columns needed).
    visible_visits : DataFrame, optional
        The visit records with summaries the viewer may read (``geo.records.visits_for``);
        the last 10 of this village are listed. None lists none.
    lang : str
        The language of the reasons' labels.
    """
    row = status.loc[code]
    names = departments.set_index("code")["name"]
    villages, pairings, as_of = inputs.villages, inputs.pairings, inputs.as_of
    compliance = compute_pairing_compliance(inputs)
    mine = pairings[pairings["village_code"] == code]
    table = pd.DataFrame({
        "department": mine["department_code"].map(names).fillna(mine["department_code"]),
        "kind": mine["kind"],
        "start_date": pd.to_datetime(mine["start_date"]),
        "end_date": pd.to_datetime(mine["end_date"]),
        "required_visits_per_month": mine["required_visits_per_month"],
        "compliance": mine["id"].map(compliance["compliance"]) if len(compliance) else None,
    }).sort_values("start_date", ascending=False).reset_index(drop=True)
    last = pd.DataFrame(columns=["date", "department", "kind", "households_visited", "summary"])
    if visible_visits is not None:
        own = visible_visits[(visible_visits["village_code"] == code)
                             & (visible_visits["date"] <= as_of)]
        own = own.sort_values(["date", "id"], ascending=False).head(10)
        last = pd.DataFrame({
            "date": pd.to_datetime(own["date"]),
            "department": own["department_code"].map(names),
            "kind": own["kind"],
            "households_visited": own["households_visited"],
            "summary": own["summary"],
        }).reset_index(drop=True)
    factors = compute_need_factors(villages).loc[code]
    need_factors = pd.DataFrame({"factor": list(NEED_WEIGHTS),
                                 "value": [factors[k] for k in NEED_WEIGHTS],
                                 "weight": list(NEED_WEIGHTS.values())})
    village = villages.set_index("code").loc[code]
    township = townships.set_index("code")["short_name"].get(village["parent_code"], "")
    days = row["days_since_last_visit"]
    priority = row["priority"]
    return VillageCard(
        code=code,
        name=str(village["short_name"]),
        township=str(township),
        reasons=[translate(f"reason.{r}", lang) for r in row["reasons"]],
        days_since_last_visit=None if pd.isna(days) else int(days),
        visits_in_window=int(row["visits_in_window"]),
        need=float(row["need"]),
        priority=None if pd.isna(priority) else float(priority),
        pairings=table,
        last_visits=last,
        need_factors=need_factors,
        lang=lang,
    )
