"""Charts: Axes returned, labels and artist counts, suppression marks, and no global state changed."""

import copy

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection

from belonging import _columns as C
from belonging.errors import UsageError
from belonging.plots import (
    likert_counts,
    plot_distribution,
    plot_forest,
    plot_group_means,
    plot_item_analysis,
    plot_likert,
    plot_trend,
)
from belonging.plots.style import diverging

LEVELS = range(1, 6)


@pytest.fixture
def items():
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.integers(1, 6, size=(120, 3)).astype(float), columns=["q1", "q2", "q3"])
    x.iloc[0, 0] = np.nan
    return x


def test_likert_counts_match_value_counts(items):
    counts = likert_counts(items, levels=LEVELS)
    assert list(counts.columns) == [C.ITEM, C.VALUE, C.COUNT]
    assert len(counts) == 3 * 5
    for col in items.columns:
        expect = items[col].value_counts().reindex(list(LEVELS), fill_value=0).to_numpy()
        got = counts.loc[counts[C.ITEM] == col, C.COUNT].to_numpy()
        np.testing.assert_array_equal(got, expect)
    assert counts[C.COUNT].sum() == items.notna().sum().sum()


def test_likert_counts_by_group(items):
    groups = np.where(np.arange(len(items)) % 3 == 0, "b", "a")
    counts = likert_counts(items, levels=LEVELS, by=groups)
    assert set(counts[C.GROUP]) == {"a", "b"}
    sub = counts[(counts[C.GROUP] == "b") & (counts[C.ITEM] == "q2")]
    expect = items.loc[groups == "b", "q2"].value_counts().reindex(list(LEVELS), fill_value=0).to_numpy()
    np.testing.assert_array_equal(sub[C.COUNT].to_numpy(), expect)


def test_plot_likert_segments_and_centering(items):
    counts = likert_counts(items, levels=LEVELS)
    ax = plot_likert(counts, levels=LEVELS, labels=list("ABCDE"), item_labels={"q1": "First"})
    assert isinstance(ax, Axes)
    assert len(ax.patches) == 3 * 5  # one segment per item and level
    assert [t.get_text() for t in ax.get_yticklabels()] == ["First", "q2", "q3"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list("ABCDE")
    # the neutral segment of the top bar straddles zero symmetrically
    neutral = ax.patches[2 * 3]  # third level, first item
    assert neutral.get_x() == pytest.approx(-neutral.get_width() / 2)
    widths = np.array([p.get_width() for p in ax.patches]).reshape(5, 3)
    np.testing.assert_allclose(widths.sum(axis=0), 100.0)
    labels = [t.get_text() for t in ax.texts]
    assert all(t.endswith("%") for t in labels) and len(labels) > 0


def test_plot_likert_marks_suppressed_rows(items):
    counts = likert_counts(items, levels=LEVELS).astype({C.COUNT: "float64"})
    counts.loc[(counts[C.ITEM] == "q2") & (counts[C.VALUE] == 1), C.COUNT] = np.nan
    ax = plot_likert(counts, levels=LEVELS, show_percent=False)
    assert [t.get_text() for t in ax.texts] == ["suppressed (small numbers)"]
    # no percentage bar is drawn for the suppressed item: its five segments have zero width
    widths = np.array([p.get_width() for p in ax.patches[:15]]).reshape(5, 3)
    assert np.all(widths[:, 1] == 0.0)


def test_diverging_palette_is_symmetric_with_grey_centre():
    cols = diverging(5)
    assert len(cols) == 5 and cols[2] == "#BDBDBD" and len(set(cols)) == 5
    with pytest.raises(UsageError):
        diverging(1)


@pytest.mark.parametrize("kind", ["box", "hist"])
def test_plot_distribution(kind):
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"score": rng.normal(3, 1, 90), "mode": np.repeat(["online", "hybrid", "in person"], 30)})
    ax = plot_distribution(df, "score", by="mode", kind=kind, title="T")
    assert isinstance(ax, Axes)
    assert ax.get_title(loc="left") == "T"
    assert ax.get_xlabel() == "score"
    if kind == "box":
        assert [t.get_text() for t in ax.get_yticklabels()] == ["hybrid (n=30)", "in person (n=30)", "online (n=30)"]
    else:
        assert len(ax.patches) == 3


def test_plot_distribution_rejects_unknown_kind():
    with pytest.raises(UsageError, match="kind"):
        plot_distribution(pd.DataFrame({"s": [1.0]}), "s", kind="violin")


def test_plot_group_means_with_suppressed_row():
    table = pd.DataFrame({C.GROUP: ["a", "b", "c"], C.MEAN: [3.0, np.nan, 3.5], C.CI_LOW: [2.8, np.nan, 3.2],
                          C.CI_HIGH: [3.2, np.nan, 3.8], C.N: [40, np.nan, 25]})
    ax = plot_group_means(table, reference=3.2, highlight="c")
    assert isinstance(ax, Axes)
    assert len(ax.lines) == 2 + 1  # two whiskers and the reference line
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(dots) == 1 and len(dots[0].get_offsets()) == 2
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a (n=40)", "b (n suppressed)", "c (n=25)"]
    assert "suppressed" in [t.get_text() for t in ax.texts]


def test_plot_forest():
    pw = pd.DataFrame({C.GROUP_A: ["a", "a"], C.GROUP_B: ["b", "c"], C.HEDGES_G: [0.3, -0.1],
                       C.G_CI_LOW: [0.1, -0.4], C.G_CI_HIGH: [0.5, 0.2]})
    ax = plot_forest(pw)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a vs b", "a vs c"]
    assert len(ax.lines) == 1 + 2  # zero line and two intervals
    lo, hi = ax.get_xlim()
    assert lo < -0.4 and hi > 0.5


def test_plot_trend_two_lines():
    t = pd.DataFrame({C.WAVE: ["2024", "2025", "2024", "2025"], C.MEAN: [3, 3.2, 3.1, 3.0],
                      C.CI_LOW: [2.9, 3.1, 3.0, 2.9], C.CI_HIGH: [3.1, 3.3, 3.2, 3.1], "who": ["A", "A", "B", "B"]})
    ax = plot_trend(t, group="who")
    assert len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2024", "2025"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A", "B"]


def test_plot_item_analysis_marks_low_items():
    t = pd.DataFrame({C.ITEM: ["q1", "q2", "q3"], C.ITEM_REST_R: [0.6, 0.1, 0.45], C.REVERSED: [False, True, False]})
    ax = plot_item_analysis(t)
    assert len(ax.patches) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["q1", "q2 (R)", "q3"]
    colours = {tuple(p.get_facecolor()) for p in ax.patches}
    assert len(colours) == 2


def test_draws_on_given_axes(items):
    fig, ax = plt.subplots()
    assert plot_likert(likert_counts(items, levels=LEVELS), levels=LEVELS, ax=ax) is ax


def test_no_global_state_changed(items):
    before = copy.deepcopy(dict(matplotlib.rcParams))
    n_figs = len(plt.get_fignums())
    fig, axes = plt.subplots(2, 3)
    counts = likert_counts(items, levels=LEVELS)
    df = pd.DataFrame({"s": np.arange(10.0), "g": ["a"] * 5 + ["b"] * 5})
    means = pd.DataFrame({C.GROUP: ["a"], C.MEAN: [1.0], C.CI_LOW: [0.5], C.CI_HIGH: [1.5]})
    plot_likert(counts, levels=LEVELS, ax=axes[0, 0])
    plot_distribution(df, "s", by="g", ax=axes[0, 1])
    plot_group_means(means, ax=axes[0, 2])
    plot_forest(pd.DataFrame({C.GROUP_A: ["a"], C.GROUP_B: ["b"], C.HEDGES_G: [0.1], C.G_CI_LOW: [0.0], C.G_CI_HIGH: [0.2]}), ax=axes[1, 0])
    plot_trend(pd.DataFrame({C.WAVE: [1, 2], C.MEAN: [1.0, 2.0], C.CI_LOW: [0.5, 1.5], C.CI_HIGH: [1.5, 2.5]}), ax=axes[1, 1])
    plot_item_analysis(pd.DataFrame({C.ITEM: ["q"], C.ITEM_REST_R: [0.5]}), ax=axes[1, 2])
    after = dict(matplotlib.rcParams)
    assert after.keys() == before.keys()
    changed = [k for k in before if not _same(before[k], after[k])]
    assert changed == []
    assert len(plt.get_fignums()) == n_figs + 1  # only the figure this test made


def _same(a, b):
    try:
        return bool(np.all(a == b)) if not isinstance(a, str) else a == b
    except (TypeError, ValueError):
        return repr(a) == repr(b)


def test_house_style_restores_only_its_own_settings():
    import matplotlib

    from belonging.plots.style import STYLE, house_style

    before = {k: matplotlib.rcParams[k] for k in STYLE}
    was_interactive = matplotlib.is_interactive()
    try:
        with house_style():
            assert all(matplotlib.rcParams[k] == v for k, v in STYLE.items() if not isinstance(v, tuple))
            matplotlib.interactive(not was_interactive)  # as a backend activating inside the context would
        assert matplotlib.is_interactive() is (not was_interactive)
        assert {k: matplotlib.rcParams[k] for k in STYLE} == before
    finally:
        matplotlib.interactive(was_interactive)
