"""Quality policy: which reasons exclude a response, which only flag it, and every threshold.

A policy is data, read from TOML (``--policy POLICY.toml``) or built in code::

    # policy.toml (every table and key is optional; omitted ones keep the defaults below)
    [actions]                 # reason = "exclude" | "flag" | "off"
    speeder = "exclude"
    mahalanobis = "off"

    [thresholds]
    speeder_fraction = 0.25
    mahalanobis_p = 0.0001

    [duplicates]
    columns = ["email"]       # identifier columns that mark the same person (default: detected)

    [[attention_checks]]      # items with an expected answer, besides the instrument's own
    column = "Q12"
    expected = [4]

Defaults are conservative: exclude previews/tests, duplicates (the first copy is kept), responses with
an answer outside the scale or an unknown label, and responses with nothing answered; only flag
everything else (speeders, unfinished, too few items answered, failed attention checks and
careless-responding outliers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from belonging.errors import UsageError, suggest

__all__ = ["ACTIONS", "DEFAULT_ACTIONS", "DEFAULT_THRESHOLDS", "REASONS", "AttentionRule", "Policy", "as_policy", "load_policy"]

#: Reason codes, in the order they are listed in ``reasons``.
REASONS = (
    "preview",
    "duplicate",
    "out_of_range",
    "unknown_label",
    "no_answers",
    "missing_items",
    "incomplete",
    "speeder",
    "attention_check",
    "longstring",
    "irv",
    "mahalanobis",
    "even_odd",
    "synonyms",
)
ACTIONS = ("exclude", "flag", "off")

DEFAULT_ACTIONS = MappingProxyType(
    {
        "preview": "exclude",
        "duplicate": "exclude",
        "out_of_range": "exclude",
        "unknown_label": "exclude",
        "no_answers": "exclude",
        "missing_items": "flag",
        "incomplete": "flag",
        "speeder": "flag",
        "attention_check": "flag",
        "longstring": "flag",
        "irv": "flag",
        "mahalanobis": "flag",
        "even_odd": "flag",
        "synonyms": "flag",
    }
)

#: Thresholds with their defaults and meaning (printed in every summary).
DEFAULT_THRESHOLDS = MappingProxyType(
    {
        "speeder_fraction": 1 / 3,
        "speeder_seconds_per_item": 2.0,
        "longstring_fraction": 0.8,
        "irv_min": 0.0,
        "mahalanobis_p": 0.001,
        "even_odd_max": -0.30,
        "even_odd_min_subscales": 4,
        "synonyms_critval": 0.60,
        "synonyms_min": -0.1,
        "antonyms_max": 0.1,
    }
)

THRESHOLD_HELP = MappingProxyType(
    {
        "speeder_fraction": "speeder if duration_s < this fraction of the median duration ...",
        "speeder_seconds_per_item": "... or < this many seconds per item, whichever cut-off is higher",
        "longstring_fraction": "longstring if the longest run of identical answers covers >= this fraction of the items",
        "irv_min": "irv if the SD of a response's answers is <= this",
        "mahalanobis_p": "mahalanobis if the chi-square p of D^2 (df = items) is < this",
        "even_odd_max": "even_odd if the (negated, Spearman-Brown) even-odd index is > this",
        "even_odd_min_subscales": "even_odd is judged only with at least this many subscales (a correlation over fewer points is too noisy)",
        "synonyms_critval": "item pairs correlating beyond +/- this are psychometric synonyms/antonyms",
        "synonyms_min": "synonyms if the psychometric-synonym correlation is < this ...",
        "antonyms_max": "... or the psychometric-antonym correlation is > this",
    }
)

_FIXED = {"preview": ("exclude",)}  # previews are set aside at ingest: they can never be scored


@dataclass(frozen=True)
class AttentionRule:
    """An attention-check column and the codes that pass it.

    Examples
    --------
    Column ``Q12`` asked respondents to answer 4; row 2 answered 1:

    >>> import pandas as pd
    >>> import belonging as bl
    >>> from belonging.quality import AttentionRule, Policy
    >>> items = ["belonging_uncertainty_01", "belonging_uncertainty_02", "belonging_uncertainty_03"]
    >>> data = pd.DataFrame([[5, 4, 6, 4], [6, 2, 5, 1], [3, 3, 4, 4]], columns=[*items, "Q12"])
    >>> policy = Policy(attention_checks=(AttentionRule(column="Q12", expected=(4.0,)),))
    >>> report = bl.check_quality(data, "belonging_uncertainty", policy=policy)
    >>> print(report.rows[["source_row", "status", "reasons"]].to_string(index=False))
     source_row  status         reasons
              1    kept
              2 flagged attention_check
              3    kept
    >>> print(report.issues.loc[0, "message"])
    row 2, column 'Q12': attention check answered '1', expected 4
    """

    column: str
    expected: tuple[float, ...]


@dataclass(frozen=True)
class Policy:
    """What each reason does to a response, and the thresholds of the checks.

    Attributes
    ----------
    actions : mapping
        ``{reason: "exclude" | "flag" | "off"}`` for every code in :data:`REASONS`.
    thresholds : mapping
        Every key of :data:`DEFAULT_THRESHOLDS`.
    duplicate_columns : tuple of str or None
        Identifier columns whose repeated values mark the same person (within a wave); None detects
        e-mail, student/person id, external reference and user name columns.
    attention_checks : tuple of AttentionRule
        Extra attention checks (the instrument's own are always used).
    source : str or None
        The TOML file the policy came from.

    Examples
    --------
    Defaults for everything not given; copies with some actions or thresholds changed:

    >>> from belonging.quality import Policy
    >>> policy = Policy().with_actions(speeder="exclude").with_thresholds(speeder_fraction=0.25)
    >>> policy.action("speeder"), policy.action("longstring"), policy.thresholds["speeder_fraction"]
    ('exclude', 'flag', 0.25)
    >>> print(policy.to_frame().iloc[[7, 14]].to_string(index=False))
                       setting   value                                                        description
                action.speeder exclude
    threshold.speeder_fraction    0.25 speeder if duration_s < this fraction of the median duration ...

    An unknown reason or action is a :class:`~belonging.errors.UsageError` that names the options:

    >>> Policy(actions={"speeder": "drop"})
    Traceback (most recent call last):
    ...
    belonging.errors.UsageError: policy: [actions] speeder must be one of: 'exclude', 'flag', 'off'; got 'drop'
    >>> Policy(actions={"speder": "flag"})
    Traceback (most recent call last):
    ...
    belonging.errors.UsageError: policy: unknown [actions] key 'speder' (did you mean 'speeder'?); allowed: ...
    """

    actions: MappingProxyType = field(default_factory=lambda: DEFAULT_ACTIONS)
    thresholds: MappingProxyType = field(default_factory=lambda: DEFAULT_THRESHOLDS)
    duplicate_columns: tuple[str, ...] | None = None
    attention_checks: tuple[AttentionRule, ...] = ()
    source: str | None = None

    def __post_init__(self):
        actions = dict(DEFAULT_ACTIONS)
        for reason, action in dict(self.actions).items():
            _check_key(reason, REASONS, "actions", self.source)
            allowed = _FIXED.get(reason, ACTIONS)
            if action not in allowed:
                msg = f"{self.source or 'policy'}: [actions] {reason} must be one of: {', '.join(map(repr, allowed))}; got {action!r}"
                raise UsageError(msg)
            actions[reason] = action
        thresholds = dict(DEFAULT_THRESHOLDS)
        for key, value in dict(self.thresholds).items():
            _check_key(key, DEFAULT_THRESHOLDS, "thresholds", self.source)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                msg = f"{self.source or 'policy'}: [thresholds] {key} must be a finite number; got {value!r}"
                raise UsageError(msg)
            thresholds[key] = float(value)
        for key in ("speeder_fraction", "longstring_fraction", "mahalanobis_p", "synonyms_critval"):
            if not 0 <= thresholds[key] <= 1:
                msg = f"{self.source or 'policy'}: [thresholds] {key} must lie in [0, 1]; got {thresholds[key]!r}"
                raise UsageError(msg)
        if thresholds["speeder_seconds_per_item"] < 0:
            msg = f"{self.source or 'policy'}: [thresholds] speeder_seconds_per_item must be >= 0"
            raise UsageError(msg)
        object.__setattr__(self, "actions", MappingProxyType(actions))
        object.__setattr__(self, "thresholds", MappingProxyType(thresholds))
        if self.duplicate_columns is not None:
            object.__setattr__(self, "duplicate_columns", tuple(str(c) for c in self.duplicate_columns))
        object.__setattr__(self, "attention_checks", tuple(self.attention_checks))

    def action(self, reason: str) -> str:
        """The action for `reason`."""
        return self.actions[reason]

    def with_actions(self, **actions) -> Policy:
        """A copy with some actions changed, e.g. ``policy.with_actions(speeder="exclude")``."""
        return replace(self, actions=MappingProxyType({**self.actions, **actions}))

    def with_thresholds(self, **thresholds) -> Policy:
        """A copy with some thresholds changed."""
        return replace(self, thresholds=MappingProxyType({**self.thresholds, **thresholds}))

    def to_dict(self) -> dict:
        """Plain dict (the TOML structure) for manifests and JSON."""
        return {
            "actions": dict(self.actions),
            "thresholds": dict(self.thresholds),
            "duplicates": {"columns": list(self.duplicate_columns) if self.duplicate_columns is not None else "auto"},
            "attention_checks": [{"column": a.column, "expected": list(a.expected)} for a in self.attention_checks],
            "source": self.source,
        }

    def to_frame(self):
        """One row per setting: ``setting``, ``value``, ``description``."""
        import pandas as pd

        from belonging import _columns as C

        rows = [(f"action.{r}", self.actions[r], "") for r in REASONS]
        rows += [(f"threshold.{k}", f"{v:g}", THRESHOLD_HELP[k]) for k, v in self.thresholds.items()]
        dup = ", ".join(self.duplicate_columns) if self.duplicate_columns is not None else "auto"
        rows.append(("duplicates.columns", dup, "identifier columns marking the same person (within a wave)"))
        for a in self.attention_checks:
            rows.append((f"attention_check.{a.column}", ",".join(f"{e:g}" for e in a.expected), "expected answer(s)"))
        return pd.DataFrame(rows, columns=[C.SETTING, C.VALUE, C.DESCRIPTION])


def _check_key(key, options, table, source):
    if key not in options:
        msg = f"{source or 'policy'}: unknown [{table}] key {key!r}{suggest(key, list(options))}; allowed: {', '.join(options)}"
        raise UsageError(msg)


def _from_dict(data: dict, source: str | None) -> Policy:
    where = source or "policy"
    unknown = sorted(set(data) - {"actions", "thresholds", "duplicates", "attention_checks"})
    if unknown:
        msg = f"{where}: unknown table {unknown[0]!r}{suggest(unknown[0], ['actions', 'thresholds', 'duplicates', 'attention_checks'])}"
        raise UsageError(msg)
    for name in ("actions", "thresholds", "duplicates"):
        if not isinstance(data.get(name, {}), dict):
            msg = f"{where}: [{name}] must be a table"
            raise UsageError(msg)
    dup = data.get("duplicates", {}).get("columns")
    if dup is not None and (not isinstance(dup, list) or not all(isinstance(c, str) for c in dup)):
        msg = f"{where}: [duplicates] columns must be a list of column names"
        raise UsageError(msg)
    rules = []
    checks = data.get("attention_checks", [])
    if not isinstance(checks, list):
        msg = f"{where}: attention_checks must be written as [[attention_checks]] tables"
        raise UsageError(msg)
    for pos, ac in enumerate(checks, start=1):
        col = ac.get("column") if isinstance(ac, dict) else None
        exp = ac.get("expected") if isinstance(ac, dict) else None
        if isinstance(exp, int | float) and not isinstance(exp, bool):
            exp = [exp]
        if not isinstance(col, str) or not isinstance(exp, list) or not exp or not all(isinstance(e, int | float) and not isinstance(e, bool) for e in exp):
            msg = f"{where}: attention_checks[{pos}] needs column = \"NAME\" and expected = a code or a list of codes"
            raise UsageError(msg)
        rules.append(AttentionRule(column=col, expected=tuple(float(e) for e in exp)))
    return Policy(
        actions=MappingProxyType(dict(data.get("actions", {}))),
        thresholds=MappingProxyType(dict(data.get("thresholds", {}))),
        duplicate_columns=tuple(dup) if dup is not None else None,
        attention_checks=tuple(rules),
        source=source,
    )


def load_policy(path) -> Policy:
    """Read a policy TOML file (see the module docstring for the format).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    Policy
        Defaults for everything the file does not set; ``source`` records the file.

    Raises
    ------
    UsageError
        The file is missing or unreadable, not TOML, or names an unknown reason, action or threshold.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import belonging as bl
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name) / "policy.toml"
    >>> _ = path.write_text('[actions]\\nspeeder = "exclude"\\n\\n[thresholds]\\nspeeder_fraction = 0.25\\n')
    >>> policy = bl.load_policy(path)
    >>> policy.actions["speeder"], policy.thresholds["speeder_fraction"]
    ('exclude', 0.25)
    >>> policy.actions["longstring"]
    'flag'
    >>> folder.cleanup()
    """
    from belonging._text_files import read_toml_file

    _, data = read_toml_file(path, what="policy file", option="--policy")
    return _from_dict(data, str(path))


def as_policy(policy) -> Policy:
    """None -> defaults; a :class:`Policy` as is; a dict in the TOML structure; else a TOML path.

    Examples
    --------
    >>> from belonging.quality import Policy, as_policy
    >>> as_policy(None) == Policy()
    True
    >>> policy = as_policy({"actions": {"mahalanobis": "off"}, "thresholds": {"speeder_fraction": 0.25}})
    >>> policy.action("mahalanobis"), policy.thresholds["speeder_fraction"]
    ('off', 0.25)
    >>> as_policy(policy) is policy
    True
    >>> as_policy(3)
    Traceback (most recent call last):
    ...
    TypeError: `policy` must be a Policy, a dict or a path to a TOML file; got int
    """
    if policy is None:
        return Policy()
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, dict):
        return _from_dict(policy, None)
    if isinstance(policy, str | Path):
        return load_policy(policy)
    msg = f"`policy` must be a Policy, a dict or a path to a TOML file; got {type(policy).__name__}"
    raise TypeError(msg)
