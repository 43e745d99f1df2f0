"""Shared fixtures: the simulated reference data and the R outputs in tests/reference/compare/."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from belonging.groups.descriptives import encode_groups

REF = Path(__file__).parents[1] / "reference" / "compare"


def load_ref(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name)


@pytest.fixture(scope="session")
def data() -> pd.DataFrame:
    return load_ref("data.csv")


@pytest.fixture(scope="session")
def waves_data() -> pd.DataFrame:
    return load_ref("waves.csv")


@pytest.fixture(scope="session")
def grouped(data):
    codes, levels = encode_groups(data["mode"])
    return data["belonging"].to_numpy(dtype=np.float64), codes, levels
