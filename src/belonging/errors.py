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
    "OutputError",
    "ScoringError",
    "UsageError",
    "suggest",
]


class BelongingError(Exception):
    """Base class of every error raised by `belonging` on purpose.

    ``exit_code`` is the exit status of the CLI when the error ends a command: 1 for a problem in
    the data, 2 for a wrong call or instrument. The message is one line that says what to do.

    Examples
    --------
    Catch any deliberate error with the base class:

    >>> import belonging as bl
    >>> try:
    ...     bl.load_instrument("psm")
    ... except bl.BelongingError as err:
    ...     caught = err
    >>> type(caught).__name__, caught.exit_code, len(str(caught).splitlines())
    ('InstrumentError', 2, 1)

    The CLI prints the same message as one line on stderr and returns ``exit_code``:

    >>> import contextlib
    >>> import sys
    >>> from belonging.cli import main
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     code = main(["instruments", "show", "psm"])
    error: unknown instrument 'psm' (did you mean 'pssm'?); built-in ids are: ...; or give the path of a TOML definition
    >>> code
    2
    """

    exit_code = 1


class UsageError(BelongingError, ValueError):
    """The call itself is wrong: an unknown option value, conflicting arguments.

    Also a :class:`ValueError`, so code that catches wrong argument values catches it too.

    Examples
    --------
    >>> import pandas as pd
    >>> import belonging as bl
    >>> data = pd.DataFrame({"mode": ["online", "in_person"], "score": [3.0, 4.0]})
    >>> bl.compare(data, outcome="score", by="mode", model="anova")
    Traceback (most recent call last):
    ...
    belonging.errors.UsageError: `model` must be one of: 'auto', 'ols', 'mixed', 'none'; got 'anova'
    >>> bl.UsageError.exit_code, issubclass(bl.UsageError, ValueError)
    (2, True)
    """

    exit_code = 2


class InstrumentError(BelongingError):
    """An instrument definition is missing, invalid or unknown.

    Examples
    --------
    An unknown id names the closest built-in one and lists them all:

    >>> import belonging as bl
    >>> bl.load_instrument("psm")
    Traceback (most recent call last):
    ...
    belonging.errors.InstrumentError: unknown instrument 'psm' (did you mean 'pssm'?); built-in ids are: ...
    >>> bl.InstrumentError.exit_code
    2
    """

    exit_code = 2


class IngestError(BelongingError):
    """An input file cannot be read as a survey export.

    Examples
    --------
    >>> import belonging as bl
    >>> bl.read_export("survey_export.csv")
    Traceback (most recent call last):
    ...
    belonging.errors.IngestError: survey_export.csv: no such file; check the path
    >>> bl.IngestError.exit_code
    1
    """


class MappingError(BelongingError):
    """Columns or labels cannot be mapped to an instrument's items and codes.

    Examples
    --------
    Columns that are not named by item ids need a mapping:

    >>> import pandas as pd
    >>> import belonging as bl
    >>> data = pd.DataFrame({"Q5_1": [4, 3], "Q5_2": [2, 4]})
    >>> bl.score(data, "ccs")
    Traceback (most recent call last):
    ...
    belonging.errors.MappingError: data: no item columns of instrument 'ccs' found (expected columns named ccs_01 ... ccs_20); give a mapping ...
    >>> bl.MappingError.exit_code
    1
    """


class DataValidationError(BelongingError):
    """The data break a rule; ``issues`` holds the full table of problems when there are several.

    Examples
    --------
    The message names the first problem cell and counts the others; ``issues`` lists them all:

    >>> import pandas as pd
    >>> import belonging as bl
    >>> items = ["belonging_uncertainty_01", "belonging_uncertainty_02", "belonging_uncertainty_03"]
    >>> data = pd.DataFrame([[5, 4, 6], [9, 2, 5], [3, 0, 4]], columns=items)
    >>> try:
    ...     bl.map_items(data, bl.load_instrument("belonging_uncertainty")).raise_if_invalid()
    ... except bl.DataValidationError as err:
    ...     caught = err
    >>> print(caught)
    data: row 2, column 'belonging_uncertainty_01': value '9' is outside the scale 1-7 of instrument 'belonging_uncertainty'; fix the value or set it empty (1 more problem cell(s))
    >>> print(caught.issues[["row", "column", "value", "reason"]].to_string(index=False))
     row                   column value       reason
       2 belonging_uncertainty_01     9 out_of_range
       3 belonging_uncertainty_02     0 out_of_range
    >>> caught.exit_code
    1
    """

    def __init__(self, message: str, *, issues=None) -> None:
        super().__init__(message)
        self.issues = issues


class ScoringError(BelongingError):
    """Scores cannot be computed as asked.

    Examples
    --------
    No function of this version raises it (problems in the answers are :class:`MappingError` or
    :class:`DataValidationError`); it is a data error (exit code 1) that any
    :class:`BelongingError` handler catches:

    >>> import belonging as bl
    >>> err = bl.ScoringError("cannot score 'ccs': no complete responses; check the mapping")
    >>> isinstance(err, bl.BelongingError), err.exit_code
    (True, 1)
    """


class OutputError(BelongingError):
    """An output cannot be written: a full disk, a read-only folder, no permission.

    The message names the output asked for (never a temporary file) and the reason; nothing partial
    is left behind.

    Examples
    --------
    >>> from belonging._io import atomic_write_text
    >>> atomic_write_text("/dev/full", "scores")  # a device that is always full
    Traceback (most recent call last):
    ...
    belonging.errors.OutputError: /dev/full: cannot write (No space left on device); free some space or write the output elsewhere
    >>> OutputError.exit_code
    1
    """


def suggest(name: str, options) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest option to `name`, or ``""``."""
    import difflib

    close = difflib.get_close_matches(str(name), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
