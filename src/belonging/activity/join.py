"""Participation features on disk (Parquet with a pseudonymous key) and joined to survey responses.

The participation file holds ``student_key`` (the keyed pseudonym), ``course``, ``section`` and the
features; its metadata records the key's fingerprint, the roster column the key was made from and the
matching counts. A survey is linked by pseudonymising its own copy of that identifier (e.g. the
``student_id`` or ``email`` column of the export) with the same key file when it is read: the
identifier itself is never joined, kept or written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from belonging import _columns as C
from belonging.diagnostics import Code, Diagnostic
from belonging.errors import DataValidationError, IngestError, UsageError, suggest
from belonging.store.keys import key_id, load_key, pseudonymise

__all__ = ["ActivityRelations", "join_activity", "read_participation", "relate_participation",
           "write_participation"]

_META = b"belonging.participation"


def write_participation(features: pd.DataFrame, path, *, log) -> None:
    """Write `features` (from :func:`participation_features`) to a Parquet file, atomically.

    The file's metadata holds the key fingerprint, the roster key column, the time zone, the time
    window of :meth:`ActivityLog.between` (UTC, ``[None, None]`` for none) and the matching counts per
    file (counts only).

    Examples
    --------
    >>> import pandas as pd
    >>> import tempfile, pathlib
    >>> import belonging as bl
    >>> from belonging.activity import read_participation, write_participation
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "zoom.csv").write_text(
    ...     "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\\n"
    ...     "Ana Pérez,ana@uni.example,03/20/2026 09:00:00 AM,03/20/2026 09:50:00 AM,50,No\\n")
    >>> roster = pd.DataFrame({"student_id": ["S1", "S2"], "email": ["ana@uni.example", "bo@uni.example"]})
    >>> log = bl.read_activity({"zoom": folder / "zoom.csv"}, roster=roster, key=bytes(32))
    >>> write_participation(bl.participation_features(log), folder / "participation.parquet", log=log)
    >>> table, meta = read_participation(folder / "participation.parquet")
    >>> table["live_minutes"].tolist(), meta["key_column"], meta["matching"][0]["matched"]
    ([50.0, 0.0], 'student_id', 1)
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from belonging._io import atomic_path

    unknown = [c for c in features.columns if c not in (C.STUDENT_KEY, C.COURSE, C.SECTION, *C.FEATURES)]
    if unknown:
        msg = f"participation features: unexpected column {unknown[0]!r}; only keys, courses, sections and features are written"
        raise UsageError(msg)
    _check_unique(features, "participation features")
    meta = {"key_id": log.key_id, "key_column": log.key_column, "timezone": log.timezone,
            "matching": log.matching.to_dict(orient="records"), "format": 1,
            "window": [None if t is None else t.isoformat() for t in getattr(log, "window", (None, None))]}
    table = pa.Table.from_pandas(features, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _META: json.dumps(meta).encode()})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def read_participation(path) -> tuple[pd.DataFrame, dict]:
    """A participation file and its metadata (see :func:`write_participation`).

    Raises
    ------
    IngestError
        No such file, or not a participation file.

    Examples
    --------
    >>> from belonging.activity import read_participation
    >>> read_participation("missing.parquet")
    Traceback (most recent call last):
    ...
    belonging.errors.IngestError: missing.parquet: no such participation file; make one with `belonging participation build`
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    try:
        table = pq.read_table(path)
    except FileNotFoundError:
        msg = f"{path}: no such participation file; make one with `belonging participation build`"
        raise IngestError(msg) from None
    except (pa.ArrowInvalid, OSError) as err:
        msg = f"{path}: not a participation file ({err}); make one with `belonging participation build`"
        raise IngestError(msg) from None
    raw = (table.schema.metadata or {}).get(_META)
    if raw is None or C.STUDENT_KEY not in table.column_names:
        msg = f"{path}: not a participation file (no {C.STUDENT_KEY!r}); make one with `belonging participation build`"
        raise IngestError(msg)
    return table.to_pandas(), json.loads(raw)


def _check_unique(features: pd.DataFrame, where) -> None:
    """One row per student and course, or a :class:`DataValidationError` (counts only)."""
    twice = features.duplicated([C.STUDENT_KEY, C.COURSE]) if C.COURSE in features else features[C.STUDENT_KEY].duplicated()
    if twice.any():
        msg = (f"{where}: {int(twice.sum())} student(s) have more than one row for one course; a participation "
               "table holds one row per student and course; rebuild it with `belonging participation build`")
        raise DataValidationError(msg)


def _features_of(activity):
    if isinstance(activity, pd.DataFrame):
        features, meta, where = activity, {}, "participation features"
    else:
        (features, meta), where = read_participation(activity), str(activity)
    if C.STUDENT_KEY not in features:
        msg = f"{where}: no {C.STUDENT_KEY!r} column; give a table from `belonging participation build`"
        raise UsageError(msg)
    _check_unique(features, where)
    return features, meta


def join_activity(data: pd.DataFrame, activity, *, key, link_column: str | None = None,
                  course_column: str | None = None, prefix: str = "log_") -> pd.DataFrame:
    """Add measured participation features to survey rows, linked through the keyed pseudonym.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey rows (one per response).
    activity : path or pandas.DataFrame
        A participation file from ``belonging participation build`` (or its features table).
    key : bytes or path
        The key or key file the participation file was made with.
    link_column : str, optional
        The column of `data` that holds the identifier the roster key was made from (default: the
        roster's key column name, e.g. ``student_id``). It is pseudonymised here, never copied.
    course_column : str, optional
        Column of `data` naming the course, when students have features in several courses.
    prefix : str, default "log_"
        Put before each feature name (``log_forum_posts``), so measured and self-reported columns of
        the same name stay apart.

    Returns
    -------
    pandas.DataFrame
        `data` (same rows, same order) with one column per feature; missing where a response has no
        participation record.

    Raises
    ------
    UsageError
        The key is not the one the file was made with; no link column; features in several courses
        and no `course_column`.

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.activity import join_activity
    >>> from belonging.store.keys import pseudonymise
    >>> key = bytes(32)
    >>> features = pd.DataFrame({"student_key": pseudonymise(["S1", "S2"], key), "course": "BIO101",
    ...                          "section": None, "forum_posts": [4.0, 0.0]})
    >>> survey = pd.DataFrame({"student_id": ["S2", "S1", "S9"], "belonging": [3.1, 4.2, 3.5]})
    >>> print(join_activity(survey, features, key=key, link_column="student_id").to_string(index=False))
    student_id  belonging  log_forum_posts
            S2        3.1              0.0
            S1        4.2              4.0
            S9        3.5              NaN
    """
    features, meta = _features_of(activity)
    key = key if isinstance(key, bytes | bytearray) else load_key(key)
    if meta.get("key_id") and meta["key_id"] != key_id(bytes(key)):
        msg = ("the participation file was made with another key file (key fingerprints differ); give the key "
               "file used by `belonging participation build`")
        raise UsageError(msg)
    link = link_column or meta.get("key_column")
    if link is None or link not in data.columns:
        wanted = link or "the roster's key column"
        msg = (f"the survey has no column {wanted!r} to link responses to participation records"
               f"{suggest(str(link), data.columns) if link else ''}; give the survey column that holds the same "
               "identifier as the roster's key column")
        raise UsageError(msg)
    names = [c for c in features.columns if c in C.FEATURES]
    right = features[[C.STUDENT_KEY, C.COURSE, *names]].rename(columns={f: prefix + f for f in names})
    left = pd.DataFrame({C.STUDENT_KEY: pseudonymise(data[link], bytes(key)).to_numpy()}, index=data.index)
    on = [C.STUDENT_KEY]
    if course_column is not None:
        if course_column not in data.columns:
            msg = f"`course_column`: {course_column!r} is not a survey column{suggest(course_column, data.columns)}"
            raise UsageError(msg)
        left[C.COURSE] = data[course_column].astype("string").to_numpy()
        right = right.astype({C.COURSE: "string"})
        on.append(C.COURSE)
    elif right[C.STUDENT_KEY].duplicated().any():
        msg = ("students have participation records in several courses; give the survey's course column "
               "(course_column / --activity-course) to pick the course of each response")
        raise UsageError(msg)
    # many to one: a left join that keeps every survey row once, in order (whatever data's index holds)
    merged = left.reset_index(drop=True).merge(right.drop(columns=[c for c in (C.COURSE,) if c not in on]),
                                               on=on, how="left", validate="many_to_one")
    out = data.copy()
    for col in (prefix + f for f in names):
        out[col] = merged[col].to_numpy()
    return out


@dataclass(frozen=True)
class ActivityRelations:
    """Belonging against each measured participation feature (one model per feature).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per feature: the columns of :func:`belonging.participation` (``measure``, ``n``,
        ``beta``, ``se``, ``statistic``, ``df``, ``p_value``, ``ci_low``, ``ci_high``,
        ``partial_r``, ``r_ci_low``, ``r_ci_high``, ``se_method``, ``confidence``).
    linked : int
        Responses with a participation record.
    warnings : tuple of Diagnostic
        Features left out (constant, too few responses) and why.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from belonging.activity import relate_participation
    >>> rng = np.random.default_rng(4)
    >>> data = pd.DataFrame({"log_forum_posts": rng.poisson(4, 200), "log_chat_messages": np.zeros(200)})
    >>> data["belonging"] = 40 + 0.8 * data["log_forum_posts"] + rng.normal(0, 4, 200)
    >>> print(relate_participation(data, outcome="belonging").summary())
    200 response(s) linked to participation records
    log_forum_posts: beta 0.35 [0.23, 0.47], partial r 0.35, n 200
    warning: undetermined: log_chat_messages left out: participation: column 'log_chat_messages' is constant in the complete rows; it cannot be standardized
    """

    table: pd.DataFrame
    linked: int
    warnings: tuple = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        """The table of associations."""
        return self.table

    def summary(self) -> str:
        """Standardized association of the outcome with each feature, with its CI and n."""
        lines = [f"{self.linked} response(s) linked to participation records"]
        for _, r in self.table.iterrows():
            lines.append(f"{r[C.MEASURE]}: beta {r[C.BETA]:.2f} [{r[C.CI_LOW]:.2f}, {r[C.CI_HIGH]:.2f}], "
                         f"partial r {r[C.PARTIAL_R]:.2f}, n {int(r[C.N])}")
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def relate_participation(data: pd.DataFrame, *, outcome: str, features=None, covariates=None,
                         cluster: str | None = None, confidence: float = 0.95) -> ActivityRelations:
    """Belonging against each measured feature, each in its own :func:`belonging.participation` model.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey rows with the features joined (:func:`join_activity`).
    outcome : str
        The belonging score column.
    features : list of str, optional
        Feature columns (default: every ``log_`` column of `data`).
    covariates : list of str, optional
        Adjust every model for these columns.
    cluster : str, optional
        Nesting unit (course section): cluster-robust standard errors.
    confidence : float, default 0.95

    Returns
    -------
    ActivityRelations

    Notes
    -----
    Each feature is entered alone (with the covariates), so each row answers "how does belonging
    differ with this form of participation"; :func:`belonging.participation` estimates the
    standardized coefficient, its robust CI and the partial correlation (validated there against R).
    A feature that is constant or missing for too many responses is left out with a warning.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from belonging.activity import relate_participation
    >>> rng = np.random.default_rng(3)
    >>> data = pd.DataFrame({"log_forum_posts": rng.poisson(4, 300), "log_live_minutes": rng.gamma(2, 30, 300)})
    >>> data["belonging"] = 40 + 0.8 * data["log_forum_posts"] + rng.normal(0, 4, 300)
    >>> rel = relate_participation(data, outcome="belonging")
    >>> print(rel.table[["measure", "n", "beta", "partial_r"]].round(2).to_string(index=False))
             measure   n  beta  partial_r
     log_forum_posts 300  0.26       0.26
    log_live_minutes 300 -0.08      -0.08
    """
    from belonging.groups import participation

    features = list(features) if features is not None else [c for c in data.columns if str(c).startswith("log_")]
    if not features:
        msg = "no participation features to relate; join them first (join_activity) or name them"
        raise UsageError(msg)
    rows, warnings = [], []
    linked = int(data[features].notna().any(axis=1).sum())
    for feature in features:
        try:
            rows.append(participation(data, outcome=outcome, measures=[feature], covariates=covariates,
                                      cluster=cluster, confidence=confidence))
        except DataValidationError as err:
            warnings.append(Diagnostic(Code.UNDETERMINED, f"{feature} left out: {err}", where=feature))
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=[C.MEASURE, C.N, C.BETA])
    return ActivityRelations(table=table, linked=linked, warnings=tuple(warnings))
