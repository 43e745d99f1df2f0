"""Headless Chromium probe shared by the browser checks (tests/report/test_browser.py, tests/test_readme.py).

A page is opened with one probe script whose hash is added to its Content-Security-Policy; the probe
records resource errors and policy violations from the start and, shortly after ``load``, writes the
number of images and charts (``<img>`` and inline ``<svg>`` in a figure) and of broken ones into the
DOM, which ``--dump-dom`` returns. A chart is broken when it lays out to nothing.

:func:`run_axe` opens a page the same way with axe-core (a local copy: :func:`axe_script`) and a
runner injected, and returns axe's results.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
NPM = shutil.which("npm")
#: axe-core major version the checks use; .ci/run installs it into AXE_DIR (and names the file in AXE_CORE_JS).
AXE_VERSION = "4"
AXE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "belonging-axe"

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
  var svgs = Array.prototype.slice.call(document.querySelectorAll('figure svg'));
  var broken = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length;
  broken += svgs.filter(function (s) { var b = s.getBoundingClientRect(); return !(b.width > 0 && b.height > 0 && s.childElementCount > 0); }).length;
  var d = document.createElement('div');
  d.id = 'probe';
  d.setAttribute('data-images', String(imgs.length + svgs.length));
  d.setAttribute('data-broken', String(broken));
  d.setAttribute('data-problems', window.__problems.join(' | '));
  document.body.appendChild(d);
}, 100); });
"""

AXE_RUNNER = """
window.addEventListener('load', function () {
  axe.run(document, {resultTypes: ['violations']}).then(function (r) {
    var out = r.violations.map(function (v) {
      return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) { return n.html.slice(0, 160); })};
    });
    var d = document.createElement('div');
    d.id = 'axe-results';
    d.setAttribute('data-json', btoa(unescape(encodeURIComponent(JSON.stringify(out)))));
    document.body.appendChild(d);
  });
});
"""


def _digest(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def with_probe(html: str, extra_body: str = "", scripts=(PROBE,)) -> str:
    """`html` with `scripts` inlined after its CSP meta and their hashes allowed by that policy."""
    allowed = " ".join(f"&#39;sha256-{_digest(s)}&#39;" for s in scripts)
    html = html.replace("default-src &#39;none&#39;;", f"default-src &#39;none&#39;; script-src {allowed};", 1)
    tags = "".join(f"\n<script>{s}</script>" for s in scripts)
    html = re.sub(r'(<meta http-equiv="Content-Security-Policy"[^>]*>)', lambda m: m.group(1) + tags, html, count=1)
    return html.replace("</main>", extra_body + "</main>", 1)


def _chromium(path, tmp_path, budget=10000):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
           "--enable-logging=stderr", "--v=0", f"--virtual-time-budget={budget}", "--dump-dom", path.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def open_page(path, tmp_path):
    done = _chromium(path, tmp_path)
    probe = re.search(r'<div id="probe" data-images="(\d+)" data-broken="(\d+)" data-problems="([^"]*)"', done.stdout)
    assert probe is not None, "the probe did not run: the page never finished loading"
    console = [ln for ln in done.stderr.splitlines() if "CONSOLE" in ln]
    return int(probe.group(1)), int(probe.group(2)), probe.group(3), console, done.stdout


def axe_script() -> str | None:
    """axe-core's ``axe.min.js`` from the local copy, installed with npm on first use (None without npm)."""
    path = Path(os.environ.get("AXE_CORE_JS") or AXE_DIR / "node_modules" / "axe-core" / "axe.min.js")
    if not path.exists() and NPM is not None:
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run([NPM, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR),
                        f"axe-core@{AXE_VERSION}"], check=True, capture_output=True, timeout=300)
    return path.read_text(encoding="utf-8") if path.exists() else None


def run_axe(html: str, tmp_path, name="page.html"):
    """axe-core's violations on `html` (with the probe): (violations, probe tuple)."""
    axe = axe_script()
    page = tmp_path / name
    page.write_text(with_probe(html, scripts=(PROBE, axe, AXE_RUNNER)), encoding="utf-8")
    done = _chromium(page, tmp_path, budget=30000)
    found = re.search(r'<div id="axe-results" data-json="([^"]*)"', done.stdout)
    assert found is not None, "axe-core did not report: " + done.stderr[-1500:]
    probe = re.search(r'<div id="probe" data-images="(\d+)" data-broken="(\d+)" data-problems="([^"]*)"', done.stdout)
    console = [ln for ln in done.stderr.splitlines() if "CONSOLE" in ln]
    violations = json.loads(base64.b64decode(found.group(1)).decode("utf-8"))
    return violations, (int(probe.group(1)), int(probe.group(2)), probe.group(3), console)
