"""Extraction: a fetched page or attachment → a clean ``Report`` (text, metadata, outline, verdict)."""

from __future__ import annotations

from extraction.extract import extract_file, extract_report
from extraction.limits import ExtractionLimit

__all__ = ["ExtractionLimit", "extract_file", "extract_report"]
