"""Report model and HTML renderer: escaping, CSP, safe links, suppression marks, dispatch."""

import re

import numpy as np
import pandas as pd
import pytest
from _report_data import FORMULA, SCRIPT

from belonging.report import Figure, Metric, Note, Report, Section, Table, render_html
from belonging.report.html import CSP, format_value, render_node, safe_href


def _report():
    df = pd.DataFrame({"group": [SCRIPT, FORMULA, "ok"], "n": [40, 5, 20], "mean": [3.25, 2.0, 3.5]})
    mask = pd.DataFrame({"group": [False] * 3, "n": [False, True, False], "mean": [False, True, False]})
    table = Table(df, caption=f"caption {SCRIPT}", headers={"group": SCRIPT}, formats={"mean": ".2f", "n": "d"},
                  suppressed=mask, links={"group": ("a-1.html", "javascript:alert(1)", "../up.html")})
    fig = Figure(data=b"\x89PNG\r\n\x1a\n", alt=f"alt {SCRIPT}", caption=FORMULA)
    sec = Section(SCRIPT, (Metric(SCRIPT, "3.2", SCRIPT), Metric("n", "", suppressed=True), table, fig,
                           Note(SCRIPT, "warning")), anchor="s1")
    return Report(title=SCRIPT, subtitle=FORMULA, sections=(sec,), slug="x")


def test_every_string_is_escaped():
    html = render_html(_report())
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the formula shows as text; its quotes are escaped and it is no link
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)" in html
    assert 'href="http://x"' not in html


def test_links_only_to_plain_relative_files():
    html = render_html(_report())
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert "a-1.html" in hrefs
    assert not any(h.startswith("javascript") or ".." in h for h in hrefs)
    assert safe_href("x-1.pdf") == "x-1.pdf" and safe_href("#sec") == "#sec"
    for bad in ("javascript:alert(1)", "../x.html", "http://x/y", "/etc/passwd", "a/b.html", " x.html", None):
        assert safe_href(bad) is None


def test_page_is_self_contained_with_csp():
    html = render_html(_report())
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP.replace(chr(39), "&#39;")}">' in html
    assert "default-src 'none'" in CSP and "img-src data:" in CSP
    srcs = re.findall(r'src="([^"]*)"', html)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "<link" not in html and "@import" not in html


def test_suppressed_cells_and_metrics_are_marked_not_shown():
    html = render_html(_report())
    assert html.count('class="num suppressed"') == 2
    assert "metric-suppressed" in html
    assert "withheld to protect privacy" in html
    # the suppressed group's values 5 and 2.00 never reach the page
    row = re.search(r"<tr><td[^>]*>=HYPERLINK.*?</tr>", html).group(0)
    assert ">5<" not in row and "2.00" not in row


def test_table_to_frame_blanks_suppressed():
    t = _report().sections[0].children[2]
    f = t.to_frame()
    assert np.isnan(f.loc[1, "n"]) and f.loc[0, "n"] == 40


def test_format_value():
    assert format_value(np.nan) == "\u2013"
    assert format_value(3.14159, ".2f") == "3.14"
    assert format_value(12.0, "d") == "12"
    assert format_value(True) == "yes"


def test_render_node_rejects_unknown_types():
    with pytest.raises(TypeError, match="cannot render a dict"):
        render_node({})
    with pytest.raises(TypeError, match="expects a Report"):
        render_html(Section("x"))


def test_notebook_fragment_has_no_page_shell():
    frag = _report()._repr_html_()
    assert "<html" not in frag and "<main" in frag
