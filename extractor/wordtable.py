"""jieba's word frequencies as one sorted table on disk, and jieba's no-HMM cut over it.

The truncated-text rule (RULES.md R05 c) asks how jieba, without its HMM, cuts the last or
first dozen characters of a text. Loading jieba's dictionary for that costs about a second
and 80 MB per process: it unmarshals 350,000 words into a dict. The cut needs no dict: it
asks, for each fragment of the text, whether the fragment is a word (with its frequency) or
the prefix of one, and a binary search over the same words, sorted, answers both. So the
words and frequencies of our `segment.tokenizer()` (jieba's dictionary plus
extractor/data/userdict.txt) are written once, sorted by their UTF-8 bytes, to a cache file
that a later process reads in milliseconds; `cut()` repeats jieba 0.42's arithmetic step by
step, so it cuts exactly as jieba does (tests/test_wordtable.py compares them).

A membership list alone would not do: jieba picks, among the ways to cut a text into
dictionary words, the one with the largest product of word frequencies.

Why a cache built on first use rather than a file shipped in extractor/data/: the cut needs
every word with its frequency, so the table is jieba's whole dictionary again (5.8 MB), and
the installed jieba already carries that data; building from it keeps the table in step with
whichever jieba 0.42.x is installed.

The cache (no pickle: a JSON header, then little-endian integer arrays and the words) lives
in $INDICATORS_CACHE_DIR, else $XDG_CACHE_HOME/indicators, else ~/.cache/indicators. Its name
carries a key of what it was built from (see `source_key`); a file that is missing, stale,
short or fails its checksum is rebuilt, written to a temporary file and renamed into place so
that no reader sees half a file. When the folder cannot be written (a read-only home), jieba
itself cuts, as before the cache existed. `python -c "import extractor.wordtable as w;
print(w.prepare())"` builds it ahead of time (right after installing, say).
"""

from __future__ import annotations

import bisect
import json
import os
import re
import struct
import sys
import zlib
from array import array
from collections.abc import Iterator, Sequence
from functools import cache
from importlib import resources, util
from math import log
from pathlib import Path

FORMAT = "indicators-wordtable/1"
MAGIC = b"IXWT"
_HEAD = struct.Struct("<4sI")  # magic, length of the JSON header that follows

# jieba 0.42's block and word patterns (jieba/__init__.py), copied so that cutting needs no
# jieba import: a block of these characters is cut by the dictionary, anything else one
# character (or one whitespace run) at a time; single Latin letters and digits are glued.
_HAN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_SKIP = re.compile("(\r\n|\\s)", re.U)
_ENG = re.compile("[a-zA-Z0-9]", re.U)


class WordTable:
    """Words sorted by their UTF-8 bytes, with jieba's frequencies and total."""

    def __init__(self, blob: bytes, offsets: Sequence[int], freqs: Sequence[int], total: int,
                 base: int = 0) -> None:
        """Word k is blob[base + offsets[k]:base + offsets[k + 1]], with frequency freqs[k]."""
        self._blob, self._base, self._offsets, self._freqs = blob, base, offsets, freqs
        self.total = total
        self._logtotal = log(total)

    def __len__(self) -> int:
        return len(self._freqs)

    def __getitem__(self, k: int) -> bytes:
        return self._blob[self._base + self._offsets[k]:self._base + self._offsets[k + 1]]

    def lookup(self, word: str) -> int | None:
        """jieba's `FREQ.get(word)`: the frequency of a word, 0 for the prefix of a longer
        word only, None for neither."""
        key = word.encode("utf-8", "surrogatepass")
        k = bisect.bisect_left(self, key)  # UTF-8 byte order is code point order
        if k == len(self):
            return None
        found = self[k]
        if found == key:
            return self._freqs[k]
        return 0 if found.startswith(key) else None

    def cut(self, text: str) -> list[str]:
        """`list(jieba.Tokenizer.cut(text, HMM=False))` with this table's words."""
        out: list[str] = []
        for block in _HAN.split(text):
            if not block:
                continue
            if _HAN.match(block):
                out.extend(self._cut_block(block))
            else:
                for piece in _SKIP.split(block):
                    if _SKIP.match(piece):
                        out.append(piece)
                    else:
                        out.extend(piece)
        return out

    def _dag(self, block: str) -> dict[int, list[int]]:
        """For each start, the ends (inclusive) of the dictionary words starting there."""
        dag = {}
        n = len(block)
        for k in range(n):
            ends, i = [], k
            freq = self.lookup(block[k])
            while i < n and freq is not None:
                if freq:
                    ends.append(i)
                i += 1
                freq = self.lookup(block[k:i + 1])
            dag[k] = ends or [k]
        return dag

    def _cut_block(self, block: str) -> Iterator[str]:
        dag, n = self._dag(block), len(block)
        route: dict[int, tuple[float, int]] = {n: (0, 0)}
        for idx in range(n - 1, -1, -1):  # the same float operations, in jieba's order
            route[idx] = max((log(self.lookup(block[idx:x + 1]) or 1) - self._logtotal
                              + route[x + 1][0], x) for x in dag[idx])
        x, buf = 0, ""
        while x < n:
            y = route[x][1] + 1
            word = block[x:y]
            if _ENG.match(word) and len(word) == 1:
                buf += word
            else:
                if buf:
                    yield buf
                    buf = ""
                yield word
            x = y
        if buf:
            yield buf


# --------------------------------------------------------------------------------------------
# building and caching


def from_frequencies(freq: dict[str, int], total: int) -> WordTable:
    """The table of a jieba `FREQ` dict. Every prefix of a key is a key too, so the words
    with a frequency, plus the zero-frequency keys that prefix nothing, answer every
    `lookup` the dict would."""
    words = [w.encode("utf-8") for w, f in freq.items() if f]
    zeros = [w.encode("utf-8") for w, f in freq.items() if not f]
    keys = sorted(words + _maximal(zeros, words))
    blob = b"".join(keys)
    offsets = array("I", [0])
    for key in keys:
        offsets.append(offsets[-1] + len(key))
    freqs = array("I", (freq[k.decode("utf-8")] for k in keys))
    return WordTable(blob, offsets, freqs, total)


def _maximal(zeros: list[bytes], words: list[bytes]) -> list[bytes]:
    """The zero-frequency keys that are not a prefix of another key (none in jieba 0.42's
    own dictionary; a word deleted with `del_word` would be one)."""
    every = sorted(zeros + words)
    return [z for z in zeros if not _prefixes_another(every, z)]


def _prefixes_another(ordered: list[bytes], key: bytes) -> bool:
    k = bisect.bisect_right(ordered, key)
    return k < len(ordered) and ordered[k].startswith(key)


def encode(table: WordTable, key: str) -> bytes:
    words = table._blob[table._base:table._base + table._offsets[len(table)]]
    body = _little_endian(table._offsets) + _little_endian(table._freqs) + words
    header = json.dumps({"format": FORMAT, "key": key, "total": table.total, "words": len(table),
                         "crc32": zlib.crc32(body)}).encode("ascii")
    header += b" " * (-(len(header) + _HEAD.size) % 4)  # keep the arrays 4-byte aligned
    return _HEAD.pack(MAGIC, len(header)) + header + body


def decode(data: bytes, key: str) -> WordTable:
    """The table in `data`; ValueError for anything that is not a whole table of this key.
    The table reads its words and numbers from `data` itself (no copies)."""
    if len(data) < _HEAD.size:
        raise ValueError("short file")
    magic, size = _HEAD.unpack_from(data)
    start = _HEAD.size + size
    if magic != MAGIC or start > len(data):
        raise ValueError("not a word table")
    header = json.loads(data[_HEAD.size:start])
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != key:
        raise ValueError("another format or source")
    n, total = header.get("words"), header.get("total")
    if type(n) is not int or type(total) is not int or n < 1 or total < 1:
        raise ValueError("bad header")
    body = memoryview(data)[start:]
    if zlib.crc32(body) != header.get("crc32"):
        raise ValueError("checksum mismatch")
    words_at = start + 4 * (2 * n + 1)
    if words_at > len(data):
        raise ValueError("short file")
    offsets, freqs = _uints(body[:4 * (n + 1)]), _uints(body[4 * (n + 1):4 * (2 * n + 1)])
    if offsets[0] != 0 or words_at + offsets[n] != len(data):
        raise ValueError("inconsistent sizes")
    return WordTable(data, offsets, freqs, total, base=words_at)


def _little_endian(values: Sequence[int]) -> bytes:
    out = array("I", values)
    if sys.byteorder != "little":
        out.byteswap()
    return out.tobytes()


def _uints(raw: memoryview) -> Sequence[int]:
    """Little-endian 4-byte unsigned integers: a view of them where that is the machine's
    order, a copy otherwise."""
    if sys.byteorder == "little":
        return raw.cast("I")
    values = array("I", raw.tobytes())
    values.byteswap()
    return values


def source_key() -> str:
    """What the table is built from: jieba's code (its __init__.py carries the version and
    the cut) and the size and time of its dictionary file, as Python keys a .pyc by its
    source's (hashing the 5 MB dictionary would cost more than reading the table), and the
    content of our user dictionary; and this module's format."""
    import hashlib  # here, not at the top: most processes never need the table

    folder = Path(_jieba_folder())
    stat = (folder / "dict.txt").stat()
    digest = hashlib.sha256()
    digest.update((folder / "__init__.py").read_bytes())
    digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update(resources.files("extractor.data").joinpath("userdict.txt").read_bytes())
    digest.update(FORMAT.encode())
    return digest.hexdigest()[:24]


def _jieba_folder() -> str:
    """jieba's package folder, found without importing jieba (its import alone costs)."""
    spec = util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("jieba is not installed")
    return list(spec.submodule_search_locations)[0]


def cache_dir() -> Path:
    if os.environ.get("INDICATORS_CACHE_DIR"):
        return Path(os.environ["INDICATORS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "indicators"


def cache_path(key: str) -> Path:
    return cache_dir() / f"wordtable-{key}.bin"


def build() -> WordTable:
    """The table of the process's jieba tokenizer (this loads jieba's dictionary)."""
    from extractor import segment

    tokenizer = segment.tokenizer()
    return from_frequencies(tokenizer.FREQ, tokenizer.total)


def load_or_build() -> WordTable | None:
    """The cached table; else a new one, cached; None when the cache folder cannot be
    written (a read-only home): then jieba itself cuts, which is cheaper than building a
    table every run."""
    key = source_key()
    path = cache_path(key)
    try:
        return decode(path.read_bytes(), key)
    except (OSError, ValueError) as exc:  # missing, unreadable, stale or corrupt: rebuild
        _note(f"word table {path}: {exc}")
    spare = _spare_file(path)
    if spare is None:
        return None
    table = build()
    _commit(spare, encode(table, key), path)
    return table


def _spare_file(path: Path) -> tuple[int, str] | None:
    """A new temporary file beside `path` (descriptor, name); None if the folder is not
    writable."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        _note(f"word table not cached: {exc}")
        return None


def _commit(spare: tuple[int, str], data: bytes, path: Path) -> None:
    """Fill the temporary file and rename it over `path`: a reader sees the old file or the
    whole new one, never a part, and two processes building at once both leave a whole one."""
    fd, name = spare
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(name, path)
    except OSError as exc:  # a full disk, say: this process keeps its table all the same
        _note(f"word table not cached: {exc}")
        Path(name).unlink(missing_ok=True)


def _note(message: str) -> None:
    """A debug log line; logging is imported only when there is something to say."""
    import logging

    logging.getLogger(__name__).debug(message)


@cache
def table() -> WordTable | None:
    """The process's word table, read from the cache or built once; None without a cache."""
    return load_or_build()


def cut(text: str) -> list[str]:
    """jieba's no-HMM cut of `text` with our dictionary, empty cuts dropped."""
    words = table()
    if words is None:
        from extractor import segment

        return segment.words(text, hmm=False)
    return [w for w in words.cut(text) if w]


def prepare() -> Path | None:
    """Build the cache now (after an install, say) rather than on first use; the file, or
    None when it cannot be written."""
    table()
    path = cache_path(source_key())
    return path if path.is_file() else None
