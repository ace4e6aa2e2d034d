"""Check rules: numbers family (see extractor/checks/__init__.py)."""

from __future__ import annotations
