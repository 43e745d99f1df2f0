"""Shared fixtures of the participation-log tests: the fixture folder, a key, the BIO101 roster."""

from __future__ import annotations

from pathlib import Path

import pytest
from logs_support import FIXTURES


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def roster_path() -> Path:
    return FIXTURES / "roster.csv"


@pytest.fixture
def key_file(tmp_path) -> Path:
    from belonging.store.keys import keygen

    return keygen(tmp_path / "institution.key")
