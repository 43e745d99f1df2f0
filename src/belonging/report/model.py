"""The report model: plain frozen dataclasses between the results and the renderers.

A :class:`Report` is a title, a tuple of :class:`Section` objects and a provenance record. A section
holds nodes: :class:`Metric` (a key figure), :class:`Table` (a DataFrame plus display hints and a
suppression mask), :class:`Figure` (PNG or SVG bytes plus alt text) and :class:`Note` (a paragraph).
Nothing here knows about HTML or PDF; the renderers in :mod:`belonging.report.html` and
:mod:`belonging.report.pdf` dispatch on the node type. Notebooks can build a report, change it with
:func:`dataclasses.replace` and render it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["NOTE_KINDS", "Figure", "Metric", "Note", "Report", "Section", "Table"]

NOTE_KINDS = ("info", "warning", "suppressed", "method")


def _frozen_map(value=None) -> MappingProxyType:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class Note:
    """A paragraph of text; ``kind`` is one of ``"info"``, ``"warning"``, ``"suppressed"``, ``"method"``.

    Examples
    --------
    >>> from belonging.report import Note
    >>> note = Note("Groups with fewer than 10 respondents are not shown.", "suppressed")
    >>> note.kind
    'suppressed'
    >>> Note("Scores are sums of the 20 items.")
    Note(text='Scores are sums of the 20 items.', kind='info')
    """

    text: str
    kind: str = "info"


@dataclass(frozen=True)
class Metric:
    """A key figure: a label, its value already formatted, and a detail line (e.g. the CI).

    ``suppressed`` marks a value withheld for privacy; the value is then not shown at all.

    Examples
    --------
    >>> from belonging.report import Metric
    >>> Metric("Mean score", "39.65", "95% CI 34.60 to 44.71")
    Metric(label='Mean score', value='39.65', detail='95% CI 34.60 to 44.71', suppressed=False)
    >>> Metric("Mean score", "", suppressed=True).suppressed
    True
    """

    label: str
    value: str
    detail: str = ""
    suppressed: bool = False


@dataclass(frozen=True, eq=False)
class Table:
    """A table: a tidy DataFrame plus how to show it.

    Attributes
    ----------
    data : pandas.DataFrame
        The values, with ``belonging._columns`` names. Suppressed cells are already blanked (NaN).
    caption : str
    headers : Mapping
        Display text per column (default: the column name).
    formats : Mapping
        Format spec per column for numbers, e.g. ``".2f"``, ``".0%"``, ``"d"``.
    suppressed : pandas.DataFrame or None
        Boolean mask, same shape as `data`: cells withheld for privacy (shown as "suppressed").
    links : Mapping
        Per column, a tuple with one relative link (or None) per row.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from belonging.report import Table
    >>> data = pd.DataFrame({"group": ["Online", "On campus"], "n": [42, np.nan], "mean": [2.513, np.nan]})
    >>> hidden = pd.DataFrame({"group": [False, False], "n": [False, True], "mean": [False, True]})
    >>> table = Table(data, "Mean score by mode", headers={"group": "Mode"}, formats={"mean": ".2f"},
    ...               suppressed=hidden, links={"group": ("online.html", None)})
    >>> print(table.to_frame().to_string(index=False))
        group    n  mean
       Online 42.0 2.513
    On campus  NaN   NaN
    >>> table.headers["group"], table.formats["mean"]
    ('Mode', '.2f')
    """

    data: object
    caption: str = ""
    headers: Mapping = field(default_factory=_frozen_map)
    formats: Mapping = field(default_factory=_frozen_map)
    suppressed: object = None
    links: Mapping = field(default_factory=_frozen_map)

    def to_frame(self):
        """The values as a DataFrame (a copy; suppressed cells are missing)."""
        out = self.data.copy()
        if self.suppressed is not None:
            out = out.mask(self.suppressed.to_numpy(dtype=bool))
        return out


@dataclass(frozen=True, eq=False)
class Figure:
    """A chart as image bytes (``mime`` ``"image/png"`` or ``"image/svg+xml"``) plus alt text.

    Examples
    --------
    >>> import io
    >>> import matplotlib.figure
    >>> from belonging.report import Figure
    >>> fig = matplotlib.figure.Figure(figsize=(2, 1))
    >>> buf = io.BytesIO()
    >>> fig.savefig(buf, format="png", dpi=120)
    >>> chart = Figure(buf.getvalue(), alt="An empty chart", caption="Nothing to show yet.")
    >>> chart.width_px  # 2 inches at 96 CSS pixels per inch
    192
    >>> chart.data_uri()[:22]
    'data:image/png;base64,'
    """

    data: bytes
    alt: str
    mime: str = "image/png"
    caption: str = ""

    @property
    def width_px(self) -> int | None:
        """Display width in CSS pixels (96 per inch) of a PNG with a pHYs chunk or a known DPI."""
        import struct

        if self.mime != "image/png" or len(self.data) < 24 or self.data[12:16] != b"IHDR":
            return None
        width = struct.unpack(">I", self.data[16:20])[0]
        pos = self.data.find(b"pHYs")
        if pos > 0:
            ppm = struct.unpack(">I", self.data[pos + 4:pos + 8])[0]
            if ppm and self.data[pos + 12] == 1:  # unit: metre
                return round(width / (ppm * 0.0254) * 96)
        return None

    def data_uri(self) -> str:
        """The image as a ``data:`` URI (the report embeds every image; nothing is fetched)."""
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


@dataclass(frozen=True)
class Section:
    """A titled part of a report; ``anchor`` is a safe fragment id for links.

    Examples
    --------
    >>> from belonging.report import Metric, Note, Section
    >>> section = Section("Summary", (Metric("Responses", "52"), Note("All responses were kept.")), anchor="summary")
    >>> [type(child).__name__ for child in section.children]
    ['Metric', 'Note']
    """

    title: str
    children: tuple = ()
    anchor: str = ""


@dataclass(frozen=True)
class Report:
    """A whole report (one cohort, or the institution overview).

    Attributes
    ----------
    title, subtitle : str
    sections : tuple of Section
    provenance : Mapping
        What went in (input SHA-256, versions, instrument, parameters, seed, time).
    slug : str
        Safe file stem of this report (``index`` for the overview).
    suppressed : bool
        True when the whole report is withheld (the cohort is below the threshold).

    Examples
    --------
    >>> import dataclasses
    >>> from belonging.report import Metric, Report, Section, render_html
    >>> summary = Section("Summary", (Metric("Mean score", "39.65", "95% CI 34.60 to 44.71"),), anchor="summary")
    >>> report = Report("Psychology 2025", (summary,), subtitle="cohort: Psychology 2025", slug="psychology-2025")
    >>> report.section("Summary").children[0].value
    '39.65'
    >>> html = render_html(report)
    >>> html.startswith("<!DOCTYPE html>"), "39.65" in html
    (True, True)
    >>> dataclasses.replace(report, title="Psychology, autumn 2025").title
    'Psychology, autumn 2025'
    """

    title: str
    sections: tuple = ()
    subtitle: str = ""
    provenance: Mapping = field(default_factory=_frozen_map)
    slug: str = ""
    suppressed: bool = False

    def section(self, title: str) -> Section:
        """The first section with this title (KeyError if none)."""
        for s in self.sections:
            if s.title == title:
                return s
        raise KeyError(title)

    def _repr_html_(self) -> str:
        from belonging.report.html import render_html

        return render_html(self, standalone=False)
