"""Section builders shared by the cohort reports and the institution overview.

Each builder takes the rows of one unit (a cohort, or the whole institution) in the current wave and
returns a :class:`~belonging.report.model.Section`. Privacy is applied here, before anything reaches
the model: a statistic computed from fewer than ``min_cell`` respondents is blanked and marked, and
count tables get complementary suppression (:func:`~belonging.report.suppression.suppress_counts`).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from types import MappingProxyType

from belonging import _columns as C
from belonging.errors import BelongingError
from belonging.report._figures import forest_chart, items_chart, likert_chart, means_chart
from belonging.report.model import Note, Section, Table
from belonging.report.suppression import suppress_counts

logger = logging.getLogger(__name__)

__all__ = ["Settings"]

STAT_HEADERS = {
    C.GROUP: "Group", C.N: "n", C.MEAN: "Mean", C.SD: "SD", C.CI_LOW: "CI low", C.CI_HIGH: "CI high",
    C.PERCENT_FAVOURABLE: "% favourable", C.SCALE: "Scale", C.LABEL: "", C.WAVE: "Wave",
    C.GROUP_A: "Group A", C.GROUP_B: "Group B", C.DIFFERENCE: "Difference (A \u2212 B)",
    C.HEDGES_G: "Hedges' g", C.G_CI_LOW: "g CI low", C.G_CI_HIGH: "g CI high", C.P_ADJUSTED: "p (adjusted)",
    C.ITEM: "Item", C.K: "Items", C.ALPHA: "Cronbach's \u03b1", C.ALPHA_CI_LOW: "\u03b1 CI low",
    C.ALPHA_CI_HIGH: "\u03b1 CI high", C.OMEGA: "McDonald's \u03c9", C.STATUS: "Status", C.REASON: "Reason",
    C.COUNT: "Responses",
}
STAT_FORMATS = {
    C.N: "d", C.MEAN: ".2f", C.SD: ".2f", C.CI_LOW: ".2f", C.CI_HIGH: ".2f", C.PERCENT_FAVOURABLE: ".0f",
    C.DIFFERENCE: ".2f", C.HEDGES_G: ".2f", C.G_CI_LOW: ".2f", C.G_CI_HIGH: ".2f", C.P_ADJUSTED: "p",
    C.K: "d", C.ALPHA: ".2f", C.ALPHA_CI_LOW: ".2f", C.ALPHA_CI_HIGH: ".2f", C.OMEGA: ".2f", C.COUNT: "d",
}


@dataclass(frozen=True)
class Settings:
    """Everything a section builder needs besides the rows (picklable for worker processes)."""

    instrument: object
    by: str
    compare_by: tuple
    wave: str | None
    waves: tuple
    scales: MappingProxyType
    min_cell: int
    confidence: float
    seed: int | None
    quality_source: str
    favourable_cut: float
    provenance: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    roster: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    #: Cells hidden jointly over the cohorts of the overview's wave and the overview itself (see
    #: ``belonging.report._joint.joint_hidden``): key -> {"cohorts": DataFrame, "institution": Series}.
    hidden: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    #: flagged responses were left out like excluded ones (``--exclude-flagged``)
    exclude_flagged: bool = False

    @property
    def total(self) -> str:
        return self.instrument.id

    @property
    def ci_label(self) -> str:
        return f"{self.confidence:.0%} CI"


def joint_row(settings, key, unit):
    """This unit's row of a jointly protected table (None when the table does not cover it).

    `unit` is a cohort, or None for the institution (the overview).
    """
    entry = settings.hidden.get(key)
    if entry is None:
        return None
    if unit is None:
        return entry["institution"]
    cells = entry["cohorts"]
    return cells.loc[unit] if unit in cells.index else None


def _table(df, caption, *, suppressed=None, links=None, headers=None):
    h = dict(STAT_HEADERS)
    h.update(headers or {})
    return Table(data=df.reset_index(drop=True), caption=caption, headers=MappingProxyType(h),
                 formats=MappingProxyType(STAT_FORMATS),
                 suppressed=None if suppressed is None else suppressed.reset_index(drop=True),
                 links=MappingProxyType(links or {}))


def blank_small(stats, settings, *, counts_mask=None, keep=(C.GROUP, C.LABEL, C.SCALE, C.WAVE)):
    """Blank every statistic of rows with n < min_cell (or masked counts); return (stats, mask)."""
    import numpy as np

    n = stats[C.N].to_numpy(dtype="float64") if C.N in stats.columns else np.full(len(stats), np.inf)
    small = ~(n >= settings.min_cell)
    if counts_mask is not None:
        small = small | np.asarray(counts_mask, dtype=bool)
    mask = stats.copy()
    for col in stats.columns:
        mask[col] = small if col not in keep else False
    out = stats.copy()
    for col in stats.columns:
        if col not in keep:
            out[col] = out[col].astype("float64").where(~small) if out[col].dtype.kind in "iufb" else out[col].where(~small)
    return out, mask.astype(bool)


def describe_unit(rows, settings, *, groups=None):
    """Descriptives of the total score (n, mean, sd, CI, % favourable), overall or by `groups`.

    The statistic is :func:`belonging.groups.descriptives.descriptives_table`, the one
    :func:`belonging.compare` reports (checked against R there); rows without a score, or without a
    group, are left out. Empty when no row has a score.
    """
    import numpy as np
    import pandas as pd

    from belonging.groups.descriptives import descriptives_table, encode_groups

    y = rows[settings.total].to_numpy(dtype="float64")
    ok = ~np.isnan(y)
    if groups is not None:
        keys = pd.Series(np.asarray(groups, dtype=object))
        ok &= keys.notna().to_numpy()
    if not ok.any():
        return pd.DataFrame(columns=[C.N, C.MEAN, C.SD, C.SE, C.CI_LOW, C.CI_HIGH, C.N_FAVOURABLE, C.PERCENT_FAVOURABLE])
    if groups is None:
        _, overall = descriptives_table(y[ok], np.zeros(int(ok.sum()), dtype=np.int64), [None],
                                        confidence=settings.confidence, midpoint=settings.favourable_cut)
        return overall.drop(columns=C.GROUP)
    codes, levels = encode_groups(keys[ok].reset_index(drop=True))
    table, _ = descriptives_table(y[ok], codes, levels, confidence=settings.confidence, midpoint=settings.favourable_cut)
    return table


def fmt_ci(row, digits=2) -> str:
    return f"{row[C.CI_LOW]:.{digits}f} to {row[C.CI_HIGH]:.{digits}f}"


# --- group comparisons -------------------------------------------------------------------------------
def compared(rows, outcome, by, settings):
    """:func:`belonging.compare` of `outcome` by `by`, asked for what the report shows: descriptives and
    the pairwise table (Welch difference and interval, Holm-adjusted p, Hedges' g), no model and no
    post-hoc. Returns the :class:`~belonging.groups.CompareResult`."""
    from belonging.groups import compare

    return compare(rows[[by, outcome]], outcome=outcome, by=by, confidence=settings.confidence, model="none",
                   posthoc="none", midpoint=settings.favourable_cut)


PAIR_COLUMNS = (C.GROUP_A, C.GROUP_B, C.DIFFERENCE, C.CI_LOW, C.CI_HIGH, C.HEDGES_G, C.G_CI_LOW, C.G_CI_HIGH, C.P_ADJUSTED)


def pairwise(rows, outcome, by, settings):
    """The pairwise table of :func:`compared`, with the columns the report shows."""
    pw = compared(rows, outcome, by, settings).pairwise
    return pw[[c for c in PAIR_COLUMNS if c in pw.columns]].reset_index(drop=True)


def warning_notes(result) -> list:
    """One warning note per warning of a result (text, or a Diagnostic's message)."""
    return [Note(f"{getattr(w, 'message', w)}", "warning") for w in getattr(result, "warnings", ()) or ()]


def group_section(rows, col, settings, *, title=None, unit=None, wave=None):
    """Counts (complementary suppression), descriptives and pairwise effect sizes by `col`.

    One :func:`belonging.compare` of the groups that are shown gives both the descriptives and the
    pairwise table (hidden groups enter no statistic). With `wave`, groups hidden in the joint
    cohort x group table of that wave (``settings.hidden``) are hidden here too: in the report of
    cohort `unit`, or in the overview when `unit` is None.
    """
    import pandas as pd

    total = settings.total
    scored = rows[rows[total].notna()]
    counts = scored.groupby(col, sort=True).size()
    cross = joint_row(settings, ("group", col, wave), unit)
    levels = set(rows[col].unique())
    if cross is not None:  # a group hidden in the joint table is listed (as withheld) even if empty here
        levels |= set(cross.index[cross.to_numpy(dtype=bool)])
    levels = sorted(levels, key=str)
    counts = counts.reindex(levels, fill_value=0)
    hidden = suppress_counts(counts.astype("float64"), min_cell=settings.min_cell, margins=("columns",))
    hidden = hidden | (counts < settings.min_cell)
    if cross is not None:
        hidden = hidden | cross.reindex(levels, fill_value=False).astype(bool)
    shown = [g for g, h in zip(levels, hidden.to_numpy()) if not h]
    sub = scored[scored[col].isin(shown)]
    result, failure = None, None
    if len(shown) >= 2:
        try:
            result = compared(sub, total, col, settings)
        except BelongingError as err:
            failure = err
    desc = (result.descriptives if result is not None else describe_unit(sub, settings, groups=sub[col].to_numpy(dtype=object)))
    cols = [C.N, C.MEAN, C.SD, C.CI_LOW, C.CI_HIGH, C.PERCENT_FAVOURABLE]
    desc = desc.set_index(C.GROUP)[cols].reindex(levels).rename_axis(C.GROUP).reset_index() if len(desc) else \
        pd.DataFrame({C.GROUP: levels, **{c: float("nan") for c in cols}})
    desc[C.N] = counts.to_numpy()
    shown_desc, mask = blank_small(desc, settings, counts_mask=hidden.to_numpy())
    title = title or f"Comparison by {col}"
    desc_table = _table(shown_desc, f"{settings.scales[total]} by {col} ({settings.ci_label})", suppressed=mask,
                        headers={C.GROUP: col})
    children = [desc_table]
    if hidden.any():
        children.append(Note(
            f"{int(hidden.sum())} group(s) withheld: fewer than {settings.min_cell} respondents, or hidden "
            "so that a small group cannot be worked out from the total.", "suppressed"))
    if len(shown) >= 2:
        children.append(means_chart(desc_table, what=f"Mean {settings.scales[total]} by {col}, with {settings.ci_label}",
                                    ci_label=settings.ci_label, xlabel=settings.scales[total],
                                    caption=f"Group means with {settings.ci_label}."))
        if failure is not None:
            children.append(Note(f"Effect sizes not computed: {failure}", "warning"))
        else:
            children += warning_notes(result)
            pw = result.pairwise[[c for c in PAIR_COLUMNS if c in result.pairwise.columns]].reset_index(drop=True)
            pw_table = _table(pw, f"Pairwise differences and Hedges' g by {col} ({settings.ci_label})")
            children.append(pw_table)
            children.append(forest_chart(pw_table, what=f"Differences in {settings.scales[total]} between {col} groups",
                                         ci_label=settings.ci_label,
                                         caption=f"Hedges' g with {settings.ci_label}; the shaded band marks |g| < 0.2."))
    elif len(levels) > 1:
        children.append(Note("Fewer than two groups are large enough to compare.", "info"))
    return Section(title=title, children=tuple(children), anchor=f"by-{_anchor(col)}")


def _anchor(text: str) -> str:
    from belonging.report._data import slugify

    return slugify(text)


# --- item breakdown ----------------------------------------------------------------------------------
def items_section(rows, settings, *, unit=None, wave=None):
    """Likert chart and percentage table per item, with small cells suppressed (rows margin).

    With `wave` and a joint table for it (``settings.hidden``), the answer categories and hidden
    cells are the joint ones (across cohorts and the overview); otherwise they are this report's own.
    """
    import numpy as np
    import pandas as pd

    from belonging.plots import likert_counts

    inst = settings.instrument
    scale = inst.response_scale
    levels = list(scale.codes())
    labels = list(scale.labels)
    used = rows[rows[C.STATUS] != C.EXCLUDED]
    counts = likert_counts(used[list(inst.item_ids)], levels=levels)
    wide = counts.pivot(index=C.ITEM, columns=C.VALUE, values=C.COUNT).reindex(index=list(inst.item_ids), columns=levels)
    mask = suppress_counts(wide, min_cell=settings.min_cell, margins=("rows",))
    joint = settings.hidden.get(("items_collapsed", wave))
    if joint is not None and joint_row(settings, ("items", wave, inst.item_ids[0]), unit) is None:
        joint = None
    collapsed = False
    if (mask.to_numpy().any() if joint is None else joint) and len(levels) > 3:
        mid = scale.midpoint
        group = np.where(np.asarray(levels) < mid, 0, np.where(np.asarray(levels) > mid, 2, 1))
        keep = sorted(set(group.tolist()))
        wide = pd.DataFrame({k: wide.loc[:, np.asarray(levels)[group == k]].sum(axis=1) for k in keep})
        names = {0: "Disagree (any)", 1: "Neutral", 2: "Agree (any)"}
        labels = [names[k] for k in keep]
        levels = keep
        wide.columns = levels
        mask = suppress_counts(wide, min_cell=settings.min_cell, margins=("rows",))
        collapsed = True
    if joint is not None:
        mask = pd.DataFrame([joint_row(settings, ("items", wave, i), unit).reindex(levels).to_numpy(dtype=bool)
                             for i in wide.index], index=wide.index, columns=wide.columns)
    n_item = wide.sum(axis=1)
    small_row = (n_item < settings.min_cell).to_numpy()
    m = mask.to_numpy() | small_row[:, None]
    pct = 100.0 * wide.div(n_item.where(n_item > 0), axis=0)
    display = {i.id: f"{i.display}{' (R)' if i.reverse else ''}" for i in inst.items}
    table = pd.DataFrame({C.ITEM: [display[i] for i in wide.index], C.N: n_item.to_numpy()})
    tmask = pd.DataFrame({C.ITEM: False, C.N: small_row}, index=range(len(wide)))
    headers = {}
    for j, (lv, lab) in enumerate(zip(levels, labels)):
        key = f"{C.PROPORTION}_{lv}"
        table[key] = pct.iloc[:, j].to_numpy()
        tmask[key] = m[:, j]
        headers[key] = f"% {lab}"
    table = table.mask(tmask.to_numpy())
    long = wide.astype("float64").mask(m).rename_axis(C.ITEM).reset_index().melt(id_vars=C.ITEM, var_name=C.VALUE, value_name=C.COUNT)
    long[C.ITEM] = pd.Categorical(long[C.ITEM], categories=list(wide.index), ordered=True)
    long = long.sort_values([C.ITEM, C.VALUE]).reset_index(drop=True)
    long[C.ITEM] = long[C.ITEM].astype(object)
    fmts = dict(STAT_FORMATS)
    fmts.update({k: ".0f" for k in headers})
    h = dict(STAT_HEADERS)
    h.update(headers)
    item_table = Table(data=table, caption="Answers per item (%)", headers=MappingProxyType(h),
                       formats=MappingProxyType(fmts), suppressed=tmask)
    fig = likert_chart(item_table, long, levels=levels, labels=labels, item_labels=display,
                       what=f"Diverging stacked bars of the answers to each {inst.name} item",
                       caption="Share of answers per item; disagreement left of zero, agreement right, neutral centred. "
                               "(R) marks reverse-keyed items, where agreeing is unfavourable.")
    children = [fig]
    if collapsed:
        children.append(Note("Answers are grouped into disagree / neutral / agree because some categories had "
                             f"fewer than {settings.min_cell} answers.", "info"))
    if m.any():
        children.append(Note("Items with withheld cells are drawn as dashed outlines marked 'suppressed'.", "suppressed"))
    children.append(item_table)
    return Section(title="Item breakdown", children=tuple(children), anchor="items")


# --- reliability -------------------------------------------------------------------------------------
def reliability_section(rows, settings, *, unit=None, wave=None):
    """Alpha (with CI) and omega per scale in these rows, and the item-rest chart of the total.

    Scales whose count of complete answers is hidden in the joint table of `wave` are withheld.
    """
    from belonging.psychometrics.reliability import reliability

    inst = settings.instrument
    used = rows[rows[C.STATUS] != C.EXCLUDED][list(inst.item_ids)].astype("float64")
    complete = int(used.notna().all(axis=1).sum())
    k = len(inst.item_ids)
    if complete <= k or complete < settings.min_cell:
        text = (f"Reliability is not reported: it needs more responses with every item answered than the scale has "
                f"items ({k}), and at least {settings.min_cell}.")
        return Section("Reliability", (Note(text, "info"),), anchor="reliability")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            rel = reliability(used, inst, confidence=settings.confidence)
    except (BelongingError, RuntimeWarning) as err:
        return Section("Reliability", (Note(f"Reliability was not computed: {err}", "warning"),), anchor="reliability")
    sc = rel.scales.copy()
    sc[C.SCALE] = sc[C.SCALE].map(lambda s: settings.scales.get(s, s))
    sc = sc[[C.SCALE, C.N, C.K, C.ALPHA, C.ALPHA_CI_LOW, C.ALPHA_CI_HIGH, C.OMEGA]]
    joint = joint_row(settings, ("reliability", wave), unit)
    held = None
    if joint is not None:
        held = rel.scales[C.SCALE].map(lambda s: bool(joint.get(s, False))).to_numpy(dtype=bool)
    shown, mask = blank_small(sc, settings, counts_mask=held, keep=(C.SCALE, C.K))
    children = [_table(shown, f"Internal consistency in these responses ({rel.ci_method} {rel.confidence:.0%} CI for \u03b1; "
                              "n = complete answers)", suppressed=mask)]
    total_n = shown.loc[(rel.scales[C.SCALE] == inst.id).to_numpy(), C.N]
    if len(total_n) and total_n.iloc[0] >= settings.min_cell:
        it = rel.items[rel.items[C.SCALE] == inst.id]
        labels = {i.id: i.display for i in inst.items}
        children.append(items_chart(it, what=f"Item-rest correlations of the {inst.name} items", labels=labels, threshold=0.3,
                                    caption="Corrected item-total (item-rest) correlation; the dashed line marks 0.3."))
    return Section("Reliability", tuple(children), anchor="reliability")


# --- data quality ------------------------------------------------------------------------------------
def quality_section(rows, settings, *, unit=None, wave=None):
    """Responses kept, flagged and excluded, and counts per reason (small counts suppressed).

    With a joint table for `wave`, cells hidden there (across cohorts and the overview) are hidden too.
    """
    import pandas as pd

    statuses = [C.KEPT, C.FLAGGED, C.EXCLUDED]
    counts = rows[C.STATUS].value_counts().reindex(statuses, fill_value=0)
    hidden = suppress_counts(counts.astype("float64"), min_cell=settings.min_cell, margins=("columns",))
    joint = joint_row(settings, ("status", wave), unit)
    if joint is not None:
        hidden = hidden | joint.reindex(statuses, fill_value=False).astype(bool)
    table = pd.DataFrame({C.STATUS: statuses, C.COUNT: counts.to_numpy().astype("float64")})
    mask = pd.DataFrame({C.STATUS: False, C.COUNT: hidden.to_numpy()})
    table[C.COUNT] = table[C.COUNT].mask(mask[C.COUNT])
    children = [_table(table, "Responses by data-quality status", suppressed=mask)]
    reasons = rows[C.REASONS].astype(str)
    reasons = reasons[reasons != ""].str.split(";").explode().str.strip()
    reasons = reasons[reasons != ""]
    rc = reasons.value_counts()
    rjoint = joint_row(settings, ("reasons", wave), unit)
    if rjoint is not None:  # a reason hidden in the joint table is listed (as withheld) even if absent here
        extra = [r for r in rjoint.index[rjoint.to_numpy(dtype=bool)] if r not in rc.index]
        rc = pd.concat([rc, pd.Series(0, index=extra, dtype=rc.dtype)])
    if len(rc):
        rc = rc.sort_index()
        rtable = pd.DataFrame({C.REASON: rc.index.astype(str), C.COUNT: rc.to_numpy().astype("float64")})
        rhid = (rc.to_numpy() > 0) & (rc.to_numpy() < settings.min_cell)
        if rjoint is not None:
            rhid = rhid | rjoint.reindex(rc.index, fill_value=False).to_numpy(dtype=bool)
        rmask = pd.DataFrame({C.REASON: False, C.COUNT: rhid})
        rtable[C.COUNT] = rtable[C.COUNT].mask(rmask[C.COUNT])
        children.append(_table(rtable, "Flags and exclusions by reason (a response can have several)", suppressed=rmask))
    if settings.exclude_flagged:
        children.append(Note("Responses the quality check flagged were left out of every statistic in this report "
                             "(sensitivity analysis, --exclude-flagged); they are counted as excluded above.", "info"))
    if settings.quality_source == "scoring":
        children.append(Note("Statuses come from scoring only (answers outside the scale, or too few items "
                             "answered): the data-quality checks of belonging.check_quality were not available.", "warning"))
    return Section("Data quality", tuple(children), anchor="quality")


# --- methods and provenance --------------------------------------------------------------------------
def methods_section(settings):
    inst = settings.instrument
    rs = inst.response_scale
    how = "the mean" if inst.scoring.method == "mean" else "the prorated sum"
    k = len(inst.item_ids)
    lo = rs.min * (k if inst.scoring.method == "sum" else 1)
    hi = rs.max * (k if inst.scoring.method == "sum" else 1)
    texts = [
        f"Instrument: {inst.name} ({inst.id}, version {inst.version}). {inst.citation}",
        f"Scores are {how} of the answered items after reverse keying (x' = {rs.min} + {rs.max} \u2212 x), on a "
        f"scale from {lo:g} to {hi:g}; a score needs at least {inst.scoring.min_answered:.0%} of the items answered. "
        "Excluded responses get no score.",
        f"Means carry {settings.ci_label}s from the t distribution (mean \u00b1 t \u00d7 SD/\u221an). "
        f"'% favourable' is the share of scored respondents whose score lies above the scale midpoint ({settings.favourable_cut:g}).",
        "Group differences and Hedges' g with confidence intervals come from belonging.compare; p values "
        "are adjusted for multiple comparisons as that function documents.",
        "Reliability: Cronbach's \u03b1 with Feldt's interval and McDonald's \u03c9 (one-factor model), on complete answers "
        "(belonging.reliability).",
        f"Privacy: any statistic computed from fewer than {settings.min_cell} respondents is withheld and marked "
        "'suppressed'. A cohort below that (in its latest wave) gets a notice only, and its responses are left out "
        "of every institution figure in every report, as is any wave of a cohort with fewer respondents; institution "
        "figures therefore cover the reported cohorts only, and no published total includes a withheld cohort. "
        "Breakdowns (groups, answers per item, data-quality statuses and reasons, complete answers per scale) "
        "are protected jointly across the cohort reports and the overview: where a total is published, further "
        "cells are withheld until no withheld count can be worked out exactly from everything published together "
        "(checked by solving the linear relations between the published tables). The report contains no "
        "identifiers and no free-text answers.",
    ]
    if settings.wave:
        texts.append(f"Waves ({settings.wave}), earliest first: {', '.join(map(str, settings.waves))}. "
                     "Each report describes the latest wave with responses and compares it with the wave before.")
    return Section("Methods", tuple(Note(t, "method") for t in texts), anchor="methods")


def _policy_text(policy: dict) -> str:
    """One line: the policy file (or built-in), actions changed from the defaults, every threshold."""
    try:
        from belonging.quality.policy import DEFAULT_ACTIONS
    except ImportError:
        DEFAULT_ACTIONS = {}
    pf = policy.get("file")
    text = f"{pf.get('path', '').replace(chr(92), '/').rsplit('/', 1)[-1]} (SHA-256 {pf.get('sha256')})" if pf else "built-in defaults"
    changed = {k: v for k, v in (policy.get("actions") or {}).items() if DEFAULT_ACTIONS.get(k) != v}
    text += "; actions: " + (", ".join(f"{k}={v}" for k, v in sorted(changed.items())) if changed else "built-in")
    text += "; thresholds: " + ", ".join(f"{k}={v:g}" for k, v in sorted((policy.get("thresholds") or {}).items()))
    dup = (policy.get("duplicates") or {}).get("columns", "auto")
    if dup != "auto":
        text += f"; duplicate columns: {', '.join(map(str, dup))}"
    if policy.get("attention_checks"):
        text += "; attention checks: " + ", ".join(a["column"] for a in policy["attention_checks"])
    return text


def provenance_section(settings):
    import json

    import pandas as pd

    p = dict(settings.provenance)
    inp = p.get("input") or {}
    instr = p.get("instrument") or {}
    def name(path):
        return str(path).replace("\\", "/").rsplit("/", 1)[-1] if path else ""

    mapping = p.get("mapping") or {}
    policy = p.get("quality_policy")
    rows = [
        ("Input file", name(inp.get("path", ""))),
        ("Input SHA-256", inp.get("sha256", "")),
        ("Input platform", inp.get("platform", "")),
        ("Column mapping", (f"{name(mapping.get('path'))} (SHA-256 {mapping.get('sha256')})" if mapping.get("path")
                            else "given in code (no file)") if mapping else "none (item columns by name)"),
        ("belonging version", p.get("belonging_version", "")),
        ("Instrument", f"{instr.get('id', '')} version {instr.get('version', '')}"),
        ("Parameters", json.dumps(p.get("parameters", {}), sort_keys=True, ensure_ascii=False)),
    ]
    if policy is not None:
        rows.append(("Quality policy", _policy_text(policy)))
    rows += [
        ("Seed", str(p.get("seed"))),
        ("Created (UTC)", p.get("created_at", "")),
        ("Python and packages", f"Python {p.get('python', '')}; " + ", ".join(f"{k} {v}" for k, v in (p.get("packages") or {}).items())),
    ]
    df = pd.DataFrame(rows, columns=[C.LABEL, C.VALUE]).astype(str)
    return Section("Provenance", (_table(df, "What went into this report", headers={C.LABEL: "Item", C.VALUE: "Value"}),),
                   anchor="provenance")
