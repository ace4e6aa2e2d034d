"""Document names: what the `doc` field of every record says about where a document came from.

A plain file is named by its path as given; a member of a ZIP archive by the archive's path and
the member's names joined with `!` (`batch.zip!2024/表一.xlsx`, `outer.zip!inner.zip!a.txt`).
Two things would make such names ambiguous or unwritable, and are escaped in percent form:

* a `!` that belongs to a file or member name is written `%21`, so `a.zip!inner.txt` (a file
  literally named so) is `a.zip%21inner.txt` and never meets the member `inner.txt` of `a.zip`;
* a byte of a file name that is not UTF-8 (GBK names copied from Windows; Python holds it as a
  surrogate escape) is written `%XX`, so every name can be written as UTF-8 JSON and Excel text;
* a `%` already followed by two hex digits is written `%25`, so that the escape is undone exactly
  by `split_doc` (a plain `100%.xlsx` stays as it is).

`extract` and `check` name a document by its path with only the byte escape (no archives there).
"""

from __future__ import annotations

import os
import re

_TAG_ESCAPES = re.compile(r"[\udc80-\udcff]|!|%(?=[0-9A-Fa-f]{2})")
_BYTE_ESCAPES = re.compile(r"[\udc80-\udcff]|%(?=[0-9A-Fa-f]{2})")
_UNESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if "\udc80" <= char <= "\udcff":  # the undecodable byte that os.fsdecode kept as a surrogate
        return f"%{ord(char) - 0xDC00:02X}"
    return f"%{ord(char):02X}"


def doc_name(path: str, *members: str) -> str:
    """The unambiguous name of a file (`members` empty) or of a member of the archive at `path`."""
    return "!".join(_TAG_ESCAPES.sub(_escape, part) for part in (path, *members))


def path_label(path: str) -> str:
    """A path as `extract` and `check` name it: undecodable bytes as `%XX`, nothing else changed."""
    return _BYTE_ESCAPES.sub(_escape, path)


def split_doc(doc: str) -> list[str]:
    """The path and member names a `doc_name` was made of, as the file system gives them
    (`os.fsencode` of the first part is the file name's bytes)."""
    return [_unescape(part) for part in doc.split("!")]


def _unescape(part: str) -> str:
    raw = _UNESCAPE.sub(_byte, part)
    # each escaped byte is a surrogate now; the UTF-8 ones among them regroup into characters
    return os.fsdecode(raw.encode("utf-8", "surrogateescape"))


def _byte(match: re.Match[str]) -> str:
    value = int(match.group(1), 16)
    return chr(value) if value < 0x80 else chr(0xDC00 + value)
