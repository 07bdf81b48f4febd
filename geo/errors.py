"""A small error hierarchy; the web and command-line layers translate these once."""

from __future__ import annotations


class PairMapError(Exception):
    """Base class of every error PairMap reports to a person."""


class ConfigError(PairMapError):
    """A setting is missing or malformed."""


class DataError(PairMapError):
    """Input data is unusable; names the file, row and column when known.

    Parameters
    ----------
    message : str
        One plain sentence.
    file, row, column : optional
        Where the problem is; ``row`` is the spreadsheet row a person sees.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        where = ", ".join(
            part
            for part in (
                f"file {file}" if file else "",
                f"row {row}" if row is not None else "",
                f"column {column}" if column else "",
            )
            if part
        )
        super().__init__(f"{message} ({where})" if where else message)


class DatabaseNotEmptyError(PairMapError):
    """Refused to overwrite a database that already holds data."""


class AccessDeniedError(PairMapError):
    """The acting user's role does not allow this action."""
