"""The survey design: plain frozen dataclasses that every platform writer lays out in its own format.

A :class:`Design` is a sequence of :class:`Block` s (a notice, a consent text, one block per
instrument, the participation block); a block holds :class:`Question` s; a matrix question holds
:class:`Row` s (the statements: an instrument's items and any attention checks) answered on one set of
:class:`Option` s (the instrument's response scale, codes and labels in published order).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KINDS", "Block", "Design", "Option", "Question", "Row"]

KINDS = ("matrix", "choice", "number", "text", "info")


@dataclass(frozen=True)
class Option:
    """One answer: the `code` the export holds, the `label` shown, and an optional canonical `value`.

    Examples
    --------
    >>> from belonging.survey.model import Option
    >>> Option(1, "Online, in scheduled live sessions", value="online_sync").value
    'online_sync'
    """

    code: int
    label: str
    value: str | None = None


@dataclass(frozen=True)
class Row:
    """One statement of a matrix: an item (or an attention check) and the text shown for it.

    `placeholder` is true when the instrument ships no wording for the item (the text is its neutral
    label, marked for replacement). `expected` holds the codes that pass an attention check (empty for
    an item).

    Examples
    --------
    >>> from belonging.survey.model import Row
    >>> Row("attn_1", 'Please choose "Agree" for this statement.', expected=(3,)).is_check
    True
    """

    id: str
    text: str
    placeholder: bool = False
    expected: tuple[int, ...] = ()

    @property
    def is_check(self) -> bool:
        """Whether the row is an attention check."""
        return bool(self.expected)


@dataclass(frozen=True)
class Question:
    """One question: a matrix of statements, a single choice, a number, a line of text, or information.

    Examples
    --------
    >>> from belonging.survey.model import Question
    >>> Question("live_hours", "number", "Hours in live sessions?", minimum=0, maximum=200, decimals=True).kind
    'number'
    """

    id: str
    kind: str
    text: str
    rows: tuple[Row, ...] = ()
    options: tuple[Option, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    decimals: bool = False

    @property
    def answered(self) -> bool:
        """Whether the question records an answer (everything but information text)."""
        return self.kind != "info"


@dataclass(frozen=True)
class Block:
    """A page of the survey: a title, an optional introduction and its questions.

    `title` is the heading respondents see; `label` the block's name for the research team (a
    platform's block name, never shown to respondents). `instrument` names the instrument a block
    measures; `randomise` asks for its matrix statements in a random order per respondent (where the
    platform can).

    Examples
    --------
    >>> from belonging.survey.model import Block, Question
    >>> block = Block("consent", "About this survey", (Question("consent_text", "info", "Thank you."),))
    >>> block.instrument is None, block.questions[0].answered
    (True, False)
    """

    id: str
    title: str
    questions: tuple[Question, ...]
    intro: str = ""
    instrument: str | None = None
    randomise: bool = False
    label: str = ""


@dataclass(frozen=True)
class Design:
    """A whole survey, independent of any platform.

    Attributes
    ----------
    title : str
    blocks : tuple of Block
    instruments : tuple of str
        Ids of the instruments measured, in block order.
    notice : str
        The notice carried by a survey built with unconfirmed or unshipped wording ("" when none).
    language : str
        ISO 639-1 code of the survey's language.

    Examples
    --------
    >>> import belonging as bl
    >>> from belonging.survey.design import design_survey
    >>> design = design_survey(["coi"], allow_unconfirmed=True)
    >>> [b.id for b in design.blocks], design.instruments
    (['notice', 'coi'], ('coi',))
    >>> len(list(design.rows())), design.rows().__next__()[2].id
    (34, 'coi_01')
    """

    title: str
    blocks: tuple[Block, ...]
    instruments: tuple[str, ...]
    notice: str = ""
    language: str = "en"

    def rows(self):
        """Yield ``(block, question, row)`` for every matrix statement, in survey order."""
        for block in self.blocks:
            for question in block.questions:
                for row in question.rows:
                    yield block, question, row

    def questions(self):
        """Yield ``(block, question)`` for every question, in survey order."""
        for block in self.blocks:
            for question in block.questions:
                yield block, question
