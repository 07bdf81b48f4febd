"""A small error hierarchy: every error carries a code and parameters, never a sentence.

``geo`` raises ``DataError("unknown_department", code="XS999")``; the catalogue
(``geo.i18n``, keys ``error.<code>``) holds the sentence in each language, and the two
boundaries translate it once: the UI's page guard and ``geo.cli.main``
(``geo.i18n.translate_error``). ``str(error)`` is the English sentence, for logs and
tracebacks.
"""

from __future__ import annotations


class PairMapError(Exception):
    """Base class of every error PairMap reports to a person.

    Parameters
    ----------
    code : str
        The message's code: ``error.<code>`` in the catalogue.
    file, row, column : optional
        Where the problem is; ``row`` is the spreadsheet row a person sees, ``column``
        the file's own header (or a form field).
    **params
        The message's named values.
    """

    default_code = "unexpected"

    def __init__(self, code: str | None = None, /, *, file: str | None = None,
                 row: int | None = None, column: str | None = None,
                 **params: object) -> None:
        self.code = code or self.default_code
        self.params = params
        self.file = file
        self.row = row
        self.column = column
        super().__init__(self.code)

    def __str__(self) -> str:
        from geo.i18n import translate_error  # the catalogue imports nothing from here

        return translate_error(self, "en")


class ConfigError(PairMapError):
    """A setting is missing or malformed."""

    default_code = "bad_setting"


class DataError(PairMapError):
    """Input data is unusable; names the file, row and column when known."""

    default_code = "bad_data"


class DatabaseNotEmptyError(PairMapError):
    """Refused to overwrite a database that already holds data."""

    default_code = "database_not_empty"


class DatabaseBusyError(PairMapError):
    """Another writer held the database's write lock for longer than the busy timeout."""

    default_code = "database_busy"


class AccessDeniedError(PairMapError):
    """The acting user's role does not allow this action."""

    default_code = "access_denied"
