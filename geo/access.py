"""Who may do what: DESIGN.md's role table as data, checked on the server side.

Every service function that reads visit records or cadre names, and every write, takes
the acting ``User`` and calls ``require`` first; hiding a page is never the only guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from geo.errors import AccessDeniedError


class Role(StrEnum):
    """The four roles of DESIGN.md."""

    LEADER = "leader"
    ORGANISER = "organiser"
    LIAISON = "liaison"
    ADMIN = "admin"


class Action(StrEnum):
    """The rows of the role table."""

    VIEW_MAPS = "view_maps"  # maps, coverage, neglected villages, department figures, briefing
    VIEW_VISITS = "view_visits"  # visit records with summaries
    VIEW_CADRES = "view_cadres"  # cadre names
    WRITE_VISITS = "write_visits"  # record, import, edit, delete visits
    EDIT_PAIRINGS = "edit_pairings"  # edit and end pairings; run and commit plans
    IMPORT_REFERENCE = "import_reference"  # boundaries, villages, departments, cadres
    VIEW_AUDIT = "view_audit"  # audit log (view, export)
    MANAGE_USERS = "manage_users"  # users (add, reset, deactivate); backup download
    VIEW_PROBLEMS = "view_problems"  # the problem ledger's rows (a liaison: own or joint)
    WRITE_PROBLEMS = "write_problems"  # record, import, update, close problems; notes
    ASSIGN_PROBLEMS = "assign_problems"  # reassign the responsible department; reopen
    VIEW_RESIDENTS = "view_residents"  # residents' names on problems


ALL, OWN, NONE = "all", "own", "none"

ROLE_TABLE: dict[Action, dict[Role, str]] = {
    Action.VIEW_MAPS: {Role.LEADER: ALL, Role.ORGANISER: ALL, Role.LIAISON: ALL, Role.ADMIN: ALL},
    Action.VIEW_VISITS: {Role.LEADER: ALL, Role.ORGANISER: ALL, Role.LIAISON: OWN,
                         Role.ADMIN: ALL},
    Action.VIEW_CADRES: {Role.LEADER: NONE, Role.ORGANISER: ALL, Role.LIAISON: OWN,
                         Role.ADMIN: ALL},
    Action.WRITE_VISITS: {Role.LEADER: NONE, Role.ORGANISER: ALL, Role.LIAISON: OWN,
                          Role.ADMIN: ALL},
    Action.EDIT_PAIRINGS: {Role.LEADER: NONE, Role.ORGANISER: ALL, Role.LIAISON: NONE,
                           Role.ADMIN: ALL},
    Action.IMPORT_REFERENCE: {Role.LEADER: NONE, Role.ORGANISER: NONE, Role.LIAISON: NONE,
                              Role.ADMIN: ALL},
    Action.VIEW_AUDIT: {Role.LEADER: NONE, Role.ORGANISER: ALL, Role.LIAISON: NONE,
                        Role.ADMIN: ALL},
    Action.MANAGE_USERS: {Role.LEADER: NONE, Role.ORGANISER: NONE, Role.LIAISON: NONE,
                          Role.ADMIN: ALL},
    # The problem ledger (DESIGN.md's "Problem ledger"): as visits, a liaison for its own
    # department (and, for notes and reading, the problems it handles jointly); only
    # organisers (and admins) reassign and reopen; residents' names never to a leader.
    Action.VIEW_PROBLEMS: {Role.LEADER: ALL, Role.ORGANISER: ALL, Role.LIAISON: OWN,
                           Role.ADMIN: ALL},
    Action.WRITE_PROBLEMS: {Role.LEADER: NONE, Role.ORGANISER: ALL, Role.LIAISON: OWN,
                            Role.ADMIN: ALL},
    Action.ASSIGN_PROBLEMS: {Role.LEADER: NONE, Role.ORGANISER: ALL, Role.LIAISON: NONE,
                             Role.ADMIN: ALL},
    Action.VIEW_RESIDENTS: {Role.LEADER: NONE, Role.ORGANISER: ALL, Role.LIAISON: OWN,
                            Role.ADMIN: ALL},
}

IMPORT_ACTIONS: dict[str, Action] = {
    "visits": Action.WRITE_VISITS,
    "problems": Action.WRITE_PROBLEMS,
    "pairings": Action.EDIT_PAIRINGS,
    "villages": Action.IMPORT_REFERENCE,
    "departments": Action.IMPORT_REFERENCE,
    "cadres": Action.IMPORT_REFERENCE,
}
"""The action a record import of each table needs (boundaries need ``IMPORT_REFERENCE``)."""

EXPORT_ACTIONS: dict[str, Action] = {
    "townships": Action.VIEW_MAPS,
    "villages": Action.VIEW_MAPS,
    "departments": Action.VIEW_MAPS,
    "pairings": Action.VIEW_MAPS,
    "cadres": Action.VIEW_CADRES,
    "visits": Action.VIEW_VISITS,
    "problems": Action.VIEW_PROBLEMS,
    "audit": Action.VIEW_AUDIT,
}
"""The action an export of each table needs (a liaison's visits and cadres: own only)."""


@dataclass(frozen=True)
class User:
    """The acting user (from a login, or the command line acting as admin)."""

    username: str
    role: Role
    display_name: str = ""
    department_code: str | None = None

    @property
    def label(self) -> str:
        """Display name, or the username when there is none."""
        return self.display_name or self.username


def scope(user: User, action: Action) -> str:
    """Return ``"all"``, ``"own"`` (the user's department only) or ``"none"``."""
    return ROLE_TABLE[action][Role(user.role)]


def can(user: User, action: Action, department_code: str | None = None) -> bool:
    """Whether ``user`` may do ``action`` (for ``department_code`` when given)."""
    granted = scope(user, action)
    if granted == ALL:
        return True
    if granted == OWN:
        return user.department_code is not None and (
            department_code is None or department_code == user.department_code
        )
    return False


def require(user: User, action: Action, department_code: str | None = None) -> None:
    """Raise ``AccessDeniedError`` unless ``user`` may do ``action``."""
    if not can(user, action, department_code):
        code = "role_may_not_for_department" if department_code else "role_may_not"
        raise AccessDeniedError(code, role=str(user.role), action=action.value,
                                department=department_code)


def department_filter(user: User, action: Action) -> str | None:
    """Return the department a read must be limited to (None: no limit).

    Raises ``AccessDeniedError`` when the user may not read at all.
    """
    require(user, action)
    return user.department_code if scope(user, action) == OWN else None


def importable_tables(user: User) -> list[str]:
    """The record tables ``user`` may import, in ``IMPORT_ACTIONS`` order."""
    return [table for table, action in IMPORT_ACTIONS.items() if can(user, action)]
