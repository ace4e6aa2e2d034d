"""Read Chinese budget performance-target tables (绩效目标表) into indicator records.

Public API::

    extractor.extract(path)                    -> list[Indicator]
    extractor.extract_text(text)               -> list[Indicator] (the text itself)
    extractor.extract_document(path)           -> DocumentResult (records + context)
    extractor.find_quantities(text, context)   -> list[Quantity]
    extractor.find_deadlines(text, budget_year)-> list[Deadline]
    extractor.find_formulas(text)              -> list[Formula] (factors, stated result)

Importing the package loads nothing heavy: vocabularies, converters and the segmenter are
built on first use.
"""

from __future__ import annotations

from pathlib import Path

from extractor.deadlines import find_deadlines
from extractor.errors import ExtractorError, ReadError
from extractor.formulas import Formula, find_formulas
from extractor.pipeline import extract_document
from extractor.pipeline import extract_text as _extract_text_document
from extractor.quantities import find_quantities
from extractor.records import Deadline, DocumentResult, Indicator, Quantity

__version__ = "0.1.0"
__all__ = [
    "Deadline", "DocumentResult", "ExtractorError", "Formula", "Indicator", "Quantity",
    "ReadError", "extract", "extract_document", "extract_text", "find_deadlines", "find_formulas",
    "find_quantities", "__version__",
]


def extract(source: str | Path | bytes, name: str | None = None) -> list[Indicator]:
    """Indicator records of one document: a Path, a path string or bytes. A string that looks
    like a file name (`"typo.txt"`) but names no file raises ReadError instead of being read
    as text; pass text through `extract_text`. (Other strings are still read as text, for
    callers written before `extract_text`.)"""
    return extract_document(source, name).indicators


def extract_text(text: str, name: str = "<text>") -> list[Indicator]:
    """Indicator records of a document given as its text, never taken for a file name."""
    return _extract_text_document(text, name).indicators
