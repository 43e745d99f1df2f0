"""Report model from data: headline figures, suppression of small cohorts and groups, no private data."""

import numpy as np
import pandas as pd
import pytest
from _report_data import SCRIPT, SECRET_TEXT, TRAVERSAL

import belonging as bl
from belonging import _columns as C
from belonging.errors import UsageError
from belonging.report import (
    Metric,
    Note,
    Table,
    cohort_report,
    index_report,
    prepare_context,
    render_html,
)
from belonging.report.build import INSTITUTION_LABEL
from belonging.report.suppression import determined_cells


@pytest.fixture(scope="module")
def ctx(responses):
    return prepare_context(responses, "ccs", by="cohort", compare_by=["mode", "first_gen"], wave="wave",
                           roster={"Alpha": 100}, seed=3)


@pytest.fixture(scope="module")
def alpha(ctx):
    return cohort_report(ctx, "Alpha")


def _tables(section):
    return [c for c in section.children if isinstance(c, Table)]


def test_headline_mean_matches_score(responses, alpha):
    quality = bl.check_quality(responses, "ccs")
    scores = bl.score(responses, "ccs", quality=quality, keep=["cohort", "wave"])
    scores["wave"] = scores["wave"].astype(str)
    sel = scores[(scores["cohort"] == "Alpha") & (scores["wave"] == "2025")]["ccs"].dropna()
    metrics = [c for c in alpha.section("Summary").children if isinstance(c, Metric)]
    mean = next(m for m in metrics if m.label.startswith("Mean"))
    assert mean.value == f"{sel.mean():.2f}"
    responses = next(m for m in metrics if m.label == "Responses")
    assert responses.value == "60"
    assert "response rate 60% of 100 enrolled" in responses.detail
    fav = next(m for m in metrics if m.label == "% favourable")
    assert fav.value == f"{100 * (sel > 40).mean():.0f}%"


def test_comparison_has_institution_and_previous_wave(alpha):
    t = _tables(alpha.section("Compared with the institution and the previous wave"))[0]
    labels = list(t.data[C.LABEL])
    assert labels == ["This cohort", INSTITUTION_LABEL, "This cohort, previous wave"]
    assert [str(w) for w in t.data[C.WAVE]] == ["2025", "2025", "2024"]
    assert t.data[C.N].iloc[1] > t.data[C.N].iloc[0]
    contrasts = _tables(alpha.section("Compared with the institution and the previous wave"))[1].data
    assert list(contrasts[C.GROUP_A]) == ["This cohort", "This wave (2025)"]
    assert list(contrasts[C.GROUP_B]) == ["Rest of the institution", "Previous wave (2024)"]
    assert (contrasts[C.G_CI_LOW] < contrasts[C.HEDGES_G]).all() and (contrasts[C.HEDGES_G] < contrasts[C.G_CI_HIGH]).all()
    # the difference is this cohort's mean minus the mean of the other cohorts in the same wave
    cur = t.data.set_index(C.LABEL)
    n_c, n_i = cur.loc["This cohort", C.N], cur.loc[INSTITUTION_LABEL, C.N]
    rest = (cur.loc[INSTITUTION_LABEL, C.MEAN] * n_i - cur.loc["This cohort", C.MEAN] * n_c) / (n_i - n_c)
    np.testing.assert_allclose(contrasts[C.DIFFERENCE].iloc[0], cur.loc["This cohort", C.MEAN] - rest, rtol=1e-10)


def test_small_groups_are_suppressed_with_a_complement(alpha):
    t = _tables(alpha.section("Comparison by mode"))[0]
    n = t.data.set_index(C.GROUP)
    mask = t.suppressed.set_index(t.data[C.GROUP])
    assert mask.loc["in_person", C.N] and np.isnan(n.loc["in_person", C.MEAN])
    # exactly one group is small, so a second one is hidden too: no subtraction from the total
    assert mask[C.N].sum() == 2
    hidden = mask.index[mask[C.N]]
    assert all(np.isnan(n.loc[g, C.MEAN]) and np.isnan(n.loc[g, C.CI_LOW]) for g in hidden)


def test_tiny_cohort_gets_only_a_notice(ctx):
    rep = cohort_report(ctx, TRAVERSAL)
    assert rep.suppressed
    assert [s.title for s in rep.sections] == ["Notice", "Methods", "Provenance"]
    note = rep.sections[0].children[0]
    assert isinstance(note, Note) and note.kind == "suppressed"
    html = render_html(rep)
    assert 'class="metric' not in html and "<table" not in html.split('id="provenance"')[0]


def test_index_hides_the_small_cohort_and_leaves_it_out_of_institution_figures(ctx):
    idx = index_report(ctx)
    t = idx.section("Cohorts").children[0]
    data = t.data.set_index(C.GROUP)
    mask = t.suppressed.set_index(t.data[C.GROUP])
    assert mask.loc[TRAVERSAL, C.N] and np.isnan(data.loc[TRAVERSAL, C.MEAN]) and np.isnan(data.loc[TRAVERSAL, C.COUNT])
    # no complement cohort: the small cohort's rows are in no institution figure, so none is needed
    assert not mask.loc[[c for c in data.index if c != TRAVERSAL], C.N].any()
    assert not mask.loc["Alpha", C.N] and data.loc["Alpha", C.N] == 60
    shown = data.drop(index=TRAVERSAL)
    cur = shown[shown[C.WAVE].astype(str) == "2025"]
    responses = next(m for m in idx.section("Summary").children if isinstance(m, Metric) and m.label == "Responses")
    assert int(responses.value) == int(cur[C.COUNT].sum())  # institution = the reported cohorts
    note = next(c for c in idx.section("Cohorts").children if isinstance(c, Note) and c.kind == "suppressed")
    assert "only a notice" in note.text and "left out of every institution figure" in note.text
    assert t.links[C.GROUP][list(t.data[C.GROUP]).index("Alpha")] == f"{ctx.slugs['Alpha']}.html"


def test_no_identifiers_or_free_text_in_any_report(ctx):
    pages = [render_html(cohort_report(ctx, c)) for c in ("Alpha", SCRIPT, TRAVERSAL)] + [render_html(index_report(ctx))]
    for html in pages:
        assert "example.org" not in html
        assert SECRET_TEXT not in html
        assert "R_0" not in html
        assert "<script" not in html.lower()
    assert any("&lt;script&gt;" in p for p in pages)
    assert set(ctx.analysis.frame.columns).isdisjoint({"email", "comments", C.RESPONSE_ID})


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"by": "email"}, "identifies a person"),
    ({"by": "cohort", "compare_by": ["comments"]}, "holds free text"),
    ({"by": "cohort", "compare_by": ["nope"]}, "not in the data"),
    ({"by": "cohort", "min_cell": 0}, "min_cell"),
    ({"by": "cohort", "confidence": 95}, "confidence"),
])
def test_usage_errors(responses, kwargs, match):
    with pytest.raises(UsageError, match=match):
        bl.build_report(responses, "ccs", **kwargs)


def test_unknown_cohort(ctx):
    with pytest.raises(UsageError, match="did you mean 'Alpha'"):
        cohort_report(ctx, "Alpah")


def test_min_cell_one_shows_everything(responses):
    rep = bl.build_report(responses, "ccs", by="cohort", cohort=TRAVERSAL, min_cell=1)
    assert not rep.suppressed


def test_without_wave_reports_all_rows(survey):
    # a plain DataFrame works as well as Responses
    rep = bl.build_report(survey, "ccs", by="cohort", cohort="Beta")
    responses = next(m for m in rep.section("Summary").children if isinstance(m, Metric) and m.label == "Responses")
    assert responses.value == "90"
    assert SCRIPT not in render_html(rep)


def test_report_is_a_plain_model_notebooks_can_change(alpha):
    import dataclasses

    changed = dataclasses.replace(alpha, title="Renamed")
    assert render_html(changed).count("Renamed") >= 2 and alpha.title == "Alpha"
    assert isinstance(alpha.section("Item breakdown").children[-1].data, pd.DataFrame)


def test_two_way_suppression_protects_against_institution_totals(ctx):
    """A cohort's hidden group cannot be recovered from the institution's group totals."""
    from belonging.report.suppression import _relations

    for key, entry in ctx.settings.hidden.items():
        if key[0] == "items_collapsed":
            continue
        cells, margin = entry["cohorts"].to_numpy(), entry["institution"].to_numpy()
        row_totals = key[0] not in ("reasons", "reliability")
        (R, K), A = _relations(*cells.shape, row_totals=row_totals, column_totals=True)
        grid = np.zeros((R, K), dtype=bool)
        grid[:cells.shape[0], :cells.shape[1]] = cells
        grid[cells.shape[0], :cells.shape[1]] = margin
        assert not determined_cells(A, grid.ravel()).any(), key
    mask = ctx.settings.hidden[("group", "mode", 2025)]["cohorts"]
    for cohort in ("Alpha", "Beta"):
        rep = cohort_report(ctx, cohort)
        t = _tables(rep.section("Comparison by mode"))[0]
        shown_hidden = t.suppressed.set_index(t.data[C.GROUP])[C.N]
        for group, hid in mask.loc[cohort].items():
            if hid:
                assert shown_hidden.loc[group]


def test_high_cardinality_group_column_is_refused(survey):
    # a plain DataFrame carries no column metadata: many distinct values mark free text or ids
    with pytest.raises(UsageError, match="looks like an identifier or free text"):
        bl.build_report(survey, "ccs", by="cohort", compare_by=["comments"])


def test_provenance_records_the_mapping_and_the_quality_policy(survey, tmp_path):
    """Both change results, so the report names each file with its SHA-256, and the policy in effect."""
    import hashlib

    from belonging.quality import load_policy

    items = [f"ccs_{i:02d}" for i in range(1, 21)]
    data = survey.rename(columns={c: f"Q{c[-2:]}" for c in items})
    map_path = tmp_path / "map.toml"
    map_path.write_text("[columns]\n" + "".join(f'Q{c[-2:]} = "{c}"\n' for c in items), encoding="utf-8")
    policy_path = tmp_path / "policy.toml"
    policy_path.write_text("[thresholds]\nspeeder_fraction = 0.25\n\n[actions]\nspeeder = \"exclude\"\n", encoding="utf-8")
    policy = load_policy(policy_path).with_thresholds(longstring_fraction=0.9)
    rep = bl.build_report(data, "ccs", by="cohort", cohort="Alpha", mapping=map_path, policy=policy)
    prov = rep.provenance
    map_sha = hashlib.sha256(map_path.read_bytes()).hexdigest()
    policy_sha = hashlib.sha256(policy_path.read_bytes()).hexdigest()
    assert prov["mapping"] == {"path": str(map_path), "sha256": map_sha}
    qp = prov["quality_policy"]
    assert qp["file"] == {"path": str(policy_path), "sha256": policy_sha}
    assert qp["thresholds"]["speeder_fraction"] == 0.25 and qp["thresholds"]["longstring_fraction"] == 0.9
    assert qp["actions"]["speeder"] == "exclude"
    html = render_html(rep)
    assert map_sha in html and policy_sha in html
    assert "speeder=exclude" in html and "speeder_fraction=0.25" in html and "longstring_fraction=0.9" in html
    # without a file: a mapping given in code and the built-in policy are said to be so
    rep = bl.build_report(data, "ccs", by="cohort", cohort="Alpha", mapping={f"Q{c[-2:]}": c for c in items})
    assert rep.provenance["mapping"]["given_in_code"] and rep.provenance["quality_policy"]["file"] is None
    html = render_html(rep)
    assert "given in code (no file)" in html and "built-in defaults" in html
