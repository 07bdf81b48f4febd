"""Map layers: which class each village falls in, its colour, and the legend.

Palettes are colour-blind safe and stay apart in greyscale: the status scheme is
blue / orange / dark red / grey; continuous layers use one ColorBrewer sequential ramp of
five classes with the class breaks printed in the legend. "Never visited" and "no data"
always have their own class, so missing is never mistaken for low.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.status import (
    STATUS_PAIRED_LAPSED,
    STATUS_PAIRED_NEVER,
    STATUS_PAIRED_VISITED,
    STATUS_UNPAIRED_NOT_VISITED,
    STATUS_UNPAIRED_VISITED,
    STATUSES,
    classify_status,
    hatched,
)

LAYERS = ("pairing", "days", "visits_per_1000", "need")
STATUS_COLOURS: dict[str, str] = {
    STATUS_PAIRED_VISITED: "#2166AC",  # blue: served
    STATUS_PAIRED_LAPSED: "#F1A340",  # orange: paired, not visited recently
    STATUS_PAIRED_NEVER: "#8C8C8C",  # grey: never visited
    STATUS_UNPAIRED_VISITED: "#F4B6B6",  # pale red: unpaired, visited
    STATUS_UNPAIRED_NOT_VISITED: "#8E0B0B",  # dark red: unpaired (hatched when never)
}
HATCH_STRIPE = "#FFFFFF"
"""Unpaired villages never visited are dark red with white stripes."""
NEVER_COLOUR = "#8C8C8C"
NO_DATA_COLOUR = "#FFFFFF"
RAMPS: dict[str, tuple[str, ...]] = {
    "days": ("#FFFFD4", "#FED98E", "#FE9929", "#D95F0E", "#993404"),  # YlOrBr
    "visits_per_1000": ("#EFF3FF", "#BDD7E7", "#6BAED6", "#3182BD", "#08519C"),  # Blues
    "need": ("#F2F0F7", "#CBC9E2", "#9E9AC8", "#756BB1", "#54278F"),  # Purples
}
DAY_BREAKS = (30, 60, 90, 180)
"""Where the days layer's classes start: 0–29, 30–59, 60–89, 90–179, 180 and more. A
village last visited 90 days ago is outside the default 90-day window (``T-W < date``)
and neglected (``>= N``), so 90 opens a class, as on the status layer."""


@dataclass(frozen=True)
class LegendClass:
    """One legend row: class key, fill colour, label and how many villages it holds;
    ``hatched`` of them are drawn hatched (never visited), told on a line of its own."""

    key: str
    colour: str
    label: str
    count: int
    hatched: int | None = None


@dataclass(frozen=True)
class VillageLayer:
    """What a map layer shows for each village and its legend."""

    name: str
    title: str
    village_class: pd.Series  # code -> class key
    colours: dict[str, str]  # class key -> colour
    legend: list[LegendClass]
    value_label: str
    value_text: pd.Series  # code -> short text for the tooltip
    hatched: pd.Series | None = None  # code -> drawn hatched
    outlined: pd.Series | None = None  # code -> drawn with a heavy outline (overdue)


def _legend(classes: list[tuple[str, str, str]], village_class: pd.Series) -> list[LegendClass]:
    counts = village_class.value_counts()
    return [LegendClass(key, colour, label, int(counts.get(key, 0)))
            for key, colour, label in classes]


def _days_text(days: object, labels: Mapping[str, str]) -> str:
    if days is None or pd.isna(days):
        return labels["tooltip.never"]
    return labels["tooltip.days_value"].format(days=int(days))


def visits_per_1000(coverage: pd.DataFrame, villages: pd.DataFrame) -> pd.Series:
    """Visits in the window per 1,000 residents of each village (NaN without population)."""
    population = pd.to_numeric(villages.set_index("code")["population"], errors="coerce")
    population = population.reindex(coverage.index).astype("float64")
    rate = coverage["visits_in_window"].astype("float64") * 1000 / population
    return rate.where(population > 0)


def quantile_breaks(values: pd.Series, classes: int = 5) -> list[float]:
    """Return up to ``classes - 1`` increasing inner breaks of ``values`` (rounded)."""
    known = values.dropna().to_numpy(dtype="float64")
    if known.size == 0:
        return []
    inner = np.quantile(known, np.linspace(0, 1, classes + 1)[1:-1])
    return sorted({round(float(b), 2) for b in inner})


def _ramp_classes(values: pd.Series, breaks: list[float], ramp: tuple[str, ...],
                  fmt: str, right: bool = True) -> tuple[pd.Series, list[tuple[str, str, str]]]:
    edges = [-np.inf, *breaks, np.inf]
    keys = [f"c{i}" for i in range(len(edges) - 1)]
    binned = pd.cut(values, edges, labels=keys, right=right)
    low = values.min()
    high = values.max()
    classes = []
    for i, key in enumerate(keys):
        lo = low if i == 0 else edges[i]
        hi = high if i == len(keys) - 1 else edges[i + 1]
        classes.append((key, ramp[min(i, len(ramp) - 1)], f"{fmt.format(lo)}–{fmt.format(hi)}"))
    return binned.astype(object).where(values.notna(), None), classes


def build_layer(name: str, coverage: pd.DataFrame, villages: pd.DataFrame,
                labels: Mapping[str, str]) -> VillageLayer:
    """Classify every village for layer ``name`` (one of ``LAYERS``).

    Parameters
    ----------
    coverage : DataFrame
        ``geo.status.compute_village_status`` output (coverage plus status), by code.
    villages : DataFrame
        Villages with ``code`` and ``population``.
    labels : Mapping
        Translated texts (``geo.maps.map_labels``).
    """
    if name == "pairing":
        status = classify_status(coverage)
        striped = hatched(coverage.assign(status=status))
        classes = [(s, STATUS_COLOURS[s], labels[f"status.{s}"]) for s in STATUSES]
        legend = [LegendClass(c.key, c.colour, c.label, c.count,
                              int(striped.sum()) if c.key == STATUS_UNPAIRED_NOT_VISITED
                              else None) for c in _legend(classes, status)]
        value = coverage["days_since_last_visit"].map(lambda d: _days_text(d, labels))
        return VillageLayer(name, labels["legend.title"], status, dict(STATUS_COLOURS),
                            legend, labels["tooltip.days"], value, striped)
    if name == "days":
        days = coverage["days_since_last_visit"].astype("Float64").astype("float64")
        village_class, classes = _ramp_classes(days, list(DAY_BREAKS), RAMPS["days"],
                                               "{:.0f}", right=False)
        # Whole days in left-closed classes (DAY_BREAKS).
        bounds = [0, *DAY_BREAKS]
        ranges = [labels["layer.days_class"].format(range=f"{lo}–{hi - 1}")
                  for lo, hi in zip(bounds, DAY_BREAKS, strict=False)]
        ranges.append(labels["layer.days_over"].format(days=DAY_BREAKS[-1]))
        classes = [(k, c, r) for (k, c, _), r in zip(classes, ranges, strict=True)]
        village_class = village_class.where(days.notna(), "never")
        classes.append(("never", NEVER_COLOUR, labels["status.never_visited"]))
        value = coverage["days_since_last_visit"].map(lambda d: _days_text(d, labels))
        return _layer(name, labels["layer.days"], village_class, classes,
                      labels["tooltip.days"], value)
    if name == "visits_per_1000":
        rate = visits_per_1000(coverage, villages)
        village_class, classes = _ramp_classes(rate, quantile_breaks(rate),
                                               RAMPS["visits_per_1000"], "{:.1f}")
        village_class = village_class.where(rate.notna(), "no_data")
        classes.append(("no_data", NO_DATA_COLOUR, labels["layer.no_data"]))
        value = rate.map(lambda r: labels["layer.no_data"] if pd.isna(r) else f"{r:.1f}")
        return _layer(name, labels["layer.visits_per_1000"], village_class, classes,
                      labels["layer.visits_per_1000"], value)
    if name == "need":
        need = coverage["need"].astype("float64")
        village_class, classes = _ramp_classes(need, quantile_breaks(need), RAMPS["need"],
                                               "{:.2f}")
        value = need.map(lambda v: f"{v:.2f}")
        return _layer(name, labels["layer.need"], village_class, classes,
                      labels["layer.need"], value)
    raise ValueError(f"unknown layer {name!r}; use one of {', '.join(LAYERS)}")


def _layer(name: str, title: str, village_class: pd.Series,
           classes: list[tuple[str, str, str]], value_label: str,
           value: pd.Series) -> VillageLayer:
    return VillageLayer(name, title, village_class, {k: c for k, c, _ in classes},
                        _legend(classes, village_class), value_label, value)


COMPLIANCE_COLOURS: dict[str, str] = {
    "full": "#2166AC",  # blue: every judged month met
    "partial": "#F1A340",  # orange: at least half
    "low": "#8E0B0B",  # dark red: fewer than half
    "unjudged": NEVER_COLOUR,  # grey: paired, no month to judge yet
    "other": NO_DATA_COLOUR,  # white: not this department's village
}
COMPLIANCE_HALF = 0.5
"""Where the compliance layer's "partial" class starts (met / judged)."""


def compliance_layer(compliance: pd.DataFrame, codes: pd.Index,
                     labels: Mapping[str, str]) -> VillageLayer:
    """Classify every village by one department's compliance with it (单位结对村).

    Parameters
    ----------
    compliance : DataFrame
        ``geo.departments.paired_village_compliance`` of the department: its paired
        villages with ``months_judged``, ``months_met`` and ``compliance``.
    codes : Index
        Every village code of the map.
    labels : Mapping
        Translated texts (``geo.maps.map_labels``).

    Returns
    -------
    VillageLayer
        Classes ``full`` (every judged month met), ``partial`` (at least half),
        ``low`` (fewer than half), ``unjudged`` (paired, no month to judge) and
        ``other`` (not paired with the department).
    """
    share = compliance["compliance"].reindex(codes)
    paired = pd.Series(codes.isin(compliance.index), index=codes)
    village_class = pd.Series(
        np.select([~paired, share.isna(), share >= 1, share >= COMPLIANCE_HALF],
                  ["other", "unjudged", "full", "partial"], "low"), index=codes)
    judged = compliance["months_judged"].reindex(codes)
    met = compliance["months_met"].reindex(codes)
    value = pd.Series([
        labels["layer.compliance_other"] if not is_paired
        else labels["layer.compliance_unjudged"] if pd.isna(s)
        else labels["layer.compliance_value"].format(met=int(m), judged=int(j), share=s)
        for is_paired, s, m, j in zip(paired, share, met, judged, strict=True)], index=codes)
    classes = [(key, colour, labels[f"layer.compliance_{key}"])
               for key, colour in COMPLIANCE_COLOURS.items()]
    return _layer("compliance", labels["layer.compliance"], village_class, classes,
                  labels["layer.compliance_tooltip"], value)


PLAN_COLOURS: dict[str, str] = {
    "proposed": "#2166AC",  # blue: a department is proposed
    "uncovered": "#8E0B0B",  # dark red: a candidate the plan could not cover
    "other": NO_DATA_COLOUR,  # white: not a candidate
}


def plan_layer(proposed: Mapping[str, str], uncovered: list[str], codes: pd.Index,
               labels: Mapping[str, str]) -> VillageLayer:
    """Classify every village for the planner's map.

    Parameters
    ----------
    proposed : mapping
        Village code → the proposed department's name.
    uncovered : list of str
        Candidate villages the plan leaves without a department.
    codes : Index
        Every village code of the map.
    labels : Mapping
        Translated texts (``geo.maps.map_labels``).
    """
    village_class = pd.Series("other", index=codes, dtype=object)
    village_class[codes.isin(list(proposed))] = "proposed"
    village_class[codes.isin(uncovered)] = "uncovered"
    value = pd.Series([proposed.get(code) or (labels["layer.plan_uncovered"]
                                              if cls == "uncovered" else "—")
                       for code, cls in zip(codes, village_class, strict=True)], index=codes)
    classes = [(key, colour, labels[f"layer.plan_{key}"])
               for key, colour in PLAN_COLOURS.items()]
    return _layer("plan", labels["layer.plan"], village_class, classes,
                  labels["layer.plan_tooltip"], value)


PROBLEM_LAYER = "problems"
"""The coverage map's layer of the problem ledger (诉求): open problems per village."""
COVERAGE_LAYERS = (*LAYERS, PROBLEM_LAYER)
"""The coverage map's layer choice: ``LAYERS`` (classified from the village status) and
the problem layer (classified from the ledger, ``problem_layer``)."""
PROBLEM_BREAKS = (1, 2, 3, 5)
"""Where the problem layer's classes start: none open, 1, 2, 3–4, 5 and more."""
PROBLEM_COLOURS: dict[str, str] = {
    "none": NO_DATA_COLOUR,  # white: nothing open
    "c1": "#FEE5D9", "c2": "#FCAE91", "c3": "#FB6A4A", "c4": "#CB181D",  # Reds
}
OVERDUE_OUTLINE = "#2166AC"
"""Villages with an overdue problem are drawn with a heavy blue outline, whatever their
fill: apart from the red ramp, and from the townships' dark grey borders."""


def problem_layer(figures: pd.DataFrame, codes: pd.Index,
                  labels: Mapping[str, str]) -> VillageLayer:
    """Classify every village by its open problems at ``T`` and mark those with an
    overdue one (the coverage map's 诉求 layer).

    Parameters
    ----------
    figures : DataFrame
        ``geo.problems.village_problem_figures``: ``open`` and ``overdue`` by village code.
    codes : Index
        Every village code of the map (a village without figures has none open).
    labels : Mapping
        Translated texts (``geo.maps.map_labels``).

    Returns
    -------
    VillageLayer
        Classes ``none`` (no open problem), ``c1`` (1), ``c2`` (2), ``c3`` (3–4) and
        ``c4`` (5 or more), one per village, so the legend's counts add up to the
        villages; ``outlined`` marks the villages with an overdue problem (their number
        on the legend's own line). The tooltip says both counts, no name or text.
    """
    open_count = figures["open"].reindex(codes).fillna(0).astype("int64")
    overdue = figures["overdue"].reindex(codes).fillna(0).astype("int64")
    keys = ["none", "c1", "c2", "c3", "c4"]
    edges = [0, *PROBLEM_BREAKS, np.inf]
    village_class = pd.Series(
        pd.cut(open_count.to_numpy(), edges, labels=keys, right=False).astype(object),
        index=codes)
    ranges = [labels["layer.problems_none"]]
    for low, high in zip(PROBLEM_BREAKS, [*PROBLEM_BREAKS[1:], None], strict=True):
        if high is None:
            ranges.append(labels["layer.problems_over"].format(count=low))
        elif high - low == 1:
            ranges.append(labels["layer.problems_class"].format(range=str(low)))
        else:
            ranges.append(labels["layer.problems_class"].format(range=f"{low}–{high - 1}"))
    classes = [(key, PROBLEM_COLOURS[key], label)
               for key, label in zip(keys, ranges, strict=True)]
    value = pd.Series([
        labels["layer.problems_value_overdue"].format(open=int(o), overdue=int(d)) if d
        else labels["layer.problems_value"].format(open=int(o))
        for o, d in zip(open_count, overdue, strict=True)], index=codes)
    layer = _layer(PROBLEM_LAYER, labels["layer.problems_title"], village_class, classes,
                   labels["layer.problems_tooltip"], value)
    return dataclasses.replace(layer, outlined=pd.Series(overdue.to_numpy() > 0, index=codes))
