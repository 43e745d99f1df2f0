"""`belonging.compare` (package `belonging.groups`): one call that compares an outcome across cohorts or participation modes."""

from __future__ import annotations

import logging
from types import MappingProxyType

import numpy as np
import pandas as pd

from belonging import _columns as C
from belonging._validation import check_choice, check_columns, check_fraction
from belonging.diagnostics import Code, Diagnostic, locate
from belonging.errors import DataValidationError, UsageError
from belonging.groups._spread import testable_groups
from belonging.groups.descriptives import descriptives_table, encode_groups
from belonging.groups.models import build_design, contrasts, fit_mixed, fit_ols, mixed_table
from belonging.groups.participation import WARNINGS, few_clusters
from belonging.groups.participation import participation as participation_table
from belonging.groups.result import CompareResult
from belonging.groups.tests import CORRECTIONS, POSTHOCS, TESTS, omnibus, pairwise
from belonging.groups.waves import wave_change, wave_levels, wave_model
from belonging.groups.weighted import SurveyDesign, design_means

__all__ = ["INVARIANCE_LEVELS", "compare", "favourable_midpoint"]

logger = logging.getLogger(__name__)

MODELS = ("auto", "ols", "mixed", "none")
INVARIANCE_LEVELS = ("undetermined", "none", "configural", "metric", "scalar", "strict")
NAN_POLICIES = ("omit", "raise")


def favourable_midpoint(instrument) -> float:
    """Scale midpoint of an instrument's scores: (min + max) / 2, times the item count for sums.

    NaN for a continuous scale without bounds (:func:`compare` then reports no % favourable).

    :func:`compare` counts a score as favourable when it is above this midpoint.

    Examples
    --------
    A mean score on the 1-7 scale of the belonging-uncertainty items, and a sum of the 20 items of
    the Classroom Community Scale, each scored 0-4:

    >>> from belonging.groups import favourable_midpoint
    >>> favourable_midpoint("belonging_uncertainty")
    4.0
    >>> favourable_midpoint("ccs")
    40.0
    """
    from belonging.instruments import load_instrument

    inst = load_instrument(instrument)
    mid = (inst.response_scale.min + inst.response_scale.max) / 2
    if inst.scoring.method == "sum":
        mid *= len(inst.item_ids)
    return float(mid)


def _invariance_warning(invariance, by) -> Diagnostic | None:
    if invariance is None:
        return None
    level = getattr(invariance, "level", None)
    if level not in INVARIANCE_LEVELS:
        msg = f"`invariance` must have a .level in {', '.join(map(repr, INVARIANCE_LEVELS))}; got {level!r}"
        raise UsageError(msg)
    fitted = getattr(invariance, "group", None)
    if fitted is not None and str(fitted) != str(by):
        msg = (f"`invariance` was fitted across {fitted!r} but the comparison is by {by!r}; pass the invariance "
               f"result for the same grouping (belonging.invariance(..., group={by!r}))")
        raise UsageError(msg)
    if INVARIANCE_LEVELS.index(level) >= INVARIANCE_LEVELS.index("scalar"):
        return None
    if level == "undetermined":
        msg = (f"measurement invariance across {by} is undetermined (an invariance model did not converge); "
               "observed means may not be comparable across groups")
        return Diagnostic(Code.NONINVARIANT, msg, where=locate(by=by))
    msg = (f"scalar measurement invariance across {by} is not supported (highest level: {level}); "
           "observed means may not be comparable across groups, so differences in means can reflect "
           "how the items function rather than differences in belonging")
    return Diagnostic(Code.NONINVARIANT, msg, where=locate(by=by))


def compare(data, *, outcome: str, by: str, covariates=None, cluster: str | None = None,
            weights: str | None = None, strata: str | None = None, wave: str | None = None,
            model: str = "auto", confidence: float = 0.95, correction: str = "holm",
            posthoc: str = "games-howell", midpoint: float | None = None, instrument=None,
            invariance=None, participation=None, id_column: str = C.RESPONSE_ID,
            nan_policy: str = "omit", tests: str = "all") -> CompareResult:
    """Compare an outcome (e.g. a belonging score) across groups, with effect sizes and CIs.

    Parameters
    ----------
    data : pandas.DataFrame or Responses
        One row per response (scores from :func:`belonging.score` plus grouping columns).
    outcome : str
        Numeric outcome column.
    by : str
        Grouping column (cohort, participation mode ...). Groups keep a categorical's order, or
        are sorted; the first is the reference of the models.
    covariates : list of str, optional
        Adjust for these in the model (numeric as they are, others dummy coded).
    cluster : str, optional
        Nesting unit (e.g. course section): PSUs of the design when `weights` are given,
        cluster-robust SEs for OLS, random intercepts for the mixed model.
    weights : str, optional
        Sampling weights: descriptives and overall become design-based (Taylor linearisation).
    strata : str, optional
        Design strata (with `weights`); PSUs are nested within strata.
    wave : str, optional
        Survey wave column: adds change per group and a group-by-wave mixed model; the
        cross-sectional comparison uses the latest wave. Waves follow a categorical's category
        order, else their sorted values.
    model : {"auto", "ols", "mixed", "none"}
        "auto": mixed with a `cluster` and no `weights`, OLS with covariates (or clusters and
        weights), none otherwise.
    confidence : float, default 0.95
    correction : {"holm", "bh", "bonferroni", "none"}
        p-value adjustment over pairs (Benjamini-Hochberg is "bh").
    posthoc : {"games-howell", "tukey", "none"}
        Simultaneous procedure of the pairwise table ("none" leaves its columns missing, for a
        caller that shows only the Welch intervals and adjusted p).
    midpoint : float, optional
        Scale midpoint for % favourable. Default from `instrument`; without either the favourable
        columns are missing.
    instrument : Instrument or str, optional
        Source of the midpoint: (min + max) / 2 of the response scale (times the number of items
        for a sum score).
    invariance : object with ``.level``, optional
        Result of :func:`belonging.invariance` for the same grouping (a result whose ``group``
        differs from `by` is a usage error). A level below "scalar" adds a warning that observed
        means may not be comparable.
    participation : list of str, optional
        Participation measures for :func:`belonging.participation` (adjusted for `covariates`).
    id_column : str, default "response_id"
        Respondent id used only to pair responses across waves (never output).
    nan_policy : {"omit", "raise"}
        Rows with a missing value in a used column are dropped (and counted in ``notes``), or
        raise.
    tests : {"all", "rank"}
        Every test (default), or the rank-based ones alone: Kruskal-Wallis, Mann-Whitney and the
        rank-biserial correlation, with the mean-based columns of ``pairwise`` missing and no
        adjusted model. Use "rank" when the outcome is constant within every group, where the
        mean-based tests are undefined (see Raises).

    Returns
    -------
    CompareResult
        Tables ``descriptives``, ``overall``, ``omnibus``, ``pairwise`` and, as requested,
        ``model``, ``adjusted``, ``icc``, ``weighted_pairwise``, ``sample_descriptives``,
        ``participation``, ``waves``, ``wave_descriptives``, ``wave_model``; ``warnings``,
        ``notes``, ``summary()``, ``to_frame()``.

    Raises
    ------
    UsageError
        Unknown column or option, ``model="mixed"`` without `cluster`, `strata` without `weights`.
    DataValidationError
        Non-numeric outcome, fewer than two groups with two responses, non-positive weights, a
        stratum with a single PSU, a collinear model. An outcome constant within every group
        (e.g. 3, 3, 3 against 4, 4, 4) with ``tests="all"``: the mean-based tests are undefined, as
        R's ``t.test`` stops with "data are essentially constant"; ``tests="rank"`` then gives the
        rank-based tests, which are defined. One value overall: no test is defined.

    Notes
    -----
    Conditions that qualify the numbers are :class:`~belonging.diagnostics.Diagnostic` entries in
    ``warnings``: ``small_group`` (a group left out of the tests), ``constant_outcome`` (no spread
    within a group: the statistics that divide by it are missing), ``noninvariant`` (scalar
    invariance not supported), ``boundary`` (a mixed model's cluster variance estimated at 0),
    ``small_group`` for cluster-robust SEs on fewer than 20 clusters.

    *% favourable* is the percentage of respondents whose score lies strictly above the scale
    midpoint (for a 1-5 agreement scale, above 3 = "neither agree nor disagree"), with a Wilson
    score interval (design-based: the weighted share with a linearised SE and normal interval).
    Every comparison carries an effect size with its CI and the n behind it. Formulas, conventions
    and the R functions each statistic is validated against are in the docstrings of
    :mod:`belonging.groups.descriptives`, :mod:`~belonging.groups.tests`,
    :mod:`~belonging.groups.models`, :mod:`~belonging.groups.weighted`,
    :mod:`~belonging.groups.waves` and in docs/methods.md.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> import belonging as bl
    >>> rng = np.random.default_rng(5)
    >>> mode = np.repeat(["in_person", "online"], 200)
    >>> data = pd.DataFrame({"mode": mode, "score": rng.normal(50, 10, 400) - 4 * (mode == "online")})
    >>> result = bl.compare(data, outcome="score", by="mode")
    >>> print(result.descriptives[["group", "n", "mean", "ci_low", "ci_high"]].round(2).to_string(index=False))
        group   n  mean  ci_low  ci_high
    in_person 200 49.35   48.01    50.70
       online 200 45.61   44.26    46.96
    >>> print(result.pairwise[["group_a", "group_b", "difference", "hedges_g", "g_ci_low", "g_ci_high"]].round(2).to_string(index=False))
      group_a group_b  difference  hedges_g  g_ci_low  g_ci_high
    in_person  online        3.74      0.39      0.19       0.58
    """
    frame = getattr(data, "data", data)
    if not isinstance(frame, pd.DataFrame):
        msg = f"`data` must be a pandas DataFrame or Responses; got {type(data).__name__}"
        raise TypeError(msg)
    check_choice(model, "model", MODELS)
    check_choice(correction, "correction", CORRECTIONS)
    check_choice(posthoc, "posthoc", POSTHOCS)
    check_choice(nan_policy, "nan_policy", NAN_POLICIES)
    check_choice(tests, "tests", TESTS)
    check_fraction(confidence, "confidence")
    if confidence >= 1:
        msg = f"`confidence` must lie in (0, 1); got {confidence!r}"
        raise UsageError(msg)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates or [])
    measures = [participation] if isinstance(participation, str) else list(participation or [])
    if strata and not weights:
        msg = "`strata` needs `weights` (a design-based analysis); pass weights= as well"
        raise UsageError(msg)
    if model == "mixed" and not cluster:
        msg = "model='mixed' needs `cluster` (e.g. the course section) for the random intercepts"
        raise UsageError(msg)
    if tests == "rank" and model in ("ols", "mixed"):
        msg = f"model={model!r} is a mean-based model; it needs tests='all' (or leave model='auto')"
        raise UsageError(msg)
    design_cols = [c for c in (weights, strata, cluster) if c]
    used = [outcome, by, *covariates, *design_cols, *([wave] if wave else [])]
    check_columns(frame, [*used, *measures], "compare")
    if not pd.api.types.is_numeric_dtype(frame[outcome]):
        msg = f"`outcome`: column {outcome!r} is not numeric; name a score column"
        raise DataValidationError(msg)

    warnings: list[Diagnostic] = []
    notes: list[str] = []
    inv = _invariance_warning(invariance, by)
    if inv:
        warnings.append(inv)
    if midpoint is None and instrument is not None:
        midpoint = favourable_midpoint(instrument)
        if not np.isfinite(midpoint):  # a continuous scale without bounds has no midpoint
            midpoint = None

    base_cols = [outcome, by, *([wave] if wave else []), *([weights, strata] if weights else []),
                 *([cluster] if weights and cluster else [])]
    base_cols = list(dict.fromkeys(c for c in base_cols if c))
    missing = frame[base_cols].isna().any(axis=1)
    if missing.any():
        if nan_policy == "raise":
            i = int(np.flatnonzero(missing.to_numpy())[0])
            col = next(c for c in base_cols if pd.isna(frame[c].iloc[i]))
            msg = f"row {i + 1}: column {col!r} is missing (nan_policy='raise'); use nan_policy='omit' to drop such rows"
            raise DataValidationError(msg)
        notes.append(f"{int(missing.sum())} row(s) with a missing {', '.join(base_cols)} were left out")
    rows = frame.loc[~missing.to_numpy()]

    waves_tables = {}
    if wave:
        waves_tables = _waves(rows, outcome=outcome, by=by, wave=wave, id_column=id_column,
                              confidence=confidence, midpoint=midpoint)
        if "note" in waves_tables:
            notes.append(waves_tables.pop("note"))
        warnings.extend(waves_tables.pop("warnings"))
        latest = wave_levels(rows[wave])[-1]
        rows = rows.loc[(rows[wave] == latest).to_numpy()]
        notes.append(f"descriptives, tests and models use the latest wave ({wave} = {latest!r})")

    codes, levels = encode_groups(rows[by])
    y = rows[outcome].to_numpy(dtype=np.float64)
    groups, overall = descriptives_table(y, codes, levels, confidence=confidence, midpoint=midpoint)

    # tests need at least two responses per group, and mean-based ones spread within groups
    ty, tcodes, tlevels, spread = testable_groups(y, codes, levels, outcome=outcome, by=by, tests=tests)
    warnings.extend(spread)
    omni = omnibus(ty, tcodes, tlevels, confidence=confidence, tests=tests)
    pairs = pairwise(ty, tcodes, tlevels, confidence=confidence, correction=correction, posthoc=posthoc, tests=tests)
    if tests == "rank":
        notes.append("tests='rank': only the rank-based tests (Kruskal-Wallis, Mann-Whitney, rank-biserial r) were "
                     "computed; the mean-based columns of the pairwise table are missing and no model was fitted")

    weighted_pairs = sample_desc = None
    if weights:
        sample_desc = groups
        groups, overall, weighted_pairs = _weighted(rows, y, codes, levels, weights=weights, strata=strata,
                                                    cluster=cluster, confidence=confidence, midpoint=midpoint)
        notes.append("descriptives and overall are design-based (Taylor linearisation, with-replacement PSUs, "
                     "normal-quantile CIs as survey::svymean); tests and models are unweighted")

    kind = model
    if model == "auto":
        kind = "mixed" if (cluster and not weights) else ("ols" if (covariates or cluster) else "none")
    if tests == "rank":
        kind = "none"
    model_table = adjusted = icc = None
    variance = {}
    if kind != "none":
        model_table, adjusted, icc, variance, note = _model(rows, y, codes, levels, by=by, covariates=covariates,
                                                            cluster=cluster, kind=kind, confidence=confidence,
                                                            warnings=warnings)
        notes.append(note)

    part = None
    if measures:
        part = participation_table(rows, outcome=outcome, measures=measures, covariates=covariates,
                                   cluster=cluster, confidence=confidence)
        warnings.extend(part.attrs.get(WARNINGS, ()))
    logger.debug("compare %s by %s: %d rows, %d groups", outcome, by, len(rows), len(levels))
    return CompareResult(
        outcome=outcome, by=by, confidence=confidence, descriptives=groups, overall=overall, omnibus=omni,
        pairwise=pairs, model=model_table, adjusted=adjusted, model_kind=None if kind == "none" else kind,
        icc=icc, variance=MappingProxyType(variance), weighted_pairwise=weighted_pairs,
        sample_descriptives=sample_desc, participation=part, waves=waves_tables.get("waves"),
        wave_descriptives=waves_tables.get("wave_descriptives"), wave_model=waves_tables.get("wave_model"),
        wave_variance=MappingProxyType(waves_tables.get("wave_variance", {})),
        warnings=tuple(warnings), notes=tuple(notes),
    )


def _weighted(rows, y, codes, levels, *, weights, strata, cluster, confidence, midpoint):
    w = rows[weights]
    if not pd.api.types.is_numeric_dtype(w):
        msg = f"`weights`: column {weights!r} is not numeric"
        raise DataValidationError(msg)
    w = w.to_numpy(dtype=np.float64)
    bad = ~(np.isfinite(w) & (w > 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        msg = f"`weights`: column {weights!r} has a non-positive weight {w[i]!r} (row {i + 1}); weights must be > 0"
        raise DataValidationError(msg)
    psu = pd.factorize(rows[cluster])[0] if cluster else None
    st, st_labels = (pd.factorize(rows[strata], sort=True) if strata else (None, None))
    design = SurveyDesign(w, psu, st, strata_labels=None if st_labels is None else list(st_labels))
    groups, overall, pairs = design_means(y, codes, levels, design, confidence=confidence)
    if midpoint is not None:
        fg, fo, _ = design_means((y > midpoint).astype(np.float64), codes, levels, design, confidence=confidence)
        for out, fav in ((groups, fg), (overall, fo)):
            out[C.PERCENT_FAVOURABLE] = 100 * fav[C.MEAN].to_numpy()
            out[C.FAV_CI_LOW] = 100 * fav[C.CI_LOW].to_numpy()
            out[C.FAV_CI_HIGH] = 100 * fav[C.CI_HIGH].to_numpy()
    for out in (groups, overall):
        out[C.METHOD] = "design-based"
    return groups, overall, pairs


def _model(rows, y, codes, levels, *, by, covariates, cluster, kind, confidence, warnings):
    """The adjusted model's table, contrasts, ICC, variance components and note; its conditions go to `warnings`."""
    cols = [*covariates, *([cluster] if cluster else [])]
    ok = ~rows[cols].isna().any(axis=1).to_numpy() if cols else np.ones(len(rows), dtype=bool)
    sub = rows.loc[ok]
    design = build_design(sub, by=by, levels=levels, codes=codes[ok], covariates=covariates)
    present = np.bincount(codes[ok], minlength=len(levels)) > 0
    if not present.all():
        gone = [lv for lv, p in zip(levels, present) if not p]
        msg = f"the model has no complete rows for group(s) {', '.join(map(repr, gone))}; check the covariates"
        raise DataValidationError(msg)
    clus = pd.factorize(sub[cluster])[0] if cluster else None
    dropped = int((~ok).sum())
    extra = f"; {dropped} row(s) with missing covariates left out" if dropped else ""
    n_group = np.bincount(codes[ok], minlength=len(levels))
    if kind == "ols":
        table, beta, cov, df = fit_ols(design.x, y[ok], design.names, cluster=clus, confidence=confidence)
        adj = _with_n(contrasts(beta, cov, design.names, by=by, levels=levels, df=df, confidence=confidence), table, levels, n_group)
        se = "cluster-robust (CR1, t with G - 1 df)" if cluster else "HC3 (t with n - p df)"
        if cluster:
            warnings.extend(few_clusters(int(clus.max()) + 1, cluster, what="the adjusted OLS model"))
        return table, adj, None, {}, f"adjusted model: OLS with {se} standard errors{extra}"
    fit = fit_mixed(design.x, y[ok], design.names, clus)
    if fit.tau2 == 0:
        warnings.append(Diagnostic(
            Code.BOUNDARY,
            f"the variance between {cluster} clusters (tau2) is estimated at its boundary 0 (REML): the ICC is 0 "
            "and the mixed model's estimates equal OLS with model-based standard errors (lme4 calls this a "
            "singular fit); consider model='ols' with cluster-robust SEs",
            where=locate(model="mixed")))
    table = mixed_table(fit, confidence)
    adj = _with_n(contrasts(fit.beta, fit.cov, design.names, by=by, levels=levels, df=None, confidence=confidence), table, levels, n_group)
    variance = {C.TAU2: fit.tau2, C.SIGMA2: fit.sigma2, C.N_CLUSTERS: fit.n_clusters}
    note = (f"adjusted model: linear mixed model with a random intercept per {cluster} (REML), "
            f"Wald z intervals{extra}")
    return table, adj, fit.icc, variance, note


def _with_n(adjusted, table, levels, n_group):
    """The model's rows per group beside each adjusted difference (``n_a``, ``n_b``) and in the model table (``n``).

    Both tables are changed in place and `adjusted` is returned.
    """
    index = {level: i for i, level in enumerate(levels)}
    adjusted.insert(2, C.N_A, [int(n_group[index[g]]) for g in adjusted[C.GROUP_A]])
    adjusted.insert(3, C.N_B, [int(n_group[index[g]]) for g in adjusted[C.GROUP_B]])
    table[C.N] = int(n_group.sum())
    return adjusted


def _waves(rows, *, outcome, by, wave, id_column, confidence, midpoint):
    change = wave_change(rows, outcome=outcome, by=by, wave=wave, id_column=id_column, confidence=confidence)
    parts = []
    for wl in wave_levels(rows[wave]):
        sub = rows.loc[(rows[wave] == wl).to_numpy()]
        codes, levels = encode_groups(sub[by])
        g, _ = descriptives_table(sub[outcome].to_numpy(dtype=np.float64), codes, levels,
                                  confidence=confidence, midpoint=midpoint)
        g.insert(0, C.WAVE, wl)
        parts.append(g)
    out = {"waves": change, "wave_descriptives": pd.concat(parts, ignore_index=True), "warnings": []}
    if rows[wave].nunique() > 1:
        table, variance = wave_model(rows, outcome=outcome, by=by, wave=wave, id_column=id_column,
                                     confidence=confidence)
        out["wave_model"] = table
        out["wave_variance"] = variance
        if not variance:
            out["note"] = (f"no respondent ({id_column}) appears in two waves: change is between independent "
                           "samples and the group-by-wave model is OLS without a person intercept")
        elif variance.get(C.TAU2) == 0:
            out["warnings"].append(Diagnostic(
                Code.BOUNDARY,
                "the variance between respondents (tau2) of the group-by-wave model is estimated at its boundary 0 "
                "(REML): the person intercept adds nothing and its standard errors equal OLS ones",
                where=locate(model="wave_model")))
    return out
