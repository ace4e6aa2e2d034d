"""Numbers as written in Chinese documents → float.

Arabic numbers with separators, and Chinese numerals through `cn2an` (a maintained
converter), with the colloquial 两 and the 百分之 form handled here.
"""

from __future__ import annotations

import re
from functools import lru_cache

CHINESE_DIGITS = "零〇一二两三四五六七八九十百千万亿点"
# One-character numerals (三次, 两个) are most of what tables hold; reading them from this
# table spares the cn2an import (a third of a second) in most processes.
_SINGLE = {c: float(i) for i, c in enumerate("零一二三四五六七八九十")} | {"〇": 0.0, "两": 2.0}


def parse_arabic(text: str) -> float | None:
    cleaned = text.replace(",", "").replace(" ", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def parse_chinese(text: str) -> float | None:
    """`三` → 3, `两` → 2, `一万二千` → 12000, `十二` → 12; None when it is not a numeral."""
    if not text or any(c not in CHINESE_DIGITS for c in text):
        return None
    if text in _SINGLE:
        return _SINGLE[text]
    import cn2an  # imported on first use: it costs a third of the package's import time

    normal = text.replace("两", "二").replace("〇", "零")
    try:
        return float(cn2an.cn2an(normal, "strict"))
    except (ValueError, KeyError, IndexError):
        return None


def mixed_to_chinese(text: str) -> str:
    """Arabic digits between scale words, spelled as the Chinese numeral they stand for:
    `7万5千4百` → `七万五千四百` (read like `一万二千`), `12万3千` → `十二万三千`."""
    import cn2an

    return re.sub(r"\d+", lambda m: cn2an.an2cn(int(m.group())), text)


def parse_number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    if text[0].isdigit():
        return parse_arabic(text)
    return parse_chinese(text)
