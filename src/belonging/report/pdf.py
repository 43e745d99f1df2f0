"""Render a report to PDF with WeasyPrint, from the very same HTML as :func:`render_html`."""

from __future__ import annotations

from belonging.report.html import render_html
from belonging.report.model import Report

__all__ = ["html_to_pdf", "render_pdf"]


def _fetcher():
    """A WeasyPrint URL fetcher that allows only embedded ``data:`` URIs (no files, no network)."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):  # WeasyPrint >= 66: a fetcher class with allowed protocols
        return urls.URLFetcher(allowed_protocols={"data"})

    def fetch(url: str, *args, **kwargs):
        if url.startswith("data:"):
            return urls.default_url_fetcher(url, *args, **kwargs)
        msg = f"report rendering does not fetch external resources (refused {url[:80]!r})"
        raise ValueError(msg)

    return fetch


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of a self-contained HTML page (no file or network access)."""
    import logging

    import weasyprint

    # WeasyPrint logs unsupported CSS (e.g. the CSP meta, flex gaps) at warning level; keep it quiet.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint.HTML(string=html, url_fetcher=_fetcher(), base_url=None).write_pdf()


def render_pdf(report: Report) -> bytes:
    """Render `report` to PDF bytes (A4) from the HTML of :func:`belonging.report.html.render_html`.

    Parameters
    ----------
    report : Report

    Returns
    -------
    bytes
        The PDF document. Images are embedded; nothing is fetched from files or the network.

    Examples
    --------
    >>> from belonging.report import Note, Report, Section, render_pdf
    >>> report = Report(title="Course community", sections=(Section("Summary", (Note("Belonging rose this term."),)),))
    >>> pdf = render_pdf(report)
    >>> pdf[:5]
    b'%PDF-'
    """
    return html_to_pdf(render_html(report))
