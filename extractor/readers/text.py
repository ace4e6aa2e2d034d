"""Decode bytes of unknown encoding: BOMs, UTF-8, GB18030 (covers GBK/GB2312), UTF-16
without BOM, then charset-normalizer's best guess (Big5 and the rest)."""

from __future__ import annotations

import codecs
import re

from extractor.errors import ReadError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# a decoded text with more than this share of control characters is binary, not text
_MAX_CONTROL_SHARE = 0.02
# the control characters that do not occur in text (C0 but tab, line feed, VT, FF, CR): one
# C scan instead of a Python step per character
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def decode(data: bytes, name: str) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, name), encoding
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _strict(data, utf16, name), utf16
    if b"\x00" in data[:65536]:
        raise ReadError(name, "binary file (NUL bytes): not a text document", "binary")
    for encoding in ("utf-8", "gb18030"):
        try:
            return _checked(data.decode(encoding), name), encoding
        except UnicodeDecodeError:
            continue
    # imported only for the rare text that is neither UTF-8 nor GB18030: it costs 10 ms
    from charset_normalizer import from_bytes

    best = from_bytes(data[:262144]).best()
    if best is None or best.encoding is None:
        raise ReadError(name, "undecodable bytes: not UTF-8, UTF-16 or GB18030, and no "
                              "other encoding fits", "undecodable")
    try:
        return _checked(data.decode(best.encoding), name), best.encoding
    except (UnicodeDecodeError, LookupError) as exc:
        raise ReadError(name, f"undecodable bytes ({exc})", "undecodable") from exc


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return _checked(data.decode(encoding), name)
    except UnicodeDecodeError as exc:
        raise ReadError(name, f"invalid {encoding} at byte {exc.start}", "undecodable") from exc


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_zero = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def _checked(text: str, name: str) -> str:
    sample = text[:65536]
    control = len(_CONTROL.findall(sample))
    if sample and control / len(sample) > _MAX_CONTROL_SHARE:
        raise ReadError(name, "binary content (control characters): not a text document",
                        "binary")
    return text
