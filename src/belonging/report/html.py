"""Render a report model to one self-contained HTML page (Jinja2, autoescape on).

Every string that reaches the page goes through Jinja2's autoescaping, so text from the data (cohort
names, labels, column names) always appears as text. Images are embedded as ``data:`` URIs and the
page carries a Content-Security-Policy that allows no scripts and no network fetches, so it opens
from disk and stays inert even if a string were ever to slip past escaping.
"""

from __future__ import annotations

import functools
import math
import re
from importlib import resources

from belonging.report.model import Figure, Metric, Note, Report, Section, Table

__all__ = ["CSP", "render_html", "render_node"]

#: Content-Security-Policy of every report page: inline styles and data: images only.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_SAFE_HREF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(#[A-Za-z0-9_-]+)?$|^#[A-Za-z0-9_-]+$")


@functools.cache
def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("belonging.report") / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["render"] = render_node
    env.tests["metric"] = lambda node: isinstance(node, Metric)
    return env


@functools.cache
def _css() -> str:
    return (resources.files("belonging.report") / "templates" / "report.css").read_text(encoding="utf-8")


def safe_href(href) -> str | None:
    """`href` if it is a plain relative file name or fragment (no scheme, no path), else None."""
    if href is None:
        return None
    href = str(href)
    return href if _SAFE_HREF.match(href) and ".." not in href else None


def format_value(value, spec: str | None = None) -> str:
    """Display text of one table cell: numbers with `spec`, missing as an en dash."""
    import numpy as np

    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return "\u2013"
    try:
        import pandas as pd

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


@functools.singledispatch
def render_node(node):
    """Render one report node to safe HTML (a ``markupsafe.Markup``)."""
    msg = f"cannot render a {type(node).__name__} in a report; expected Section, Table, Figure, Metric or Note"
    raise TypeError(msg)


def _template(name: str, **context):
    from markupsafe import Markup

    return Markup(_env().get_template(name).render(**context))


@render_node.register
def _(node: Section):
    return _template("section.html.j2", section=node)


@render_node.register
def _(node: Note):
    return _template("note.html.j2", note=node)


@render_node.register
def _(node: Metric):
    return _template("metric.html.j2", metric=node)


@render_node.register
def _(node: Figure):
    return _template("figure.html.j2", figure=node, src=node.data_uri())


@render_node.register
def _(node: Table):
    df = node.data
    cols = list(df.columns)
    mask = node.suppressed.to_numpy(dtype=bool) if node.suppressed is not None else None
    values = df.to_numpy(dtype=object)
    numeric = [df[c].dtype.kind in "iufb" for c in cols]
    rows = []
    for i in range(len(df)):
        row = []
        for j, col in enumerate(cols):
            sup = bool(mask[i, j]) if mask is not None else False
            links = node.links.get(col)
            href = safe_href(links[i]) if links is not None and not sup else None
            row.append({
                "text": "suppressed" if sup else format_value(values[i, j], node.formats.get(col)),
                "suppressed": sup, "href": href, "numeric": numeric[j],
            })
        rows.append(row)
    headers = [str(node.headers.get(c, c)) for c in cols]
    any_sup = mask is not None and bool(mask.any())
    return _template("table.html.j2", table=node, headers=headers, rows=rows, numeric=numeric, any_suppressed=any_sup)


def render_html(report: Report, *, standalone: bool = True) -> str:
    """Render `report` to HTML.

    Parameters
    ----------
    report : Report
    standalone : bool, default True
        A whole page (head, inline CSS, CSP) or only the body content (for notebooks).

    Returns
    -------
    str
        HTML; with `standalone`, a complete self-contained page.

    Examples
    --------
    >>> from belonging.report import Metric, Note, Report, Section, render_html
    >>> report = Report(title="Course community", sections=(Section("Summary", (Metric("Mean CCS", "48.9", "95% CI 47.7 to 50.0"), Note("Belonging rose this term."))),))
    >>> html = render_html(report)
    >>> html.startswith("<!DOCTYPE html>"), "Belonging rose this term." in html
    (True, True)
    >>> "<script" in html
    False
    """
    if not isinstance(report, Report):
        msg = f"render_html expects a Report; got {type(report).__name__}"
        raise TypeError(msg)
    from markupsafe import Markup

    # the stylesheet is the package's own file (trusted); everything else is escaped
    return _env().get_template("report.html.j2").render(
        report=report, css=Markup(_css()), csp=CSP, standalone=standalone,
    )
