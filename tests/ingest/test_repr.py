"""Responses and mapping proposals read well in a notebook, and identifying values stay off screen."""

from pathlib import Path

import belonging as bl

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "qualtrics_export.csv"


def test_responses_summary_and_html_mask_identifiers():
    r = bl.read_export(SAMPLE)
    assert repr(r).startswith("<Responses ") and "qualtrics" in repr(r)
    assert "RecipientEmail" in r.summary() and "4022 kept" in r.summary()
    html = r._repr_html_()
    assert "<table" in html and "(identifying)" in html
    emails = r.data["RecipientEmail"].dropna().astype(str).head(5)
    assert len(emails) and not any(e in html for e in emails)


def test_mapping_proposal_renders_its_table():
    r = bl.read_export(SAMPLE)
    html = bl.propose_mapping(r, bl.load_instrument("ccs"))._repr_html_()
    assert "20 of 20 items matched" in html and "<table" in html and "ccs_20" in html
