"""The linear-programming attacker of issue 22 item 3, on random data with nested and crossed breakdowns.

The attacker reads everything one run publishes (the overview and every cohort report: headline
responses and scored counts, the group counts of every ``--compare-by`` column, the data-quality
statuses) and writes down every linear relation it knows to hold between those counts:

* within a report, each breakdown's group counts add up to the scored count, and the statuses add up
  to the responses (the headline count);
* a breakdown that is a coarsening of another (``online`` of ``mode``) has each of its counts equal
  to the sum of the finer counts it groups (the attacker knows the coding);
* the overview's count of a group is the sum of the cohorts' counts of that group (same wave);
* the responses not scored are the excluded ones plus those neither excluded nor scored, a number the
  attacker is assumed to know (often zero);
* the overview's responses and scored counts are the sums of the cohorts'.

For every withheld count it then solves two linear programs (scipy's HiGHS): the smallest and the
largest value consistent with everything published and with counts being non-negative. A withheld
count whose smallest and largest values agree is recovered exactly: that is a failure.

Controls show the attacker recovers a count when only one cell of a relation is withheld, and that
breakdowns protected one at a time (without :func:`~belonging.report.suppression.protect_breakdowns`)
do leak, every recovered count being the true one.
"""

import numpy as np
import pandas as pd
import pytest

from belonging.report import Metric, Table, cohort_report, index_report, prepare_context


def _survey(seed, sizes):
    rng = np.random.default_rng(seed)
    parts = []
    for cohort, n in sizes.items():
        latent = rng.normal(0, 1, n)
        x = np.clip(np.rint(2 + latent[:, None] + rng.normal(0, 0.9, (n, 20))), 0, 4)
        x[: rng.integers(0, 5), 3] = 7  # a few answers outside the scale: those responses are excluded
        df = pd.DataFrame(x, columns=[f"ccs_{i:02d}" for i in range(1, 21)])
        df.insert(0, "cohort", cohort)
        mode = rng.choice(["in_person", "hybrid", "online_sync", "online_async"], n, p=[0.35, 0.35, 0.22, 0.08])
        df.insert(1, "mode", mode)
        df.insert(2, "online", np.where(np.isin(mode, ["online_sync", "online_async"]), "yes", "no"))  # nested in mode
        df.insert(3, "first_gen", rng.choice(["yes", "no"], n, p=[0.3, 0.7]))  # crossed with mode
        parts.append(df)
    return pd.concat(parts, ignore_index=True)


NESTING = {"online": {"yes": ["online_sync", "online_async"], "no": ["in_person", "hybrid"]}}


class _System:
    """Named non-negative unknowns, their published values, and linear relations between them."""

    def __init__(self):
        self.names, self.known, self.rows = {}, {}, []

    def var(self, key, value=None):
        if key not in self.names:
            self.names[key] = len(self.names)
        if value is not None:
            self.known[key] = float(value)
        return key

    def relation(self, terms):
        """``sum(coef * var) == 0`` for (coef, key) in `terms`."""
        self.rows.append([(coef, self.var(key)) for coef, key in terms])

    def recovered(self):
        """Withheld unknowns whose value every solution shares: {key: value}."""
        from scipy.optimize import linprog

        n = len(self.names)
        a_eq, b_eq = [], []
        for terms in self.rows:
            row = np.zeros(n)
            for coef, key in terms:
                row[self.names[key]] += coef
            a_eq.append(row)
            b_eq.append(0.0)
        for key, value in self.known.items():
            row = np.zeros(n)
            row[self.names[key]] = 1.0
            a_eq.append(row)
            b_eq.append(value)
        a_eq, b_eq = np.array(a_eq), np.array(b_eq)
        found = {}
        for key, i in self.names.items():
            if key in self.known or key[0] == "free":
                continue
            c = np.zeros(n)
            c[i] = 1.0
            lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            assert lo.status == 0 and hi.status in (0, 3), (key, lo.message, hi.message)
            if hi.status == 0 and -hi.fun - lo.fun < 0.5:  # 3: no upper bound, so not recovered
                found[key] = round(lo.fun, 6)
        return found


def _first_table(report, title):
    section = next((s for s in report.sections if s.title == title), None)
    return None if section is None else next((c for c in section.children if isinstance(c, Table)), None)


def _cell(system, key, table, i, col):
    return system.var(key, None if table.is_suppressed(i, col) else table.data[col].iloc[i])


def _unscored(ctx, unit):
    """Responses neither excluded nor scored, in the published rows of `unit` (None: the overview)."""
    f = ctx.institution_rows
    f = f if unit is None else f[f[ctx.settings.by] == unit]
    return float(((f[ctx.settings.total].isna()) & (f["status"] != "excluded")).sum())


def _release(ctx, reports, columns):
    """The attacker's system over one run's publications."""
    s = _System()
    for unit, rep in reports.items():
        if rep.suppressed:
            continue
        responses = next((m for m in rep.section("Summary").children if isinstance(m, Metric) and m.label == "Responses"), None)
        total = s.var((unit, "responses"), None if responses is None or responses.suppressed else responses.value)
        scored = s.var((unit, "scored"), None if responses is None else responses.detail.split()[0])
        status = _first_table(rep, "Data quality")
        keys = {st: _cell(s, (unit, "status", st), status, i, "count") for i, st in enumerate(status.data["status"])}
        s.relation([(1.0, k) for k in keys.values()] + [(-1.0, total)])
        unscored = s.var((unit, "unscored"), _unscored(ctx, unit))  # known to the attacker (often zero)
        s.relation([(1.0, total), (-1.0, scored), (-1.0, keys["excluded"]), (-1.0, unscored)])
        for col in columns:
            t = _first_table(rep, f"Comparison by {col}")
            groups = {g: _cell(s, (unit, col, g), t, i, "n") for i, g in enumerate(t.data["group"])}
            s.relation([(1.0, k) for k in groups.values()] + [(-1.0, scored)])
        for coarse, parts in NESTING.items():
            if coarse in columns and "mode" in columns:
                for level, fine in parts.items():
                    s.relation([(1.0, (unit, coarse, level))] + [(-1.0, (unit, "mode", f)) for f in fine])
    cohorts = [u for u in reports if u is not None and not reports[u].suppressed]
    for col in columns:
        levels = {k[2] for k in s.names if len(k) == 3 and k[1] == col}
        for level in levels:
            s.relation([(1.0, (None, col, level))] + [(-1.0, (c, col, level)) for c in cohorts if (c, col, level) in s.names])
    for st in ("kept", "flagged", "excluded"):
        s.relation([(1.0, (None, "status", st))] + [(-1.0, (c, "status", st)) for c in cohorts])
    for name in ("responses", "scored"):
        s.relation([(1.0, (None, name))] + [(-1.0, (c, name)) for c in cohorts])
    return s


def test_the_attacker_recovers_a_lone_withheld_count():
    s = _System()
    s.var(("A", "x"), 40)
    s.var(("A", "y"))  # withheld
    s.var(("A", "total"), 47)
    s.relation([(1.0, ("A", "x")), (1.0, ("A", "y")), (-1.0, ("A", "total"))])
    assert s.recovered() == {("A", "y"): 7.0}
    s.var(("A", "z"))  # a second withheld cell in the relation: neither can be recovered
    s.rows[-1].append((1.0, s.var(("A", "z"))))
    assert s.recovered() == {}


def _truth(ctx, key):
    """The true value of a count the attacker names (scored responses of a cohort or the institution)."""
    f = ctx.analysis.frame
    f = f[f[ctx.settings.total].notna()]
    unit, col, level = key
    rows = f if unit is None else f[f[ctx.settings.by] == unit]
    return float((rows[col] == level).sum())


def _run(seed):
    rng = np.random.default_rng(seed)
    sizes = {f"Cohort {i}": int(n) for i, n in enumerate(rng.integers(35, 90, size=4))}
    columns = ["mode", "online", "first_gen"]
    ctx = prepare_context(_survey(seed, sizes), "ccs", by="cohort", compare_by=columns, seed=1)
    reports = {None: index_report(ctx), **{c: cohort_report(ctx, c) for c in ctx.cohorts}}
    return ctx, _release(ctx, reports, columns)


@pytest.mark.parametrize("seed", [3, 5])
def test_without_joint_protection_the_attacker_recovers_true_counts(seed, monkeypatch):
    """Control: protecting each breakdown on its own (as before issue 22) leaks, and every count the
    attacker recovers is the real one, so the check below fails for real leaks, not wrong relations."""
    import belonging.report.suppression as suppression

    monkeypatch.setattr(suppression, "coarsenings", lambda frame, columns: [])
    ctx, system = _run(seed)
    found = system.recovered()
    groups = {k: v for k, v in found.items() if len(k) == 3 and k[1] in ("mode", "online", "first_gen")}
    assert groups, "breakdowns protected one at a time leave a nested one open"
    for key, value in groups.items():
        assert value == _truth(ctx, key), key


@pytest.mark.parametrize("seed", [1, 3])
def test_without_the_headline_in_the_system_the_excluded_count_falls(seed, monkeypatch):
    """Control: statuses protected as a table of their own (responses always shown) leak the excluded
    count as responses less scored; the attacker finds the true counts."""
    import belonging.report.suppression as suppression

    def statuses_alone(statuses, scored, unscored, *, min_cell):
        cells, margin = suppression.protect_table(statuses, min_cell=min_cell)
        return cells, margin, {u: False for u in [*statuses.index, None]}

    monkeypatch.setattr(suppression, "protect_statuses", statuses_alone)
    ctx, system = _run(seed)
    found = {k: v for k, v in system.recovered().items() if k[1:] == ("status", "excluded")}
    assert found, "responses less scored gives the excluded count"
    f = ctx.institution_rows
    for (unit, _, _), value in found.items():
        rows = f if unit is None else f[f[ctx.settings.by] == unit]
        assert value == float((rows["status"] == "excluded").sum()), unit


@pytest.mark.parametrize("seed", [2, 3, 5, 7])
def test_no_withheld_count_is_recovered_from_nested_and_crossed_breakdowns(seed):
    ctx, system = _run(seed)
    withheld = [k for k in system.names if k not in system.known and k[0] != "free"]
    assert withheld, "the data should have withheld counts for the attacker to aim at"
    assert system.recovered() == {}
