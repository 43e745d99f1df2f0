"""The canonical Responses: one wide frame plus column metadata and provenance beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["ColumnInfo", "Provenance", "Responses"]


@dataclass(frozen=True)
class ColumnInfo:
    """What is known about one column of an export."""

    name: str
    question: str | None = None
    platform_id: str | None = None
    value_labels: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    identifier: bool = False
    free_text: bool = False
    kind: str = "other"  # "meta", "answer", "identifier", "system", "other"


@dataclass(frozen=True)
class Provenance:
    """Where the responses came from and what the reader did to get them."""

    path: str
    sha256: str
    platform: str
    encoding: str
    format: str
    n_records: int
    dropped: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """Plain dict for manifests and JSON."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "platform": self.platform,
            "encoding": self.encoding,
            "format": self.format,
            "n_records": self.n_records,
            "dropped": dict(self.dropped),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Responses:
    """Survey responses in canonical form.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per kept response, wide: meta columns (``response_id``, ``source_row``, then
        ``started_at``, ``submitted_at``, ``duration_s``, ``finished``, ``progress``, ``wave`` where the
        export has them), then the survey's other columns, then answers.
    columns : tuple of ColumnInfo
        Metadata of every column of ``data``: question text, platform id, value labels, whether it
        identifies a person.
    provenance : Provenance
        File, SHA-256, platform, encoding, counts of rows dropped and why.
    dropped : pandas.DataFrame
        Records the reader set aside (previews, tests, spam): ``source_row``, ``response_id``,
        ``reason``. They are accounted for by the quality report; they never reach scores.
    """

    data: object
    columns: tuple[ColumnInfo, ...]
    provenance: Provenance
    dropped: object = None

    def column_info(self, name: str) -> ColumnInfo:
        """Metadata for column `name` (a bare :class:`ColumnInfo` if the reader recorded none)."""
        for info in self.columns:
            if info.name == name:
                return info
        return ColumnInfo(name=name)

    @property
    def identifiers(self) -> tuple[str, ...]:
        """Names of columns that identify a person (left out of outputs by default)."""
        return tuple(c.name for c in self.columns if c.identifier)

    @property
    def n_records(self) -> int:
        """Number of records read from the file, kept and dropped."""
        return self.provenance.n_records

    def __len__(self) -> int:
        return len(self.data)
