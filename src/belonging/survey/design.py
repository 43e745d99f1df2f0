"""From instruments and options to a platform-independent :class:`~belonging.survey.model.Design`.

The instrument definition that scores the answers also builds the questionnaire: statements are the
items in definition order with their wording, answers are the response scale's codes and labels in
published order. Instruments whose wording is not shipped or whose facts are not confirmed are built
only on request, and the design then carries a notice saying what to check before fielding.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from importlib import resources

from belonging.errors import InstrumentError, UsageError
from belonging.survey.model import Block, Design, Option, Question, Row

__all__ = ["PLACEHOLDER", "design_survey", "instrument_status", "participation_questions"]

PLACEHOLDER = "replace with the published wording"
STEM = "For each statement, choose the answer that fits you best."
CHECK_TEXT = 'To show that you are reading carefully, please choose "{label}" for this statement.'
DEFAULT_TITLE = "Course experience survey"
#: Characters no survey file can hold: C0 controls but tab and line breaks (XML 1.0 cannot hold them
#: even escaped) and lone surrogates (undecodable bytes of a command line; no encoding holds them).
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _writable(text: str, name: str) -> str:
    """`text` if every survey format can hold it, else a :class:`UsageError` naming `name`."""
    bad = _UNWRITABLE.search(text)
    if bad:
        msg = (f"{name} holds the character U+{ord(bad.group()):04X} at position {bad.start() + 1} (a control "
               "character or an undecodable byte), which survey files cannot hold; remove it")
        raise UsageError(msg)
    return text


def instrument_status(instrument) -> list[str]:
    """What keeps `instrument` from being built without ``allow_unconfirmed``: one line per reason.

    Examples
    --------
    >>> import belonging as bl
    >>> from belonging.survey.design import instrument_status
    >>> instrument_status(bl.load_instrument("ccs"))
    ['its wording is not shipped for 20 of 20 items', '5 facts are marked unconfirmed']
    """
    out = []
    missing = [it.id for it in instrument.items if not it.text]
    if missing:
        out.append(f"its wording is not shipped for {len(missing)} of {len(instrument.items)} items")
    if instrument.unconfirmed:
        n = len(instrument.unconfirmed)
        out.append(f"{n} fact{'s are' if n != 1 else ' is'} marked unconfirmed")
    return out


def _notice(instruments) -> str:
    lines = [
        "Notice for the research team: remove this notice before fielding the survey.",
        "This survey was built with --allow-unconfirmed (allow_unconfirmed=True) from instruments whose "
        "wording is not shipped with belonging or whose facts are not confirmed against a primary source.",
    ]
    for inst in instruments:
        reasons = instrument_status(inst)
        if not reasons:
            continue
        lines.append(f"{inst.id} ({inst.name}): " + "; ".join(reasons) + f" (see `belonging instruments show {inst.id}`).")
        if any(not it.text for it in inst.items):
            lines.append(f"  Statements marked [{PLACEHOLDER}: ...] show a neutral label, not the item: "
                         "replace them with the wording of your licensed copy, keeping their order and codes.")
        lines += [f"  Unconfirmed: {u}" for u in inst.unconfirmed]
    return "\n".join(lines)


def _check_rows(instrument, count: int, start: int, taken: set) -> list[tuple[int, Row]]:
    """`count` instructed-response rows for `instrument`, each with the position it goes to."""
    scale = instrument.response_scale
    options = list(zip(scale.codes(), scale.labels))
    code, label = options[max(len(options) - 2, 0)]  # the second-highest point: not an end, not the middle
    out = []
    n_items = len(instrument.items)
    for k in range(count):
        number = start + k
        rid = f"attn_{number}"
        while rid in taken:
            rid += "_check"
        taken.add(rid)
        position = round(n_items * (k + 1) / (count + 1))
        out.append((position, Row(rid, CHECK_TEXT.format(label=label), expected=(code,))))
    for ac in instrument.attention_checks:  # the instrument's own instructed-response items
        label = dict(options).get(ac.expected[0], str(ac.expected[0]))
        taken.add(ac.item)
        out.append((n_items, Row(ac.item, ac.text or CHECK_TEXT.format(label=label), expected=tuple(ac.expected))))
    return out


def _instrument_block(instrument, number: int, checks: int, first_check: int, taken: set, randomise: bool) -> Block:
    rows = []
    for it in instrument.items:
        if it.text:
            rows.append(Row(it.id, it.text))
        else:
            rows.append(Row(it.id, f"[{PLACEHOLDER}: {it.label or it.id}]", placeholder=True))
    for position, row in sorted(_check_rows(instrument, checks, first_check, taken), key=lambda p: -p[0]):
        rows.insert(position, row)
    scale = instrument.response_scale
    options = tuple(Option(code, label) for code, label in zip(scale.codes(), scale.labels))
    question = Question(instrument.id, "matrix", STEM, rows=tuple(rows), options=options)
    label = f"{instrument.id}: {instrument.name}"
    return Block(instrument.id, f"Part {number}", (question,), instrument=instrument.id, randomise=randomise, label=label)


@functools.cache
def _questions_table() -> dict:
    text = resources.files("belonging.survey").joinpath("questions.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def participation_questions(*, cohorts=None) -> Block:
    """The demographic and participation block (``survey/questions.toml``).

    Parameters
    ----------
    cohorts : list of str, optional
        Cohort names to choose from; without them the cohort is asked as a line of text.

    Examples
    --------
    >>> from belonging.survey.design import participation_questions
    >>> block = participation_questions(cohorts=["PSY-25F", "CS-26S"])
    >>> [(q.id, q.kind) for q in block.questions][:3]
    [('cohort', 'choice'), ('mode', 'choice'), ('learning_path', 'choice')]
    >>> [o.value for o in block.questions[1].options]
    ['online_sync', 'online_async', 'hybrid', 'in_person']
    """
    table = _questions_table()
    out = []
    for q in table["questions"]:
        text = q["text"].format(window=table["window"])
        options = tuple(Option(int(o["code"]), o["label"], o.get("value")) for o in q.get("options", ()))
        kind = q["kind"]
        if q["id"] == "cohort" and cohorts:
            names = [_writable(str(c).strip(), "`cohorts`") for c in cohorts if str(c).strip()]
            if len(set(names)) != len(names):
                msg = f"`cohorts`: a cohort is named twice in {names}; give each once"
                raise UsageError(msg)
            kind, options = "choice", tuple(Option(k, name, name) for k, name in enumerate(names, start=1))
            text = "Which course group or class are you in?"
        out.append(Question(q["id"], kind, text, options=options, minimum=q.get("min"), maximum=q.get("max"),
                            decimals=bool(q.get("decimals", False))))
    return Block("participation", table["title"], tuple(out), intro=table["intro"], label="participation: demographics and course participation")


def _consent_block(consent) -> Block:
    if isinstance(consent, os.PathLike):
        from belonging._text_files import read_text_file

        text = read_text_file(consent, what="consent file", option="--consent")
    else:
        text = str(consent)
    text = _writable(text.replace("\r\n", "\n").strip(), f"{consent} (consent)" if isinstance(consent, os.PathLike) else "`consent`")
    if not text:
        msg = "the consent text is empty; give the information text participants should read"
        raise UsageError(msg)
    return Block("consent", "About this survey", (Question("consent_text", "info", text),), label="consent: information text")


def _instruments(ids) -> list:
    from belonging.instruments import load_instrument

    ids = [ids] if isinstance(ids, str | os.PathLike) or not hasattr(ids, "__iter__") else list(ids)
    if not ids:
        msg = "name at least one instrument (a built-in id such as ccs, or a TOML definition)"
        raise UsageError(msg)
    out = [load_instrument(i) for i in ids]
    seen: dict[str, str] = {}
    for inst in out:
        if inst.id in seen.values() or inst.id in seen:
            msg = f"instrument {inst.id!r} is named twice; give each instrument once"
            raise UsageError(msg)
        for item in inst.item_ids:
            if item in seen:
                msg = f"item id {item!r} is in both {seen[item]!r} and {inst.id!r}: the export would hold one column for two items; rename one"
                raise InstrumentError(msg)
            seen[item] = inst.id
    return out


def design_survey(instruments, *, title=None, participation=False, cohorts=None, attention_checks=0,
                  randomise=False, consent=None, allow_unconfirmed=False, language="en") -> Design:
    """Lay out a survey for one or more instruments (see :func:`belonging.build_survey` for the options).

    Raises
    ------
    InstrumentError
        An instrument's wording is not shipped or its facts are unconfirmed and `allow_unconfirmed`
        is false; two instruments share an item id.
    UsageError
        A bad option value.

    Examples
    --------
    >>> from belonging.survey.design import design_survey
    >>> design = design_survey(["ccs"], attention_checks=1, allow_unconfirmed=True)
    >>> block = design.blocks[1]
    >>> [r.id for r in block.questions[0].rows][9:12]
    ['ccs_10', 'attn_1', 'ccs_11']
    >>> block.questions[0].rows[10].text, block.questions[0].rows[10].expected
    ('To show that you are reading carefully, please choose "Agree" for this statement.', (3,))
    >>> design_survey(["ccs"])
    Traceback (most recent call last):
    ...
    belonging.errors.InstrumentError: instrument 'ccs' (Classroom Community Scale): its wording is not shipped for 20 of 20 items; 5 facts are marked unconfirmed ...
    """
    insts = _instruments(instruments)
    if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", language):
        msg = f"`language` must be an ISO 639-1 code such as 'en' or 'de' (a region may follow: 'en-GB'); got {language!r}"
        raise UsageError(msg)
    if isinstance(attention_checks, bool) or not isinstance(attention_checks, int) or attention_checks < 0:
        msg = f"`attention_checks` must be a count of 0 or more; got {attention_checks!r}"
        raise UsageError(msg)
    blocked = [(inst, instrument_status(inst)) for inst in insts]
    blocked = [(inst, why) for inst, why in blocked if why]
    if blocked and not allow_unconfirmed:
        inst, why = blocked[0]
        msg = (f"instrument {inst.id!r} ({inst.name}): {'; '.join(why)} (see `belonging instruments show {inst.id}`); "
               "build it with --allow-unconfirmed (allow_unconfirmed=True), which puts a notice in the survey, "
               "and replace the marked wording before fielding, or give a definition whose wording you have confirmed")
        raise InstrumentError(msg)
    blocks = []
    notice = _notice([inst for inst, _ in blocked]) if blocked else ""
    if notice:
        blocks.append(Block("notice", "Notice for the research team", (Question("notice_text", "info", notice),), label="notice: remove before fielding"))
    if consent is not None:
        blocks.append(_consent_block(consent))
    taken = {item for inst in insts for item in inst.item_ids}
    per_block = [attention_checks // len(insts) + (k < attention_checks % len(insts)) for k in range(len(insts))]
    for inst, count in zip(insts, per_block):
        most = max(1, len(inst.items) // 2)  # one per two statements: no two checks side by side
        if count > most:
            msg = (f"{attention_checks} attention checks (attention_checks, --attention-checks) put {count} among the {len(inst.items)} statements "
                   f"of {inst.id!r}; at most {most} fit there (one per two statements), "
                   f"{sum(max(1, len(i.items) // 2) for i in insts)} in this survey; ask for fewer")
            raise UsageError(msg)
    first = 1
    for number, (inst, count) in enumerate(zip(insts, per_block), start=1):
        blocks.append(_instrument_block(inst, number, count, first, taken, bool(randomise)))
        first += count
    if participation:
        blocks.append(participation_questions(cohorts=cohorts))
    return Design(title=_writable(str(title or DEFAULT_TITLE), "`title`"), blocks=tuple(blocks), instruments=tuple(i.id for i in insts),
                  notice=notice, language=str(language))
