"""The report model: plain frozen dataclasses between the results and the renderers.

A :class:`Report` is a title, a tuple of :class:`Section` objects and a provenance record. A section
holds nodes: :class:`Metric` (a key figure), :class:`Table` (a DataFrame plus display hints and a
suppression mask), :class:`Figure` (SVG or PNG bytes, alt text and the table it is drawn from) and :class:`Note` (a paragraph).
Nothing here knows about HTML or PDF; the renderers in :mod:`belonging.report.html` and
:mod:`belonging.report.pdf` dispatch on the node type. Notebooks can build a report, change it with
:func:`dataclasses.replace` and render it.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["NOTE_KINDS", "Figure", "Metric", "Note", "Report", "Section", "Table", "format_value"]

NOTE_KINDS = ("info", "warning", "suppressed", "method")


def _frozen_map(value=None) -> MappingProxyType:
    return MappingProxyType(dict(value or {}))


def format_value(value, spec: str | None = None) -> str:
    """Display text of one value: numbers with `spec` (``"p"`` for p-values), missing as an en dash.

    Examples
    --------
    >>> from belonging.report.model import format_value
    >>> format_value(3.14159, ".2f"), format_value(12.0, "d"), format_value(0.0004, "p"), format_value(None)
    ('3.14', '12', '<0.001', '\u2013')
    """
    import math

    import numpy as np

    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return "\u2013"
    if not isinstance(value, str | int | float | np.generic):
        import pandas as pd

        try:
            if pd.isna(value):
                return "\u2013"
        except (TypeError, ValueError):
            pass
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if spec and isinstance(value, int | float | np.integer | np.floating):
        if spec == "p":
            return "<0.001" if float(value) < 0.001 else f"{float(value):.3f}"
        if spec == "d":
            return f"{int(round(float(value))):d}"
        return format(float(value), spec)
    if isinstance(value, float | np.floating):
        return f"{float(value):.2f}"
    return str(value)


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

    @functools.cached_property
    def _cells(self):
        """Values and suppression flags per column, as lists (renderers read every cell)."""
        values = {c: self.data[c].tolist() for c in self.data.columns}
        hidden = ({c: self.suppressed[c].astype(bool).tolist() for c in self.data.columns}
                  if self.suppressed is not None else None)
        return values, hidden

    def is_suppressed(self, i: int, column) -> bool:
        """Whether the cell in row `i` (position) and `column` is withheld."""
        hidden = self._cells[1]
        return bool(hidden[column][i]) if hidden is not None else False

    def cell_text(self, i: int, column) -> str:
        """Display text of one cell, as every renderer shows it ("suppressed" when withheld)."""
        if self.is_suppressed(i, column):
            return "suppressed"
        return format_value(self._cells[0][column][i], self.formats.get(column))

    def header(self, column) -> str:
        return str(self.headers.get(column, column))


@dataclass(frozen=True, eq=False)
class Figure:
    """A chart: SVG (or PNG) bytes, its text alternative and the table of the numbers it shows.

    Attributes
    ----------
    data : bytes
        The image: an SVG document (``mime`` ``"image/svg+xml"``, the default; text kept as text)
        or PNG bytes (``"image/png"``).
    alt : str
        Text alternative: what the chart shows, with its numbers.
    mime : str
        ``"image/svg+xml"`` or ``"image/png"``; told from `data` when not given.
    caption : str
    table : Table or None
        The numbers the chart is drawn from. When the same Table object is also a child of the
        section, renderers point to it; otherwise they show it with the chart.
    columns : tuple of str
        The columns of `table` the chart draws (its alt text names their values).

    Examples
    --------
    >>> from belonging.report import Figure
    >>> svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    >>> chart = Figure(svg, alt="An empty chart", caption="Nothing to show yet.")
    >>> chart.is_svg, chart.data_uri()[:26]
    (True, 'data:image/svg+xml;base64,')
    """

    data: bytes
    alt: str
    mime: str = ""
    caption: str = ""
    table: object = None
    columns: tuple = ()

    def __post_init__(self) -> None:
        if not self.mime:  # told from the bytes: an SVG document or a PNG
            head = bytes(self.data[:256]).lstrip()
            svg = head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head)
            object.__setattr__(self, "mime", "image/svg+xml" if svg else "image/png")

    @property
    def is_svg(self) -> bool:
        return self.mime == "image/svg+xml"

    @property
    def width_px(self) -> int | None:
        """Display width in CSS pixels: an SVG's width, or a PNG's at its pHYs resolution (96 per inch)."""
        import re
        import struct

        if self.is_svg:
            m = re.match(rb'<svg[^>]*?\swidth="([0-9.]+)"', self.data)
            return round(float(m.group(1))) if m else None
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
