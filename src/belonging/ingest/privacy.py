"""Detect columns that identify a person, by name and by content, so they stay out of outputs by default.

By name (:func:`looks_identifying`, :func:`looks_free_text`): the patterns platforms and people use
for e-mail, names, phone numbers, addresses, ids. By content (:func:`identifying_content`): a sample of
the cells read as e-mail addresses, phone numbers, IP addresses, coordinates, national or student id
numbers or near-unique free text, whatever the column is called. :func:`redact_values` keeps such a
value out of a message or an issues table; :func:`check_kept_columns` guards the columns copied to an
output.
"""

from __future__ import annotations

import re

__all__ = [
    "FREE_TEXT_PATTERNS",
    "IDENTIFIER_PATTERNS",
    "check_kept_columns",
    "holds_free_text",
    "identifier_like",
    "identifying_content",
    "looks_free_text",
    "looks_identifying",
    "redact_values",
]

# Column-name patterns (matched case-insensitively against the whole name, with spaces, dots and
# dashes read as underscores). Each names a kind of personal data that platforms export.
IDENTIFIER_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"(.*_)?e_?mail(_?address)?(_?\d+)?",
        r"(first|last|full|given|family|sur|middle|user|student|recipient_?(first|last)?)_?name",
        r"name",
        r"(ip|ip_?address|ipaddress)",
        r"(location_?)?(latitude|longitude|lat|lon|lng)",
        r"external_?(reference|ref|data_?reference)",
        r"recipient_?(email|first_?name|last_?name)?",
        r"(phone|telephone|mobile|cell)(_?(number|no))?(_?\d+)?",
        r"(street_?)?address(_?\d)?",
        r"(student|person|national|social_?security|ssn|sis)_?(id|number|no)",
        r"(date_?of_?birth|dob|birth_?date)",
        r"postcode|zip(_?code)?",
        # short forms people type: mail, tel, sid, gps, contact ...
        r"(e_?)?mail(_?(address|addr))?(_?\d+)?|tel(_?(no|number|\d+))?",
        r"contact(_?(info|details|email|phone|number|no))?",
        r"gps(_?(location|position|coords?|coordinates))?|geo_?(location|position|coords?)|coords?|coordinates",
        r"s_?id|stu_?id|student_?(no|num|nr)|matric(ulation)?(_?(no|number|nr))?",
        r"ssn|national_?insurance(_?(no|number))?|passport(_?(no|number))?",
    )
)


def _norm(name: str) -> str:
    return re.sub(r"[\s.\-/\[\]()]+", "_", str(name).strip().lower()).strip("_")


def looks_identifying(name: str) -> bool:
    """True when column `name` matches a known identifying-field pattern."""
    norm = _norm(name)
    return any(p.fullmatch(norm) for p in IDENTIFIER_PATTERNS)


# Free-text answer columns, by name: they may hold names or other personal details a respondent typed,
# so they are treated as identifying too (kept out of outputs unless asked). Suffix patterns apply only
# to code-like names (no spaces), so a question title ending in "... each other" is not caught.
FREE_TEXT_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"comments?|feedback|remarks?|notes?|free_?text|open_?ended(_response)?|other(_?text|_?specify)?",
        r"anything_?else.*",
        r"(comments?|feedback|remarks?|notes?|answer|response)_?(free|open)(_?text)?|(free|open)_?(answer|response|comments?|remarks?)",
    )
)
_CODE_FREE_TEXT = re.compile(r".*_(text|other|other_?text|comments?|notes?|remarks?|feedback|specify)")


def looks_free_text(name: str) -> bool:
    """True when column `name` looks like a free-text answer (comments, "other" texts)."""
    norm = _norm(name)
    if any(p.fullmatch(norm) for p in FREE_TEXT_PATTERNS):
        return True
    return not re.search(r"\s", str(name).strip()) and bool(_CODE_FREE_TEXT.fullmatch(norm))


# Content test for free text (`holds_free_text`): the non-empty cells looked at, and the thresholds.
_SAMPLE = 5000
_MANY_DISTINCT = 20  # more distinct answers than any response scale has points
_LONG = 60  # mean characters per answer: longer than any response label


def _known_labels() -> frozenset:
    """Every spelling of the response-label sets in labelsets.toml, case-folded."""
    global _LABELS
    if _LABELS is None:
        import tomllib
        from importlib.resources import files

        sets = tomllib.loads(files("belonging.ingest").joinpath("labelsets.toml").read_text(encoding="utf-8"))
        _LABELS = frozenset(" ".join(str(x).split()).casefold() for table in sets.values() for point in table.get("points", ()) for x in point)
    return _LABELS


_LABELS = None


def holds_free_text(s) -> bool:
    """True when the cells of column `s` read as typed free text rather than numbers or labels.

    For exports without platform question ids (legacy Qualtrics, SurveyMonkey, Google Forms, ...),
    where a column's name does not say that it is an open question. Looks at up to the first 5000
    non-empty cells, column-wise. Not free text when at least half the cells are numbers or known
    response labels (labelsets.toml). Free text when there are many distinct answers (at least 20,
    and at least half the cells), when answers are long (60 characters on average), or when every
    answer differs and most end like a sentence (``.``, ``!``, ``?``), which a label rarely does.
    A column of short labels repeated across respondents is never flagged.
    """
    import pandas as pd

    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return False
    text = s.iloc[: _SAMPLE * 4].dropna().astype("string").str.strip()
    text = text[text != ""].iloc[:_SAMPLE]
    m = len(text)
    if m == 0:
        return False
    if pd.to_numeric(text, errors="coerce").notna().mean() >= 0.5:
        return False
    if text.str.split().str.join(" ").str.casefold().isin(_known_labels()).mean() >= 0.5:
        return False
    distinct = text.nunique()
    if distinct >= _MANY_DISTINCT and distinct >= 0.5 * m:
        return True
    if text.str.len().mean() >= _LONG:
        return True
    return bool(distinct == m and text.str.contains(r"[.!?]$", regex=True).mean() >= 0.5)


# --- by content ------------------------------------------------------------------------------------

# What an identifying cell looks like, matched against the whole (trimmed) cell: (key, one, many,
# pattern). Phone numbers also need 7-15 digits and a "+" or a separator, and must not read as a
# date or a plain number (see `_phone_like`); id numbers count only in a column of near-unique values.
_KINDS = (
    ("email", "an e-mail address", "e-mail addresses", r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"),
    ("ip", "an IP address", "IP addresses",
     r"(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)|[0-9A-Fa-f:]*::[0-9A-Fa-f:.]+|(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"),
    ("coordinates", "a pair of coordinates", "coordinates",
     r"\(?[-+]?\d{1,2}\.\d{3,}°?\s*[NS]?\s*[,;/ ]\s*[-+]?\d{1,3}\.\d{3,}°?\s*[EW]?\)?"),
    ("national_id", "a national id number", "national id numbers",
     r"\d{3}-\d{2}-\d{4}|[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]"),
    ("phone", "a phone number", "phone numbers", r"(?:\+|00)?\d[\d ().\-/]{5,18}\d"),
)
_STUDENT_ID = r"[A-Za-z]{1,4}[-_]?\d{5,12}"  # S1234567, AB-123456: in a near-unique column
_LONG_NUMBER = r"\d{7,15}"  # student, staff, phone or national numbers written as bare digits
_PLAIN_NUMBER = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_DATE = r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}"
_TIME_STAMP = _DATE + r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?[AaPp][Mm])?(?:Z|[+\-]\d{2}:?\d{2}| ?UTC)?)?"
_ONE = {key: one for key, one, _, _ in _KINDS} | {"id_number": "an id number"}
_MANY = {key: many for key, _, many, _ in _KINDS} | {"id_number": "student or person id numbers", "free_text": "near-unique text (names, user names or free-text answers)"}


def _phone_like(text):
    """Boolean Series: cells of string Series `text` that read as phone numbers (see `_KINDS`)."""
    digits = text.str.count(r"\d")
    return (
        text.str.fullmatch(_KINDS[-1][3]).fillna(False)
        & digits.between(7, 15).fillna(False)
        & text.str.contains(r"^(?:\+|00)|[ ().\-/]", regex=True).fillna(False)
        & ~text.str.fullmatch(_PLAIN_NUMBER).fillna(False)
        & ~text.str.fullmatch(_DATE).fillna(False)
    )


def _cell_kinds(text):
    """The kind key of each cell of string Series `text` (``None`` where no pattern fits)."""
    import numpy as np
    import pandas as pd

    kinds = pd.Series(np.full(len(text), None, dtype=object), index=text.index, dtype=object)
    for key, _, _, pattern in _KINDS:
        hit = (_phone_like(text) if key == "phone" else text.str.fullmatch(pattern).fillna(False)).to_numpy(dtype=bool)
        kinds[hit & kinds.isna().to_numpy()] = key
    return kinds


def _spread(positions, size: int):
    """At most `size` of `positions`, every k-th, first and last included."""
    import numpy as np

    if len(positions) <= size:
        return positions
    return positions[np.linspace(0, len(positions) - 1, size).astype(np.int64)]


def _sample_cells(s):
    """Up to 5,000 non-empty cells of Series `s`, spread evenly over the column, as trimmed text.

    One vectorised pass finds the non-missing cells; every k-th of them is taken, so the sample spans
    the whole file (a file sorted by date or by campus is not judged by its first rows) and is the same
    on every run.
    """
    import numpy as np

    present = _spread(np.flatnonzero(s.notna().to_numpy(dtype=bool)), 2 * _SAMPLE)
    text = s.iloc[present].astype("string").str.strip()
    text = text[(text != "").to_numpy(dtype=bool)]
    return text.iloc[_spread(np.arange(len(text)), _SAMPLE)]


def _near_unique(distinct: int, m: int) -> bool:
    """Nearly every cell different: at least 90% of the cells (all of them when fewer than 10)."""
    return distinct >= 0.9 * m if m >= 10 else distinct == m and m >= 2


def _number_kind(values, *, unique_ok: bool):
    """``"id_number"`` when most `values` (floats) are whole numbers of 7-15 digits and nearly all differ
    (or `unique_ok`: the column is an id column, unique by design)."""
    import numpy as np

    v = np.abs(values[np.isfinite(values)])
    if len(v) == 0:
        return None
    whole = (v == np.floor(v)) & (v >= 1e6) & (v < 1e15)
    if whole.mean() >= 0.5 and (unique_ok or _near_unique(len(np.unique(v)), len(v))):
        return "id_number"
    return None


def _text_kind(counts, *, unique_ok: bool):
    """The identifying kind of text cells given as ``value -> count`` (a Series), or None."""
    import numpy as np
    import pandas as pd

    values = pd.Series(counts.index.astype(str), dtype="string")
    weights = counts.to_numpy(dtype="float64")
    m = weights.sum()
    kinds = _cell_kinds(values)
    shares = pd.Series(weights).groupby(kinds.to_numpy()).sum() / m
    if len(shares) and shares.sum() >= 0.5:
        return str(shares.idxmax())
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    is_number = ~np.isnan(numbers)
    if weights[is_number].sum() >= 0.5 * m:
        return _number_kind(np.repeat(numbers[is_number], weights[is_number].astype(np.int64)), unique_ok=unique_ok)
    distinct = len(values)
    id_like = values.str.fullmatch(f"{_STUDENT_ID}|{_LONG_NUMBER}").fillna(False).to_numpy(dtype=bool)
    if weights[id_like].sum() >= 0.5 * m and (unique_ok or _near_unique(distinct, int(m))):
        return "id_number"
    if unique_ok:
        return None
    labels = values.str.split().str.join(" ").str.casefold().isin(_known_labels()).to_numpy(dtype=bool)
    times = values.str.fullmatch(_TIME_STAMP).fillna(False).to_numpy(dtype=bool)
    if weights[labels].sum() >= 0.5 * m or weights[times].sum() >= 0.5 * m:
        return None  # response labels; dates and times (unique to the second, but no person)
    long_text = float((values.str.len().to_numpy(dtype="float64") * weights).sum() / m) >= _LONG
    if long_text or (distinct >= _MANY_DISTINCT and _near_unique(distinct, int(m))):
        return "free_text"
    return None


def identifying_content(s, *, unique_ok: bool = False) -> str | None:
    """What kind of personal data the cells of column `s` hold, judged by content; None if none.

    Whatever the column is called (``contact``, ``sid``, ``gps``, ``tel``, ``remarks_free`` ...), it
    identifies a person when at least half of the sampled non-empty cells are e-mail addresses, IP
    addresses (v4 or v6), coordinate pairs, national id numbers (US SSN, UK National Insurance),
    or phone numbers (7-15 digits written with a ``+`` or separators; dates and plain numbers are
    not phone numbers); or, in a column of near-unique values (at least 90% of the cells differ),
    when most cells are id numbers (bare numbers of 7-15 digits, or 1-4 letters and 5-12 digits such as
    ``S1234567``); or when the cells read as near-unique free text (at least 20 distinct answers that
    are not numbers or response labels, or answers 60 characters long on average).

    Parameters
    ----------
    s : pandas.Series
        The column.
    unique_ok : bool, default False
        The column is meant to be unique (a response id): near-uniqueness is no sign of free text
        then, so pseudonymous ids such as ``R_1a2B3c`` pass, while e-mail addresses, phone numbers
        and id numbers (student numbers, bare 7-15 digit numbers) are still found.

    Returns
    -------
    str or None
        A plural description such as ``"e-mail addresses"``, or None.

    Notes
    -----
    Vectorised and bounded for any length: one pass finds the non-empty cells, then up to 5,000 of
    them, spread evenly over the column (every k-th), are judged, each distinct value once, with
    regular expressions. The same column always gives the same answer (no random sampling).

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.ingest.privacy import identifying_content
    >>> identifying_content(pd.Series(["ann@example.org", "bo@uni.edu", None, "cy@example.org"]))
    'e-mail addresses'
    >>> identifying_content(pd.Series(["+44 20 7946 0958", "(555) 123-4567", "555-765-4321"]))
    'phone numbers'
    >>> identifying_content(pd.Series(["S1234567", "S7654321", "S2345678", "S8765432"]))
    'student or person id numbers'
    >>> identifying_content(pd.Series(["online_sync", "in_person", "hybrid", "online_sync"])) is None
    True
    >>> identifying_content(pd.Series(["2026-03-01", "2026-03-02", "2026-03-03"])) is None  # dates
    True
    """
    import pandas as pd

    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_datetime64_any_dtype(s) or isinstance(s.dtype, pd.DatetimeTZDtype):
        return None
    if pd.api.types.is_numeric_dtype(s):
        import numpy as np

        values = s.to_numpy(dtype="float64", na_value=np.nan)
        key = _number_kind(values[_spread(np.flatnonzero(~np.isnan(values)), _SAMPLE)], unique_ok=unique_ok)
    else:
        text = _sample_cells(s)
        key = _text_kind(text.value_counts(), unique_ok=unique_ok) if len(text) else None
    return _MANY[key] if key else None


def identifier_like(values):
    """For each cell of `values`, what identifier it looks like (``"an e-mail address"`` ...), else missing.

    The patterns of :func:`identifying_content`, cell by cell (no uniqueness test), plus bare numbers of
    7-15 digits ("an id number"). Vectorised.

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.ingest.privacy import identifier_like
    >>> identifier_like(pd.Series(["4", "ann@example.org", "agree", "0044 161 496 0000", "12345678"])).tolist()
    [None, 'an e-mail address', None, 'a phone number', 'an id number']
    """
    import pandas as pd

    text = pd.Series(values).astype("string").str.strip()
    keys = _cell_kinds(text)
    long_number = text.str.fullmatch(_LONG_NUMBER).fillna(False).to_numpy(dtype=bool) & keys.isna().to_numpy()
    keys[long_number] = "id_number"
    return pd.Series(keys.map(_ONE).to_numpy(dtype=object), index=text.index, dtype=object).where(keys.notna(), None)


def redact_values(values):
    """`values` as text, with each cell that looks like an identifier replaced by ``(an e-mail address, not shown)``.

    For messages and issues tables: a value typed into an answer or reported from any column is shown
    only when it does not look like personal data; the row and column still say where it is.

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.ingest.privacy import redact_values
    >>> redact_values(pd.Series(["7", "ann@example.org", "often"])).tolist()
    ['7', '(an e-mail address, not shown)', 'often']
    """
    import pandas as pd

    text = pd.Series(values).astype(str)
    kinds = identifier_like(text)
    hidden = kinds.notna()
    if not hidden.any():
        return text
    return text.where(~hidden, "(" + kinds.astype(object).where(hidden, "") + ", not shown)")


def check_kept_columns(frame, keep, outputs, *, keep_identifiers: bool = False) -> None:
    """Refuse kept columns that would replace a computed output column or identify a person by content.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data the columns are copied from.
    keep : list of str
        The columns asked for (``--keep``, ``keep=``).
    outputs : collection of str
        The columns the output computes (``response_id``, scores, ``status`` ...).
    keep_identifiers : bool, default False
        Identifying columns were asked for on purpose; the name clash is refused all the same.

    Raises
    ------
    UsageError
        A kept name is an output column's name, or (without `keep_identifiers`) its cells hold
        personal data (:func:`identifying_content`).

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.ingest.privacy import check_kept_columns
    >>> frame = pd.DataFrame({"status": ["ok"], "contact": ["ann@example.org"], "mode": ["hybrid"]})
    >>> check_kept_columns(frame, ["mode"], ["response_id", "ccs", "status"])
    >>> check_kept_columns(frame, ["mode", "status"], ["response_id", "ccs", "status"])
    Traceback (most recent call last):
    ...
    belonging.errors.UsageError: --keep: column 'status' has the name of a column the output computes; a kept column never replaces a computed one: rename it in the input or leave it out of --keep
    >>> check_kept_columns(frame, ["contact"], ["response_id", "ccs"])
    Traceback (most recent call last):
    ...
    belonging.errors.UsageError: --keep: column 'contact' identifies a person: its cells hold e-mail addresses (found by content, whatever the column is called); it is left out of outputs by default; add --keep-identifiers (keep_identifiers=True) to keep it on purpose
    """
    from belonging.errors import UsageError

    outputs = set(outputs)
    clash = [c for c in keep if c in outputs]
    if clash:
        msg = (f"--keep: column {clash[0]!r} has the name of a column the output computes; a kept column never "
               "replaces a computed one: rename it in the input or leave it out of --keep")
        raise UsageError(msg)
    if keep_identifiers:
        return
    for col in keep:
        kind = identifying_content(frame[col]) if col in frame.columns else None
        if kind:
            msg = (f"--keep: column {col!r} identifies a person: its cells hold {kind} (found by content, whatever the "
                   "column is called); it is left out of outputs by default; add --keep-identifiers "
                   "(keep_identifiers=True) to keep it on purpose")
            raise UsageError(msg)
