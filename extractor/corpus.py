"""The labelled phrase corpus behind the classifier (format: corpus/README.md).

Two sources: hand-written phrases (`corpus/phrases/<level2>.tsv`) and the heading-labelled
indicators of the sample documents (`corpus/samples/`, distant supervision). Phrases are
deduplicated on a key without digits, spaces and signs; near-duplicates (character trigram
Jaccard ≥ 0.8) are grouped, and each group falls wholly into train or test by a hash of its
key, so the split is fixed by the text alone and no phrase straddles it.
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import regex

from extractor.errors import DataFileError

LEVEL2 = ("quantity", "quality", "timeliness", "cost", "social_cost", "ecological_cost",
          "economic", "social", "ecological", "sustainability", "satisfaction")
TEST_PERCENT = 20
NEAR_DUPLICATE = 0.8
_KEY_DROP = regex.compile(r"[\d.,\s≥≤<>=%％~～\-—]+")


@dataclass(frozen=True)
class Phrase:
    text: str
    level2: str
    kind: str  # plain | confusable | harvested
    origin: str  # the file it came from, relative to the corpus folder


def read_phrases(folder: Path) -> list[Phrase]:
    out: list[Phrase] = []
    for path in sorted(folder.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
        if not rows or rows[0] != ["text", "level2", "kind"]:
            raise DataFileError(f"{path}: the first line must be text<TAB>level2<TAB>kind")
        for number, row in enumerate(rows[1:], start=2):
            out.append(_phrase(row, path, number))
    return out


def _phrase(row: list[str], path: Path, number: int) -> Phrase:
    if len(row) != 3 or not row[0].strip():
        raise DataFileError(f"{path}:{number}: expected 3 tab-separated columns")
    text, level2, kind = (cell.strip() for cell in row)
    if level2 not in LEVEL2 or kind not in ("plain", "confusable"):
        raise DataFileError(f"{path}:{number}: unknown class '{level2}' or kind '{kind}'")
    return Phrase(text, level2, kind, f"phrases/{path.name}")


def harvest(samples: Path) -> list[Phrase]:
    """Indicators that the sample documents file under a second-level heading."""
    from extractor.pipeline import extract_document

    out = []
    for path in sorted(samples.glob("*.txt")):
        if ".utf16" in path.name or ".gb" in path.name:  # encoded copies of another sample
            continue
        for ind in extract_document(path).indicators:
            if ind.label_source == "heading" and ind.level2:
                text = " ".join(ind.text.split())
                out.append(Phrase(text, ind.level2, "harvested", f"samples/{path.name}"))
    return out


def load(root: Path) -> list[Phrase]:
    return read_phrases(root / "phrases") + harvest(root / "samples")


def dedup_key(text: str) -> str:
    return _KEY_DROP.sub("", text)


def split(phrases: list[Phrase]) -> tuple[list[Phrase], list[Phrase]]:
    """(train, test): one phrase per key (the first; a key seen with two classes is dropped
    as contradictory), near-duplicate groups kept on one side."""
    unique = _unique(phrases)
    group = _near_duplicate_groups([dedup_key(p.text) for p in unique])
    train, test = [], []
    for phrase, root in zip(unique, group, strict=True):
        (test if _in_test(dedup_key(unique[root].text)) else train).append(phrase)
    return train, test


def _unique(phrases: list[Phrase]) -> list[Phrase]:
    by_key: dict[str, Phrase] = {}
    contradictory: set[str] = set()
    for phrase in phrases:
        key = dedup_key(phrase.text)
        seen = by_key.get(key)
        if seen is None:
            by_key[key] = phrase
        elif seen.level2 != phrase.level2:
            contradictory.add(key)
    return [p for k, p in by_key.items() if k not in contradictory]


def _in_test(key: str) -> bool:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 100 < TEST_PERCENT


def trigrams(key: str) -> set[str]:
    return {key[i:i + 3] for i in range(max(1, len(key) - 2))}


def _near_duplicate_groups(keys: list[str]) -> list[int]:
    """For each key, the index of its group's first member (union-find over pairs whose
    trigram Jaccard reaches NEAR_DUPLICATE; candidates come from an inverted index)."""
    grams = [trigrams(k) for k in keys]
    index: dict[str, list[int]] = defaultdict(list)
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, own in enumerate(grams):
        shared: dict[int, int] = defaultdict(int)
        for gram in own:
            for j in index[gram]:
                shared[j] += 1
            index[gram].append(i)
        for j, common in shared.items():
            if common / (len(own) + len(grams[j]) - common) >= NEAR_DUPLICATE:
                parent[find(i)] = find(j)
    roots = [find(i) for i in range(len(keys))]
    first: dict[int, int] = {}
    for i, r in enumerate(roots):
        first.setdefault(r, i)
    return [first[r] for r in roots]
