"""Detect columns that identify a person, by name, so they stay out of outputs by default."""

from __future__ import annotations

import re

__all__ = ["FREE_TEXT_PATTERNS", "IDENTIFIER_PATTERNS", "holds_free_text", "looks_free_text", "looks_identifying"]

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
