"""Run axe-core on a page in headless Chromium (a minimal local helper; the report tests may grow a shared one).

axe-core is the npm package (``axe.min.js``); ``.ci/run`` installs it into ``~/.cache/belonging-axe``.
The page is opened from a copy with two scripts added, axe itself and a runner, whose hashes are added
to the page's Content-Security-Policy; the runner writes the violations (and the number of rules that
passed) into the DOM as JSON, which ``chromium --dump-dom`` returns.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
RUNNER = """
window.addEventListener('load', function () {
  axe.run(document, {runOnly: {type: 'tag', values: TAGS_JSON}}).then(function (r) {
    var out = document.createElement('pre');
    out.id = 'axe-result';
    out.textContent = JSON.stringify({
      passes: r.passes.length,
      violations: r.violations.map(function (v) {
        return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) { return n.target.join(' '); })};
      })
    });
    document.body.appendChild(out);
  });
});
""".replace("TAGS_JSON", json.dumps(TAGS))


def axe_source() -> Path | None:
    """``axe.min.js``: ``$AXE_CORE_JS``, else the cache folder ``.ci/run`` installs into."""
    candidates = [os.environ.get("AXE_CORE_JS", ""),
                  str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "belonging-axe" / "node_modules" / "axe-core" / "axe.min.js")]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


def require_browser(chromium=CHROMIUM, axe=None) -> None:
    """Skip the calling test when Chromium or axe-core is missing, except under CI (``BELONGING_CI=1``,
    set by ``.ci/run``), where a missing tool fails it: an accessibility check never passes silently."""
    import pytest

    axe = axe if axe is not None else axe_source()
    if chromium is None or axe is None:
        what = "Chromium" if chromium is None else "axe-core"
        if os.environ.get("BELONGING_CI") == "1":
            pytest.fail(f"{what} is not installed, and under CI (BELONGING_CI=1) the accessibility check must run")
        pytest.skip(f"{what} is not installed (.ci/run installs Chromium and axe-core); accessibility check skipped")


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def run_axe(page_html: str, folder: Path) -> dict:
    """``{"passes": n, "violations": [...]}`` for `page_html` (a page with a CSP meta element)."""
    axe = axe_source().read_text(encoding="utf-8")
    scripts = [axe, RUNNER]
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page_html)
    policy = html.unescape(csp.group(1)) + "; script-src " + " ".join(_hash(s) for s in scripts)
    page_html = page_html.replace(csp.group(0), f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">', 1)
    tags = "".join(f"<script>{s}</script>" for s in scripts)
    page_html = page_html.replace("</head>", tags + "</head>", 1)
    path = folder / "axe_page.html"
    path.write_text(page_html, encoding="utf-8")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", f"--user-data-dir={folder / 'profile'}",
           "--virtual-time-budget=30000", "--dump-dom", path.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    found = re.search(r'<pre id="axe-result">(.*?)</pre>', done.stdout, re.S)
    if found is None:
        raise RuntimeError("axe did not report: the page never finished loading or a script was blocked")
    return json.loads(html.unescape(found.group(1)))
