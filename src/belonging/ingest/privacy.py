"""Detect columns that identify a person, by name, so they stay out of outputs by default."""

from __future__ import annotations

import re

__all__ = ["IDENTIFIER_PATTERNS", "looks_identifying"]

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
    return re.sub(r"[\s.\-/]+", "_", str(name).strip().lower())


def looks_identifying(name: str) -> bool:
    """True when column `name` matches a known identifying-field pattern."""
    norm = _norm(name)
    return any(p.fullmatch(norm) for p in IDENTIFIER_PATTERNS)
