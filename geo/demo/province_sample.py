"""Synthetic records for the province sample: the county sample's habits, at scale.

``geo.demo.sample.generate_sample`` makes one county's records a visit at a time (about
150 µs a visit: a million would take minutes). This module makes the same kinds of
records for every county at once, with numpy: the same five habits and their rates,
visit kinds, resolution and follow-up shares, summaries (the same phrases, and the same
stock texts for the departments that copy), empty records, duplicates, misplaced GPS
points, record ids and a problem ledger closed by later visits. It reuses the county
sample's tables of phrases and rates, its village figures, its habit assignment and its
cadres; what it adds is the scale: about ``DEPARTMENTS_PER_VILLAGE`` departments per
village in each county (at least ``MIN_DEPARTMENTS``), each department belonging to its
county (``county_code``) and paired only with that county's villages, and visit rates
scaled so that the history holds about ``visits`` visits.

Every record is synthetic; deterministic for a seed and an anchor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.demo import sample as county_sample
from geo.demo.sample import (
    COPIED_SUMMARIES,
    DEPARTMENTS,
    FOLLOW_UP_SHARE,
    GIVEN,
    HISTORY_DAYS,
    INACTIVE_DEPARTMENT,
    KIND_WEIGHTS,
    LEDGER_DAYS,
    MONTHLY_RATE,
    RATINGS,
    REGISTER_SHARE,
    RESOLVE_SHARE,
    SURNAMES,
    UNRESOLVED_SHARE,
)
from geo.schema import PROBLEM_DUE_DAYS, SATISFACTION_RATINGS, VISIT_KINDS

DEPARTMENTS_PER_VILLAGE = 3000 / 27057
MIN_DEPARTMENTS = 8
COUNTY_LENGTH = 6
UNPAIRED_SHARE = 0.1
SECOND_PAIRING_SHARE = 14 / 96
"""As in the county sample: 10% of villages unpaired, 14 in 96 with a second department."""
LATE_START_SHARE = 8 / 106
NEVER_SHARE = 4 / 96
GPS_SHARE = 0.55
MISPLACED_SHARE = 0.02
DUPLICATE_SHARE = 1 / 120
OFF_PAIRING_SHARE = 1 / 40
LONG_AGO_DAYS = HISTORY_DAYS + 400
_SPLIT = {kind: text.split("|") for kind, text in county_sample._OPENINGS.items()}
_DETAILS = {kind: text.split("|") for kind, text in county_sample._DETAILS.items()}
_CLOSINGS = county_sample._CLOSINGS.split("|")
_FILLERS = {key: words.split() for key, words in county_sample._FILLERS.items()}


@dataclass(frozen=True)
class ProvinceSample:
    """The synthetic tables of the province sample (export column names), with
    ``county_code`` on the departments."""

    villages: gpd.GeoDataFrame
    departments: pd.DataFrame
    cadres: pd.DataFrame
    pairings: pd.DataFrame
    visits: pd.DataFrame
    problems: pd.DataFrame
    habits: dict[str, str]


def _department_names(county_name: str, count: int, rng: np.random.Generator
                      ) -> list[tuple[str, str]]:
    """``count`` of the county sample's departments (the party office first and the
    merged-away one always), renamed for the county: 县… becomes 区…/市… as the county
    is called, and 兴山 its name."""
    suffix = county_name[-1] if county_name[-1] in "县区市" else "县"
    stem = county_name[:-1] if len(county_name) > 2 else county_name
    inactive = next(i for i, (name, _) in enumerate(DEPARTMENTS) if name == INACTIVE_DEPARTMENT)
    others = [i for i in range(1, len(DEPARTMENTS)) if i != inactive]
    chosen = sorted([0, inactive, *rng.choice(others, size=count - 2, replace=False)])
    named = []
    for index in chosen:
        name, kind = DEPARTMENTS[index]
        name = name.replace("兴山县", county_name).replace("兴山", stem)
        if name.startswith("县"):
            name = suffix + name[1:]
        named.append((name, kind))
    return named


def _departments(villages: gpd.GeoDataFrame, counties: pd.DataFrame,
                 rng: np.random.Generator) -> pd.DataFrame:
    """Each county's departments, seated at its seat (its first village, as the county
    sample seats them)."""
    county_of = villages["code"].str[:COUNTY_LENGTH]
    sizes = county_of.value_counts()
    seats = {}
    for code, part in villages.groupby(county_of, sort=True):
        point = part.sort_values("code").geometry.iloc[0].representative_point()
        seats[code] = (round(point.x, 6), round(point.y, 6))
    rows = []
    names = counties.set_index("code")["name"]
    for county in sorted(sizes.index):
        count = int(np.clip(round(sizes[county] * DEPARTMENTS_PER_VILLAGE), MIN_DEPARTMENTS,
                            len(DEPARTMENTS)))
        for number, (name, kind) in enumerate(_department_names(names[county], count, rng),
                                              start=1):
            members = int(rng.integers(8, 40)) if kind == "群团" else int(rng.integers(15, 130))
            rows.append({"code": f"D{county}{number:03d}", "name": name, "kind": kind,
                         "party_members": members, "seat_lon": seats[county][0],
                         "seat_lat": seats[county][1],
                         "active": name.find(INACTIVE_DEPARTMENT[1:]) < 0,
                         "county_code": county})
    return pd.DataFrame(rows)


def _pairings(villages: gpd.GeoDataFrame, departments: pd.DataFrame,
              habits: dict[str, str], anchor: date, rng: np.random.Generator
              ) -> tuple[pd.DataFrame, set[str]]:
    """Pairings within each county, in the county sample's proportions; and the villages
    that are to stay never visited."""
    history_start = anchor - timedelta(days=HISTORY_DAYS)
    long_ago = date(history_start.year - 1, 3, 1)
    rows: list[tuple] = []
    never: set[str] = set()
    weak = dict(zip(villages["code"], villages["weak"], strict=True))
    county_of = villages["code"].str[:COUNTY_LENGTH]
    by_county = departments.groupby("county_code")
    for county, part in villages.groupby(county_of, sort=True):
        depts = by_county.get_group(county)
        active = depts.loc[depts["active"], "code"].tolist()
        inactive = depts.loc[~depts["active"], "code"].tolist()
        neglectful = [c for c in active if habits[c] == "neglectful"]
        order = list(rng.permutation(part["code"].tolist()))
        n_unpaired = round(len(order) * UNPAIRED_SHARE)
        unpaired, paired = order[:n_unpaired], order[n_unpaired:]
        shuffled = list(rng.permutation(active))
        first = {}
        for i, village in enumerate(paired):
            dept = str(shuffled[i % len(shuffled)])
            first[village] = dept
            kind = "定点帮扶" if weak[village] else str(
                rng.choice(["结对共建", "结对共建", "结对共建", "四联四推"]))
            required = 2 if weak[village] and kind == "定点帮扶" else 1
            rows.append((dept, village, kind, long_ago, None, required, ""))
        seconds = rng.choice(paired, size=round(len(paired) * SECOND_PAIRING_SHARE),
                             replace=False) if len(active) > 1 else []
        for village in seconds:
            dept = str(rng.choice([d for d in active if d != first[village]]))
            rows.append((dept, str(village), "四联四推", long_ago, None, 1, ""))
        for village in unpaired[:max(1, len(unpaired) // 3)]:
            end = anchor - timedelta(days=int(rng.integers(150, 400)))
            rows.append((str(rng.choice(active)), village, "结对共建", long_ago, end, 1,
                         "单位调整，结对终止"))
        for village in rng.choice(paired, size=min(3, len(paired)), replace=False):
            end = anchor - timedelta(days=int(rng.integers(200, 500)))
            if inactive:
                rows.append((inactive[0], str(village), "结对共建", long_ago, end, 1,
                             "机构改革，结对终止"))
        never.update(unpaired[len(unpaired) // 3:][:max(1, round(len(order) * NEVER_SHARE))])
        if neglectful:  # a few villages paired only with a neglectful department
            lonely = [v for v in paired if v not in set(map(str, seconds))][:2]
            for village in lonely:
                index = next(i for i in range(len(rows) - 1, -1, -1)
                             if rows[i][1] == village and rows[i][4] is None)
                rows[index] = (str(rng.choice(neglectful)), *rows[index][1:])
                never.add(village)
    frame = pd.DataFrame(rows, columns=["department_code", "village_code", "kind",
                                        "start_date", "end_date",
                                        "required_visits_per_month", "note"])
    late = rng.random(len(frame)) < LATE_START_SHARE
    offsets = rng.integers(60, HISTORY_DAYS - 60, len(frame))
    starts = [history_start + timedelta(days=int(o)) for o in offsets]
    frame.loc[late & frame["end_date"].isna().to_numpy(), "start_date"] = pd.Series(
        [s.replace(day=min(s.day, 28) if s.day > 3 else 15) for s in starts],
        index=frame.index)[late & frame["end_date"].isna().to_numpy()]
    frame = frame.drop_duplicates(["department_code", "village_code", "start_date"])
    frame = frame.sort_values(["village_code", "start_date", "department_code"],
                              ignore_index=True)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    return frame, never


def _month_grid(history_start: date, anchor: date) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(history_start).to_period("M").to_timestamp(),
                         pd.Timestamp(anchor), freq="MS")


def _pairing_months(pairings: pd.DataFrame, habits: dict[str, str], never: set[str],
                    anchor: date, rng: np.random.Generator) -> pd.DataFrame:
    """One row per pairing and month it could be visited in: ``lo``, ``hi`` (days as
    numpy dates), the habit and the expected visits at the county sample's rates."""
    history_start = anchor - timedelta(days=HISTORY_DAYS)
    live = pairings[~pairings["village_code"].isin(never)].reset_index(drop=True)
    habit = live["department_code"].map(habits).to_numpy()
    first = np.maximum(pd.to_datetime(live["start_date"]).to_numpy("datetime64[D]"),
                       np.datetime64(history_start + timedelta(days=1)))
    ends = pd.to_datetime(live["end_date"]).to_numpy("datetime64[D]")
    last = np.where(np.isnat(ends), np.datetime64(anchor),
                    np.minimum(ends, np.datetime64(anchor)))
    stops = (habit == "neglectful") & (rng.random(len(live)) < 0.6)
    stop_day = np.datetime64(anchor) - rng.integers(100, 300, len(live)).astype("timedelta64[D]")
    last = np.where(stops, np.minimum(last, stop_day), last)
    months = _month_grid(history_start, anchor).to_numpy("datetime64[D]")
    month_end = (months.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    p, m = np.meshgrid(np.arange(len(live)), np.arange(len(months)), indexing="ij")
    p, m = p.ravel(), m.ravel()
    lo = np.maximum(first[p], months[m])
    hi = np.minimum(last[p], month_end[m])
    keep = lo <= hi
    p, m, lo, hi = p[keep], m[keep], lo[keep], hi[keep]
    days_in_month = (month_end[m] - months[m]).astype(int) + 1
    share = ((hi - lo).astype(int) + 1) / days_in_month
    quarter_end = np.isin(months[m].astype("datetime64[M]").astype(int) % 12, [2, 5, 8, 11])
    rate = pd.Series(habit[p]).map(MONTHLY_RATE).to_numpy()
    burst = habit[p] == "burst"
    rate = np.where(burst, rate * np.where(quarter_end, 2.6, 0.2), rate)
    return pd.DataFrame({"pairing": p, "lo": lo, "hi": hi, "month_end": month_end[m],
                         "expected": rate * share, "rush": burst & quarter_end,
                         "department_code": live["department_code"].to_numpy()[p],
                         "village_code": live["village_code"].to_numpy()[p],
                         "habit": habit[p]})


def _draw_days(lo: np.ndarray, hi: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    span = (hi - lo).astype(int) + 1
    return lo + np.floor(rng.random(len(lo)) * span).astype(int).astype("timedelta64[D]")


def _names(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` residents' names (a surname and one or two given characters)."""
    surname = np.array(list(SURNAMES))[rng.integers(0, len(SURNAMES), n)]
    given = np.array(list(GIVEN))
    one = given[rng.integers(0, len(GIVEN), n)]
    two = np.where(rng.random(n) < 0.5, given[rng.integers(0, len(GIVEN), n)], "")
    return np.char.add(np.char.add(surname, one), two)


def _summaries(kinds: np.ndarray, habits: np.ndarray, households: np.ndarray,
               problems: np.ndarray, villages: np.ndarray, rng: np.random.Generator
               ) -> list[str]:
    """The county sample's summaries (``sample._summary``), drawn a column at a time:
    "village：opening，detail，closing。" with the slots filled; a copying department's
    mostly one of the stock texts."""
    n = len(kinds)
    draws = rng.random((n, 3)).tolist()
    names = _names(n, rng).tolist()
    people = rng.integers(8, 120, n).tolist()
    fillers = {key: np.array(words)[rng.integers(0, len(words), n)].tolist()
               for key, words in _FILLERS.items()}
    copying = ((habits == "copying") & (rng.random(n) < 0.9)).tolist()
    stock = rng.integers(0, len(COPIED_SUMMARIES), n).tolist()
    with_count = (rng.random(n) < 0.5).tolist()
    households = np.maximum(households, 1).tolist()
    problems = np.maximum(problems, 1).tolist()
    villages = list(villages)
    kinds = list(kinds)
    groups, crops, issues, policies = (fillers["group"], fillers["crop"], fillers["issue"],
                                       fillers["policy"])
    out = []
    for i in range(n):
        if copying[i]:
            text = COPIED_SUMMARIES[stock[i]] + (
                f"，走访群众{households[i]}户" if with_count[i] else "")
            out.append(f"{villages[i]}：{text}")
            continue
        kind = kinds[i]
        openings, details = _SPLIT[kind], _DETAILS[kind]
        a, b, c = draws[i]
        template = "，".join((openings[int(a * len(openings))], details[int(b * len(details))],
                             _CLOSINGS[int(c * len(_CLOSINGS))]))
        text = template.format(h=households[i], p=problems[i], n=people[i], name=names[i],
                               group=groups[i], crop=crops[i], issue=issues[i],
                               policy=policies[i])
        out.append(f"{villages[i]}：{text}。")
    return out


def _kinds(habits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    kinds = np.empty(len(habits), dtype=object)
    draw = rng.random(len(habits))
    for habit, weights in KIND_WEIGHTS.items():
        mask = habits == habit
        cumulative = np.cumsum(weights)
        index = np.searchsorted(cumulative / cumulative[-1], draw[mask], side="right")
        kinds[mask] = np.array(VISIT_KINDS, dtype=object)[np.minimum(index, len(VISIT_KINDS) - 1)]
    return kinds


def _points_in(geometries: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One random point inside each geometry (rejection in its bounding box)."""
    bounds = shapely.bounds(geometries)
    points = np.full((len(geometries), 2), np.nan)
    todo = np.arange(len(geometries))
    shapely.prepare(geometries)
    for _ in range(50):
        if not todo.size:
            break
        box = bounds[todo]
        x = rng.uniform(box[:, 0], box[:, 2])
        y = rng.uniform(box[:, 1], box[:, 3])
        inside = shapely.contains_xy(geometries[todo], x, y)
        points[todo[inside]] = np.column_stack([x[inside], y[inside]])
        todo = todo[~inside]
    if todo.size:  # thin shapes: a point on the surface
        points[todo] = shapely.get_coordinates(shapely.point_on_surface(geometries[todo]))
    return points


def _misplace(frame: pd.DataFrame, villages: gpd.GeoDataFrame, rng: np.random.Generator
              ) -> None:
    """Move about 2% of GPS points (mostly of burst, neglectful and copying departments)
    into a village of another township of the county, more than 5 km away."""
    with_gps = np.flatnonzero(frame["lon"].notna().to_numpy())
    if not with_gps.size:
        return
    habit = frame["habit"].to_numpy()[with_gps]
    weight = np.where(np.isin(habit, ["diligent", "steady"]), 1.0, 8.0)
    chosen = rng.choice(with_gps, size=max(1, int(len(with_gps) * MISPLACED_SHARE)),
                        replace=False, p=weight / weight.sum())
    codes = villages["code"].to_numpy()
    position = pd.Series(np.arange(len(codes)), index=codes)
    points = shapely.get_coordinates(villages.geometry.representative_point())
    county = villages["code"].str[:COUNTY_LENGTH].to_numpy()
    town = villages["parent_code"].to_numpy()
    start = pd.Series(np.arange(len(codes))).groupby(county).min()
    size = pd.Series(np.arange(len(codes))).groupby(county).size()
    own = position[frame["village_code"].to_numpy()[chosen]].to_numpy()
    found = np.full(len(chosen), -1)
    for _ in range(20):
        todo = np.flatnonzero(found < 0)
        if not todo.size:
            break
        c = county[own[todo]]
        target = start[c].to_numpy() + np.floor(rng.random(todo.size)
                                                * size[c].to_numpy()).astype(int)
        dx = (points[target, 0] - points[own[todo], 0]) * 96.0  # km per degree at 30° N
        dy = (points[target, 1] - points[own[todo], 1]) * 111.0
        ok = (town[target] != town[own[todo]]) & (np.hypot(dx, dy) > 5.0)
        found[todo[ok]] = target[ok]
    moved = found >= 0
    jitter = rng.normal(0, 0.0005, (int(moved.sum()), 2))
    frame.loc[chosen[moved], "lon"] = (points[found[moved], 0] + jitter[:, 0]).round(6)
    frame.loc[chosen[moved], "lat"] = (points[found[moved], 1] + jitter[:, 1]).round(6)


def _cadre_ids(departments: np.ndarray, counts: np.ndarray, cadres: pd.DataFrame,
               rng: np.random.Generator) -> list[str]:
    """Each visit's cadres: ``count`` of its department's active cadres (a run of them
    from a random start), or none where the department lists none."""
    pools = cadres[cadres["active"]].groupby("department_code")["id"].apply(
        lambda ids: [str(i) for i in sorted(ids)]).to_dict()
    starts = rng.random(len(departments))
    out = []
    for dept, count, start in zip(departments, counts, starts, strict=True):
        pool = pools.get(dept)
        if not pool:
            out.append("")
            continue
        size = min(len(pool), int(count))
        first = int(start * len(pool))
        picked = (pool[first:first + size] + pool[:max(0, first + size - len(pool))])
        out.append(";".join(sorted(picked, key=int)))
    return out


def _visits(villages: gpd.GeoDataFrame, departments: pd.DataFrame, habits: dict[str, str],
            cadres: pd.DataFrame, pairings: pd.DataFrame, never: set[str], anchor: date,
            target: int, rng: np.random.Generator) -> pd.DataFrame:
    history_start = anchor - timedelta(days=HISTORY_DAYS)
    months = _pairing_months(pairings, habits, never, anchor, rng)
    # The county sample's rates, scaled so that the history holds about ``target`` visits
    # (with the off-pairing visits and the duplicates that follow).
    scale = target / (months["expected"].sum() * (1 + OFF_PAIRING_SHARE) * (1 + DUPLICATE_SHARE))
    counts = rng.poisson(months["expected"].to_numpy() * scale)
    rows = months.loc[np.repeat(months.index.to_numpy(), counts)].reset_index(drop=True)
    lo = rows["lo"].to_numpy("datetime64[D]")
    hi = rows["hi"].to_numpy("datetime64[D]")
    rush_start = np.maximum(lo, rows["month_end"].to_numpy("datetime64[D]") - 9)
    rush = rows["rush"].to_numpy() & (rush_start <= hi)
    lo = np.where(rush, rush_start, lo)
    days = _draw_days(lo, hi, rng)
    frame = pd.DataFrame({"date": days, "department_code": rows["department_code"],
                          "village_code": rows["village_code"], "habit": rows["habit"],
                          "kind": None})
    # Visits outside the pairings: petitions days (大下访) and policy talks in the county.
    extra = int(len(frame) * OFF_PAIRING_SHARE)
    active = departments[departments["active"]].reset_index(drop=True)
    reachable = villages[~villages["code"].isin(never)]
    by_county = reachable.groupby(reachable["code"].str[:COUNTY_LENGTH])["code"].apply(list)
    dept_index = rng.integers(0, len(active), extra)
    extra_depts = active["code"].to_numpy()[dept_index]
    extra_counties = active["county_code"].to_numpy()[dept_index]
    picks = rng.random(extra)
    extra_villages = [by_county[c][int(u * len(by_county[c]))]
                      for c, u in zip(extra_counties, picks, strict=True)]
    extra_days = np.datetime64(history_start) + rng.integers(
        1, HISTORY_DAYS + 1, extra).astype("timedelta64[D]")
    frame = pd.concat([frame, pd.DataFrame({
        "date": extra_days, "department_code": extra_depts, "village_code": extra_villages,
        "habit": pd.Series(extra_depts).map(habits).to_numpy(),
        "kind": np.where(rng.random(extra) < 0.5, "信访接待/大下访", "政策宣讲")})],
        ignore_index=True)
    n = len(frame)
    habit = frame["habit"].to_numpy()
    kinds = frame["kind"].to_numpy(dtype=object, copy=True)
    missing = pd.isna(kinds)
    kinds[missing] = _kinds(habit[missing], rng)
    frame["kind"] = kinds
    frame["cadre_count"] = rng.integers(1, 7, n)
    frame["households_visited"] = np.where(
        np.isin(kinds, ["走访慰问", "解决实际问题", "信访接待/大下访"]),
        rng.integers(1, 25, n), rng.integers(0, 6, n))
    raised = rng.poisson(0.7, n)
    resolved = rng.binomial(raised, pd.Series(habit).map(RESOLVE_SHARE).to_numpy())
    follow_up = rng.random(n) < pd.Series(habit).map(FOLLOW_UP_SHARE).to_numpy()
    frame["problems_raised"] = raised
    frame["problems_resolved"] = np.where(follow_up, resolved + rng.integers(1, 3, n),
                                          resolved)
    short = villages.set_index("code")["short_name"]
    frame["summary"] = _summaries(kinds, habit, frame["households_visited"].to_numpy(),
                                  raised, short[frame["village_code"]].to_numpy(), rng)
    frame["cadre_ids"] = _cadre_ids(frame["department_code"].to_numpy(),
                                    frame["cadre_count"].to_numpy(), cadres, rng)
    # Empty records (形式主义: a form filled in with nothing), mostly from bursts.
    empty_p = pd.Series(habit).map({"burst": 0.05, "neglectful": 0.05, "copying": 0.03})
    empty = rng.random(n) < empty_p.fillna(0.004).to_numpy()
    frame.loc[empty, "summary"] = ""
    frame.loc[empty, ["households_visited", "problems_raised", "problems_resolved"]] = 0
    # GPS: about half carry a point inside the village; a few land far away.
    gps = np.flatnonzero(rng.random(n) < GPS_SHARE)
    geometry = villages.set_index("code").geometry
    points = _points_in(geometry[frame["village_code"].to_numpy()[gps]].to_numpy(), rng)
    frame["lon"] = np.nan
    frame["lat"] = np.nan
    frame.loc[gps, "lon"] = points[:, 0].round(6)
    frame.loc[gps, "lat"] = points[:, 1].round(6)
    _misplace(frame, villages, rng)
    # Record ids: half of the departments number their sheets (year-sequence).
    frame = frame.sort_values(["date", "department_code", "village_code"], ignore_index=True,
                              kind="stable")
    numbered = set(rng.choice(active["code"].to_numpy(), size=len(active) // 2,
                              replace=False))
    years = frame["date"].dt.year
    sequence = frame.groupby([frame["department_code"], years]).cumcount() + 1
    is_numbered = frame["department_code"].isin(numbered).to_numpy()
    frame["record_id"] = np.where(
        is_numbered, years.astype(str) + "-" + sequence.map("{:04d}".format), "")
    # Duplicates: the same visit keyed in twice (record ids differ, the content does not).
    dup = frame.sample(n=max(3, int(n * DUPLICATE_SHARE)),
                       random_state=int(rng.integers(0, 2**31)))
    dup = dup.assign(record_id=np.where(dup["record_id"] != "", dup["record_id"] + "-2", ""))
    frame = pd.concat([frame, dup], ignore_index=True)
    frame = frame.sort_values(["date", "department_code", "village_code"], ignore_index=True,
                              kind="stable")
    frame["created_at"] = frame["date"] + pd.to_timedelta(
        rng.integers(9, 20, len(frame)), unit="h")
    frame["date"] = frame["date"].dt.date
    frame["source"] = "sample"
    frame["created_by"] = "sample"
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    return frame[["id", "date", "department_code", "village_code", "kind", "cadre_count",
                  "cadre_ids", "households_visited", "problems_raised", "problems_resolved",
                  "lon", "lat", "summary", "record_id", "source", "created_by", "created_at",
                  "habit"]]


def _problems(villages: gpd.GeoDataFrame, visits: pd.DataFrame, departments: pd.DataFrame,
              habits: dict[str, str], rng: np.random.Generator) -> pd.DataFrame:
    """The problem ledger as the county sample keeps it (``sample._problems``), drawn a
    column at a time: over the last ``LEDGER_DAYS`` days each visit (the first of a
    group keyed in twice) registers ``REGISTER_SHARE`` of the problems it raised; a later
    visit of the same department to the same village closes as many of the oldest open
    ones as it resolved (some unresolved, rated by the habit); what nobody closes stays
    open, and only the neglectful departments' go overdue."""
    anchor = max(visits["date"])
    start = anchor - timedelta(days=LEDGER_DAYS)
    keyed = visits.drop_duplicates(["department_code", "village_code", "date", "kind",
                                    "summary"])
    recent = keyed[keyed["date"] > start].sort_values(["date", "id"], kind="stable")
    recent = recent.reset_index(drop=True)
    registered = rng.binomial(recent["problems_raised"].to_numpy(), REGISTER_SHARE)
    # Closing: per department and village, visit j closes min(open before j, resolved).
    key = (recent["department_code"] + "|" + recent["village_code"]).to_numpy()
    resolved = recent["problems_resolved"].to_numpy()
    opened: dict[str, int] = {}
    closed: dict[str, int] = {}
    closes = np.zeros(len(recent), dtype=int)
    first_closed = np.zeros(len(recent), dtype=int)
    for j in np.flatnonzero((registered > 0) | (resolved > 0)):
        k = key[j]
        done = closed.get(k, 0)
        count = min(opened.get(k, 0) - done, int(resolved[j]))
        if count > 0:
            closes[j], first_closed[j] = count, done
            closed[k] = done + count
        opened[k] = opened.get(k, 0) + int(registered[j])
    source = np.repeat(np.arange(len(recent)), registered)
    frame = recent.iloc[source].reset_index(drop=True)
    rank = frame.groupby(key[source]).cumcount().to_numpy()
    # The visit that closes each problem: the closing visits' ranges of ranks.
    closer = np.full(len(frame), -1)
    closing = np.flatnonzero(closes > 0)
    lookup = {}
    for j in closing:
        for r in range(first_closed[j], first_closed[j] + closes[j]):
            lookup[(key[j], r)] = j
    problem_keys = key[source]
    for i in range(len(frame)):
        closer[i] = lookup.get((problem_keys[i], rank[i]), -1)
    n = len(frame)
    habit = frame["department_code"].map(habits).to_numpy()
    categories = np.empty(n, dtype=object)
    for kind, part in pd.Series(np.arange(n)).groupby(frame["kind"].to_numpy()):
        choices = county_sample._KIND_CATEGORIES.get(kind, tuple(county_sample._PROBLEM_TEXTS))
        categories[part.to_numpy()] = np.array(choices, dtype=object)[
            rng.integers(0, len(choices), len(part))]
    texts = np.empty(n, dtype=object)
    groups = rng.integers(1, 9, n)
    crops = np.array(county_sample._CROPS)[rng.integers(0, len(county_sample._CROPS), n)]
    draw = rng.random(n)
    short = villages.set_index("code")["short_name"]
    village_names = short[frame["village_code"]].to_numpy()
    for i in range(n):
        options = county_sample._PROBLEM_TEXTS[categories[i]]
        texts[i] = village_names[i] + options[int(draw[i] * len(options))].format(
            g=groups[i], crop=crops[i])
    county = frame["village_code"].str[:COUNTY_LENGTH].to_numpy()
    active = departments[departments["active"]]
    pools = active.groupby("county_code")["code"].apply(list).to_dict()
    joint = rng.random(n) < 0.05
    co = np.full(n, "", dtype=object)
    responsible = frame["department_code"].to_numpy(dtype=object)
    for i in np.flatnonzero(joint):
        others = [c for c in pools[county[i]] if c != responsible[i]]
        if others:
            co[i] = others[int(rng.random() * len(others))]
    residents = np.where(rng.random(n) < 0.5, _names(n, rng), "")
    raised_on = frame["date"].to_numpy()
    closed_mask = closer >= 0
    unresolved = rng.random(n) < pd.Series(habit).map(UNRESOLVED_SHARE).to_numpy()
    status = np.where(closed_mask, np.where(unresolved, "closed_unresolved", "resolved"),
                      "open").astype(object)
    closer_rows = recent.iloc[np.maximum(closer, 0)]
    resolved_on = np.where(closed_mask, closer_rows["date"].to_numpy(), None)
    resolution = np.where(~closed_mask, "", np.where(
        unresolved, "经协调暂不具备解决条件，已向群众解释",
        closer_rows["kind"].to_numpy().astype(str) + "时已办结"))
    satisfaction = np.full(n, "", dtype=object)
    rated = closed_mask & (rng.random(n) < 0.85)
    pick = rng.random(n)
    for h, weights in RATINGS.items():
        mask = rated & (habit == h)
        index = np.searchsorted(np.cumsum(weights), pick[mask], side="right")
        satisfaction[mask] = np.array(SATISFACTION_RATINGS, dtype=object)[
            np.minimum(index, len(SATISFACTION_RATINGS) - 1)]
    due = np.array([d + timedelta(days=PROBLEM_DUE_DAYS) for d in raised_on], dtype=object)
    problems = pd.DataFrame({
        "village_code": frame["village_code"], "raised_on": raised_on,
        "raised_visit_id": frame["id"].astype(int), "department_code": frame["department_code"],
        "co_departments": co, "category": categories, "description": texts,
        "resident": residents, "due_date": due, "status": status,
        "resolved_on": resolved_on, "resolution": resolution, "satisfaction": satisfaction,
        "record_id": "", "created_by": "sample",
        "created_at": pd.to_datetime(pd.Series(raised_on)) + pd.Timedelta(hours=18)})
    lapsed = (problems["status"] == "open").to_numpy() & (due < anchor) & (habit != "neglectful")
    problems = problems[~lapsed].reset_index(drop=True)
    still_open = (problems["status"] == "open").to_numpy()
    problems.loc[still_open & (rng.random(len(problems)) < 0.5), "status"] = "in_progress"
    problems.insert(0, "id", np.arange(1, len(problems) + 1))
    return problems


def generate_province_sample(villages: gpd.GeoDataFrame, counties: pd.DataFrame,
                             anchor: date, seed: int = 42, visits: int = 1_000_000
                             ) -> ProvinceSample:
    """Generate the synthetic records of every county's villages.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Village units with ``code``, ``short_name``, ``parent_code``, ``kind`` and
        polygons (WGS84).
    counties : pandas.DataFrame
        ``code`` and ``name`` of the county-level units.
    anchor : datetime.date
        The last day of the visit history.
    seed : int
    visits : int
        About how many visits the 24 months hold.

    Returns
    -------
    ProvinceSample
    """
    rng = np.random.default_rng([seed, 15])
    villages = villages.sort_values("code", ignore_index=True)
    figures = county_sample._village_figures(villages, rng)
    villages = gpd.GeoDataFrame(
        pd.concat([villages.drop(columns=list(figures.columns), errors="ignore"), figures],
                  axis=1), geometry="geometry", crs=4326)
    departments = _departments(villages, counties, rng)
    habits: dict[str, str] = {}
    for _, part in departments.groupby("county_code", sort=True):
        habits.update(county_sample._habits(part.reset_index(drop=True), rng))
    cadres = county_sample._cadres(departments, rng)
    pairings, never = _pairings(villages, departments, habits, anchor, rng)
    visit_frame = _visits(villages, departments, habits, cadres, pairings, never, anchor,
                          visits, rng)
    problems = _problems(villages, visit_frame, departments, habits, rng)
    return ProvinceSample(villages=villages, departments=departments, cadres=cadres,
                          pairings=pairings, visits=visit_frame.drop(columns="habit"),
                          problems=problems, habits=habits)
