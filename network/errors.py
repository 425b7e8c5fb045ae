"""The exception hierarchy of the project.

`RoutingError` is the root. Two branches tell the CLI which exit code to use:
`InputError` (the request or a file is malformed: exit 2) and `UnservableError`
(a valid request that cannot be served, e.g. no itinerary meets the due date: exit 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class RoutingError(Exception):
    """Base class of every error this project raises on purpose."""

    field: str = ""
    """The field of the request it concerns (`origin`, `ready`, ...), when one is known."""


class InputError(RoutingError, ValueError):
    """Bad input: an unknown place, a malformed quantity, an inconsistent request."""


class FieldError(InputError):
    """Bad input in one field of a request (`field`: `ready`, `due`, `origin`, ...)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


class UnservableError(RoutingError):
    """The request is valid but cannot be served (no itinerary, no capacity)."""


class OffNetworkError(UnservableError):
    """A valid place the network cannot reach: its country has no access rule, or no hub."""


@dataclass(frozen=True)
class Problem:
    """One defect in an input file, located by file, 1-based line and column."""

    file: str
    line: int | None
    column: str | None
    message: str
    column_number: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column_number is not None:
                where += f":{self.column_number}"
        if self.column:
            where += f" ({self.column})"
        return f"{where}: {self.message}"


class FileFormatError(InputError):
    """One or more problems in input files; all of them are carried, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        first = str(self.problems[0]) if self.problems else "invalid file"
        more = len(self.problems) - 1
        super().__init__(first + (f" (and {more} more problem{'s' * (more > 1)})" if more else ""))


class UnservableRowsError(UnservableError):
    """Rows of an input file, valid in themselves, that name places the network cannot serve."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        more = len(self.problems) - 1
        super().__init__(str(self.problems[0]) + (f" (and {more} more)" if more else ""))


class InvalidFieldsError(InputError):
    """Raised by a model object's `__post_init__`; carries (field, message) pairs."""

    def __init__(self, owner: str, errors: Sequence[tuple[str, str]]) -> None:
        self.errors = tuple(errors)
        super().__init__(f"{owner}: " + "; ".join(f"{f}: {m}" for f, m in self.errors))


class UnknownPlaceError(InputError):
    """A place that is neither a network location nor a known world city."""

    def __init__(self, query: str, suggestions: Sequence[str]) -> None:
        self.query = query
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if suggestions else ""
        super().__init__(f"unknown place {query!r}{hint}")
