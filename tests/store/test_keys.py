"""Keyed pseudonyms: RFC 4231 vectors, normalisation, key files."""

import os
import stat

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from belonging.errors import UsageError
from belonging.store.keys import key_id, keygen, load_key, normalise_identifier, pseudonymise


def test_rfc4231_test_case_2():
    """RFC 4231 section 4.3: key "Jefe", data "what do ya want for nothing?" (already normalised)."""
    got = pseudonymise(["what do ya want for nothing?"], b"Jefe")[0]
    assert got == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


@pytest.mark.parametrize(("raw", "norm"), [
    (" Ana.Lopez@Uni.EDU ", "ana.lopez@uni.edu"),
    ("José\u00a0 Pérez", "josé pérez"),  # no-break space folded by NFKC, runs collapsed
    ("Ｓ１２３", "s123"),  # full-width letters and digits
    ("   ", None),
    (None, None),
    (float("nan"), None),
    (12345, "12345"),
])
def test_normalise_identifier(raw, norm):
    assert normalise_identifier(raw) == norm


def test_pseudonyms_keep_index_and_missing():
    key = bytes(range(32))
    values = pd.Series(["b@x.org", None, "B@X.ORG ", "", "c@x.org"], index=[10, 11, 12, 13, 14])
    got = pseudonymise(values, key)
    assert got.index.tolist() == [10, 11, 12, 13, 14]
    assert got[10] == got[12] and got[10] != got[14]
    assert got.isna().tolist() == [False, True, False, True, False]
    assert got.str.fullmatch("[0-9a-f]{64}").fillna(True).all()


def test_other_key_other_pseudonym():
    a = pseudonymise(["s1"], b"\x01" * 32)[0]
    b = pseudonymise(["s1"], b"\x02" * 32)[0]
    assert a != b
    assert key_id(b"\x01" * 32) != key_id(b"\x02" * 32)


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=30))
def test_pseudonym_depends_only_on_normalised_identifier(values):
    key = b"k" * 32
    got = pseudonymise(values, key)
    for v, p in zip(values, got):
        if normalise_identifier(v) is None:
            assert pd.isna(p)
        else:
            assert p == pseudonymise([normalise_identifier(v)], key)[0]


def test_keygen_writes_private_key_and_refuses_to_overwrite(tmp_path):
    path = keygen(tmp_path / "k.key")
    key = load_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(UsageError, match="already exists"):
        keygen(path)
    assert load_key(path) == key
    keygen(path, overwrite=True)
    assert load_key(path) != key
    assert [p.name for p in tmp_path.iterdir()] == ["k.key"]  # no temporary file left


@pytest.mark.parametrize("content", ["", "abc", "zz" * 32, "00" * 31])
def test_load_key_rejects_what_is_not_a_key(tmp_path, content):
    path = tmp_path / "bad.key"
    path.write_text(content)
    with pytest.raises(UsageError, match="not a belonging key file"):
        load_key(path)


def test_load_key_missing(tmp_path):
    with pytest.raises(UsageError, match="keygen"):
        load_key(tmp_path / "none.key")
