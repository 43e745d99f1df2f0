"""belonging: trustworthy sense-of-belonging measurement from raw survey exports.

The public API, written out by hand. Names load lazily on first use so that ``import belonging`` and
``belonging --help`` stay fast (no pandas, statsmodels or matplotlib until they are needed).

>>> import belonging as bl
>>> bl.load_instrument("ccs").id
'ccs'
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    # errors
    "BelongingError": "belonging.errors",
    "DataValidationError": "belonging.errors",
    "IngestError": "belonging.errors",
    "InstrumentError": "belonging.errors",
    "MappingError": "belonging.errors",
    "ScoringError": "belonging.errors",
    "UsageError": "belonging.errors",
    "OutputError": "belonging.errors",
    # instruments
    "Instrument": "belonging.instruments",
    "list_instruments": "belonging.instruments",
    "load_instrument": "belonging.instruments",
    # ingest and mapping
    "Responses": "belonging.ingest",
    "read_export": "belonging.ingest",
    "Mapping": "belonging.mapping",
    "load_mapping": "belonging.mapping",
    "map_items": "belonging.mapping",
    "item_frame": "belonging.mapping",
    "propose_mapping": "belonging.ingest.propose",
    # scoring
    "score": "belonging.scoring",
    "score_items": "belonging.scoring",
    "reverse_items": "belonging.scoring",
    # response quality
    "check_quality": "belonging.quality",
    "QualityReport": "belonging.quality",
    "Policy": "belonging.quality",
    "load_policy": "belonging.quality",
    # confirmatory factor analysis and measurement invariance
    "cfa": "belonging.psychometrics.cfa",
    "CFAResult": "belonging.psychometrics.cfa",
    "invariance": "belonging.psychometrics.invariance",
    "InvarianceResult": "belonging.psychometrics.invariance",
    # reliability, item analysis and exploratory factor analysis
    "reliability": "belonging.psychometrics.reliability",
    "ReliabilityResult": "belonging.psychometrics.reliability",
    "efa": "belonging.psychometrics.efa",
    "EFAResult": "belonging.psychometrics.efa",
    "parallel_analysis": "belonging.psychometrics.efa",
    "ParallelResult": "belonging.psychometrics.efa",
    # reports
    "build_report": "belonging.report",
    "write_reports": "belonging.report",
    # cohort and participation-mode comparisons
    "compare": "belonging.groups",
    "CompareResult": "belonging.groups",
    "participation": "belonging.groups",
    # survey building: instrument -> importable survey and the mapping its export needs
    "build_survey": "belonging.survey",
    "BuiltSurvey": "belonging.survey",
    # participation logs (learning platforms, video meetings) joined to belonging by keyed pseudonym
    "read_activity": "belonging.activity",
    "participation_features": "belonging.activity",
    "join_activity": "belonging.activity",
}

# subpackages reachable as attributes (``bl.plots.plot_likert(...)``), also loaded on first use
_SUBMODULES = ("plots", "report")

__all__ = ["__version__", *_EXPORTS, *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"belonging.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module 'belonging' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
