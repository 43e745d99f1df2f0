"""Privacy-safe cohort reports: results -> report model -> HTML and PDF.

>>> import belonging as bl                                              # doctest: +SKIP
>>> report = bl.build_report(responses, "ccs", by="cohort", cohort="2025-Fall")  # doctest: +SKIP
>>> html = bl.report.render_html(report)                                 # doctest: +SKIP
"""

from belonging.report.build import (
    ReportContext,
    build_report,
    cohort_report,
    index_report,
    prepare_context,
    read_roster,
)
from belonging.report.html import render_html
from belonging.report.model import Figure, Metric, Note, Report, Section, Table
from belonging.report.pdf import render_pdf
from belonging.report.suppression import suppress_counts
from belonging.report.write import WriteResult, write_reports

__all__ = [
    "Figure",
    "Metric",
    "Note",
    "Report",
    "ReportContext",
    "Section",
    "Table",
    "WriteResult",
    "build_report",
    "cohort_report",
    "index_report",
    "prepare_context",
    "read_roster",
    "render_html",
    "render_pdf",
    "suppress_counts",
    "write_reports",
]
