"""Keeping the overview warm: one thread per server process computes the overview's
figures (the coverage and the department report over the settings' window, for today)
when the first visitor opens the app, and again after each change of the day or of the
data, polled every ``PAIRMAP_WARM_SECONDS`` (0: off).

A province's figures take a minute or more to compute cold (after a start, an import,
or at midnight, since the as-of date is part of every key); warmed, the first leader of
the day finds them in the shared caches (``ui.loaders``) like every later one. A
recorded visit recomputes its own county only, as a page would.
"""

from __future__ import annotations

import threading

from geo.access import Role, User
from geo.period import Period
from geo.settings import local_today
from ui.loaders import data_key, load_coverage, load_department_report
from ui.session import get_settings

SYSTEM = User("system:warm", Role.ADMIN)
"""Who the warming thread reads as: it only fills caches, and shows nothing to anyone."""


def current_key() -> tuple:
    """What the warmed figures depend on: today's date and the data's version."""
    return local_today(), data_key()


def warm_overview() -> tuple:
    """Compute, or find in the caches, the overview's figures for today: the coverage and
    the department report over the settings' window. Returns the key it warmed
    (``current_key``, read first, so that a write during the work warms again)."""
    key = current_key()
    period = Period(key[0], get_settings().window_days)
    load_coverage(SYSTEM, period)
    load_department_report(SYSTEM, period)
    return key


class Warmer(threading.Thread):
    """The warming thread: ``warm_overview`` whenever ``current_key`` has changed,
    checked every ``poll`` seconds until ``stop``."""

    def __init__(self, poll: float) -> None:
        super().__init__(name="pairmap-warm", daemon=True)
        self.poll = poll
        self.stopping = threading.Event()
        self.warmed: tuple | None = None
        """The key of the last warming done (None before the first)."""

    def run(self) -> None:
        # An error (a database down for a moment) ends the thread with its traceback in
        # the server's log; the next run of app.py starts another (``start_warming``).
        while not self.stopping.is_set():
            if current_key() != self.warmed:
                self.warmed = warm_overview()
            self.stopping.wait(self.poll)

    def stop(self) -> None:
        """End the thread after its current warming."""
        self.stopping.set()


_started: Warmer | None = None
_starting = threading.Lock()


def start_warming() -> Warmer | None:
    """Start the process's warming thread unless it runs or ``PAIRMAP_WARM_SECONDS`` is 0
    (called by every run of ``app.py``; cheap after the first; a thread ended by an
    error is replaced). Returns the thread."""
    global _started
    seconds = get_settings().warm_seconds
    if seconds == 0:
        return None
    with _starting:
        if _started is None or not _started.is_alive():
            _started = Warmer(seconds)
            _started.start()
        return _started
