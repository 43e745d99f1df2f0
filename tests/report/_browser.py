"""Headless Chromium probe shared by the browser checks (tests/report/test_browser.py, tests/test_readme.py).

A page is opened with one probe script whose hash is added to its Content-Security-Policy; the probe
records resource errors and policy violations from the start and, shortly after ``load``, writes the
number of images and of broken ones into the DOM, which ``--dump-dom`` returns.
"""

import base64
import hashlib
import re
import shutil
import subprocess

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)

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


def with_probe(html: str, extra_body: str = "") -> str:
    digest = base64.b64encode(hashlib.sha256(PROBE.encode("utf-8")).digest()).decode("ascii")
    html = html.replace("default-src &#39;none&#39;;", f"default-src &#39;none&#39;; script-src &#39;sha256-{digest}&#39;;", 1)
    html = re.sub(r'(<meta http-equiv="Content-Security-Policy"[^>]*>)', lambda m: m.group(1) + f"\n<script>{PROBE}</script>", html, count=1)
    return html.replace("</main>", extra_body + "</main>", 1)


def open_page(path, tmp_path):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom", path.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    probe = re.search(r'<div id="probe" data-images="(\d+)" data-broken="(\d+)" data-problems="([^"]*)"', done.stdout)
    assert probe is not None, "the probe did not run: the page never finished loading"
    console = [ln for ln in done.stderr.splitlines() if "CONSOLE" in ln]
    return int(probe.group(1)), int(probe.group(2)), probe.group(3), console, done.stdout
