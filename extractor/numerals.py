"""Numbers as written in Chinese documents → float.

Arabic numbers with separators, and Chinese numerals through `cn2an` (a maintained
converter), with the colloquial 两 and the 百分之 form handled here.

Importing cn2an costs about 0.15 s of CPU (it compiles its whole grammar as regular
expressions), as much as the rest of a small document's extraction. Most numerals are written
the way cn2an itself writes numbers (`an2cn`: 十二, 一百零五, 七万五千四百), and for those the
value is read here, by cn2an's own place-value loop, so cn2an is imported only for the other
spellings (一十二, 一千零十, decimals with 点). tests/test_numbers.py checks that both ways
agree and that `an2cn` below writes every number as cn2an does.
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
    if len(text) == 1:  # a lone 百, 千, 万, 亿 or 点 is no numeral (cn2an refuses it too)
        return _SINGLE.get(text)
    normal = text.replace("两", "二").replace("〇", "零")
    written = _as_written(normal)
    if written is not None:
        return float(written)
    import cn2an  # imported on first use: it costs a third of the package's import time

    try:
        return float(cn2an.cn2an(normal, "strict"))
    except (ValueError, KeyError, IndexError):
        return None


def mixed_to_chinese(text: str) -> str:
    """Arabic digits between scale words, spelled as the Chinese numeral they stand for:
    `7万5千4百` → `七万五千四百` (read like `一万二千`), `12万3千` → `十二万三千`."""
    return re.sub(r"\d+", lambda m: an2cn(int(m.group())), text)


# cn2an 0.5's own spelling and reading of whole numbers (cn2an/an2cn.py `__integer_convert`,
# "low" mode, and cn2an/cn2an.py `__integer_convert`), for the numerals it writes itself.
_DIGITS = "零一二三四五六七八九"
_PLACES = ["", "十", "百", "千", "万", "十", "百", "千", "亿", "十", "百", "千", "万", "十", "百", "千"]
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000, "亿": 100000000}
_SMALL_UNITS = "十百千万"
_ZERO_BEFORE_THOUSANDS = re.compile("([万亿])零([一二三四五六七八九][千])")


def an2cn(number: int) -> str:
    """`cn2an.an2cn(number)` for a whole number ≥ 0: 12 → 十二, 105 → 一百零五."""
    digits = str(int(number))
    if len(digits) > len(_PLACES):
        raise ValueError(f"超出数据范围，最长支持 {len(_PLACES)} 位")
    out = ""
    for i, d in enumerate(digits):
        place = len(digits) - i - 1
        if d != "0":
            out += _DIGITS[int(d)] + _PLACES[place]
            continue
        if not place % 4:
            out += "零" + _PLACES[place]
        if i > 0 and out[-1] != "零":
            out += "零"
    out = out.replace("零零", "零").replace("零万", "万").replace("零亿", "亿").replace("亿万", "亿")
    out = _ZERO_BEFORE_THOUSANDS.sub(r"\1\2", out.strip("零"))
    if out[:2] == "一十":
        out = out[1:]
    return out or "零"


def _as_written(text: str) -> int | None:
    """The value of a numeral below 亿 spelled exactly as `an2cn` spells it, else None.
    (From 亿 up an2cn drops a needed 零 now and then, 600006886 → 六亿六千八百八十六, a
    spelling cn2an then refuses: those stay with cn2an.)"""
    if not text or any(c not in _DIGITS and c not in _SMALL_UNITS for c in text):
        return None
    value = _place_value(text)
    return value if value < 10**8 and an2cn(value) == text else None


def _place_value(text: str) -> int:
    total, unit, big = 0, 1, 1
    for index, c in enumerate(reversed(text)):
        if c in _UNITS:
            unit = _UNITS[c]
            if unit % 10000 == 0:  # 万, 亿, or 万亿
                if unit > big:
                    big = unit
                else:
                    big = unit = unit * big
            if unit < big:
                unit *= big
            if index == len(text) - 1:
                total += unit
        else:
            total += _DIGITS.index(c) * unit
    return total


def parse_number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    if text[0].isdigit():
        return parse_arabic(text)
    return parse_chinese(text)
