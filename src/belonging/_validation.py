"""Small argument checks that raise with messages naming the argument, the options and the value."""

from __future__ import annotations

from collections.abc import Iterable

from belonging.errors import UsageError, suggest

__all__ = ["check_choice", "check_columns", "check_fraction"]


def check_choice(value, name: str, options: Iterable[str]) -> str:
    """Return `value` if it is one of `options`, else raise :class:`UsageError`."""
    options = tuple(options)
    if value not in options:
        allowed = ", ".join(repr(o) for o in options)
        msg = f"`{name}` must be one of: {allowed}; got {value!r}"
        raise UsageError(msg)
    return value


def check_columns(df, columns: Iterable[str], name: str) -> list[str]:
    """Return `columns` as a list if all exist in `df`, else raise :class:`UsageError`."""
    if isinstance(columns, str):
        columns = [columns]
    columns = list(columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        first = missing[0]
        msg = (
            f"`{name}`: column {first!r} is not in the data{suggest(first, df.columns)}; "
            f"available columns: {', '.join(map(str, list(df.columns)[:20]))}"
        )
        raise UsageError(msg)
    return columns


def check_fraction(value: float, name: str, *, low_open: bool = True) -> float:
    """Return `value` if it lies in (0, 1] (or [0, 1] with ``low_open=False``)."""
    ok = (0 < value <= 1) if low_open else (0 <= value <= 1)
    if not ok:
        interval = "(0, 1]" if low_open else "[0, 1]"
        msg = f"`{name}` must lie in {interval}; got {value!r}"
        raise UsageError(msg)
    return float(value)
