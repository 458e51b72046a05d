"""The archive stage: captures and report versions in one SQLite database (docs/CONTRACTS.md §3)."""

from archive.store import Archive, IngestResult

__all__ = ["Archive", "IngestResult"]
