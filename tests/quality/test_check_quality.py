"""check_quality: every reason, the policy, and row accounting on every supported input."""

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import belonging as bl
from belonging import _columns as C
from belonging.instruments import AttentionCheck
from belonging.quality import REASONS, Policy, check_quality

PSSM = bl.load_instrument("pssm")
COI = bl.load_instrument("coi")
FIX = Path(__file__).parents[1] / "fixtures" / "platforms"


def survey(n=120, seed=0, instrument=PSSM, loading=0.8):
    """Seeded one-factor Likert answers plus meta columns (response_id, duration_s, finished, wave, email)."""
    rng = np.random.default_rng(seed)
    lo, hi = instrument.response_scale.min, instrument.response_scale.max
    k = len(instrument.item_ids)
    theta = rng.normal(size=(n, 1))
    difficulty = rng.uniform(-0.9, 0.9, size=k)  # items differ in mean, as real items do
    cont = loading * theta + np.sqrt(1 - loading**2) * rng.normal(size=(n, k)) + difficulty
    mid, half = (lo + hi) / 2, (hi - lo) / 2
    codes = np.clip(np.round(mid + half * cont / 1.5), lo, hi)
    rev = [j for j, i in enumerate(instrument.item_ids) if instrument.item(i).reverse]
    codes[:, rev] = lo + hi - codes[:, rev]
    df = pd.DataFrame(codes, columns=list(instrument.item_ids))
    df.insert(0, C.RESPONSE_ID, [f"R{i:04d}" for i in range(n)])
    df.insert(1, C.DURATION_S, rng.uniform(400, 900, n))
    df.insert(2, C.FINISHED, True)
    df.insert(3, C.WAVE, "w1")
    df.insert(4, "email", [f"s{i}@example.org" for i in range(n)])
    return df


def reasons_of(report, i):
    return set(filter(None, report.rows[C.REASONS].iloc[i].split(";")))


def status_of(report, i):
    return report.rows[C.STATUS].iloc[i]


def test_clean_survey_is_mostly_kept():
    rep = check_quality(survey(), PSSM)
    assert len(rep.rows) == 120
    assert rep.counts()[C.EXCLUDED] == 0
    assert rep.counts()[C.KEPT] >= 100
    assert list(rep.rows.columns[:5]) == [C.SOURCE_ROW, C.RESPONSE_ID, C.STATUS, C.REASONS, C.N_ANSWERED]
    assert rep.rows[C.SOURCE_ROW].tolist() == list(range(1, 121))


def test_out_of_range_and_unknown_label_exclude_and_are_issues():
    df = survey()
    df["pssm_03"] = df["pssm_03"].astype(object)
    df.loc[4, "pssm_03"] = 9
    df.loc[7, "pssm_03"] = "often"
    rep = check_quality(df, PSSM)
    assert status_of(rep, 4) == C.EXCLUDED and "out_of_range" in reasons_of(rep, 4)
    assert status_of(rep, 7) == C.EXCLUDED and "unknown_label" in reasons_of(rep, 7)
    iss = rep.issues.set_index(C.ROW)
    assert iss.loc[5, C.COLUMN] == "pssm_03" and iss.loc[5, C.VALUE] == "9" and iss.loc[5, C.REASON] == "out_of_range"
    assert iss.loc[8, C.REASON] == "unknown_label" and "often" in iss.loc[8, C.MESSAGE]


def test_no_answers_excluded_and_missing_items_flagged():
    df = survey()
    items = list(PSSM.item_ids)
    df.loc[3, items] = np.nan
    df.loc[5, items[:10]] = np.nan  # 8 of 18 answered < 80%
    df.loc[6, items[:2]] = np.nan  # 16 of 18: enough
    rep = check_quality(df, PSSM)
    assert status_of(rep, 3) == C.EXCLUDED and {"no_answers", "missing_items"} <= reasons_of(rep, 3)
    assert "missing_items" in reasons_of(rep, 5) and status_of(rep, 5) != C.EXCLUDED
    assert "missing_items" not in reasons_of(rep, 6)
    assert rep.rows[C.N_ANSWERED].iloc[[3, 5, 6]].tolist() == [0, 8, 16]


def test_incomplete_from_finished_column():
    df = survey()
    df[C.FINISHED] = df[C.FINISHED].astype("boolean")
    df.loc[2, C.FINISHED] = False
    df.loc[3, C.FINISHED] = pd.NA
    rep = check_quality(df, PSSM)
    assert "incomplete" in reasons_of(rep, 2) and status_of(rep, 2) == C.FLAGGED
    assert "incomplete" not in reasons_of(rep, 3)


def test_duplicates_keep_first():
    df = survey()
    df.loc[10, C.RESPONSE_ID] = df.loc[9, C.RESPONSE_ID]  # same response id
    df.loc[20, "email"] = "S1@example.org"  # same person (case-insensitive), same wave
    copy = df.iloc[[30]].assign(**{C.RESPONSE_ID: "R-copy"})  # exact copy with a new id
    df = pd.concat([df, copy], ignore_index=True)
    rep = check_quality(df, PSSM)
    assert "duplicate" not in reasons_of(rep, 9) and "duplicate" in reasons_of(rep, 10)
    assert "duplicate" not in reasons_of(rep, 1) and "duplicate" in reasons_of(rep, 20)
    assert "duplicate" not in reasons_of(rep, 30) and "duplicate" in reasons_of(rep, 120)
    assert rep.counts()[C.EXCLUDED] == 3
    assert rep.resolved["duplicate_columns"] == "email"


def test_summary_status_counts_equal_the_rows():
    """The summary counts statuses from the reason masks as the report is built; a row with both a
    flag and an exclusion counts once, as excluded; the counts equal those of the status column."""
    df = survey()
    df.loc[5, C.RESPONSE_ID] = df.loc[4, C.RESPONSE_ID]  # a duplicate (excluded) ...
    df.loc[5, df.columns[5:]] = 3.0  # ... that is also a straight-liner (flagged)
    df.loc[7, C.DURATION_S] = 5.0  # a speeder (flagged only)
    rep = check_quality(df, PSSM)
    assert {"duplicate", "longstring"} <= reasons_of(rep, 5) and status_of(rep, 5) == C.EXCLUDED
    assert status_of(rep, 7) == C.FLAGGED
    summary = rep.summary.set_index([C.KIND, C.NAME])[C.COUNT]
    from_rows = rep.rows[C.STATUS].value_counts()
    for s in (C.KEPT, C.FLAGGED, C.EXCLUDED):
        assert summary[(C.STATUS, s)] == from_rows.get(s, 0) == rep.counts()[s]
    assert summary[(C.STATUS, C.EXCLUDED)] == 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from([10.0, 20.0, None]), st.sampled_from(["a", "b", None]), st.sampled_from([1.0, 2.0, None])), min_size=1, max_size=30),
)
def test_exact_copies_equal_duplicated_on_every_column(cells):
    """The candidate-row shortcut finds exactly what duplicated() over every column finds (NaN equal to NaN)."""
    from belonging.quality.checks import _exact_copies

    df = pd.DataFrame(cells, columns=[C.DURATION_S, "comment", "pssm_01"])
    df[C.DURATION_S] = df[C.DURATION_S].astype("float64")
    df.insert(0, C.RESPONSE_ID, [f"R{i}" for i in range(len(df))])  # ids never count
    expected = df.drop(columns=[C.RESPONSE_ID]).duplicated(keep="first").to_numpy()
    np.testing.assert_array_equal(_exact_copies(df, [C.DURATION_S]), expected)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="ab1 ", max_size=3)), max_size=25), st.booleans())
def test_response_id_duplicates_with_and_without_the_ascending_shortcut(ids, ascending):
    """Repeated response ids are found whether or not the ids come in ascending order."""
    from belonging.quality.checks import duplicates

    if ascending:
        ids = sorted({i for i in ids if i is not None})
    df = pd.DataFrame({C.RESPONSE_ID: pd.Series(ids, dtype="string"), "x": 1.0})
    text = df[C.RESPONSE_ID].str.strip()
    expected = (text.notna() & (text != "") & text.duplicated(keep="first")).fillna(False).to_numpy(dtype=bool)
    mask, _ = duplicates(df, id_columns=[])
    np.testing.assert_array_equal(mask, expected)


def test_same_person_in_another_wave_is_not_a_duplicate():
    df = survey()
    df.loc[60:, C.WAVE] = "w2"
    df.loc[60:, "email"] = df.loc[:59, "email"].to_numpy()
    rep = check_quality(df, PSSM)
    assert rep.summary.set_index(C.NAME).loc["duplicate", C.COUNT] == 0


def test_identical_answers_without_metadata_are_not_duplicates():
    df = survey()[list(PSSM.item_ids)]
    df = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    rep = check_quality(df, PSSM)
    assert "duplicate" not in reasons_of(rep, len(df) - 1)
    assert any("exact-copy duplicates not checked" in n for n in rep.notes)


def test_speeder_uses_the_stricter_cutoff():
    df = survey()
    df.loc[0, C.DURATION_S] = 30.0  # < 2 s x 18 items = 36 s
    df.loc[1, C.DURATION_S] = 150.0  # < median / 3 (about 215 s)
    rep = check_quality(df, PSSM)
    median = float(np.median(df[C.DURATION_S]))
    assert rep.resolved["speeder_median_s"] == pytest.approx(median)
    assert rep.resolved["speeder_cutoff_s"] == pytest.approx(max(median / 3, 2.0 * 18))
    assert "speeder" in reasons_of(rep, 0) and "speeder" in reasons_of(rep, 1)
    fast = df[C.DURATION_S] < rep.resolved["speeder_cutoff_s"]
    assert (rep.rows[C.REASONS].str.contains("speeder") == fast).all()
    # with a generous per-item rule the per-item cut-off wins
    rep2 = check_quality(df, PSSM, policy=Policy().with_thresholds(speeder_seconds_per_item=30.0))
    assert rep2.resolved["speeder_cutoff_s"] == pytest.approx(540.0)


def test_attention_checks_from_instrument_and_policy():
    df = survey()
    df["attn_1"] = 2.0
    df.loc[3, "attn_1"] = 5.0
    df.loc[4, "attn_1"] = np.nan  # not answered: not failed
    labels = PSSM.response_scale.labels
    df["Q99"] = labels[3]
    df.loc[5, "Q99"] = labels[1]
    inst = dataclasses.replace(PSSM, attention_checks=(AttentionCheck(item="ATTN_1", expected=(2,)),))
    policy = {"attention_checks": [{"column": "Q99", "expected": [3 + PSSM.response_scale.min]}]}
    rep = check_quality(df, inst, policy=policy)
    failed = rep.rows.index[rep.rows[C.REASONS].str.contains("attention_check")].tolist()
    assert failed == [3, 5]
    att = rep.issues[rep.issues[C.REASON] == "attention_check"]
    assert att[C.ROW].tolist() == [4, 6] and att[C.COLUMN].tolist() == ["attn_1", "Q99"]


def test_missing_attention_column_is_a_note():
    inst = dataclasses.replace(PSSM, attention_checks=(AttentionCheck(item="nope", expected=(2,)),))
    rep = check_quality(survey(), inst)
    assert any("'nope' not found" in n for n in rep.notes)


def test_straight_liner_and_random_responder():
    df = survey(n=300, seed=3)
    items = list(PSSM.item_ids)
    df.loc[0, items] = 3.0
    rng = np.random.default_rng(5)
    df.loc[1, items] = rng.choice([1.0, 5.0], size=len(items))
    rep = check_quality(df, PSSM)
    assert {"longstring", "irv"} <= reasons_of(rep, 0)
    assert rep.rows[C.LONGSTRING].iloc[0] == len(items) and rep.rows[C.IRV].iloc[0] == 0
    assert "mahalanobis" in reasons_of(rep, 1)
    assert rep.rows[C.MAHALANOBIS_P].iloc[1] < 0.001
    from scipy import stats

    assert np.allclose(rep.rows[C.MAHALANOBIS_P], stats.chi2.sf(rep.rows[C.MAHALANOBIS_D2], df=len(items)), rtol=1e-12)
    # flags follow the stored thresholds exactly
    t = rep.policy.thresholds
    assert (rep.rows[C.REASONS].str.contains("mahalanobis") == (rep.rows[C.MAHALANOBIS_P] < t["mahalanobis_p"])).all()
    min_run = rep.resolved["longstring_min_run"]
    assert min_run == 15
    assert (rep.rows[C.REASONS].str.contains("longstring") == (rep.rows[C.LONGSTRING] >= min_run)).all()


def test_synonyms_flag_inconsistent_answers():
    df = survey(n=300, seed=4, loading=0.9)
    items = list(PSSM.item_ids)
    rng = np.random.default_rng(9)
    df.loc[0, items] = rng.integers(1, 6, size=len(items)).astype(float)
    rep = check_quality(df, PSSM)
    assert rep.resolved["synonym_pairs"] + rep.resolved["antonym_pairs"] > 0
    t = rep.policy.thresholds
    expected = (rep.rows[C.PSYCHSYN] < t["synonyms_min"]) | (rep.rows[C.PSYCHANT] > t["antonyms_max"])
    assert (rep.rows[C.REASONS].str.contains("synonyms") == expected).all()
    assert rep.rows[C.PSYCHSYN].iloc[1:].median() > 0


def test_even_odd_judged_only_with_enough_subscales():
    df = survey(n=200, seed=5, instrument=COI)
    rep = check_quality(df, COI)
    assert rep.rows[C.EVEN_ODD].notna().sum() > 150
    assert rep.summary.set_index(C.NAME).loc["even_odd", C.COUNT] == 0
    assert any("even_odd not judged" in n for n in rep.notes)
    rep3 = check_quality(df, COI, policy=Policy().with_thresholds(even_odd_min_subscales=3))
    flagged = rep3.rows[C.REASONS].str.contains("even_odd")
    assert (flagged == (rep3.rows[C.EVEN_ODD] > -0.30)).all()


def test_policy_actions_change_status():
    df = survey()
    df.loc[0, C.DURATION_S] = 10.0
    assert status_of(check_quality(df, PSSM), 0) == C.FLAGGED
    rep = check_quality(df, PSSM, policy=Policy().with_actions(speeder="exclude"))
    assert status_of(rep, 0) == C.EXCLUDED
    rep = check_quality(df, PSSM, policy={"actions": {"speeder": "off"}})
    assert "speeder" not in reasons_of(rep, 0)
    assert rep.summary.set_index(C.NAME).loc["speeder", C.ACTION] == "off"


def test_previews_dropped_at_ingest_are_rows_of_the_report():
    resp = bl.read_export(FIX / "qualtrics_numeric.csv")
    rep = check_quality(resp, "ccs", mapping=FIX / "maps" / "qualtrics_numeric.toml")
    assert len(rep.rows) == resp.n_records == len(resp) + len(resp.dropped)
    assert rep.rows[C.SOURCE_ROW].tolist() == sorted(rep.rows[C.SOURCE_ROW])
    prev = rep.rows[rep.rows[C.REASONS] == "preview"]
    assert prev[C.SOURCE_ROW].tolist() == resp.dropped[C.SOURCE_ROW].tolist()
    assert (prev[C.STATUS] == C.EXCLUDED).all()
    assert set(rep.issues.loc[rep.issues[C.REASON] == "preview", C.VALUE]) == set(resp.dropped[C.REASON])


PLATFORM_CASES = [
    ("google_forms.csv", "google_forms.toml"),
    ("limesurvey_codes.csv", "limesurvey_codes.toml"),
    ("limesurvey_full.csv", "limesurvey_full.toml"),
    ("microsoft_forms.xlsx", "microsoft_forms.toml"),
    ("qualtrics_bom.csv", "qualtrics.toml"),
    ("qualtrics_legacy.csv", "qualtrics_legacy.toml"),
    ("qualtrics_text.csv", "qualtrics.toml"),
    ("qualtrics_utf16.tsv", "qualtrics.toml"),
    ("redcap_labels.csv", None),
    ("redcap_raw.csv", None),
    ("spss.sav", None),
    ("stata.dta", None),
    ("surveymonkey.csv", "surveymonkey.toml"),
    ("surveymonkey.xlsx", "surveymonkey.toml"),
]


@pytest.mark.parametrize(("name", "mapping"), PLATFORM_CASES)
def test_every_platform_fixture_is_accounted_for(name, mapping):
    if not (FIX / name).exists():
        pytest.skip(f"fixture {name} not present")
    resp = bl.read_export(FIX / name)
    rep = check_quality(resp, "ccs", mapping=FIX / "maps" / mapping if mapping else None)
    assert len(rep.rows) == resp.n_records
    assert sum(rep.counts().values()) == resp.n_records
    # the summary's status and preview counts (counted from the masks as the report is built) agree with the rows
    summary = rep.summary.set_index([C.KIND, C.NAME])[C.COUNT]
    assert {s: summary[(C.STATUS, s)] for s in (C.KEPT, C.FLAGGED, C.EXCLUDED)} == rep.counts()
    assert summary[(C.REASON, "preview")] == (rep.rows[C.REASONS] == "preview").sum()
    assert (rep.rows.loc[rep.rows[C.STATUS] != C.KEPT, C.REASONS] != "").all()
    if C.FINISHED in resp.data.columns:
        unfinished = (~resp.data[C.FINISHED].astype("boolean")).fillna(False).to_numpy(dtype=bool)
        in_data = rep.rows[rep.rows[C.REASONS] != "preview"]
        assert (in_data[C.REASONS].str.contains("incomplete").to_numpy() == unfinished).all()
    # the e-mail column never reaches the report
    assert not any("@" in str(v) for v in rep.rows.astype(str).to_numpy().ravel())


def test_report_views():
    df = survey()
    df.loc[0, C.DURATION_S] = 5.0
    rep = check_quality(df, PSSM)
    text = rep.summary_text()
    for key in Policy().thresholds:
        assert key in text
    assert "speeder" in text and "kept" in text and "speeder_cutoff_s" in text
    html = rep._repr_html_()
    assert "<table>" in html and "speeder" in html
    frame = rep.to_frame()
    frame.loc[0, C.STATUS] = "changed"
    assert rep.rows.loc[0, C.STATUS] != "changed"
    d = rep.summary_dict()
    assert d["status"] == rep.counts() and d["policy"]["actions"]["speeder"] == "flag"
    assert set(rep.summary.loc[rep.summary[C.KIND] == C.REASON, C.NAME]) == set(REASONS)


def test_score_carries_status_and_reconciles():
    df = survey()
    df["pssm_02"] = df["pssm_02"].astype(object)
    df.loc[1, "pssm_02"] = 11
    df.loc[2, C.DURATION_S] = 3.0
    rep = check_quality(df, PSSM)
    scores = bl.score(df, PSSM, quality=rep)
    assert len(scores) == len(rep.rows)
    assert (scores[C.STATUS].to_numpy() == rep.rows[C.STATUS].to_numpy()).all()
    assert scores.loc[scores[C.STATUS] == C.EXCLUDED, "pssm"].isna().all()
    assert scores.loc[2, C.STATUS] == C.FLAGGED and np.isfinite(scores.loc[2, "pssm"])
    strict = bl.score(df, PSSM, quality=rep, exclude_flagged=True)
    assert strict.loc[strict[C.STATUS] != C.KEPT, "pssm"].isna().all()
    assert strict[C.STATUS].value_counts().to_dict() == {k: v for k, v in rep.counts().items() if v}


def test_score_reconciles_with_previews():
    resp = bl.read_export(FIX / "qualtrics_numeric.csv")
    m = FIX / "maps" / "qualtrics_numeric.toml"
    rep = check_quality(resp, "ccs", mapping=m)
    scores = bl.score(resp, "ccs", mapping=m, quality=rep)
    assert not rep.rows[C.REASONS].str.contains("out_of_range").any()  # the map's [codes] recode 1-5 to 0-4
    previews = int((rep.rows[C.REASONS] == "preview").sum())
    assert previews == len(resp.dropped) > 0
    # every record of the file is a row of the scores, previews included (excluded, no score), in file order
    assert scores[C.SOURCE_ROW].tolist() == rep.rows[C.SOURCE_ROW].tolist()
    assert scores[C.STATUS].tolist() == rep.rows[C.STATUS].tolist()
    assert scores[C.RESPONSE_ID].astype(str).tolist() == rep.rows[C.RESPONSE_ID].astype(str).tolist()
    set_aside = scores[C.SOURCE_ROW].isin(resp.dropped[C.SOURCE_ROW])
    assert scores.loc[set_aside, "ccs"].isna().all() and scores.loc[set_aside, "ccs_n_answered"].isna().all()
    assert scores.loc[~set_aside, "ccs_n_answered"].notna().all()


# --- the accounting invariant, property-tested ----------------------------------------------------

cells = st.one_of(st.none(), st.integers(min_value=0, max_value=7), st.sampled_from(["Agree", "often", "", " 3 "]))


@st.composite
def frames(draw):
    n = draw(st.integers(min_value=1, max_value=15))
    k = len(PSSM.item_ids)
    grid = draw(st.lists(st.lists(cells, min_size=k, max_size=k), min_size=n, max_size=n))
    df = pd.DataFrame(grid, columns=list(PSSM.item_ids), dtype=object)
    ids = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "g"]), min_size=n, max_size=n))
    df.insert(0, C.RESPONSE_ID, ids)
    if draw(st.booleans()):
        df.insert(1, C.DURATION_S, draw(st.lists(st.one_of(st.none(), st.floats(0, 2000)), min_size=n, max_size=n)))
        df[C.DURATION_S] = df[C.DURATION_S].astype("float64")
    if draw(st.booleans()):
        df.insert(1, C.FINISHED, pd.array(draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n)), dtype="boolean"))
    return df


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=frames(), speeder=st.sampled_from(["exclude", "flag", "off"]), careless=st.sampled_from(["flag", "off"]))
def test_rows_in_equal_kept_flagged_excluded(df, speeder, careless):
    policy = Policy().with_actions(speeder=speeder, longstring=careless, irv=careless, mahalanobis=careless)
    rep = check_quality(df, PSSM, policy=policy)
    counts = rep.counts()
    assert len(rep.rows) == len(df) == sum(counts.values())
    assert rep.rows[C.SOURCE_ROW].tolist() == list(range(1, len(df) + 1))
    reasons = rep.rows[C.REASONS].str.split(";")
    not_kept = rep.rows[C.STATUS] != C.KEPT
    assert (rep.rows.loc[not_kept, C.REASONS] != "").all()
    excl = rep.rows[C.STATUS] == C.EXCLUDED
    for rs, is_excl in zip(reasons, excl):
        actions = {policy.action(r) for r in rs if r}
        assert ("exclude" in actions) == is_excl
        assert "off" not in actions
    by_reason = rep.summary[rep.summary[C.KIND] == C.REASON].set_index(C.NAME)[C.COUNT]
    for reason in REASONS:
        assert by_reason[reason] == int(reasons.map(lambda rs, r=reason: r in rs).sum())
    scores = bl.score(df, PSSM, quality=rep)
    assert len(scores) == len(df)
    assert scores.loc[excl.to_numpy(), "pssm"].isna().all()


@pytest.mark.parametrize("values", [["True", "FALSE", None], [1, 0, None], [True, False, None]])
def test_incomplete_reads_plain_frames(values):
    df = survey(n=3)
    df[C.FINISHED] = pd.Series(values, dtype=object)
    rep = check_quality(df, PSSM, policy={"actions": {"mahalanobis": "off"}})
    assert [("incomplete" in reasons_of(rep, i)) for i in range(3)] == [False, True, False]
