"""Build the report model: one :class:`Report` per cohort and an institution overview.

The work is split so that it can run in parallel: :func:`prepare_context` scores the data once and
computes the institution-wide figures; :func:`cohort_report` and :func:`index_report` then build one
report each from that context, in any process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import MappingProxyType

from belonging import _columns as C
from belonging.errors import UsageError
from belonging.report import _sections as S
from belonging.report._data import AnalysisFrame, prepare, slugify
from belonging.report._figures import means_chart, trend_chart
from belonging.report._joint import joint_hidden, published_rows
from belonging.report.model import Metric, Note, Report, Section
from belonging.report.suppression import DEFAULT_MIN_CELL, check_min_cell

__all__ = ["ReportContext", "build_report", "cohort_report", "index_report", "prepare_context", "read_roster"]

logger = logging.getLogger(__name__)

#: How reports name the institution-wide figures: they cover the published cohorts and waves only.
INSTITUTION_LABEL = "Institution (reported cohorts)"


@dataclass(frozen=True, eq=False)
class ReportContext:
    """Scored data, settings and institution-wide figures shared by every report of a run.

    Attributes
    ----------
    analysis : AnalysisFrame
        The slim frame (no identifiers, no free text).
    settings : Settings
    cohorts : list
        Cohort values (as text) in sorted order.
    slugs : dict
        Cohort -> safe file stem.
    institution : pandas.DataFrame
        Institution descriptives of the total score per wave over the published rows only:
        ``wave``, ``n``, ``mean``, ``sd``, ``se``, ``ci_low``, ``ci_high``, ``n_favourable``,
        ``percent_favourable``.
    published : numpy.ndarray of bool
        Per row of ``analysis.frame``: the row lies in a published cohort x wave cell (a cohort whose
        latest wave has at least ``min_cell`` scored responses, and a wave in which it has at least
        ``min_cell``). Every institution-wide figure is computed from these rows only, so the rows of
        a withheld cohort or wave influence nothing that is published.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> import belonging as bl
    >>> from belonging.report import prepare_context
    >>> ccs = bl.load_instrument("ccs")
    >>> rng = np.random.default_rng(2)
    >>> trait = rng.normal(size=(60, 1))
    >>> data = pd.DataFrame(np.clip(np.round(2 + trait + rng.normal(size=(60, 20))), 0, 4), columns=list(ccs.item_ids))
    >>> data[list(ccs.reverse_items)] = 4 - data[list(ccs.reverse_items)]  # negatively worded items are answered reversed
    >>> data["cohort"] = ["Psychology 2025"] * 52 + ["Museum Studies 2026"] * 8
    >>> ctx = prepare_context(data, ccs, by="cohort")
    >>> ctx.cohorts
    ['Museum Studies 2026', 'Psychology 2025']
    >>> ctx.slugs["Museum Studies 2026"]
    'museum-studies-2026-8f5ba9dc'
    >>> len(ctx.rows_of("Museum Studies 2026")), len(ctx.institution_rows)  # 8 < min_cell: left out
    (8, 52)
    >>> print(ctx.institution[["n", "mean", "ci_low", "ci_high"]].round(2).to_string(index=False))
     n  mean  ci_low  ci_high
    52 39.65    34.6    44.71
    """

    analysis: AnalysisFrame
    settings: object
    cohorts: list
    slugs: dict
    institution: object
    published: object = None

    def rows_of(self, cohort):
        """Rows of one cohort (all waves)."""
        f = self.analysis.frame
        return f[f[self.settings.by] == str(cohort)]

    @property
    def institution_rows(self):
        """The published rows (all cohorts and waves whose figures appear in some report)."""
        f = self.analysis.frame
        return f if self.published is None else f[self.published]


def read_roster(path, by: str) -> dict:
    """Read ROSTER.csv: the `by` column and ``enrolled`` (students per cohort) -> {cohort: enrolled}.

    Parameters
    ----------
    path : str or path-like
        A CSV file with the `by` column and ``enrolled``.
    by : str
        The cohort column.

    Returns
    -------
    dict
        ``{cohort: enrolled}`` with whole-number counts.

    Raises
    ------
    UsageError
        The file lacks a column, or a count is not a non-negative whole number.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from belonging.report import read_roster
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name) / "roster.csv"
    >>> _ = path.write_text("cohort,enrolled\\nPsychology 2025,560\\nMuseum Studies 2026,9\\n")
    >>> read_roster(path, "cohort")
    {'Psychology 2025': 560, 'Museum Studies 2026': 9}
    >>> folder.cleanup()
    """
    import pandas as pd

    from belonging._validation import check_columns

    df = pd.read_csv(path, dtype={by: str})
    check_columns(df, [by, C.ENROLLED], f"--roster {path}")
    counts = pd.to_numeric(df[C.ENROLLED], errors="coerce")
    bad = counts.isna() | (counts < 0) | (counts != counts.round())
    if bad.any():
        i = int(bad.to_numpy().argmax())
        msg = f"--roster {path}: row {i + 2}, column {C.ENROLLED!r}: value {df[C.ENROLLED].iloc[i]!r} is not a whole number of students"
        raise UsageError(msg)
    return dict(zip(df[by].astype(str), counts.astype("int64")))


def prepare_context(data, instrument, *, by, compare_by=(), wave=None, wave_order=None, roster=None,
                    min_cell=DEFAULT_MIN_CELL, confidence=0.95, seed=None, mapping=None, policy=None,
                    exclude_flagged=False, parameters=None, now=None) -> ReportContext:
    """Score `data` once and compute what every report of the run shares. See :func:`build_report`.

    Parameters
    ----------
    data, instrument, by, compare_by, wave, wave_order, roster, min_cell, confidence, seed, mapping, policy, exclude_flagged
        As in :func:`build_report`.
    parameters : dict, optional
        Extra entries for the parameters recorded in the provenance.
    now : datetime.datetime, optional
        Time recorded in the provenance (default: the current UTC time).

    Returns
    -------
    ReportContext
        Pass it to :func:`cohort_report` for each cohort and to :func:`index_report`.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> import belonging as bl
    >>> from belonging.report import prepare_context
    >>> ccs = bl.load_instrument("ccs")
    >>> rng = np.random.default_rng(2)
    >>> trait = rng.normal(size=(60, 1))
    >>> data = pd.DataFrame(np.clip(np.round(2 + trait + rng.normal(size=(60, 20))), 0, 4), columns=list(ccs.item_ids))
    >>> data[list(ccs.reverse_items)] = 4 - data[list(ccs.reverse_items)]  # negatively worded items are answered reversed
    >>> data["cohort"] = ["Psychology 2025"] * 52 + ["Museum Studies 2026"] * 8
    >>> ctx = prepare_context(data, ccs, by="cohort")
    >>> ctx.cohorts
    ['Museum Studies 2026', 'Psychology 2025']
    >>> int(ctx.published.sum()), ctx.settings.min_cell  # rows in cohorts with at least min_cell
    (52, 10)
    """
    from belonging.groups import favourable_midpoint
    from belonging.instruments import load_instrument
    from belonging.provenance import manifest

    instrument = load_instrument(instrument)
    min_cell = check_min_cell(min_cell)
    if not (isinstance(confidence, float | int) and 0 < confidence < 1):
        msg = f"`confidence` must lie in (0, 1); got {confidence!r}"
        raise UsageError(msg)
    af = prepare(data, instrument, by=by, compare_by=compare_by, wave=wave, wave_order=wave_order, mapping=mapping,
                 policy=policy, exclude_flagged=exclude_flagged)
    if isinstance(roster, str) or hasattr(roster, "__fspath__"):
        roster = read_roster(roster, by)
    cut = favourable_midpoint(instrument)
    params = {"by": by, "compare_by": list(af.compare_by), "wave": wave, "min_cell": min_cell,
              "confidence": confidence, "exclude_flagged": bool(exclude_flagged), **(parameters or {})}
    prov = manifest(responses=data if hasattr(data, "provenance") else None, instrument=instrument,
                    parameters=params, seed=seed, now=now)
    published = published_rows(af, instrument.id, min_cell)
    prov["mapping"] = _mapping_record(mapping)
    prov["quality_policy"] = _policy_record(policy, exclude_flagged)
    hidden = joint_hidden(af, published, instrument, min_cell)
    settings = S.Settings(
        instrument=instrument, by=by, compare_by=af.compare_by, wave=wave, waves=tuple(af.waves),
        scales=MappingProxyType(af.scales), min_cell=min_cell, confidence=float(confidence), seed=seed,
        quality_source=af.quality_source, favourable_cut=float(cut), provenance=MappingProxyType(prov),
        exclude_flagged=bool(exclude_flagged),
        roster=MappingProxyType({str(k_): int(v) for k_, v in (roster or {}).items()}),
        hidden=MappingProxyType(hidden),
    )
    f = af.frame
    cohorts = sorted(f[by].unique(), key=str)
    slugs = {c: slugify(c) for c in cohorts}
    fp = f[published]
    groups = fp[wave].to_numpy(dtype=object) if wave else None
    inst = S.describe_unit(fp, settings, groups=groups)
    if wave:
        inst = inst.rename(columns={C.GROUP: C.WAVE})
    return ReportContext(analysis=af, settings=settings, cohorts=cohorts, slugs=slugs, institution=inst,
                         published=published)


def _is_path(value) -> bool:
    return isinstance(value, str) or hasattr(value, "__fspath__")


def _file_record(path):
    """``{"path", "sha256"}`` of a file (None without a file)."""
    import hashlib
    import os

    if path is None:
        return None
    path = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        digest = None
    return {"path": path, "sha256": digest}


def _mapping_record(mapping):
    """The column mapping: its file (path, SHA-256), ``{"path": None, ...}`` when given in code, or None."""
    if mapping is None:
        return None
    source = mapping if _is_path(mapping) else getattr(mapping, "source", None)
    if source is None:
        return {"path": None, "sha256": None, "given_in_code": True}
    return _file_record(source)


def _policy_record(policy, exclude_flagged):
    """The quality policy in effect: its file (path, SHA-256) if any, actions and thresholds."""
    try:
        from belonging.quality import Policy
    except ImportError:  # quality checks unavailable: statuses come from scoring only
        return None
    p = policy if policy is not None else Policy()
    d = p.to_dict()
    return {"file": _file_record(d.pop("source", None)), "actions": d.get("actions"),
            "thresholds": d.get("thresholds"), "duplicates": d.get("duplicates"),
            "attention_checks": d.get("attention_checks"), "exclude_flagged": bool(exclude_flagged)}


def _current(rows, settings):
    """(rows of the latest wave with data, that wave, the previous wave's rows or None, previous wave)."""
    if not settings.wave:
        return rows, None, None, None
    present = [w for w in settings.waves if (rows[settings.wave] == w).any()]
    if not present:
        return rows.iloc[:0], None, None, None
    cur = present[-1]
    i = list(settings.waves).index(cur)
    prev = settings.waves[i - 1] if i > 0 else None
    prev_rows = rows[rows[settings.wave] == prev] if prev is not None else None
    return rows[rows[settings.wave] == cur], cur, prev_rows, prev


def _inst_row(ctx, wave_value):
    inst = ctx.institution
    if ctx.settings.wave:
        inst = inst[inst[C.WAVE] == wave_value]
    return inst.iloc[0] if len(inst) else None


def _wave_descriptives(rows_all, settings):
    """This cohort's descriptives per wave (one row per wave with a score), or overall without waves."""
    if not settings.wave:
        return S.describe_unit(rows_all, settings)
    return S.describe_unit(rows_all, settings, groups=rows_all[settings.wave].to_numpy(dtype=object)).rename(
        columns={C.GROUP: C.WAVE})


def _row_of(desc, settings, wave_value):
    """The descriptives of one wave from :func:`_wave_descriptives` (empty frame when it has none)."""
    if not settings.wave or not len(desc):
        return desc
    return desc[desc[C.WAVE].astype(str) == str(wave_value)].drop(columns=C.WAVE)


def _responses_withheld(settings, unit, wave_value) -> bool:
    """Whether the count of responses of `unit` (None: the overview) is withheld with its statuses."""
    return bool(((settings.hidden.get(("status", wave_value)) or {}).get("responses") or {}).get(unit, False))


def _summary(rows, settings, *, label, inst=None, enrolled=None, wave_value=None, desc=None, unit=None):
    inst_name = settings.instrument.name
    d = S.describe_unit(rows, settings) if desc is None else desc
    n_resp = len(rows)
    n = int(d[C.N].iloc[0]) if len(d) else 0
    when = f" ({settings.wave} {wave_value})" if wave_value is not None else ""
    children = []
    if n < settings.min_cell:
        return None
    row = d.iloc[0]
    children.append(Metric(f"Mean {inst_name}", f"{row[C.MEAN]:.2f}", f"{settings.ci_label} {S.fmt_ci(row)}"))
    children.append(Metric("% favourable", f"{row[C.PERCENT_FAVOURABLE]:.0f}%", f"score above the midpoint {settings.favourable_cut:g}"))
    rate = ""
    withheld = _responses_withheld(settings, unit, wave_value)
    if enrolled and not withheld:
        rate = f"; response rate {n_resp / enrolled:.0%} of {enrolled} enrolled"
    children.append(Metric("Responses", "" if withheld else f"{n_resp}", f"{n} scored{rate}", suppressed=withheld))
    text = (f"{label}{when}: the mean {inst_name} score was {row[C.MEAN]:.2f} ({settings.ci_label} {S.fmt_ci(row)}) "
            f"from {n} scored responses, and {row[C.PERCENT_FAVOURABLE]:.0f}% of respondents scored above the scale midpoint.")
    if inst is not None and inst[C.N] >= settings.min_cell:
        children.append(Metric("Institution mean", f"{inst[C.MEAN]:.2f}", f"{settings.ci_label} {S.fmt_ci(inst)}"))
        text += f" Across the institution in the same wave the mean was {inst[C.MEAN]:.2f} ({settings.ci_label} {S.fmt_ci(inst)})."
    children.append(Note(text))
    return Section("Summary", tuple(children), anchor="summary")


def _comparison(ctx, rows_all, cur, cur_wave, prev_rows, prev_wave, cohort, waves_desc):
    """Cohort vs institution (same wave) and vs its previous wave, with the trend chart."""
    import numpy as np
    import pandas as pd

    st = ctx.settings
    parts = [("This cohort", cur, cur_wave)]
    inst = _inst_row(ctx, cur_wave)
    if prev_rows is not None and len(prev_rows):
        parts.append(("This cohort, previous wave", prev_rows, prev_wave))
    table = []
    for label, _rows, w in parts:
        d = _row_of(waves_desc, st, w)
        r = d.iloc[0].to_dict() if len(d) else {C.N: 0}
        table.append({C.LABEL: label, C.WAVE: w, **r})
    if inst is not None:
        table.insert(1, {C.LABEL: INSTITUTION_LABEL, C.WAVE: cur_wave, **inst.drop(C.WAVE, errors="ignore").to_dict()})
    df = pd.DataFrame(table)
    cols = [C.LABEL] + ([C.WAVE] if st.wave else []) + [C.N, C.MEAN, C.CI_LOW, C.CI_HIGH, C.PERCENT_FAVOURABLE]
    df = df.reindex(columns=cols)
    shown, mask = S.blank_small(df, st)
    children = [S._table(shown, f"{st.scales[st.total]}: this cohort, the institution and the previous wave ({st.ci_label})",
                         suppressed=mask, headers={C.WAVE: st.wave or ""})]
    if st.wave and len(st.waves) > 1:
        by_wave, wave_mask = S.blank_small(waves_desc, st)
        by_wave[C.LABEL] = "This cohort"
        wave_mask[C.LABEL] = False
        inst_w = ctx.institution.copy()
        inst_w[C.LABEL] = INSTITUTION_LABEL
        cols = [C.LABEL, C.WAVE, C.N, C.MEAN, C.CI_LOW, C.CI_HIGH]
        trend = pd.concat([inst_w, by_wave], ignore_index=True)[cols]
        trend_mask = pd.concat([inst_w[cols].astype(bool) & False, wave_mask], ignore_index=True)[cols].astype(bool)
        trend_table = S._table(trend, f"{st.scales[st.total]} per wave ({st.ci_label})", suppressed=trend_mask,
                               headers={C.WAVE: st.wave})
        children.append(trend_chart(trend_table, waves=st.waves, ci_label=st.ci_label, ylabel=st.scales[st.total],
                                    what=f"Mean {st.scales[st.total]} per wave, this cohort and the institution",
                                    caption=f"Means per wave with {st.ci_label} bands; waves with too few respondents are left out."))
    contrasts = []
    f = ctx.institution_rows
    inst_cur = f if not st.wave else f[f[st.wave] == cur_wave]
    inst_cur = inst_cur[inst_cur[st.total].notna()]
    in_cohort = (inst_cur[st.by] == cohort).to_numpy()
    if in_cohort.sum() >= st.min_cell and (~in_cohort).sum() >= st.min_cell:
        two = pd.DataFrame({C.GROUP: np.where(in_cohort, "This cohort", "Rest of the institution"),
                            st.total: inst_cur[st.total].to_numpy()})
        two[C.GROUP] = pd.Categorical(two[C.GROUP], categories=["This cohort", "Rest of the institution"], ordered=True)
        pw = _safe_pairwise(two, st.total, C.GROUP, st, cohort)
        if pw is not None and len(pw):
            contrasts.append(pw)
    if prev_rows is not None and len(prev_rows) and st.wave:
        both = pd.concat([prev_rows, cur])
        n_ok = both.groupby(st.wave)[st.total].count()
        if (n_ok >= st.min_cell).all() and len(n_ok) == 2:
            lab = {prev_wave: f"Previous wave ({prev_wave})", cur_wave: f"This wave ({cur_wave})"}
            two = pd.DataFrame({C.GROUP: both[st.wave].map(lab).to_numpy(), st.total: both[st.total].to_numpy()})
            two[C.GROUP] = pd.Categorical(two[C.GROUP], categories=[lab[cur_wave], lab[prev_wave]], ordered=True)
            pw = _safe_pairwise(two, st.total, C.GROUP, st, cohort)
            if pw is not None and len(pw):
                contrasts.append(pw)
    if contrasts:
        table = pd.concat(contrasts, ignore_index=True)
        children.append(S._table(table, f"Differences: this cohort minus the comparison (Welch {st.ci_label}, Hedges' g)"))
    return Section("Compared with the institution and the previous wave", tuple(children), anchor="comparison")


def _safe_pairwise(frame, outcome, by, settings, cohort):
    """Pairwise contrasts, or None (logged) when the comparison cannot be computed."""
    from belonging.errors import BelongingError

    try:
        return S.pairwise(frame, outcome, by, settings)
    except BelongingError as err:
        logger.warning("comparison by %s failed for %r: %s", by, cohort, err)
        return None


def _suppressed_report(title, slug, settings, n_label):
    text = (f"This cohort has fewer than {settings.min_cell} scored responses{n_label}. To protect the privacy "
            "of respondents, no statistics are reported for it, and its responses are left out of every "
            "institution figure in the overview and the other cohorts' reports.")
    return Report(title=title, sections=(Section("Notice", (Note(text, "suppressed"),), anchor="notice"),
                                         S.methods_section(settings), S.provenance_section(settings)),
                  subtitle=f"{settings.by}", provenance=settings.provenance, slug=slug, suppressed=True)


def cohort_report(ctx: ReportContext, cohort) -> Report:
    """The report of one cohort (a notice only when it has fewer than ``min_cell`` scored responses).

    Parameters
    ----------
    ctx : ReportContext
        From :func:`prepare_context`.
    cohort : object
        A value of the cohort column.

    Returns
    -------
    Report

    Raises
    ------
    UsageError
        `cohort` is not a value of the cohort column.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> import belonging as bl
    >>> from belonging.report import cohort_report, prepare_context
    >>> ccs = bl.load_instrument("ccs")
    >>> rng = np.random.default_rng(2)
    >>> trait = rng.normal(size=(60, 1))
    >>> data = pd.DataFrame(np.clip(np.round(2 + trait + rng.normal(size=(60, 20))), 0, 4), columns=list(ccs.item_ids))
    >>> data[list(ccs.reverse_items)] = 4 - data[list(ccs.reverse_items)]  # negatively worded items are answered reversed
    >>> data["cohort"] = ["Psychology 2025"] * 52 + ["Museum Studies 2026"] * 8
    >>> ctx = prepare_context(data, ccs, by="cohort")
    >>> report = cohort_report(ctx, "Psychology 2025")
    >>> small = cohort_report(ctx, "Museum Studies 2026")  # 8 scored responses, below min_cell
    >>> report.suppressed, small.suppressed, [s.title for s in small.sections]
    (False, True, ['Notice', 'Methods', 'Provenance'])
    >>> report.subtitle
    'cohort: Psychology 2025 · Classroom Community Scale'
    >>> report.section("Summary").children[0]
    Metric(label='Mean Classroom Community Scale', value='39.65', detail='95% CI 34.60 to 44.71', suppressed=False)
    """
    st = ctx.settings
    cohort = str(cohort)
    if cohort not in ctx.slugs:
        from belonging.errors import suggest

        msg = f"cohort {cohort!r} is not a value of column {st.by!r}{suggest(cohort, ctx.cohorts)}"
        raise UsageError(msg)
    slug = ctx.slugs[cohort]
    rows_all = ctx.rows_of(cohort)
    cur, cur_wave, prev_rows, prev_wave = _current(rows_all, st)
    title = f"{cohort}"
    when = f" in {st.wave} {cur_wave}" if cur_wave is not None else ""
    waves_desc = _wave_descriptives(rows_all, st)
    summary = _summary(cur, st, label="This cohort", inst=_inst_row(ctx, cur_wave), enrolled=st.roster.get(cohort),
                       wave_value=cur_wave, desc=_row_of(waves_desc, st, cur_wave), unit=cohort)
    if summary is None:
        return _suppressed_report(title, slug, st, when)
    sections = [summary, _comparison(ctx, rows_all, cur, cur_wave, prev_rows, prev_wave, cohort, waves_desc)]
    sections += [S.group_section(cur, col, st, unit=cohort, wave=cur_wave) for col in st.compare_by]
    sections += [S.items_section(cur, st, unit=cohort, wave=cur_wave), S.reliability_section(cur, st, unit=cohort, wave=cur_wave),
                 S.quality_section(cur, st, unit=cohort, wave=cur_wave), S.methods_section(st), S.provenance_section(st)]
    sub = f"{st.by}: {cohort}{when} \u00b7 {st.instrument.name}"
    return Report(title=title, sections=tuple(sections), subtitle=sub, provenance=st.provenance, slug=slug)


def index_report(ctx: ReportContext, *, formats=("html", "pdf")) -> Report:
    """The institution overview: key figures, the cohort table with links, charts and methods.

    Parameters
    ----------
    ctx : ReportContext
        From :func:`prepare_context`.
    formats : sequence of {"html", "pdf"}
        Which cohort reports the cohort table links to.

    Returns
    -------
    Report

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> import belonging as bl
    >>> from belonging.report import index_report, prepare_context
    >>> ccs = bl.load_instrument("ccs")
    >>> rng = np.random.default_rng(2)
    >>> trait = rng.normal(size=(60, 1))
    >>> data = pd.DataFrame(np.clip(np.round(2 + trait + rng.normal(size=(60, 20))), 0, 4), columns=list(ccs.item_ids))
    >>> data[list(ccs.reverse_items)] = 4 - data[list(ccs.reverse_items)]  # negatively worded items are answered reversed
    >>> data["cohort"] = ["Psychology 2025"] * 52 + ["Museum Studies 2026"] * 8
    >>> ctx = prepare_context(data, ccs, by="cohort")
    >>> index = index_report(ctx, formats=("html",))
    >>> index.title, index.slug
    ('Institution overview', 'index')
    >>> table = index.section("Cohorts").children[0]
    >>> print(table.to_frame()[["group", "n", "mean"]].round(2).to_string(index=False))  # a cohort below min_cell is withheld
                  group    n  mean
    Museum Studies 2026  NaN   NaN
        Psychology 2025 52.0 39.65
    >>> table.links["group"]
    ('museum-studies-2026-8f5ba9dc.html', 'psychology-2025-9625b02a.html')
    """
    import numpy as np
    import pandas as pd

    st = ctx.settings
    cur, cur_wave, _, _ = _current(ctx.institution_rows, st)
    sections = []
    summary = _summary(cur, st, label="The institution (reported cohorts)", wave_value=cur_wave, unit=None)
    if summary is None:
        sections.append(Section("Summary", (Note(f"No cohort has {st.min_cell} or more scored responses, so no statistics "
                                                 "are reported for the institution.", "suppressed"),), anchor="summary"))
    else:
        sections.append(summary)
    # one row per cohort, each in its own latest wave
    rows = []
    for c in ctx.cohorts:
        r_all = ctx.rows_of(c)
        c_cur, c_wave, _, _ = _current(r_all, st)
        d = S.describe_unit(c_cur, st)
        r = d.iloc[0].to_dict() if len(d) else {C.N: 0}
        enrolled = st.roster.get(c)
        rate = 100.0 * len(c_cur) / enrolled if enrolled else np.nan
        rows.append({C.GROUP: c, C.WAVE: c_wave, C.COUNT: len(c_cur), **r, C.RESPONSE_RATE: rate})
    df = pd.DataFrame(rows)
    for col in (C.N, C.MEAN, C.CI_LOW, C.CI_HIGH, C.PERCENT_FAVOURABLE):
        if col not in df.columns:
            df[col] = np.nan
    df[C.N] = df[C.N].fillna(0)
    # A cohort below the threshold is withheld; no complement is needed because its rows enter no
    # institution figure (ctx.published), so no published total includes it.
    hidden = (df[C.N] < st.min_cell).to_numpy()
    df[C.PDF_LINK] = "PDF"
    cols = [C.GROUP] + ([C.WAVE] if st.wave else []) + [C.COUNT, C.N, C.MEAN, C.CI_LOW, C.CI_HIGH, C.PERCENT_FAVOURABLE]
    if st.roster:
        cols.append(C.RESPONSE_RATE)
    links = {}
    if "html" in formats:  # the cohort's name links to its HTML report
        links[C.GROUP] = tuple(f"{ctx.slugs[c]}.html" for c in df[C.GROUP])
    if "pdf" in formats:
        cols.append(C.PDF_LINK)
        links[C.PDF_LINK] = tuple(f"{ctx.slugs[c]}.pdf" for c in df[C.GROUP])
    table = df[cols]
    # the number of responses (scored or not) per cohort is a count too: hide it with the rest
    shown, mask = S.blank_small(table, st, counts_mask=hidden, keep=(C.GROUP, C.WAVE, C.PDF_LINK))
    # a cohort's count of responses withheld with its statuses (and its response rate with it)
    withheld = np.array([_responses_withheld(st, c, w) for c, w in zip(df[C.GROUP], df[C.WAVE])], dtype=bool)
    for col in (C.COUNT, C.RESPONSE_RATE):
        if col in shown.columns:
            shown[col] = shown[col].where(~withheld)
            mask[col] = mask[col].to_numpy() | withheld
    h = {C.GROUP: st.by, C.COUNT: "Responses", C.N: "Scored", C.RESPONSE_RATE: "Response rate (%)", C.PDF_LINK: "PDF report"}
    t = S._table(shown, f"Cohorts ({st.ci_label}); follow a name for its report", suppressed=mask, links=links, headers=h)
    t = type(t)(data=t.data, caption=t.caption, headers=t.headers,
                formats=MappingProxyType({**t.formats, C.RESPONSE_RATE: ".0f"}), suppressed=t.suppressed, links=t.links)
    children = [t]
    if hidden.any():
        children.append(Note(
            f"{int(hidden.sum())} cohort(s) have fewer than {st.min_cell} scored responses: their reports hold only a "
            "notice, and their responses are left out of every institution figure in this overview and in the cohort "
            "reports (summary, comparisons, charts, breakdowns), so that nothing about them can be worked out by "
            "subtraction.", "suppressed"))
    else:
        children.append(Note(
            f"Institution figures cover the cohorts and waves with at least {st.min_cell} scored responses; a cohort's "
            "earlier wave below that is left out of them.", "info"))
    vis = shown[~hidden]
    if len(vis):
        inst = _inst_row(ctx, cur_wave)
        ref = float(inst[C.MEAN]) if inst is not None and inst[C.N] >= st.min_cell else None
        children.append(means_chart(t, what=f"Mean {st.scales[st.total]} per cohort, with {st.ci_label}", ci_label=st.ci_label,
                                    xlabel=st.scales[st.total], reference=ref, reference_label="the mean over the reported cohorts",
                                    caption=f"Cohort means with {st.ci_label}; the dashed line is the mean over the reported cohorts."))
    sections.append(Section("Cohorts", tuple(children), anchor="cohorts"))
    if summary is not None:
        sections += [S.group_section(cur, col, st, unit=None, wave=cur_wave) for col in st.compare_by]
        sections += [S.items_section(cur, st, unit=None, wave=cur_wave), S.reliability_section(cur, st, unit=None, wave=cur_wave),
                     S.quality_section(cur, st, unit=None, wave=cur_wave)]
    sections += [S.methods_section(st), S.provenance_section(st)]
    when = f" \u00b7 {st.wave} {cur_wave}" if cur_wave is not None else ""
    return Report(title="Institution overview", sections=tuple(sections),
                  subtitle=f"{st.instrument.name}, by {st.by}{when}", provenance=st.provenance, slug="index")


def build_report(data, instrument, *, by, cohort=None, compare_by=(), wave=None, wave_order=None, roster=None,
                 min_cell=DEFAULT_MIN_CELL, confidence=0.95, seed=None, mapping=None, policy=None,
                 exclude_flagged=False) -> Report:
    """Build the report model of one cohort, or the institution overview.

    Parameters
    ----------
    data : pandas.DataFrame or Responses
        One row per response with the instrument's items (see :func:`belonging.score`).
    instrument : Instrument or str
    by : str
        Cohort column: one report per value.
    cohort : object, optional
        The cohort to report on; None gives the institution overview (``index``).
    compare_by : sequence of str
        Columns to compare groups by within the cohort (e.g. participation mode, first generation).
    wave : str, optional
        Wave column; each report describes its latest wave and compares it with the previous one.
    wave_order : sequence, optional
        Waves earliest first (default: numbers sorted, otherwise order of first appearance).
    roster : dict or path, optional
        ``{cohort: enrolled}`` or a CSV with the `by` column and ``enrolled``; adds response rates.
    min_cell : int, default 10
        Statistics from fewer respondents are suppressed (with complementary suppression).
    confidence : float, default 0.95
    seed : int, optional
        Recorded in the provenance (the report itself draws no random numbers).
    mapping : Mapping, dict or path, optional
        Column mapping (see :mod:`belonging.mapping`).
    policy : Policy, optional
        Quality policy for :func:`belonging.check_quality` (default: the built-in policy). Responses it
        excludes get no score.
    exclude_flagged : bool, default False
        Also leave out the responses the quality check flags (sensitivity analysis); the data-quality
        section says so.

    Returns
    -------
    Report
        Render with :func:`belonging.report.render_html` or :func:`belonging.report.render_pdf`.

    Raises
    ------
    UsageError
        Unknown columns or cohort, a grouping column that identifies a person or holds free text,
        bad `min_cell` or `confidence`.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> import belonging as bl
    >>> from belonging.report import render_html
    >>> ccs = bl.load_instrument("ccs")
    >>> rng = np.random.default_rng(2)
    >>> trait = rng.normal(size=(60, 1))
    >>> data = pd.DataFrame(np.clip(np.round(2 + trait + rng.normal(size=(60, 20))), 0, 4), columns=list(ccs.item_ids))
    >>> data[list(ccs.reverse_items)] = 4 - data[list(ccs.reverse_items)]  # negatively worded items are answered reversed
    >>> data["cohort"] = ["Psychology 2025"] * 52 + ["Museum Studies 2026"] * 8
    >>> report = bl.build_report(data, ccs, by="cohort", cohort="Psychology 2025")
    >>> report.title, report.suppressed
    ('Psychology 2025', False)
    >>> [s.title for s in report.sections][:3]
    ['Summary', 'Compared with the institution and the previous wave', 'Item breakdown']
    >>> small = bl.build_report(data, ccs, by="cohort", cohort="Museum Studies 2026")
    >>> small.suppressed
    True
    >>> small.sections[0].title, "fewer than 10" in render_html(small)
    ('Notice', True)
    """
    ctx = prepare_context(data, instrument, by=by, compare_by=compare_by, wave=wave, wave_order=wave_order,
                          roster=roster, min_cell=min_cell, confidence=confidence, seed=seed, mapping=mapping,
                          policy=policy, exclude_flagged=exclude_flagged)
    return index_report(ctx) if cohort is None else cohort_report(ctx, cohort)
