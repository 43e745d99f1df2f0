"""data/sample: the committed survey is the generator's output, meets the design minimums, scores on
ccs and coi, and carries the documented true effects (checked with a quick OLS)."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import belonging as bl

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

COLUMNS = [
    "response_id", "student_id", "wave", "cohort", "program", "term", "section", "mode", "first_gen",
    "international", "age_band", "learning_path", "forum_posts", "chat_messages", "breakout_sessions",
    "live_hours", "support_contacts", "started_at", "submitted_at", "duration_s", "finished",
    *[f"ccs_{j:02d}" for j in range(1, 21)], *[f"coi_{j:02d}" for j in range(1, 35)], "comments", "email",
]


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("sample_generate", SAMPLE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def responses():
    return bl.read_export(SAMPLE / "survey.csv")


@pytest.fixture(scope="module")
def survey(responses):
    return responses.data


@pytest.fixture(scope="module")
def scored(responses):
    ccs = bl.score(responses, "ccs")
    coi = bl.score(responses, "coi")
    return ccs, coi


def test_committed_files_equal_a_fresh_run(gen, tmp_path):
    gen.write(tmp_path)
    for name in ("survey.csv", "roster.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), f"{name}: rerun data/sample/generate.py"


def test_generator_items_match_builtin_instruments(gen):
    ccs = bl.load_instrument("ccs")
    assert tuple(ccs.item_ids) == gen.CCS_ITEMS
    assert set(ccs.reverse_items) == set(gen.CCS_REVERSE)
    assert (ccs.response_scale.min, ccs.response_scale.max) == (gen.CCS_MIN, gen.CCS_MAX)
    assert {i: ccs.item(i).subscale for i in ccs.item_ids} == gen.CCS_SUBSCALE
    coi = bl.load_instrument("coi")
    assert tuple(coi.item_ids) == gen.COI_ITEMS
    assert set(coi.reverse_items) == set()
    assert (coi.response_scale.min, coi.response_scale.max) == (gen.COI_MIN, gen.COI_MAX)
    assert {i: coi.item(i).subscale for i in coi.item_ids} == gen.COI_SUBSCALE


def test_columns_and_size():
    raw = pd.read_csv(SAMPLE / "survey.csv", nrows=1)
    assert list(raw.columns) == COLUMNS
    assert (SAMPLE / "survey.csv").stat().st_size < 3_000_000


def test_design_minimums(survey):
    assert survey["student_id"].nunique() >= 2400
    assert survey["cohort"].nunique() >= 6
    assert survey["section"].nunique() >= 40
    assert set(survey["mode"]) == {"online_sync", "online_async", "hybrid", "in_person"}
    assert set(survey["wave"]) == {"start", "end"}
    assert set(survey["learning_path"]) == {"personalised", "fixed"}
    per_student = survey.groupby("student_id")["wave"].nunique()
    assert 500 <= (per_student == 2).sum() < len(per_student)  # a panel subset answers both waves
    both = survey[survey["student_id"].isin(per_student.index[per_student == 2])]
    assert both.groupby("student_id")["response_id"].nunique().min() == 2  # new response id per wave
    sizes = survey.groupby("cohort")["student_id"].nunique()
    assert (sizes < 10).sum() >= 1  # a cohort small enough for small-cell suppression
    assert survey.groupby("student_id")[["cohort", "section", "mode"]].nunique().max().max() == 1


def test_roster_covers_every_cohort(survey):
    roster = pd.read_csv(SAMPLE / "roster.csv")
    assert set(roster["cohort"]) == set(survey["cohort"])
    counts = survey.groupby("cohort")["student_id"].nunique()
    enrolled = roster.set_index("cohort")["enrolled"]
    assert (counts <= enrolled.reindex(counts.index)).all()


def test_timestamps_and_identifiers(survey):
    raw = pd.read_csv(SAMPLE / "survey.csv", usecols=["started_at", "submitted_at"], dtype=str)
    for col in ("started_at", "submitted_at"):  # ISO 8601 local time with its UTC offset
        assert raw[col].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d").all()
    started = pd.to_datetime(raw["started_at"], format="ISO8601", utc=True)
    submitted = pd.to_datetime(raw["submitted_at"], format="ISO8601", utc=True)
    np.testing.assert_allclose((submitted - started).dt.total_seconds(), survey["duration_s"], atol=1)
    emails = survey["email"].dropna()
    assert len(emails) > 0 and emails.str.fullmatch(r"[a-z0-9.]+@example\.org").all()
    assert survey["comments"].notna().sum() > 50
    assert survey["response_id"].str.fullmatch(r"R_[A-Za-z0-9]{15}").all()


def test_item_codes_on_each_scale(survey):
    ccs = survey[[f"ccs_{j:02d}" for j in range(1, 21)]].to_numpy(dtype=float)
    coi = survey[[f"coi_{j:02d}" for j in range(1, 35)]].to_numpy(dtype=float)
    assert np.nanmin(ccs) == 0 and np.nanmax(ccs) == 4
    assert np.nanmin(coi) == 1 and np.nanmax(coi) == 5
    assert np.all(np.isnan(ccs) | (ccs == np.round(ccs)))
    assert 0.005 < np.isnan(ccs).mean() < 0.05  # some item nonresponse, not much


def test_careless_responders_present(survey, gen):
    ccs = survey[list(gen.CCS_ITEMS)]
    complete = ccs.notna().all(axis=1)
    straight = complete & (ccs.nunique(axis=1) == 1)
    assert straight.sum() >= gen.CARELESS["straight_line"]
    assert (survey["duration_s"] < 100).sum() >= gen.CARELESS["speeder"]
    content = survey.drop(columns=["source_row"])
    assert content.duplicated().sum() == gen.CARELESS["exact_duplicate"]
    unfinished = ~_finished(survey)
    assert unfinished.sum() > 20
    missing = survey.loc[unfinished, list(gen.CCS_ITEMS + gen.COI_ITEMS)].isna().sum(axis=1)
    assert missing.min() >= 15


def test_truth_marks_the_careless_rows(gen, survey):
    _, truth = gen.generate()
    assert truth["response_id"].tolist() == survey["response_id"].tolist()
    assert (truth["careless"] == "speeder").sum() == gen.CARELESS["speeder"]
    assert not _finished(survey)[truth["careless"].eq("unfinished").to_numpy()].any()


def test_scores_on_ccs_and_coi(scored, survey):
    ccs, coi = scored
    assert len(ccs) == len(coi) == len(survey)
    assert list(ccs.columns[:5]) == ["response_id", "ccs", "ccs_connectedness", "ccs_learning", "ccs_n_answered"]
    assert ccs["ccs"].dropna().between(0, 80).all()
    assert ccs["ccs"].notna().mean() > 0.97 and coi["coi"].notna().mean() > 0.94
    assert coi[["coi_teaching", "coi_social", "coi_cognitive"]].stack().dropna().between(1, 5).all()
    assert "email" not in ccs.columns and "comments" not in ccs.columns
    # the score recovers the generating latent (graded model inverted: expected sum = linear predictor)
    assert 42 < ccs["ccs"].mean() < 52


def _finished(survey):
    """`finished` as booleans whether ingest gives bool or the text True/False."""
    values = survey["finished"].map({True: True, False: False, "True": True, "False": False})
    assert values.notna().all(), "unexpected values in finished"
    return values.astype(bool)


def _ols(y, X):
    A = X.to_numpy(dtype=float)
    b, *_ = np.linalg.lstsq(A, y, rcond=None)
    resid = y - A @ b
    s2 = resid @ resid / (len(y) - A.shape[1])
    se = np.sqrt(np.diag(s2 * np.linalg.inv(A.T @ A)))
    return pd.Series(b, index=X.columns), pd.Series(se, index=X.columns)


def test_ols_recovers_true_effects(gen, survey, scored):
    """Rows a quality screen would keep; CCS total on the generating model's predictors.

    Tolerance: 3 OLS standard errors (the OLS ignores section and person clustering, so the real
    uncertainty is somewhat larger). The teaching-presence slope uses the observed COI score, which
    attenuates it by the score's reliability (about 0.85).
    """
    true = gen.TRUE_EFFECTS
    ccs, coi = scored
    d = survey.assign(y=ccs["ccs"].to_numpy(), tp=coi["coi_teaching"].to_numpy())
    items = d[list(gen.CCS_ITEMS)]
    keep = (
        _finished(d) & (d["duration_s"] >= 120) & (items.nunique(axis=1) > 1)
        & ~d.drop(columns=["response_id", "source_row"]).duplicated()
    )
    d = d[keep].dropna(subset=["y", "tp", "breakout_sessions", "first_gen", "international", "age_band"])
    X = pd.DataFrame({"const": 1.0}, index=d.index)
    for mode in ("online_sync", "hybrid", "online_async"):
        X[mode] = (d["mode"] == mode).astype(float)
    X["breakout"] = d["breakout_sessions"].astype(float)
    X["async_x_breakout"] = X["online_async"] * X["breakout"]
    X["forum"] = d["forum_posts"].astype(float)
    X["chat"] = d["chat_messages"].astype(float)
    X["live"] = d["live_hours"].astype(float)
    X["support"] = d["support_contacts"].astype(float)
    X["tp"] = d["tp"] - true["teaching_presence_centre"]
    X["personalised"] = (d["learning_path"] == "personalised").astype(float)
    X["first_gen"] = (d["first_gen"] == "yes").astype(float)
    X["international"] = (d["international"] == "yes").astype(float)
    for band in ("21-24", "25-34", "35+"):
        X[band] = (d["age_band"] == band).astype(float)
    for mode in ("in_person", "hybrid", "online_sync", "online_async"):
        X["end_" + mode] = ((d["wave"] == "end") & (d["mode"] == mode)).astype(float)
    b, se = _ols(d["y"].to_numpy(), X)
    expected = {
        **true["mode"],
        "breakout": true["breakout_per_session"],
        "async_x_breakout": true["async_x_breakout_per_session"],
        "forum": true["forum_per_post"],
        "chat": true["chat_per_message"],
        "live": true["live_per_hour"],
        "support": true["support_per_contact"],
        "personalised": true["learning_path_personalised"],
        "first_gen": true["first_gen"],
        "international": true["international"],
        **true["age_band"],
        **{"end_" + m: v for m, v in true["wave_change"].items()},
    }
    for name, value in expected.items():
        assert abs(b[name] - value) < 3 * se[name], (name, b[name], value, se[name])
    # the main mode effect is clearly there: the 95% CI of online_async excludes zero
    assert b["online_async"] + 1.96 * se["online_async"] < 0
    assert b["async_x_breakout"] - 1.96 * se["async_x_breakout"] > 0
    # teaching presence raises belonging; observed-score slope attenuated by reliability
    assert 0.7 * true["teaching_presence_per_point"] < b["tp"] < true["teaching_presence_per_point"]


def test_section_random_effect_is_visible(gen, survey, scored):
    """Between-section SD of start-wave section means exceeds what sampling alone gives."""
    ccs, _ = scored
    d = survey.assign(y=ccs["ccs"].to_numpy())
    d = d[(d["wave"] == "start") & _finished(d)].dropna(subset=["y"])
    g = d.groupby("section")["y"].agg(["mean", "var", "size"])
    g = g[g["size"] >= 20]
    sampling = (g["var"] / g["size"]).mean()
    between = g["mean"].var() - sampling  # method-of-moments section variance (mode mix adds a little)
    assert between > 0
    assert 0.5 * gen.TRUE_EFFECTS["section_sd"] < np.sqrt(between) < 2.5 * gen.TRUE_EFFECTS["section_sd"]


def test_readme_documents_every_true_effect(gen):
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    for key in gen.TRUE_EFFECTS:
        assert f"`{key}`" in text, key
    assert str(gen.SEED) in text
