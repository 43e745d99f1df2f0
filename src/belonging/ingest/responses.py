"""The canonical Responses: one wide frame plus column metadata and provenance beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["ColumnInfo", "Provenance", "Responses"]


@dataclass(frozen=True)
class ColumnInfo:
    """What is known about one column of an export.

    Examples
    --------
    A Qualtrics export (three header rows: names, question texts, ImportIds):

    >>> import tempfile
    >>> from pathlib import Path
    >>> import belonging as bl
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name) / "qualtrics.csv"
    >>> _ = path.write_text(
    ...     "StartDate,EndDate,Status,ResponseId,RecipientEmail,Q5_1\\n"
    ...     "Start Date,End Date,Response Type,Response ID,Recipient Email,Peers care about each other\\n"
    ...     '{"ImportId":"startDate"},{"ImportId":"endDate"},{"ImportId":"status"},{"ImportId":"_recordId"},{"ImportId":"recipientEmail"},{"ImportId":"QID5_1"}\\n'
    ...     "2026-03-03 10:00:00,2026-03-03 10:09:30,IP Address,R_1,a@example.org,Agree\\n"
    ...     "2026-03-03 11:00:00,2026-03-03 11:01:00,Survey Preview,R_2,,Disagree\\n"
    ...     "2026-03-04 09:00:00,2026-03-04 09:12:00,IP Address,R_3,c@example.org,Neutral\\n")
    >>> responses = bl.read_export(path)
    >>> info = responses.column_info("Q5_1")
    >>> info.question, info.platform_id, info.kind
    ('Peers care about each other', 'QID5_1', 'answer')
    >>> responses.column_info("RecipientEmail").identifier
    True
    >>> folder.cleanup()
    """

    name: str
    question: str | None = None
    platform_id: str | None = None
    value_labels: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    identifier: bool = False
    free_text: bool = False
    kind: str = "other"  # "meta", "answer", "identifier", "system", "other"


@dataclass(frozen=True)
class Provenance:
    """Where the responses came from and what the reader did to get them.

    Examples
    --------
    A Qualtrics export with one preview response, which the reader sets aside:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import belonging as bl
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name) / "qualtrics.csv"
    >>> _ = path.write_text(
    ...     "StartDate,EndDate,Status,ResponseId,RecipientEmail,Q5_1\\n"
    ...     "Start Date,End Date,Response Type,Response ID,Recipient Email,Peers care about each other\\n"
    ...     '{"ImportId":"startDate"},{"ImportId":"endDate"},{"ImportId":"status"},{"ImportId":"_recordId"},{"ImportId":"recipientEmail"},{"ImportId":"QID5_1"}\\n'
    ...     "2026-03-03 10:00:00,2026-03-03 10:09:30,IP Address,R_1,a@example.org,Agree\\n"
    ...     "2026-03-03 11:00:00,2026-03-03 11:01:00,Survey Preview,R_2,,Disagree\\n"
    ...     "2026-03-04 09:00:00,2026-03-04 09:12:00,IP Address,R_3,c@example.org,Neutral\\n")
    >>> responses = bl.read_export(path)
    >>> p = responses.provenance
    >>> p.platform, p.format, p.encoding, p.n_records, dict(p.dropped)
    ('qualtrics', 'csv', 'utf-8', 3, {'preview': 1})
    >>> len(p.sha256), sorted(p.to_dict())
    (64, ['dropped', 'encoding', 'format', 'n_records', 'notes', 'path', 'platform', 'sha256'])
    >>> folder.cleanup()
    """

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

    Examples
    --------
    Read with :func:`belonging.read_export`; here a Qualtrics export with one preview response:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import belonging as bl
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name) / "qualtrics.csv"
    >>> _ = path.write_text(
    ...     "StartDate,EndDate,Status,ResponseId,RecipientEmail,Q5_1\\n"
    ...     "Start Date,End Date,Response Type,Response ID,Recipient Email,Peers care about each other\\n"
    ...     '{"ImportId":"startDate"},{"ImportId":"endDate"},{"ImportId":"status"},{"ImportId":"_recordId"},{"ImportId":"recipientEmail"},{"ImportId":"QID5_1"}\\n'
    ...     "2026-03-03 10:00:00,2026-03-03 10:09:30,IP Address,R_1,a@example.org,Agree\\n"
    ...     "2026-03-03 11:00:00,2026-03-03 11:01:00,Survey Preview,R_2,,Disagree\\n"
    ...     "2026-03-04 09:00:00,2026-03-04 09:12:00,IP Address,R_3,c@example.org,Neutral\\n")
    >>> responses = bl.read_export(path)
    >>> print(responses.summary().replace(str(path), "qualtrics.csv"))
    qualtrics.csv: qualtrics (csv, utf-8), 3 record(s), 2 kept
    columns: 8; identifying (left out of outputs by default): RecipientEmail
    set aside at ingest: preview 1
    note: times without an offset read as UTC (give --timezone if the export used local time)
    note: duration_s derived as submitted_at - started_at (the export has no duration column)
    >>> print(responses.data[["response_id", "duration_s", "Q5_1"]].to_string(index=False))
    response_id  duration_s    Q5_1
            R_1       570.0   Agree
            R_3       720.0 Neutral
    >>> print(responses.dropped.to_string(index=False))
     source_row response_id  reason
              2         R_2 preview
    >>> folder.cleanup()
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

    def summary(self) -> str:
        """What was read: file, platform, rows kept and set aside, columns, identifying columns."""
        p = self.provenance
        lines = [
            f"{p.path}: {p.platform} ({p.format}, {p.encoding}), {p.n_records} record(s), {len(self)} kept",
            f"columns: {self.data.shape[1]}; identifying (left out of outputs by default): "
            + (", ".join(self.identifiers) or "none"),
        ]
        if p.dropped:
            lines.append("set aside at ingest: " + ", ".join(f"{k} {v}" for k, v in p.dropped.items()))
        lines += [f"note: {n}" for n in p.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Responses {self.summary().splitlines()[0]}>"

    def _repr_html_(self) -> str:
        """Summary and the first rows, identifying columns masked (privacy by default, even on screen)."""
        from html import escape

        head = self.data.head(5).copy()
        for col in self.identifiers:
            if col in head.columns:
                head[col] = "(identifying)"
        lines = "".join(f"<li>{escape(line)}</li>" for line in self.summary().splitlines())
        return f"<ul>{lines}</ul>" + head.to_html(index=False, na_rep="", max_cols=30)
