"""Times and durations as the systems write them: one list of formats per system, month names in
several languages, day-month order decided from the data (and said when it cannot be)."""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from belonging.diagnostics import Code, Diagnostic

__all__ = ["TimeParse", "parse_durations", "parse_times"]

_DURATION = re.compile(r"^\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?\s*(?:(?P<s>\d+)\s*s)?\s*$", re.I)
_CLOCK = re.compile(r"^\s*(?P<h>\d+):(?P<m>\d{1,2})(?::(?P<s>\d{1,2}))?\s*$")


@functools.cache
def _month_pattern(months: tuple) -> tuple[re.Pattern, dict]:
    """One regular expression for every month word of `months` (language -> 12 lists of words)."""
    number = {}
    for _, names in months:
        for i, words in enumerate(names):
            for word in words:
                number.setdefault(word.casefold(), i + 1)
    words = sorted(number, key=len, reverse=True)
    pattern = re.compile(r"(?<![^\W\d_])(" + "|".join(map(re.escape, words)) + r")\.?(?![^\W\d_])", re.IGNORECASE)
    return pattern, number


def _numeric_months(values: pd.Series, months: tuple) -> pd.Series:
    """Month names as month numbers. Only the date part (before the clock time) can hold one, and a
    log has few distinct dates, so each distinct date part is rewritten once."""
    if not values.str.contains(r"[^\W\d_]", regex=True).fillna(False).any():
        return values
    pattern, number = _month_pattern(months)
    parts = values.str.extract(r"^(?P<date>.*?)(?P<clock>\d{1,2}:\d{2}.*)?$")
    codes, dates = pd.factorize(parts["date"].fillna(""))
    rewritten = pd.Series(dates, dtype="string").str.replace(
        pattern, lambda m: f"{number[m.group(1).casefold()]:02d}", regex=True)
    out = pd.Series(rewritten.to_numpy()[codes], index=values.index, dtype="string") + parts["clock"].fillna("")
    return out.where(values.notna())


class TimeParse:
    """The outcome of :func:`parse_times`: UTC times, the rows that could not be read, what was chosen."""

    def __init__(self, times, bad, chosen, warnings):
        self.times = times
        self.bad = bad
        self.format = chosen
        self.warnings = tuple(warnings)


_SAMPLE = 2000


def _fits(unique: pd.Series, formats) -> list[tuple[dict, pd.Series]]:
    """Each format that reads every value, with what it reads (a format that misses one of the first
    values is not tried on the rest); when none reads them all, every format, for the error message."""
    def parse(spec, values):
        fmt = spec["format"].replace("%B", "%m").replace("%b", "%m")
        return pd.to_datetime(values, format=fmt, errors="coerce")

    head = unique.iloc[:_SAMPLE]
    candidates = [spec for spec in formats if parse(spec, head).notna().all()]
    out = [(spec, parse(spec, unique)) for spec in candidates]
    if any(parsed.notna().all() for _, parsed in out):
        return out
    return [(spec, parse(spec, unique)) for spec in formats]


def _choose(candidates, *, dayfirst, default_dayfirst, where):
    """The format to use among those that read every time; a warning when the day-month order is a guess."""
    complete = [(spec, parsed) for spec, parsed in candidates if parsed.notna().all()]
    warnings = []
    if not complete:
        return max(candidates, key=lambda c: int(c[1].notna().sum())), warnings
    orders = {spec["order"] for spec, _ in complete}
    if {"dmy", "mdy"} <= orders:
        want = "dmy" if (default_dayfirst if dayfirst is None else dayfirst) else "mdy"
        complete = [c for c in complete if c[0]["order"] == want] or complete
        if dayfirst is None:
            first = "day" if want == "dmy" else "month"
            warnings.append(Diagnostic(
                Code.DATA, f"{where}: every date fits both day-first and month-first; read {first} first, as this "
                           "system usually writes them (choose with dayfirst / --dayfirst or --monthfirst)", where=where))
    return complete[0], warnings


def parse_times(values: pd.Series, formats, *, months, timezone: str = "UTC", dayfirst: bool | None = None,
                default_dayfirst: bool = True, where: str | None = None) -> TimeParse:
    """Read `values` (text) with the first of `formats` that reads them all; times in UTC.

    Times without an offset are read in `timezone` (an IANA name). Empty cells stay missing. When no
    format reads every value, the best one is used and ``bad`` marks the values it could not read.
    """
    text = values.astype("string[pyarrow]").str.strip()  # Arrow's string kernels, not a Python loop
    text = text.mask(text == "")
    codes, unique = pd.factorize(text, use_na_sentinel=True)
    unique = pd.Series(unique, dtype="string[pyarrow]")
    if len(unique) == 0:
        empty = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
        return TimeParse(empty, pd.Series(False, index=values.index), None, ())
    numeric = _numeric_months(unique.str.replace(r"\s+", " ", regex=True), months)
    (spec, parsed), warnings = _choose(_fits(numeric, formats), dayfirst=dayfirst,
                                       default_dayfirst=default_dayfirst, where=where)
    parsed = pd.DatetimeIndex(parsed)
    if spec.get("utc"):
        parsed = parsed.tz_localize("UTC") if parsed.tz is None else parsed.tz_convert("UTC")
    else:
        warnings += _repeated_hour(parsed, codes, timezone, where)
        parsed = parsed.tz_localize(timezone, ambiguous=np.zeros(len(parsed), dtype=bool),
                                    nonexistent="shift_forward").tz_convert("UTC")
    table = np.append(parsed.tz_convert(None).to_numpy(), np.datetime64("NaT"))
    times = pd.Series(pd.DatetimeIndex(table[codes]).tz_localize("UTC"), index=values.index)
    bad = pd.Series(codes >= 0, index=values.index) & times.isna()
    return TimeParse(times, bad, spec["format"], warnings)


def _repeated_hour(local: pd.DatetimeIndex, codes: np.ndarray, timezone: str, where) -> list:
    """A warning counting the rows whose local time falls in the hour `timezone` repeats when daylight
    saving time ends: a time written without an offset cannot say which pass it was; they are read
    as standard time (the second pass), so some may be an hour late."""
    marked = local.tz_localize(timezone, ambiguous="NaT", nonexistent="shift_forward")
    repeated = np.flatnonzero(marked.isna() & local.notna())
    if not len(repeated):
        return []
    rows = int(np.isin(codes, repeated).sum())
    first = local[repeated].min()
    return [Diagnostic(Code.DATA, f"{where}: {rows} time(s) fall in the hour {timezone} repeats when daylight saving "
                                  f"time ends (first {first:%Y-%m-%d %H:%M}); they are read as standard time (the "
                                  "second pass), so some may be an hour late", where=where)]


def parse_durations(values: pd.Series) -> pd.Series:
    """Minutes from durations written ``1h 2m 3s``, ``45m``, ``1:02:03`` or a plain number of minutes."""
    text = values.astype("string").str.strip()
    number = pd.to_numeric(text, errors="coerce")
    parts = text.str.extract(_DURATION)
    clock = text.str.extract(_CLOCK)
    use_clock = parts.isna().all(axis=1)
    parts[use_clock] = clock[use_clock]
    h, m, s = (pd.to_numeric(parts[c], errors="coerce") for c in ("h", "m", "s"))
    found = h.notna() | m.notna() | s.notna()
    minutes = h.fillna(0) * 60 + m.fillna(0) + s.fillna(0) / 60
    return number.where(number.notna(), minutes.where(found)).astype("float64")
