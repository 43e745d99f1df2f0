"""The exception hierarchy of `belonging`.

Every error the library raises on purpose is a :class:`BelongingError`. The CLI maps them to one line
on stderr and an exit code in one place (``belonging.cli``): data errors exit 1, usage errors exit 2.
Messages are actionable: they name the file, row, column and value where there is one, and end with
what to do next.
"""

from __future__ import annotations

__all__ = [
    "BelongingError",
    "DataValidationError",
    "IngestError",
    "InstrumentError",
    "MappingError",
    "ScoringError",
    "UsageError",
    "suggest",
]


class BelongingError(Exception):
    """Base class of every error raised by `belonging` on purpose."""

    exit_code = 1


class UsageError(BelongingError, ValueError):
    """The call itself is wrong: an unknown option value, conflicting arguments."""

    exit_code = 2


class InstrumentError(BelongingError):
    """An instrument definition is missing, invalid or unknown."""

    exit_code = 2


class IngestError(BelongingError):
    """An input file cannot be read as a survey export."""


class MappingError(BelongingError):
    """Columns or labels cannot be mapped to an instrument's items and codes."""


class DataValidationError(BelongingError):
    """The data break a rule; ``issues`` holds the full table of problems when there are several."""

    def __init__(self, message: str, *, issues=None) -> None:
        super().__init__(message)
        self.issues = issues


class ScoringError(BelongingError):
    """Scores cannot be computed as asked."""


def suggest(name: str, options) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest option to `name`, or ``""``."""
    import difflib

    close = difflib.get_close_matches(str(name), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
