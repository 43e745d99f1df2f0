"""The Examples in every docstring of src/belonging run and print what they claim.

Equivalent to ``pytest --doctest-modules src/belonging``, one test per module: each module is found with
pkgutil, imported, and its docstrings run through doctest (ELLIPSIS and NORMALIZE_WHITESPACE on).
Examples marked ``# doctest: +SKIP`` are not run; keep those rare.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import belonging

# Modules that run code on import (python -m belonging) are not collected.
EXCLUDED = {"belonging.__main__"}
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> list[str]:
    names = ["belonging"]
    for info in pkgutil.walk_packages(belonging.__path__, prefix="belonging."):
        if info.name not in EXCLUDED:
            names.append(info.name)
    return sorted(names)


MODULES = _modules()


def test_modules_are_collected():
    assert "belonging.scoring" in MODULES
    assert "belonging.psychometrics.reliability" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    failures = []
    for test in finder.find(module, name):
        if not test.examples:
            continue
        out = []
        result = runner.run(test, out=out.append, clear_globs=True)
        if result.failed:
            failures.append("".join(out))
    assert not failures, "\n".join(failures)
