"""Detect columns that identify a person, by name, so they stay out of outputs by default."""

from __future__ import annotations

import re

__all__ = ["FREE_TEXT_PATTERNS", "IDENTIFIER_PATTERNS", "looks_free_text", "looks_identifying"]

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
