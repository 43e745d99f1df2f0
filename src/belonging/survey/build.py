"""`build_survey`: instruments -> the platform's import file plus the mapping its export will need."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from belonging import _columns as C
from belonging.diagnostics import Code, Diagnostic

__all__ = ["BuiltSurvey", "build_survey"]

# platform -> module whose ``render(design, layout)`` returns ``{suffix: bytes}`` (the main file first)
_WRITERS = {
    "qualtrics": "belonging.survey.qualtrics",
    "limesurvey": "belonging.survey.limesurvey",
    "redcap": "belonging.survey.redcap",
    "html": "belonging.survey.paper",
}
MAP_SUFFIX = ".map.toml"


@dataclass(frozen=True)
class BuiltSurvey:
    """A survey built for one platform: its files, the mapping its export needs, and what to know.

    Attributes
    ----------
    design : Design
        The platform-independent layout (blocks, questions, statements, answers).
    layout : Layout
        The codes and export columns on this platform.
    files : mapping
        ``{suffix: bytes}``: the import file first (``.qsf``, ``.lss``, ``.csv`` or ``.html``); the
        paper form adds ``.pdf`` and a blank data-entry sheet ``.entry.csv``.
    warnings : tuple of Diagnostic
        E.g. randomisation asked for on a platform that cannot randomise, or unconfirmed wording.
    inputs : tuple of pathlib.Path
        The files it was built from (instrument definitions, consent text): :meth:`write` never
        writes over them.

    Examples
    --------
    >>> import belonging as bl
    >>> built = bl.build_survey("coi", platform="redcap", allow_unconfirmed=True)
    >>> list(built.files), built.columns()["column"].tolist()[:3]
    (['.csv'], ['coi_01', 'coi_02', 'coi_03'])
    >>> print(built.summary().splitlines()[0])
    REDCap survey 'Course experience survey': 1 instrument (coi), 34 items, 0 attention checks
    """

    design: object
    layout: object
    files: MappingProxyType
    warnings: tuple = field(default=())
    inputs: tuple = field(default=(), repr=False)

    @property
    def platform(self) -> str:
        """The platform's key (``qualtrics``, ``limesurvey``, ``redcap``, ``html``)."""
        return self.layout.spec.key

    def mapping_toml(self, *, file: str | None = None) -> str:
        """The ``--map`` file for this survey's export (`file` names the import file in it)."""
        from belonging.survey.columns import mapping_toml

        return mapping_toml(self.design, self.layout, file=file)

    def columns(self):
        """One row per answered question or statement, in survey order.

        Returns
        -------
        pandas.DataFrame
            ``block``, ``question``, ``item`` (statement or question id), ``instrument`` (None outside
            an instrument block), ``kind`` (``item``, ``attention_check`` or the question's kind),
            ``code`` (the platform code), ``column`` (the export column), ``expected`` (passing codes
            of an attention check, else empty) and ``placeholder`` (wording not shipped).
        """
        import pandas as pd

        rows = []
        for block, question in self.design.questions():
            if not question.answered:
                continue
            for row in question.rows or (None,):
                rid = question.id if row is None else row.id
                kind = question.kind if row is None else ("attention_check" if row.is_check else "item")
                rows.append({
                    C.BLOCK: block.id, C.QUESTION: question.id, C.ITEM: rid, C.INSTRUMENT: block.instrument,
                    C.KIND: kind, C.CODE: self.layout.code(question.id, None if row is None else row.id),
                    C.COLUMN: self.layout.column(question.id, None if row is None else row.id),
                    C.EXPECTED: "" if row is None else ",".join(str(e) for e in row.expected),
                    C.PLACEHOLDER: bool(row is not None and row.placeholder),
                })
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """What was built, in a few lines (the CLI prints them on stderr)."""
        design = self.design
        items = sum(1 for _, _, r in design.rows() if not r.is_check)
        checks = sum(1 for _, _, r in design.rows() if r.is_check)
        n = len(design.instruments)
        lines = [f"{self.layout.spec.name} survey {design.title!r}: {n} instrument{'s' if n != 1 else ''} "
                 f"({', '.join(design.instruments)}), {items} items, {checks} attention check{'s' if checks != 1 else ''}"]
        lines += [f"  {w}" for w in self.warnings]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        return f"<pre>{escape(self.summary())}</pre>" + self.columns().to_html(index=False)

    def paths(self, out) -> dict[str, Path]:
        """``{suffix: path}`` of the files :meth:`write` writes for `out` (the mapping under ``.map.toml``)."""
        from belonging.errors import UsageError

        out = Path(out)
        if not out.name or out.name in (".", "..") or out.is_dir():
            msg = (f"{out}: is a folder; give the import file's path in it, e.g. {out / 'course'} "
                   f"(writes course{next(iter(self.files))} and course{MAP_SUFFIX})")
            raise UsageError(msg)
        main = next(iter(self.files))
        stem = out.with_name(out.name[: -len(main)]) if out.name.endswith(main) and out.name != main else out
        paths = {suffix: stem.with_name(stem.name + suffix) for suffix in self.files}
        paths[MAP_SUFFIX] = stem.with_name(stem.name + MAP_SUFFIX)
        return paths

    def write(self, out) -> tuple[Path, ...]:
        """Write the files next to `out` atomically (all or none) and return their paths.

        `out` is the import file's path with or without its suffix: ``course.qsf`` and ``course``
        both give ``course.qsf`` and ``course.map.toml``. Every target is checked first: none may be
        a folder or one of the files the survey was built from (:attr:`inputs`); then every file is
        written beside its target and all are renamed into place, earlier ones restored if a later
        rename fails.

        Raises
        ------
        UsageError
            `out` or a file it implies is a folder or an input, or its folder does not exist.
        """
        from belonging._io import atomic_write_files
        from belonging.errors import UsageError

        paths = self.paths(out)
        inputs = {p.resolve() for p in self.inputs}
        for path in paths.values():
            if path.is_dir():
                msg = f"{path}: is a folder; nothing was written; give -o a name whose files are not folders"
                raise UsageError(msg)
            if path.resolve() in inputs:
                msg = (f"{path}: is a file the survey is built from; inputs are never overwritten, so give -o "
                       "another name; nothing was written")
                raise UsageError(msg)
        main = paths[next(iter(self.files))]
        contents = dict(self.files)
        contents[MAP_SUFFIX] = self.mapping_toml(file=main.name).encode("utf-8")
        atomic_write_files({paths[suffix]: data for suffix, data in contents.items()})
        return tuple(paths.values())


def _warnings(design, spec) -> tuple:
    out = []
    randomised = [b.instrument for b in design.blocks if b.instrument and b.randomise]
    if randomised and not spec.randomise:
        out.append(Diagnostic(Code.DATA, f"{spec.name} cannot show a matrix's statements in random order; "
                              f"the items of {', '.join(randomised)} keep their published order", where=spec.key))
    if design.notice:
        placeholders = sum(1 for _, _, r in design.rows() if r.placeholder)
        what = f"{placeholders} statements show a neutral label instead of the item's wording; " if placeholders else ""
        out.append(Diagnostic(Code.DATA, f"built with unconfirmed instruments: {what}the survey starts with a notice "
                              "for the research team; check and remove it before fielding", where="notice"))
    return tuple(out)


def build_survey(instruments, *, platform, title=None, participation=False, cohorts=None, attention_checks=0,
                 randomise=False, consent=None, allow_unconfirmed=False, language="en") -> BuiltSurvey:
    """Build an importable survey from one or more instruments, and the mapping its export will need.

    Parameters
    ----------
    instruments : str, path-like, Instrument or list of them
        Built-in ids (``"ccs"``) or TOML definitions, one block each, in this order.
    platform : {"qualtrics", "limesurvey", "redcap", "html"}
        ``qualtrics``: a ``.qsf`` survey file; ``limesurvey``: a ``.lss`` survey structure file;
        ``redcap``: a data dictionary ``.csv``; ``html``: a printable, accessible questionnaire
        (HTML and PDF) with response-id boxes and the codes to type, plus a blank data-entry sheet.
    title : str, optional
        The survey's title (default "Course experience survey").
    participation : bool, default False
        Add the demographic and participation block: cohort, participation mode, learning path and
        self-reported use of forums, chat, live video, breakout groups and feedback channels, in
        columns that ``compare`` and ``participation`` take directly (``survey/questions.toml``).
    cohorts : list of str, optional
        Cohorts to choose from (otherwise the cohort is asked as text).
    attention_checks : int, default 0
        Instructed-response statements ("please choose 'Agree'") spread over the instrument blocks;
        the mapping names them so the quality check flags a wrong answer (reason ``attention_check``).
    randomise : bool, default False
        Statements of each instrument in a random order per respondent, where the platform can
        (Qualtrics, LimeSurvey); recorded in the mapping's ``[survey] randomised``.
    consent : str or pathlib.Path, optional
        Information/consent text shown first: the text itself, or a ``Path`` to a UTF-8 text file
        (paragraphs separated by blank lines).
    allow_unconfirmed : bool, default False
        Build instruments whose wording is not shipped or whose facts are unconfirmed; the survey then
        opens with a notice saying what to check and replace before fielding.
    language : str, default "en"
        ISO 639-1 code of the survey's language.

    Returns
    -------
    BuiltSurvey
        ``.write(out)`` writes the files; ``.mapping_toml()`` is the ``--map`` file.

    Raises
    ------
    InstrumentError
        Unconfirmed instruments without `allow_unconfirmed`; an id the platform cannot take.
    UsageError
        An unknown platform or a bad option value.

    Notes
    -----
    The statements are the items in definition order with their shipped wording; the answers are the
    response scale's labels in published order with the instrument's own codes (Qualtrics recode
    values, LimeSurvey answer codes, REDCap choice codes), so the export's numbers are the
    instrument's codes and no recode is needed. No question is mandatory: missing answers are data.

    Examples
    --------
    >>> import belonging as bl
    >>> built = bl.build_survey(["coi"], platform="limesurvey", attention_checks=1, allow_unconfirmed=True)
    >>> table = built.columns()
    >>> table.loc[table["kind"] == "attention_check", ["item", "column", "expected"]].to_dict("records")
    [{'item': 'attn_1', 'column': 'coi[attn1]', 'expected': '4'}]
    >>> bl.build_survey("coi", platform="surveymonkey", allow_unconfirmed=True)
    Traceback (most recent call last):
    ...
    belonging.errors.UsageError: `platform` must be one of: 'qualtrics', 'limesurvey', 'redcap', 'html'; got 'surveymonkey'
    """
    from belonging.survey.columns import layout, platform_spec
    from belonging.survey.design import design_survey

    spec = platform_spec(platform)
    design = design_survey(instruments, title=title, participation=participation, cohorts=cohorts,
                           attention_checks=attention_checks, randomise=randomise, consent=consent,
                           allow_unconfirmed=allow_unconfirmed, language=language)
    lay = layout(design, spec)
    files = importlib.import_module(_WRITERS[spec.key]).render(design, lay)
    return BuiltSurvey(design=design, layout=lay, files=MappingProxyType(files), warnings=_warnings(design, spec),
                       inputs=_inputs(instruments, consent))


def _inputs(instruments, consent) -> tuple[Path, ...]:
    """The files a survey is built from: instrument definitions given by path, and the consent file."""
    from belonging.instruments import Instrument

    given = [instruments] if isinstance(instruments, str | os.PathLike | Instrument) else list(instruments)
    out = []
    for inst in given:
        if isinstance(inst, Instrument):
            if inst.path:
                out.append(Path(inst.path))
        elif Path(inst).exists():  # a definition given by path (or a file named like a built-in id: kept safe too)
            out.append(Path(inst))
    if isinstance(consent, os.PathLike):
        out.append(Path(consent))
    return tuple(out)
