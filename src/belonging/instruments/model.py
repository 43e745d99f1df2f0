"""The instrument model: plain frozen dataclasses built from a TOML definition."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["AttentionCheck", "Instrument", "Item", "ResponseScale", "Scoring", "Subscale"]


@dataclass(frozen=True)
class ResponseScale:
    """The response points of an instrument: integer codes ``min..max`` with one label each.

    A *continuous* scale (``continuous = true`` in the definition) has no response points: answers
    are measurements (scale scores, test results), any number, not only whole ones, with no labels.
    Its ``min`` and ``max`` bound the values when the definition gives them (a value outside is
    ``out_of_range``) and are ``-inf`` and ``inf`` when it does not.

    Examples
    --------
    >>> import belonging as bl
    >>> scale = bl.load_instrument("ccs").response_scale
    >>> scale.min, scale.max, scale.points, scale.midpoint, scale.continuous
    (0, 4, 5, 2.0, False)
    >>> scale.codes()
    (0, 1, 2, 3, 4)
    >>> scale.labels[0], scale.labels[-1]
    ('Strongly disagree', 'Strongly agree')
    >>> from belonging.instruments import ResponseScale
    >>> scores = ResponseScale(min=0, max=11, labels=(), continuous=True)
    >>> scores.points, scores.codes(), scores.midpoint
    (0, (), 5.5)
    """

    min: int | float
    max: int | float
    labels: tuple[str, ...]
    continuous: bool = False

    @property
    def points(self) -> int:
        """Number of response points (0 for a continuous scale)."""
        return 0 if self.continuous else self.max - self.min + 1

    @property
    def midpoint(self) -> float:
        """The scale midpoint, ``(min + max) / 2`` (NaN for an unbounded continuous scale)."""
        return (self.min + self.max) / 2

    def codes(self) -> tuple[int, ...]:
        """The valid codes, ``min`` to ``max`` (none for a continuous scale)."""
        return () if self.continuous else tuple(range(self.min, self.max + 1))


@dataclass(frozen=True)
class Scoring:
    """How a scale score is formed: ``method`` is ``"mean"`` or ``"sum"`` (prorated).

    ``min_answered`` is the fraction of a scale's items that must be answered for a score.

    Examples
    --------
    >>> import belonging as bl
    >>> bl.load_instrument("ccs").scoring
    Scoring(method='sum', min_answered=0.8)
    >>> bl.load_instrument("belonging_uncertainty").scoring
    Scoring(method='mean', min_answered=1.0)
    """

    method: str = "mean"
    min_answered: float = 0.8


@dataclass(frozen=True)
class Item:
    """One item: its id, optional wording or neutral label, keying, subscale and kind.

    ``continuous`` marks a measurement (a scale score, a test result) rather than a code of the
    response scale: any number within the scale's bounds is valid, whole or not, and answers are not
    looked up among the labels. Every item of an instrument with a continuous scale is continuous.

    Examples
    --------
    >>> import belonging as bl
    >>> item = bl.load_instrument("ccs").item("ccs_04")
    >>> item.reverse, item.subscale, item.display
    (True, 'learning', 'hard to get help with questions')
    >>> from belonging.instruments import Item
    >>> Item("q1", label="feels at home", text="I feel at home here.").display
    'I feel at home here.'
    >>> Item("q2").display
    'q2'
    >>> Item("gpa", continuous=True).continuous
    True
    """

    id: str
    label: str | None = None
    text: str | None = None
    reverse: bool = False
    subscale: str | None = None
    continuous: bool = False

    @property
    def display(self) -> str:
        """Wording where shipped, else the neutral label, else the id."""
        return self.text or self.label or self.id


@dataclass(frozen=True)
class Subscale:
    """A subscale: id, display name and its item ids in definition order.

    Examples
    --------
    >>> import belonging as bl
    >>> connectedness = bl.load_instrument("ccs").subscales[0]
    >>> connectedness.id, connectedness.name, len(connectedness.items)
    ('connectedness', 'Connectedness', 10)
    >>> connectedness.items[:3]
    ('ccs_01', 'ccs_03', 'ccs_05')
    """

    id: str
    name: str
    items: tuple[str, ...]
    description: str | None = None


@dataclass(frozen=True)
class AttentionCheck:
    """An item with an expected answer (an instructed-response item).

    Declared in a TOML definition as ``[[attention_checks]]`` with ``item`` and ``expected`` (one code
    or a list of codes); the loader stores `expected` as a tuple.

    Examples
    --------
    >>> from belonging.instruments import AttentionCheck
    >>> check = AttentionCheck(item="attn_1", expected=(3,), text="Please select 'Agree'.")
    >>> check.item, 3 in check.expected, 1 in check.expected
    ('attn_1', True, False)
    """

    item: str
    expected: tuple[int, ...]
    text: str | None = None


@dataclass(frozen=True)
class Instrument:
    """A validated belonging instrument.

    Built by :func:`belonging.load_instrument` from a TOML definition; never mutated.

    Examples
    --------
    >>> import belonging as bl
    >>> ccs = bl.load_instrument("ccs")
    >>> ccs.id, ccs.construct, len(ccs.item_ids), len(ccs.reverse_items)
    ('ccs', 'community', 20, 10)
    >>> {scale: len(items) for scale, items in ccs.scales().items()}
    {'ccs': 20, 'ccs_connectedness': 10, 'ccs_learning': 10}
    >>> list(ccs.structure())
    ['connectedness', 'learning']
    >>> list(bl.load_instrument("belonging_uncertainty").structure())
    ['belonging_uncertainty']
    """

    id: str
    name: str
    version: str
    citation: str
    construct: str
    response_scale: ResponseScale
    scoring: Scoring
    items: tuple[Item, ...]
    subscales: tuple[Subscale, ...] = ()
    attention_checks: tuple[AttentionCheck, ...] = ()
    doi: str | None = None
    population: str | None = None
    licence: str | None = None
    sources: tuple[str, ...] = ()
    unconfirmed: tuple[str, ...] = ()
    reliability: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    path: str | None = None

    @property
    def item_ids(self) -> tuple[str, ...]:
        """All item ids, in definition order (attention-check items excluded)."""
        return tuple(i.id for i in self.items)

    @property
    def reverse_items(self) -> tuple[str, ...]:
        """Ids of reverse-keyed items."""
        return tuple(i.id for i in self.items if i.reverse)

    @property
    def continuous_items(self) -> tuple[str, ...]:
        """Ids of continuous items (measurements, not codes): all of them on a continuous scale.

        Examples
        --------
        >>> import belonging as bl
        >>> bl.load_instrument("ccs").continuous_items
        ()
        """
        if self.response_scale.continuous:
            return self.item_ids
        return tuple(i.id for i in self.items if i.continuous)

    def item(self, item_id: str) -> Item:
        """Return the item with id `item_id`."""
        for it in self.items:
            if it.id == item_id:
                return it
        from belonging.errors import InstrumentError, suggest

        msg = f"instrument {self.id!r} has no item {item_id!r}{suggest(item_id, self.item_ids)}"
        raise InstrumentError(msg)

    def structure(self) -> dict[str, tuple[str, ...]]:
        """Factor structure for CFA: subscales as factors, or one factor named after the instrument."""
        if self.subscales:
            return {s.id: s.items for s in self.subscales}
        return {self.id: self.item_ids}

    def scales(self) -> dict[str, tuple[str, ...]]:
        """Scale columns and their items: the total ``<id>`` then ``<id>_<subscale>`` for each subscale."""
        out = {self.id: self.item_ids}
        for s in self.subscales:
            out[f"{self.id}_{s.id}"] = s.items
        return out
