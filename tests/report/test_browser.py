"""Open a report in headless Chromium: it loads from disk, every image renders, no errors or CSP hits.

The report itself runs no scripts (its Content-Security-Policy forbids them). The test opens a copy
with one probe script whose hash is added to that policy: the probe records resource errors and
policy violations from the start, and shortly after ``load`` writes the number of images and of broken ones
into the DOM, which ``--dump-dom`` returns. Control pages (a broken image, a blocked inline script)
show that the probe does detect failures.
"""

import pytest
from _browser import CHROMIUM, open_page, with_probe
from _report_data import SCRIPT, make_survey

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (CI installs it); browser check skipped")


@pytest.fixture(scope="module")
def report_html():
    import belonging as bl
    from belonging.report import render_html

    data = make_survey({"Delta": 40, SCRIPT: 30}, seed=21)
    return render_html(bl.build_report(data, "ccs", by="cohort", cohort=SCRIPT, compare_by=["mode"], wave="wave"))


def test_report_renders_in_chromium(report_html, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(with_probe(report_html), encoding="utf-8")
    images, broken, problems, console, dom = open_page(page, tmp_path)
    assert images >= 3
    assert broken == 0
    assert problems == ""
    assert console == []
    # the hostile cohort name is text in the rendered DOM, not an element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert dom.count("<script") == 1  # only the probe


def test_probe_detects_broken_images_and_blocked_scripts(report_html, tmp_path):
    bad = '<img src="data:image/png;base64,AAAA" alt="x"><script>document.title = "ran";</script>'
    page = tmp_path / "control.html"
    page.write_text(with_probe(report_html, extra_body=bad), encoding="utf-8")
    images, broken, problems, _, dom = open_page(page, tmp_path)
    assert broken == 1
    assert "csp: script-src" in problems
    assert "<title>ran</title>" not in dom
