"""The sample exports (data/sample/qualtrics_export.csv, google_forms_export.csv) are what
data/sample/make_exports.py writes from survey.csv, and they score exactly like survey.csv."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from numpy.testing import assert_allclose

import belonging as bl
from belonging.ingest.propose import propose_mapping

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def _make_exports():
    spec = importlib.util.spec_from_file_location("make_exports", SAMPLE / "make_exports.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_committed_exports_match_a_fresh_run(tmp_path):
    assert _make_exports().main(["--out", str(tmp_path)]) == 0
    for name in ("qualtrics_export.csv", "google_forms_export.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


@pytest.fixture(scope="module")
def survey():
    return bl.read_export(SAMPLE / "survey.csv")


@pytest.mark.parametrize("name", ["qualtrics_export.csv", "google_forms_export.csv"])
@pytest.mark.parametrize("instrument", ["ccs", "coi"])
def test_sample_exports_score_like_survey_csv(survey, name, instrument):
    responses = bl.read_export(SAMPLE / name, timezone="Europe/Amsterdam")
    proposal = propose_mapping(responses, instrument)
    assert proposal.table["column"].notna().all()
    got = bl.score(responses, instrument, mapping=proposal.mapping)
    ref = bl.score(survey, instrument)
    if name.startswith("google"):  # Forms records submitted responses only
        ref = ref[survey.data["finished"].astype(str).eq("True").to_numpy()].reset_index(drop=True)
    else:
        assert got["response_id"].tolist() == ref["response_id"].tolist()
        started = responses.data["started_at"]
        assert str(started.dt.tz) == "UTC"
    for col in (instrument, f"{instrument}_n_answered"):
        assert_allclose(got[col].to_numpy(dtype=float), ref[col].to_numpy(dtype=float), rtol=0, atol=1e-12)
    assert "email" not in got.columns and not got.astype(str).apply(lambda s: s.str.contains("@example.org")).any().any()
