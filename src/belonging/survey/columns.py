"""Platform rules as data: the codes a design gets on a platform and the columns its export will hold.

Every writer asks one :class:`Layout` for the code of a question or statement, and the written mapping
(:func:`mapping_toml`) lists the export column of every item, so that ``belonging score`` and
``belonging inspect`` read the platform's export without a hand-written map.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType

from belonging.errors import InstrumentError, UsageError, suggest

__all__ = ["Layout", "PlatformSpec", "layout", "mapping_toml", "platform_spec", "platform_specs"]


@dataclass(frozen=True)
class PlatformSpec:
    """One platform's rules, read from ``survey/platforms.toml`` (see the keys described there).

    Examples
    --------
    >>> from belonging.survey.columns import platform_spec
    >>> spec = platform_spec("limesurvey")
    >>> spec.extension, spec.randomise, spec.column, spec.code_max
    ('.lss', True, '{question}[{row}]', 20)
    """

    key: str
    name: str
    extension: str
    randomise: bool
    column: str
    single: str
    code_pattern: str
    code_max: int
    strip: str
    answer_max: int
    fallback: str
    reserved: tuple[str, ...] = ()


@functools.cache
def platform_specs() -> dict[str, PlatformSpec]:
    """All platforms, keyed by name (read once; read-only)."""
    text = resources.files("belonging.survey").joinpath("platforms.toml").read_text(encoding="utf-8")
    out = {}
    for key, t in tomllib.loads(text).items():
        out[key] = PlatformSpec(key=key, reserved=tuple(t.pop("reserved", ())), **t)
    return out


def platform_spec(name: str) -> PlatformSpec:
    """The rules of platform `name`; a :class:`UsageError` naming the choices for an unknown one."""
    specs = platform_specs()
    if name not in specs:
        msg = f"`platform` must be one of: {', '.join(repr(k) for k in specs)}; got {name!r}{suggest(str(name), specs)}"
        raise UsageError(msg)
    return specs[name]


@dataclass(frozen=True)
class Layout:
    """The codes of a design's questions and statements on one platform, and their export columns.

    Attributes
    ----------
    spec : PlatformSpec
    codes : mapping
        ``{question id: code}`` and ``{(question id, row id): code}``.

    Examples
    --------
    >>> from belonging.survey.columns import layout
    >>> from belonging.survey.design import design_survey
    >>> design = design_survey(["coi"], attention_checks=1, allow_unconfirmed=True)
    >>> lime = layout(design, "limesurvey")
    >>> lime.code("coi"), lime.code("coi", "coi_01"), lime.column("coi", "coi_01")
    ('coi', 'coi01', 'coi[coi01]')
    >>> layout(design, "qualtrics").column("coi", "attn_1")
    'attn_1'
    """

    spec: PlatformSpec
    codes: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def code(self, question: str, row: str | None = None) -> str:
        """The platform code of a question, or of statement `row` of matrix `question`."""
        return self.codes[question if row is None else (question, row)]

    def column(self, question: str, row: str | None = None) -> str:
        """The export column of a one-answer question, or of statement `row` of matrix `question`."""
        if row is None:
            return self.spec.single.format(question=self.code(question))
        return self.spec.column.format(question=self.code(question), row=self.code(question, row))


def _valid(spec: PlatformSpec, code: str, taken: set) -> bool:
    return (bool(re.fullmatch(spec.code_pattern, code)) and len(code) <= spec.code_max
            and code.casefold() not in taken and code.casefold() not in {r.casefold() for r in spec.reserved})


def _make_code(spec: PlatformSpec, ident: str, taken: set, fallback: str) -> str:
    code = re.sub(spec.strip, "", ident) if spec.strip else ident
    if not _valid(spec, code, taken):
        code = fallback
        if not _valid(spec, code, taken):
            msg = f"{spec.name}: no valid code for {ident!r} (tried {code!r}); rename the item or instrument"
            raise InstrumentError(msg)
    taken.add(code.casefold())
    return code


def _check_answers(spec: PlatformSpec, question) -> None:
    for option in question.options:
        text = str(option.code)
        if spec.answer_max and (len(text) > spec.answer_max or not text.isalnum()):
            msg = (f"{spec.name}: answer code {text!r} of {question.id!r} is not a code it accepts "
                   f"(letters and digits, at most {spec.answer_max}); give the scale non-negative codes")
            raise InstrumentError(msg)


def layout(design, platform) -> Layout:
    """Give every question and statement of `design` a valid, distinct code on `platform`.

    An id that already is a valid code keeps it; otherwise the platform's ``strip`` characters are
    removed (LimeSurvey codes are letters and digits), and if that is not valid or not distinct the
    platform's ``fallback`` (e.g. ``SQ001``) is used. Codes are compared ignoring case.
    """
    spec = platform if isinstance(platform, PlatformSpec) else platform_spec(platform)
    codes: dict = {}
    taken: set = set()
    for n, (_, question) in enumerate(design.questions(), start=1):
        codes[question.id] = _make_code(spec, question.id, taken, f"Q{n}")
        _check_answers(spec, question)
    for _, question in design.questions():
        rows_taken: set = set()
        for n, row in enumerate(question.rows, start=1):
            fallback = spec.fallback.format(question=codes[question.id], n=n)
            codes[(question.id, row.id)] = _make_code(spec, row.id, rows_taken if spec.column != "{row}" else taken, fallback)
    return Layout(spec=spec, codes=MappingProxyType(codes))


_TOML_ESCAPE = re.compile("[\x7f-\x9f]")


def _str(value) -> str:
    """`value` as a TOML basic string: JSON escapes quotes, backslashes and U+0000-U+001F as TOML
    does; DEL (U+007F, which TOML forbids raw) and the C1 controls are escaped here too."""
    text = json.dumps(str(value), ensure_ascii=False)
    return _TOML_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def mapping_toml(design, lay: Layout, *, file: str | None = None) -> str:
    """The ``--map`` file for the export of `design` built with `lay` (see docs/survey.md).

    ``[columns]`` maps each item's export column to its item id; ``[[attention_checks]]`` names each
    check's column and passing codes; ``[survey]`` records the platform, the instruments, the blocks
    whose item order is random per respondent (``randomised``), the notice (if any), and the value of
    each answer code of the participation questions (``[survey.values.<id>]``).

    Examples
    --------
    >>> import tomllib
    >>> from belonging.survey.columns import layout, mapping_toml
    >>> from belonging.survey.design import design_survey
    >>> design = design_survey(["coi"], attention_checks=1, randomise=True, participation=True, allow_unconfirmed=True)
    >>> data = tomllib.loads(mapping_toml(design, layout(design, "limesurvey")))
    >>> data["columns"]["coi[coi01]"], data["survey"]["randomised"], data["attention_checks"]
    ('coi_01', ['coi'], [{'column': 'coi[attn1]', 'expected': [4]}])
    >>> data["survey"]["values"]["mode"]["1"]
    'online_sync'
    """
    randomised = [b.instrument for b in design.blocks if b.instrument and b.randomise and lay.spec.randomise]
    lines = [
        f"# Written by `belonging survey build` for {lay.spec.name}: the columns the survey's export will hold.",
        "# Score that export with `--map` and this file; `belonging inspect` proposes the same columns.",
        "[survey]",
        f"platform = {_str(lay.spec.key)}",
    ]
    if file:
        lines.append(f"file = {_str(file)}")
    lines += [
        f"title = {_str(design.title)}",
        "instruments = [" + ", ".join(_str(i) for i in design.instruments) + "]",
        "randomised = [" + ", ".join(_str(i) for i in randomised) + "]",
    ]
    if design.notice:
        lines.append(f"notice = {_str(design.notice)}")
    for _, question in design.questions():
        if question.kind == "choice" and any(o.value for o in question.options):
            lines += ["", f"[survey.values.{question.id}]  # answer code = value"]
            lines += [f"{_str(o.code)} = {_str(o.value or o.label)}" for o in question.options]
    lines += ["", "[columns]  # export column = item id"]
    checks = []
    for _, question, row in design.rows():
        column = lay.column(question.id, row.id)
        if row.is_check:
            checks.append((column, row.expected))
        else:
            lines.append(f"{_str(column)} = {_str(row.id)}")
    for column, expected in checks:
        lines += ["", "[[attention_checks]]", f"column = {_str(column)}", "expected = [" + ", ".join(str(e) for e in expected) + "]"]
    return "\n".join(lines) + "\n"
