"""Errors raised to users. Every message names the input it concerns."""

from __future__ import annotations


class ExtractorError(Exception):
    """Root of the errors this package raises on purpose."""


class DataFileError(ExtractorError, ValueError):
    """A vocabulary file under extractor/data/ is malformed."""


class ReadError(ExtractorError, OSError):
    """An input could not be read or decoded; `reason` is a short code for summaries."""

    def __init__(self, source: str, message: str, reason: str = "unreadable") -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = reason


class DocumentTimeout(BaseException):  # noqa: N818 — named for what happened, like KeyboardInterrupt
    """A document ran past its time limit in `indicators tag`. A BaseException, like
    KeyboardInterrupt, so that no handler meant for a damaged file or a failing check rule
    (`except Exception`) swallows it and lets the document run on."""
