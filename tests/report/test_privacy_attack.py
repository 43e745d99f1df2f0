"""Play the attacker: from everything a run publishes together, try to recover what it withholds.

The run has one small cohort (below --min-cell) and shown cohorts with small groups inside them. The
attacker reads the published model of the overview and of every cohort report (what the HTML and PDF
show: formatted metrics and table cells that are not marked suppressed) and tries

* subtraction: institution totals minus the shown cohorts give the small cohort's count, scored count
  and (through weighted means) its mean, as a reviewer did on the sample;
* linear algebra over the published breakdowns (groups, statuses, answers per item): every relation
  "cells add up to a published total", solved for the withheld cells.

A control shows the linear attack does recover a cell where a single one is withheld.
"""

import dataclasses
import datetime as dt

import numpy as np
import pytest
from _report_data import make_survey

from belonging import _columns as C
from belonging.report import (
    Metric,
    Table,
    cohort_report,
    index_report,
    prepare_context,
    render_html,
)

SMALL = "Small"
SIZES = {"Alpha": 70, "Beta": 45, "Gamma": 31, SMALL: 6}
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _context(data):
    return prepare_context(data, "ccs", by="cohort", compare_by=["mode"], wave="wave", seed=1, now=NOW)


@pytest.fixture(scope="module")
def survey():
    return make_survey(SIZES, seed=31)


@pytest.fixture(scope="module")
def published(survey):
    ctx = _context(survey)
    return ctx, index_report(ctx), {c: cohort_report(ctx, c) for c in ctx.cohorts}


def _metric(report, label):
    return next(m for m in report.section("Summary").children if isinstance(m, Metric) and m.label.startswith(label))


def _published_table(section):
    """The first table of a section as the attacker sees it: withheld cells are None."""
    t = next(c for c in section.children if isinstance(c, Table))
    mask = t.suppressed.to_numpy(dtype=bool) if t.suppressed is not None else np.zeros(t.data.shape, dtype=bool)
    return [{col: (None if mask[i, j] else t.data.iloc[i, j]) for j, col in enumerate(t.data.columns)}
            for i in range(len(t.data))]


def _solve(cells, equations):
    """Withheld cells whose value follows from linear `equations` and the published cells.

    `cells` maps a key to its published value, or None when withheld. Each equation is
    ``(terms, constant)`` meaning ``sum(coef * cell for cell, coef in terms) == constant``.
    Returns ``{key: value}`` for every withheld key that every solution agrees on (its entries are
    zero in the null space of the withheld part of the system).
    """
    unknown = sorted({k for terms, _ in equations for k, _ in terms if cells[k] is None}, key=str)
    if not unknown:
        return {}
    pos = {k: i for i, k in enumerate(unknown)}
    A = np.zeros((len(equations), len(unknown)))
    b = np.zeros(len(equations))
    for e, (terms, const) in enumerate(equations):
        b[e] = const
        for k, coef in terms:
            if cells[k] is None:
                A[e, pos[k]] += coef
            else:
                b[e] -= coef * float(cells[k])
    _, s, vt = np.linalg.svd(A)
    null = vt[int((s > 1e-9 * s.max()).sum()):] if s.size and s.max() > 0 else vt
    fixed = ~np.any(np.abs(null) > 1e-9, axis=0) if len(null) else np.ones(len(unknown), dtype=bool)
    sol = np.linalg.lstsq(A, b, rcond=None)[0]
    return {k: round(float(sol[pos[k]]), 6) for k in unknown if fixed[pos[k]]}


def _sum_is(keys, total):
    return [(k, 1.0) for k in keys], float(total)


def _margin(parts, margin):
    """The institution's cell equals the sum of the cohorts' cells."""
    return [(k, 1.0) for k in parts] + [(margin, -1.0)], 0.0


def test_the_linear_attack_works_on_a_single_withheld_cell():
    cells = {("A", "x"): 40, ("A", "y"): None, ("B", "x"): 30, ("B", "y"): 22, ("I", "y"): 29}
    equations = [_sum_is([("A", "x"), ("A", "y")], 47), _margin([("A", "y"), ("B", "y")], ("I", "y"))]
    assert _solve(cells, equations) == {("A", "y"): 7}
    # with every line holding two withheld cells the same attack finds nothing
    for k in [("A", "x"), ("B", "x"), ("B", "y")]:
        cells[k] = None
    cells[("I", "x")] = 70
    equations += [_sum_is([("B", "x"), ("B", "y")], 52), _margin([("A", "x"), ("B", "x")], ("I", "x"))]
    assert _solve(cells, equations) == {}


def test_small_cohort_cannot_be_worked_out_from_institution_totals(published, survey):
    ctx, idx, reports = published
    assert reports[SMALL].suppressed
    truth = survey[(survey["cohort"] == SMALL) & (survey["wave"] == "2025")]
    # every cohort whose row the overview withholds publishes nothing in its own report either
    rows = _published_table(idx.section("Cohorts"))
    for row in rows:
        if row[C.N] is None:
            assert reports[row[C.GROUP]].suppressed
    shown = [r for r in rows if r[C.N] is not None]
    inst_responses = int(_metric(idx, "Responses").value)
    inst_scored = int(_metric(idx, "Responses").detail.split()[0])
    inst_mean = float(_metric(idx, "Mean").value)
    left = inst_responses - sum(int(r[C.COUNT]) for r in shown)
    left_scored = inst_scored - sum(int(r[C.N]) for r in shown)
    assert left != len(truth) and left_scored != len(truth)
    assert left == 0 and left_scored == 0  # the institution figures are the shown cohorts, nothing more
    # the mean: institution sum minus the shown cohorts' sums is (up to rounding) nothing
    rest = inst_mean * inst_scored - sum(float(r[C.MEAN]) * int(r[C.N]) for r in shown)
    assert abs(rest) < 0.01 * inst_scored
    # the same through every cohort report's institution row and "rest of the institution" contrast
    for rep in reports.values():
        if rep.suppressed:
            continue
        t = _published_table(rep.section("Compared with the institution and the previous wave"))
        inst_row = t[1]
        assert inst_row[C.N] == inst_scored and f"{inst_row[C.MEAN]:.2f}" == f"{inst_mean:.2f}"


def test_publications_do_not_depend_on_the_small_cohort(survey):
    """Change the small cohort's size and answers: the overview and every other report stay byte-identical."""
    other = make_survey({SMALL: 9}, seed=99)
    other["response_id"] = [f"S_{i:05d}" for i in range(len(other))]
    changed = survey[survey["cohort"] != SMALL]
    import pandas as pd

    changed = pd.concat([changed, other], ignore_index=True)
    a, b = _context(survey), _context(changed)
    assert render_html(index_report(a)) == render_html(index_report(b))
    for c in a.cohorts:
        if c != SMALL:
            assert render_html(cohort_report(a, c)) == render_html(cohort_report(b, c)), c
    notice_a, notice_b = cohort_report(a, SMALL), cohort_report(b, SMALL)
    assert render_html(notice_a) == render_html(notice_b)


def _family_attack(idx, reports, section, key_col, value_col, total_of):
    """Cells and equations of one breakdown: each report's cells add up to its total, and the
    overview's cell of a category is the sum of the cohorts' cells."""
    cells, equations, columns = {}, [], {}
    units = [(None, idx)] + [(c, r) for c, r in reports.items() if not r.suppressed]
    for unit, rep in units:
        rows = _published_table(rep.section(section))
        keys = []
        for row in rows:
            k = (unit, row[key_col])
            cells[k] = row[value_col]
            keys.append(k)
            columns.setdefault(row[key_col], []).append(k)
        equations.append(_sum_is(keys, total_of(rep)))
    for cat, keys in columns.items():
        parts = [k for k in keys if k[0] is not None]
        if (None, cat) in cells:
            equations.append(_margin(parts, (None, cat)))
    return cells, equations


def _scored(rep):
    return int(_metric(rep, "Responses").detail.split()[0])


def _responses(rep):
    return int(_metric(rep, "Responses").value)


@pytest.mark.parametrize(("section", "key", "value", "total"), [
    ("Comparison by mode", C.GROUP, C.N, _scored),
    ("Data quality", C.STATUS, C.COUNT, _responses),
])
def test_withheld_breakdown_cells_cannot_be_solved_for(published, section, key, value, total):
    _, idx, reports = published
    cells, equations = _family_attack(idx, reports, section, key, value, total)
    withheld = [k for k, v in cells.items() if v is None]
    if section == "Comparison by mode":
        assert withheld, "the data should have small groups for the attack to aim at"
    assert _solve(cells, equations) == {}


def test_withheld_item_answers_cannot_be_solved_for(published):
    """Answers per item: counts are % x n of the item; cells withheld anywhere stay unknown."""
    _, idx, reports = published
    units = [(None, idx)] + [(c, r) for c, r in reports.items() if not r.suppressed]
    tables = {}
    for unit, rep in units:
        t = [c for c in rep.section("Item breakdown").children if isinstance(c, Table)][-1]
        tables[unit] = t
    cols = {tuple(t.data.columns) for t in tables.values()}
    assert len(cols) == 1, "every report of the wave shows the same answer categories"
    pct_cols = [c for c in next(iter(cols)) if c.startswith(C.PROPORTION)]
    withheld = 0
    n_items = len(tables[None].data)
    for i in range(n_items):
        cells, equations, by_col = {}, [], {}
        for unit, t in tables.items():
            mask = t.suppressed.to_numpy(dtype=bool)
            n = t.data[C.N].iloc[i]
            row_keys = []
            for c in pct_cols:
                j = list(t.data.columns).index(c)
                v = None if mask[i, j] else round(float(t.data[c].iloc[i]) * float(n) / 100.0)
                cells[(unit, c)] = v
                withheld += v is None
                row_keys.append((unit, c))
                by_col.setdefault(c, []).append((unit, c))
            if not mask[i, list(t.data.columns).index(C.N)]:
                equations.append(_sum_is(row_keys, n))
        for c, keys in by_col.items():
            equations.append(_margin([k for k in keys if k[0] is not None], (None, c)))
        assert _solve(cells, equations) == {}, i
    assert withheld > 0, "the data should have withheld answer cells for the attack to aim at"


def test_report_models_are_what_the_pages_show(published):
    # the attack reads the model; the page shows the same cells (withheld ones as "suppressed")
    _, idx, reports = published
    rep = reports["Gamma"]
    html = render_html(rep)
    t = next(c for c in rep.section("Comparison by mode").children if isinstance(c, Table))
    assert html.count("suppressed") >= int(t.suppressed.to_numpy().sum())
    assert dataclasses.is_dataclass(rep)
