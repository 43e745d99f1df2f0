import datetime as dt
import json

import pandas as pd

import belonging as bl
from belonging.provenance import manifest


def test_manifest_records_input_hash_instrument_and_parameters(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"pssm_01": [1, 2]}).to_csv(path, index=False)
    responses = bl.read_export(path)
    when = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    rec = manifest(responses=responses, instrument=bl.load_instrument("pssm"), parameters={"by": "cohort"}, seed=7, now=when)
    import hashlib

    assert rec["input"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert rec["instrument"]["id"] == "pssm" and rec["instrument"]["version"] == "1993"
    assert rec["parameters"] == {"by": "cohort"} and rec["seed"] == 7
    assert rec["created_at"] == "2026-11-28T12:00:00+00:00"
    assert rec["belonging_version"] == bl.__version__
    json.dumps(rec)  # JSON-ready
