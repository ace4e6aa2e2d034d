"""Classify indicators into level1/level2: ordered rules first (extractor/data/classes.toml,
TAXONOMY.md §6), the trained model (extractor/model.py) for what no rule decides.

Every record gets `inferred`, the classifier's own reading. A record without a heading label
takes it (`label_source` "rule" or "model"); a heading-labelled record keeps the document's
label, and `misfiled` marks the ones where a strong rule says otherwise (RULES.md R21).
Confidence below REVIEW_BELOW is a review hint: the label stands but asks for a look.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from extractor import lexicon
from extractor.errors import DataFileError
from extractor.records import Deadline, Indicator, Label, Quantity

REVIEW_BELOW = 0.6
# A rule at least this precise decides alone (its confidence is its precision on the corpus
# test split, models/README.md); a weaker rule yields to a model that is at least MODEL_TRUSTED
# sure and surer than the rule is precise.
DECISIVE = 0.9
MODEL_TRUSTED = 0.5


@dataclass(frozen=True)
class Rule:
    id: str
    level2: str
    words: tuple[str, ...]
    unless: tuple[str, ...]
    kinds: tuple[str, ...]
    dated: bool
    confidence: float
    strong: bool
    # one search for "any of these words occurs" instead of a Python loop per word: every
    # indicator meets several rules, and this test is most of their cost. The standard `re`
    # runs a literal alternation faster than `regex`: it skips the positions no word starts at
    _any_word: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _any_unless: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    # the rule's own reading, made once by `rules`: a Label is frozen, so the records that
    # share it cannot tell, and one made for each record cost more than the rule's test
    label: Label | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        for attr, words in (("_any_word", self.words), ("_any_unless", self.unless)):
            pattern = lexicon.any_word(words) if words else None
            object.__setattr__(self, attr, pattern)

    def holds(self, text: str, kind: str | None, dated: bool) -> bool:
        if self.kinds and kind not in self.kinds:
            return False
        if self.dated and not dated:
            return False
        if self._any_word is not None and self._any_word.search(text) is None:
            return False
        return self._any_unless is None or self._any_unless.search(text) is None


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    parents: dict[str, str]


@cache
def rules() -> Rules:
    data = lexicon.read_toml("classes.toml")
    parents = dict(data.get("parents", {}))
    out = []
    for i, entry in enumerate(data.get("rule", [])):
        rule = Rule(entry.get("id", f"rule{i + 1}"), entry.get("level2", ""),
                    tuple(entry.get("words", ())), tuple(entry.get("unless", ())),
                    tuple(entry.get("kinds", ())), bool(entry.get("dated")),
                    float(entry.get("confidence", 0.5)), bool(entry.get("strong")))
        if rule.level2 not in parents or not (rule.words or rule.kinds or rule.dated):
            raise DataFileError(f"extractor/data/classes.toml: rule '{rule.id}' needs a known "
                                "level2 and words, kinds or dated")
        object.__setattr__(rule, "label", Label(parents[rule.level2], rule.level2, "rule",
                                                rule.confidence, rule.id))
        out.append(rule)
    return Rules(tuple(out), parents)


def first_rule(text: str, target: Quantity | None, quantities: list[Quantity],
               deadline: Deadline | None, budget_year: int | None) -> Rule | None:
    kind = target.kind if target else (quantities[0].kind if quantities else None)
    for rule, word, unless in _applicable(kind, _is_dated(deadline, budget_year)):
        if (word is None or word(text)) and (unless is None or not unless(text)):
            return rule
    return None


_Search = Callable[[str], "re.Match[str] | None"]


@cache
def _applicable(kind: str | None, dated: bool) -> tuple[tuple[Rule, _Search | None, _Search | None], ...]:
    """The rules whose kind and date conditions hold, in order, with their word searches:
    only the word tests are left for each text (Rule.holds, minus the tests that do not
    depend on the text)."""
    return tuple((r, r._any_word.search if r._any_word else None,
                  r._any_unless.search if r._any_unless else None)
                 for r in rules().rules if (not r.kinds or kind in r.kinds) and (dated or not r.dated))


def _is_dated(deadline: Deadline | None, budget_year: int | None) -> bool:
    """A deadline that is a milestone, not the budget year restated (全年, 2024年1-12月)."""
    if deadline is None:
        return False
    if deadline.start is None and deadline.end is None:  # relative, and no budget year known
        return not any(w in deadline.text for w in lexicon.load().words["whole_year_words"])
    if deadline.start and deadline.end:
        start, end = date.fromisoformat(deadline.start), date.fromisoformat(deadline.end)
        whole_year = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
        return not (whole_year and start.year == end.year and budget_year in (None, start.year))
    return True


def infer(text: str, target: Quantity | None, quantities: list[Quantity],
          deadline: Deadline | None, budget_year: int | None = None,
          level1: str | None = None) -> Label | None:
    """The classifier's reading of one indicator, within `level1` when the heading gives it."""
    parents = rules().parents
    allowed = [c for c, p in parents.items() if level1 in (None, p)]
    rule = first_rule(text, target, quantities, deadline, budget_year)
    if rule is not None and rule.level2 not in allowed:
        rule = None
    if rule is not None and rule.confidence >= DECISIVE:
        return Label(parents[rule.level2], rule.level2, "rule", rule.confidence, rule.id)
    guess = _model_guess(text, allowed)
    if rule is not None and (guess is None
                             or guess[0] == rule.level2
                             or guess[1] < max(MODEL_TRUSTED, rule.confidence)):
        confidence = max(rule.confidence, guess[1]) if guess and guess[0] == rule.level2 \
            else rule.confidence
        return Label(parents[rule.level2], rule.level2, "rule", round(confidence, 3), rule.id)
    if guess is None:
        return None
    return Label(parents[guess[0]], guess[0], "model", round(guess[1], 3), None)


def _model_guess(text: str, allowed: list[str]) -> tuple[str, float] | None:
    from extractor import model as trained  # here: many documents never need the model

    model = trained.default()
    if model is None:
        return None
    proba = model.proba(text)
    scores = {c: p for c, p in zip(model.classes, proba, strict=True) if c in allowed}
    total = sum(scores.values())
    if not scores or total <= 0:
        return None
    best = max(scores, key=scores.__getitem__)
    return best, scores[best] / total


def apply(records: list[Indicator], budget_year: int | None) -> None:
    """Fill labels the document does not give; record the inferred reading on every record.
    A heading-labelled record is read by the rules only: the model's opinion would not change
    its label, and a misfiled finding needs a strong rule anyway."""
    for ind in records:
        if ind.level2 is not None:
            _second_opinion(ind, budget_year)
            continue
        label = infer(ind.text, ind.target, ind.quantities, ind.deadline, budget_year, ind.level1)
        ind.inferred = label
        if label is not None:
            ind.level1 = ind.level1 or label.level1
            ind.level2 = label.level2
            ind.label_source, ind.confidence = label.source, label.confidence


def _second_opinion(ind: Indicator, budget_year: int | None) -> None:
    rule = first_rule(ind.text, ind.target, ind.quantities, ind.deadline, budget_year)
    if rule is None:
        return
    ind.inferred = rule.label
    ind.misfiled = rule.strong and rule.level2 != ind.level2
