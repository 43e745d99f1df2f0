"""The Examples in every docstring of src/belonging run and print what they claim.

Equivalent to ``pytest --doctest-modules src/belonging``, one test per module: each module is found with
pkgutil, imported, and its docstrings run through doctest (ELLIPSIS and NORMALIZE_WHITESPACE on).
Examples marked ``# doctest: +SKIP`` are not run; keep those rare.

A second check walks the public API (``belonging.__all__`` and each subpackage's ``__all__``) and
requires every public function and class to have an example that runs and shows its output.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
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


# ---------------------------------------------------------------------------------------------------
# Every public function and class has an example that runs.

# The public namespaces. A package without ``__all__`` (belonging.psychometrics) is walked through the
# ``__all__`` of its public modules.
PUBLIC_NAMESPACES = (
    "belonging",
    "belonging.groups",
    "belonging.ingest",
    "belonging.instruments",
    "belonging.plots",
    "belonging.psychometrics",
    "belonging.quality",
    "belonging.report",
    "belonging.activity",
)

# Public objects whose example cannot run in a test (e.g. it needs a browser or a network). Each entry
# needs a comment saying why. Keep this empty or nearly so.
EXEMPT: set[str] = set()

# Public objects still without a runnable example, waiting for the owners of their files (they are
# outside the files of the change that added this test). Remove a name as soon as its docstring has
# an example: the test fails while a listed name already has one, so this list can only shrink.
PENDING: set[str] = set()


def _namespace_all(name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(name)
    if hasattr(module, "__all__"):
        return [(n, getattr(module, n)) for n in module.__all__]
    out = []
    for info in pkgutil.iter_modules(module.__path__, prefix=f"{name}."):
        if not info.name.rsplit(".", 1)[-1].startswith("_"):
            out.extend(_namespace_all(info.name))
    return out


def _public_objects() -> dict[str, object]:
    """Public functions and classes by their defining name (``module.qualname``)."""
    found = {}
    for namespace in PUBLIC_NAMESPACES:
        for _, obj in _namespace_all(namespace):
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


def _has_running_example(obj) -> bool:
    """An example that is not skipped and shows output (so doctest compares something)."""
    # obj.__doc__, not inspect.getdoc: a class without a docstring must not borrow its base's.
    examples = doctest.DocTestParser().get_examples(inspect.cleandoc(obj.__doc__ or ""))
    return any(not ex.options.get(doctest.SKIP) and ex.want.strip() for ex in examples)


PUBLIC = _public_objects()


def test_public_api_is_walked():
    # The walk reaches the top level, subpackages and the psychometrics modules (no package __all__).
    for name in ("belonging.scoring.score", "belonging.plots.style.house_style",
                 "belonging.psychometrics.cfa.cfa", "belonging.psychometrics.efa.EFAResult",
                 "belonging.instruments.model.Instrument", "belonging.report.build.build_report"):
        assert name in PUBLIC
    assert len(PUBLIC) > 60


def test_has_running_example_detects_skip_and_missing():
    def skipped():
        """Doc.

        >>> 1 + 1  # doctest: +SKIP
        2
        """

    def silent():
        """Doc.

        >>> x = 1
        """

    def shown():
        """Doc.

        >>> 1 + 1
        2
        """

    assert not _has_running_example(skipped)
    assert not _has_running_example(silent)
    assert _has_running_example(shown)


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_object_has_running_example(name):
    if name in EXEMPT:
        pytest.skip("exempt: its example cannot run in a test")
    has = _has_running_example(PUBLIC[name])
    if name in PENDING:
        assert not has, f"{name} now has a running example: remove it from PENDING in tests/test_doctests.py"
        return
    assert has, (f"{name} has no docstring example that runs and shows output "
                 "(add an Examples section; `# doctest: +SKIP` does not count)")


def test_exemptions_name_public_objects():
    assert (EXEMPT | PENDING) <= set(PUBLIC), sorted((EXEMPT | PENDING) - set(PUBLIC))
