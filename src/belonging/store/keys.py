"""Keyed pseudonyms: identifiers replaced by HMAC-SHA-256 under a secret key the institution keeps.

A pseudonym is ``HMAC-SHA-256(key, normalised identifier)`` written as 64 hexadecimal digits. The same
person gets the same pseudonym in every file keyed with the same key file, so the waves store and the
participation logs can be joined; without the key file a pseudonym cannot be traced back to a person
(the identifier space of e-mail addresses or student numbers is small enough that a plain hash could be
reversed by trying them all, a keyed one cannot) nor linked to another institution's data.

Identifiers are normalised before hashing: Unicode NFKC, white space trimmed and runs of it collapsed
to one space, and case folded, so ``" Ana.Lopez@Uni.EDU"`` and ``"ana.lopez@uni.edu"`` are one person.
An empty identifier has no pseudonym (missing).

The key file holds 32 random bytes as 64 hexadecimal digits on one line (``belonging store keygen``).
It must be kept outside the store and outside any output folder.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from pathlib import Path

from belonging.errors import UsageError

__all__ = ["KEY_BYTES", "key_id", "keygen", "load_key", "normalise_identifier", "pseudonymise"]

#: Length of a key in bytes (256 bits, the HMAC-SHA-256 block-safe size).
KEY_BYTES = 32

_HEX_KEY = re.compile(rf"[0-9a-fA-F]{{{2 * KEY_BYTES}}}")
_SPACE = re.compile(r"\s+")


def keygen(path, *, overwrite: bool = False) -> Path:
    """Write a new random key file at `path` (readable by its owner only) and return its path.

    Parameters
    ----------
    path : str or os.PathLike
        Where to write the key. Keep it outside the store and every output folder.
    overwrite : bool, default False
        Replace an existing key file. Pseudonyms made with the old key no longer match new ones.

    Raises
    ------
    UsageError
        `path` exists and `overwrite` is false.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from belonging.store.keys import keygen, load_key
    >>> key_path = keygen(pathlib.Path(tempfile.mkdtemp()) / "belonging.key")
    >>> len(load_key(key_path))
    32
    """
    path = Path(path)
    if path.exists() and not overwrite:
        msg = (f"{path}: a key file already exists; pseudonyms made with it would no longer match if it were replaced. "
               "Use it as it is, or choose another path")
        raise UsageError(msg)
    text = secrets.token_bytes(KEY_BYTES).hex() + "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def load_key(path) -> bytes:
    """The key in the key file at `path`.

    Raises
    ------
    UsageError
        The file is missing or does not hold 64 hexadecimal digits.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        msg = f"{path}: no such key file; make one with `belonging store keygen {path}` (and keep it safe)"
        raise UsageError(msg) from None
    except (UnicodeDecodeError, IsADirectoryError):
        text = ""
    if not _HEX_KEY.fullmatch(text):
        msg = f"{path}: not a belonging key file (expected {2 * KEY_BYTES} hexadecimal digits on one line)"
        raise UsageError(msg)
    return bytes.fromhex(text)


def key_id(key: bytes) -> str:
    """A short fingerprint of `key` (16 hex digits) that tells keys apart without revealing them."""
    return hmac.new(key, b"belonging key id", hashlib.sha256).hexdigest()[:16]


def normalise_identifier(value) -> str | None:
    """`value` as text, NFKC-normalised, trimmed, inner white space collapsed and case folded; None if empty."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = _SPACE.sub(" ", unicodedata.normalize("NFKC", str(value))).strip().casefold()
    return text or None


def pseudonymise(values, key: bytes):
    """Keyed pseudonyms of `values` (a sequence or Series of identifiers), as a pandas string Series.

    Each distinct identifier is hashed once; missing or empty identifiers give a missing pseudonym.

    Parameters
    ----------
    values : array-like
        Identifiers (e-mail addresses, student numbers).
    key : bytes
        The key from :func:`load_key`.

    Returns
    -------
    pandas.Series
        Of dtype ``string``, aligned with `values` (its index when `values` is a Series).

    Notes
    -----
    ``HMAC-SHA-256(key, normalise_identifier(value).encode("utf-8"))``, hexadecimal (RFC 2104;
    Python's :mod:`hmac`). Checked against the RFC 4231 test vectors in the tests.

    Examples
    --------
    >>> from belonging.store.keys import pseudonymise
    >>> key = bytes(range(32))
    >>> p = pseudonymise([" Ana@Uni.edu", "ana@uni.edu", None], key)
    >>> p[0] == p[1], p.isna().tolist()
    (True, [False, False, True])
    """
    import pandas as pd

    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    hashed = []
    for value in uniques:  # one hash per distinct identifier (hashing has no vectorised form)
        norm = normalise_identifier(value)
        hashed.append(None if norm is None else hmac.new(key, norm.encode("utf-8"), hashlib.sha256).hexdigest())
    table = pd.array([*hashed, None], dtype="string")  # the last entry serves the missing code -1
    return pd.Series(table[codes], index=series.index, dtype="string")
