"""Fixtures for report tests."""

import matplotlib

matplotlib.use("Agg")

import pytest
from _report_data import FORMULA, SCRIPT, TRAVERSAL, make_survey


@pytest.fixture(scope="session")
def survey():
    return make_survey({"Alpha": 60, "Beta": 45, SCRIPT: 30, FORMULA: 25, TRAVERSAL: 6})


@pytest.fixture(scope="session")
def survey_csv(tmp_path_factory, survey):
    path = tmp_path_factory.mktemp("data") / "survey.csv"
    survey.to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def responses(survey_csv):
    import belonging as bl

    return bl.read_export(survey_csv)
