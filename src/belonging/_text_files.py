"""Small text and TOML files a user names on the command line (``--map``, ``--policy``, ``--consent``),
read with one-line errors that name the file, what it should be and the option that gave it."""

from __future__ import annotations

import tomllib
from pathlib import Path

from belonging.errors import UsageError

__all__ = ["read_text_file", "read_toml_file"]


def read_text_file(path, *, what: str, option: str, error=UsageError) -> str:
    """The text of `path` (UTF-8, a byte-order mark allowed), or `error` naming the file and `option`.

    Examples
    --------
    >>> from belonging._text_files import read_text_file
    >>> read_text_file("nope.toml", what="policy file", option="--policy")
    Traceback (most recent call last):
    ...
    belonging.errors.UsageError: nope.toml: policy file does not exist; check the --policy path
    """
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        msg = f"{path}: {what} does not exist; check the {option} path"
        raise error(msg) from None
    except UnicodeDecodeError as err:
        msg = f"{path}: cannot read {what} ({err}); save it as UTF-8 text"
        raise error(msg) from None
    except OSError as err:
        msg = f"{path}: cannot read {what} ({err.strerror or err})"
        raise error(msg) from None


def read_toml_file(path, *, what: str, option: str, error=UsageError) -> tuple[str, dict]:
    """``(text, table)`` of the TOML file `path`; errors as :func:`read_text_file`, and for bad TOML.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from belonging._text_files import read_toml_file
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "policy.toml"
    >>> _ = path.write_text("[actions]\\nspeeder = 'flag'\\n")
    >>> read_toml_file(path, what="policy file", option="--policy")[1]
    {'actions': {'speeder': 'flag'}}
    """
    text = read_text_file(path, what=what, option=option, error=error)
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = f"{path}: not valid TOML ({err})"
        raise error(msg) from None
