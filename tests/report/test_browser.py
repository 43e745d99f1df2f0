"""Open a report in headless Chromium: it loads from disk, every image renders, no errors or CSP hits.

The report itself runs no scripts (its Content-Security-Policy forbids them). The test opens a copy
with one probe script whose hash is added to that policy: the probe records resource errors and
policy violations from the start, and shortly after ``load`` writes the number of images and of broken ones
into the DOM, which ``--dump-dom`` returns. Control pages (a broken image, a blocked inline script)
show that the probe does detect failures.
"""

import base64
import hashlib
import re
import shutil
import subprocess

import pytest
from _report_data import SCRIPT, make_survey

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (CI installs it); browser check skipped")

PROBE = """
window.__problems = [];
window.addEventListener('error', function (e) {
  var t = e.target || {};
  window.__problems.push('error: ' + (e.message || t.tagName + ' ' + String(t.src || '').slice(0, 40)));
}, true);
document.addEventListener('securitypolicyviolation', function (e) {
  window.__problems.push('csp: ' + e.violatedDirective);
});
window.addEventListener('load', function () { setTimeout(function () {
  var imgs = Array.prototype.slice.call(document.images);
  var broken = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); });
  var d = document.createElement('div');
  d.id = 'probe';
  d.setAttribute('data-images', String(imgs.length));
  d.setAttribute('data-broken', String(broken.length));
  d.setAttribute('data-problems', window.__problems.join(' | '));
  document.body.appendChild(d);
}, 100); });
"""


def _with_probe(html: str, extra_body: str = "") -> str:
    digest = base64.b64encode(hashlib.sha256(PROBE.encode("utf-8")).digest()).decode("ascii")
    html = html.replace("default-src &#39;none&#39;;", f"default-src &#39;none&#39;; script-src &#39;sha256-{digest}&#39;;", 1)
    html = re.sub(r'(<meta http-equiv="Content-Security-Policy"[^>]*>)', lambda m: m.group(1) + f"\n<script>{PROBE}</script>", html, count=1)
    return html.replace("</main>", extra_body + "</main>", 1)


def _open(path, tmp_path):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom", path.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    probe = re.search(r'<div id="probe" data-images="(\d+)" data-broken="(\d+)" data-problems="([^"]*)"', done.stdout)
    assert probe is not None, "the probe did not run: the page never finished loading"
    console = [ln for ln in done.stderr.splitlines() if "CONSOLE" in ln]
    return int(probe.group(1)), int(probe.group(2)), probe.group(3), console, done.stdout


@pytest.fixture(scope="module")
def report_html():
    import belonging as bl
    from belonging.report import render_html

    data = make_survey({"Delta": 40, SCRIPT: 30}, seed=21)
    return render_html(bl.build_report(data, "ccs", by="cohort", cohort=SCRIPT, compare_by=["mode"], wave="wave"))


def test_report_renders_in_chromium(report_html, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(_with_probe(report_html), encoding="utf-8")
    images, broken, problems, console, dom = _open(page, tmp_path)
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
    page.write_text(_with_probe(report_html, extra_body=bad), encoding="utf-8")
    images, broken, problems, _, dom = _open(page, tmp_path)
    assert broken == 1
    assert "csp: script-src" in problems
    assert "<title>ran</title>" not in dom
