"""Survey ingestion: platform exports to canonical :class:`Responses`."""

from belonging.ingest.read import PLATFORMS, read_export
from belonging.ingest.responses import ColumnInfo, Provenance, Responses

__all__ = ["PLATFORMS", "ColumnInfo", "Provenance", "Responses", "read_export"]
