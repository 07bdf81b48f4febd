"""Time the planner on synthetic counties: 500 villages × 150 departments, then 5,000 × 1,500.

Usage: python benchmarks/bench_planner.py [--cap SECONDS]   (default cap 60 s)

Every village is a candidate (unpaired) and every department of the county may take any
of them, so the solver sees all villages × departments arcs: the worst case for one
county. Places come from party members (15–75 per department, 15 per village), so the
places run short and the plan reports a shortfall. Each size runs in a child process,
ended at the cap; the figures are wall-clock seconds of ``plan_pairings`` (centroids,
anchors, distances, both stages of the min-cost flow) and of the solver alone, and
whether both parts of the tie-break fitted in 64 bits (see ``geo.planner.tie_costs``).
The instance is ``geo.bench.planner_instance`` (``python -m geo bench`` times the
first size). A benchmark measures speed; the tests never assert on time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from geo import planner  # noqa: E402
from geo.bench import planner_instance  # noqa: E402

T = date(2026, 11, 28)
SIZES = ((500, 150), (5000, 1500))


def run(villages: int, departments: int, queue: multiprocessing.Queue) -> None:
    coverage, frame, depts, pairings = planner_instance(villages, departments)
    solver_seconds = []
    solve = planner.solve_assignment

    def timed(*args):  # noqa: ANN002, ANN202
        start = time.perf_counter()
        try:
            return solve(*args)
        finally:
            solver_seconds.append(time.perf_counter() - start)
            priorities, capacities, arcs_d, arcs_v, _ = args
            most = min(int(np.sum(capacities)), len(priorities))
            both = not np.array_equal(
                planner.tie_costs(arcs_d, arcs_v, len(capacities), len(priorities), most),
                np.asarray(arcs_d) + arcs_v)
            queue.put(("ties", both))

    planner.solve_assignment = timed
    start = time.perf_counter()
    plan = planner.plan_pairings(coverage, frame, depts, pairings, T)
    total = time.perf_counter() - start
    queue.put(("done", total, sum(solver_seconds), plan.candidates, plan.capacity,
               plan.covered, plan.total_distance_km))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cap", type=float, default=60.0, help="seconds per size")
    cap = parser.parse_args().cap
    for villages, departments in SIZES:
        queue: multiprocessing.Queue = multiprocessing.Queue()
        child = multiprocessing.Process(target=run, args=(villages, departments, queue))
        started = time.perf_counter()
        child.start()
        child.join(cap)
        label = f"{villages} villages × {departments} departments"
        if child.is_alive():
            child.terminate()
            child.join()
            print(f"{label}: not finished within {cap:.0f} s (ended)")
            continue
        messages = []
        while not queue.empty():
            messages.append(queue.get())
        done = next((m for m in messages if m[0] == "done"), None)
        if done is None:
            print(f"{label}: failed (exit code {child.exitcode}) after "
                  f"{time.perf_counter() - started:.1f} s")
            continue
        ties = next((m[1] for m in messages if m[0] == "ties"), None)
        _, total, solver, candidates, capacity, covered, km = done
        print(f"{label}: plan {total:.2f} s (solver {solver:.2f} s); "
              f"{candidates} candidates, {capacity} places, {covered} covered, "
              f"{km:,.1f} km; tie-break {'both parts' if ties else 'first part only'}")


if __name__ == "__main__":
    main()
