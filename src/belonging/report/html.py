"""Render a report model to one self-contained HTML page (Jinja2, autoescape on).

Every string that reaches the page goes through Jinja2's autoescaping, so text from the data (cohort
names, labels, column names) always appears as text. Images are embedded as ``data:`` URIs and the
page carries a Content-Security-Policy that allows no scripts and no network fetches, so it opens
from disk and stays inert even if a string were ever to slip past escaping.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from belonging.report.model import Figure, Metric, Note, Report, Section, Table, format_value

__all__ = ["CSP", "format_value", "render_html", "render_node", "safe_href"]

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
    shown = {id(child) for child in node.children if isinstance(child, Table)}
    parts = [_figure(child, table_shown=id(child.table) in shown) if isinstance(child, Figure) else render_node(child)
             for child in node.children]
    return _template("section.html.j2", section=node, parts=list(zip(node.children, parts)))


@render_node.register
def _(node: Note):
    return _template("note.html.j2", note=node)


@render_node.register
def _(node: Metric):
    return _template("metric.html.j2", metric=node)


@render_node.register
def _(node: Figure):
    return _figure(node, table_shown=False)


def _figure(node: Figure, *, table_shown: bool):
    """A chart: inline SVG (role img, labelled by its alt text) or an embedded PNG, its caption and,
    unless the section shows it already, the table of its numbers in a disclosure widget."""
    from markupsafe import Markup, escape

    svg = None
    if node.is_svg:
        text = node.data.decode("utf-8")
        svg = Markup(text.replace("<svg ", f'<svg role="img" aria-label="{escape(node.alt)}" focusable="false" ', 1))
    table = None
    if node.table is not None and not table_shown:
        table = render_node(node.table)
    ref = node.table.caption if node.table is not None and table_shown else None
    return _template("figure.html.j2", figure=node, svg=svg, src=None if svg else node.data_uri(), table=table, ref=ref)


@render_node.register
def _(node: Table):
    df = node.data
    cols = list(df.columns)
    numeric = [df[c].dtype.kind in "iufb" for c in cols]
    rows = []
    for i in range(len(df)):
        row = []
        for col, num in zip(cols, numeric):
            sup = node.is_suppressed(i, col)
            links = node.links.get(col)
            href = safe_href(links[i]) if links is not None and not sup else None
            row.append({"text": node.cell_text(i, col), "suppressed": sup, "href": href, "numeric": num})
        rows.append(row)
    headers = [node.header(c) for c in cols]
    any_sup = node.suppressed is not None and bool(node.suppressed.to_numpy(dtype=bool).any())
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
