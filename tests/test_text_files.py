"""The one reader of the small files named by --map, --policy and --consent: same errors for each."""

from __future__ import annotations

import pytest

import belonging as bl
from belonging.errors import MappingError, UsageError
from belonging.survey.design import design_survey


def test_a_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "map.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'[columns]\n"Q5_1" = "ccs_01"\n')  # Notepad's UTF-8
    assert dict(bl.load_mapping(path).columns) == {"Q5_1": "ccs_01"}
    policy = tmp_path / "policy.toml"
    policy.write_bytes(b"\xef\xbb\xbf[actions]\nspeeder = 'exclude'\n")
    assert bl.load_policy(policy).actions["speeder"] == "exclude"


@pytest.mark.parametrize(("load", "error", "what", "option"), [
    (bl.load_mapping, MappingError, "mapping file", "--map"),
    (bl.load_policy, UsageError, "policy file", "--policy"),
    (lambda p: design_survey("coi", consent=p, allow_unconfirmed=True), UsageError, "consent file", "--consent"),
])
def test_each_reader_names_the_file_what_it_is_and_the_option(tmp_path, load, error, what, option):
    with pytest.raises(error, match=f"nope.toml: {what} does not exist; check the {option} path"):
        load(tmp_path / "nope.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes("title = 'Umfrage für Studierende'\n".encode("cp1252"))
    with pytest.raises(error, match=f"latin.toml: cannot read {what} \\(.*codec can't decode.*\\); save it as UTF-8 text"):
        load(latin)
    with pytest.raises(error, match=f"{tmp_path.name}: cannot read {what} \\(Is a directory\\)"):
        load(tmp_path)
