"""`indicators train`: build models/ from corpus/, deterministically, and write the model card.

Character 1–3-grams need no segmentation and catch the short cue words (率, 元/人, 满意) that
decide most classes; TF-IDF with sublinear counts keeps long phrases from dominating; a
multinomial logistic regression is small, fast and gives probabilities, which a temperature
fitted on out-of-fold predictions of the training split calibrates. scikit-learn and numpy
(the train extra) are used here only; extraction scores the saved weights in plain Python
(extractor/model.py `Scorer`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from extractor import corpus
from extractor.classify import REVIEW_BELOW, first_rule, rules
from extractor.model import Classifier, char_ngrams, save, softmax

NGRAMS = (1, 3)
C = 8.0
MIN_DF = 2
FOLDS = 5
TEMPERATURES = tuple(round(0.2 + 0.05 * i, 2) for i in range(57))  # 0.2 … 3.0


@dataclass
class Report:
    counts: dict[str, tuple[int, int]]  # class → (train, test)
    per_class: dict[str, tuple[float, float, float, int]]  # precision, recall, f1, support
    macro_f1: float
    accuracy: float
    confusion: list[list[int]]
    classes: tuple[str, ...]
    temperature: float
    calibration: list[tuple[float, float, int]]  # (mean confidence, accuracy, n) per bin
    rules: dict[str, tuple[int, int]]  # rule id → (fired, right) on the test split
    low_confidence_share: float
    digest: str


def train(root: Path, out: Path) -> Report:
    train_set, test_set = corpus.split(corpus.load(root))
    texts, labels = [p.text for p in train_set], [p.level2 for p in train_set]
    model = _fit(texts, labels)
    model = _calibrated(model, texts, labels)
    report = _evaluate(model, train_set, test_set)
    save(model, out, {"corpus_sha256": report.digest, "train_size": len(train_set),
                      "test_size": len(test_set)})
    (out / "README.md").write_text(model_card(report), encoding="utf-8")
    return report


def _analyzer(text: str) -> list[str]:
    return char_ngrams(text, NGRAMS)


def _fit(texts: list[str], labels: list[str]) -> Classifier:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True, min_df=MIN_DF)
    x = vectorizer.fit_transform(texts)
    regression = LogisticRegression(C=C, max_iter=5000).fit(x, labels)
    weights = np.hstack([regression.coef_, regression.intercept_[:, None]])
    vocabulary = {g: int(i) for g, i in vectorizer.vocabulary_.items()}
    # round-trip through float32 now so that evaluation sees exactly what is saved
    return Classifier(tuple(regression.classes_), NGRAMS, vocabulary,
                      vectorizer.idf_.astype(np.float32).astype(np.float64),
                      weights.astype(np.float32).astype(np.float64), 1.0)


def _calibrated(model: Classifier, texts: list[str], labels: list[str]) -> Classifier:
    """The temperature that minimises the log loss of out-of-fold predictions."""
    from sklearn.model_selection import StratifiedKFold

    logits = np.zeros((len(texts), len(model.classes)))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(texts, labels)
    for fit_idx, held_idx in folds:
        fold = _fit([texts[i] for i in fit_idx], [labels[i] for i in fit_idx])
        held = [texts[i] for i in held_idx]
        logits[held_idx] = np.log(np.clip(fold.predict_proba(held), 1e-12, None))
    truth = np.array([model.classes.index(label) for label in labels])
    losses = [-np.log(softmax(logits / t)[np.arange(len(truth)), truth] + 1e-12).mean()
              for t in TEMPERATURES]
    best = TEMPERATURES[int(np.argmin(losses))]
    return Classifier(model.classes, model.ngram_range, model.vocabulary, model.idf,
                      model.weights, best)


def _evaluate(model: Classifier, train_set: list[corpus.Phrase],
              test_set: list[corpus.Phrase]) -> Report:
    classes = model.classes
    proba = model.predict_proba([p.text for p in test_set])
    predicted = [classes[i] for i in proba.argmax(axis=1)]
    truth = [p.level2 for p in test_set]
    confusion = [[sum(1 for t, p in zip(truth, predicted, strict=True) if t == a and p == b)
                  for b in classes] for a in classes]
    per_class = {c: _prf(confusion, i) for i, c in enumerate(classes)}
    return Report(
        counts={c: (sum(p.level2 == c for p in train_set), sum(p.level2 == c for p in test_set))
                for c in classes},
        per_class=per_class,
        macro_f1=float(np.mean([f for _, _, f, _ in per_class.values()])),
        accuracy=sum(t == p for t, p in zip(truth, predicted, strict=True)) / max(1, len(truth)),
        confusion=confusion, classes=classes, temperature=model.temperature,
        calibration=_calibration(proba, truth, classes),
        rules=_rule_precision(test_set),
        low_confidence_share=float((proba.max(axis=1) < REVIEW_BELOW).mean()),
        digest=_digest(train_set + test_set),
    )


def _prf(confusion: list[list[int]], i: int) -> tuple[float, float, float, int]:
    right = confusion[i][i]
    predicted = sum(row[i] for row in confusion)
    support = sum(confusion[i])
    precision = right / predicted if predicted else 0.0
    recall = right / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, support


def _calibration(proba: np.ndarray, truth: list[str],
                 classes: tuple[str, ...]) -> list[tuple[float, float, int]]:
    confidence = proba.max(axis=1)
    right = np.array([classes[i] == t for i, t in zip(proba.argmax(axis=1), truth, strict=True)])
    bins = []
    for low, high in ((0.0, 0.6), (0.6, 0.8), (0.8, 0.9), (0.9, 1.01)):
        mask = (confidence >= low) & (confidence < high)
        if mask.any():
            bins.append((float(confidence[mask].mean()), float(right[mask].mean()), int(mask.sum())))
    return bins


def _rule_precision(test_set: list[corpus.Phrase]) -> dict[str, tuple[int, int]]:
    from extractor.deadlines import find_deadlines
    from extractor.quantities import choose_target, find_quantities

    tally = {r.id: [0, 0] for r in rules().rules}
    for phrase in test_set:
        found = find_quantities(phrase.text)
        deadline = next(iter(find_deadlines(phrase.text, 2024)), None)
        rule = first_rule(phrase.text, choose_target(found, phrase.text), found, deadline, 2024)
        if rule is not None:
            tally[rule.id][0] += 1
            tally[rule.id][1] += rule.level2 == phrase.level2
    return {k: (v[0], v[1]) for k, v in tally.items()}


def _digest(phrases: list[corpus.Phrase]) -> str:
    lines = sorted(f"{p.text}\t{p.level2}" for p in phrases)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def model_card(r: Report) -> str:
    rows = "\n".join(
        f"| {c} | {r.counts[c][0]} | {r.counts[c][1]} | {p:.3f} | {rec:.3f} | {f:.3f} |"
        for c, (p, rec, f, _) in r.per_class.items())
    head = " | ".join(r.classes)
    matrix = "\n".join(f"| {c} | " + " | ".join(str(n) for n in row) + " |"
                       for c, row in zip(r.classes, r.confusion, strict=True))
    calibration = "\n".join(f"| {conf:.3f} | {acc:.3f} | {n} |" for conf, acc, n in r.calibration)
    rule_rows = "\n".join(
        f"| {rid} | {fired} | {right / fired:.3f} |" if fired else f"| {rid} | 0 | – |"
        for rid, (fired, right) in r.rules.items())
    return _CARD.format(rows=rows, head=head, sep=" | ".join("---" for _ in r.classes),
                        matrix=matrix, macro=r.macro_f1, acc=r.accuracy, t=r.temperature,
                        calibration=calibration, rule_rows=rule_rows, review=REVIEW_BELOW,
                        low=r.low_confidence_share, digest=r.digest,
                        train=sum(a for a, _ in r.counts.values()),
                        test=sum(b for _, b in r.counts.values()))


_CARD = """# Model card: indicator class classifier

Written by `indicators train` (extractor/train.py); do not edit by hand. Rebuild with
`indicators train` from a checkout: the same corpus gives the same files.

## What it is for

Giving a second-level class (SCHEMA.md `level2`) to an indicator phrase that no heading
labels (goal prose, unlabelled lists), and a second opinion on labelled ones. It runs after
the ordered rules of `extractor/data/classes.toml` (TAXONOMY.md §6) and decides only what they
leave open or hold weakly. Records it labels say `label_source: "model"` and carry its
calibrated probability as `confidence`; below {review} the label is a review hint.

## Data

`corpus/` (see corpus/README.md): hand-written phrases for every class plus the
heading-labelled indicators of the sample documents; deduplicated on a key without digits,
spaces and signs; near-duplicates (trigram Jaccard ≥ 0.8) kept on one side; a fixed split by
a hash of the key ({train} train / {test} test phrases). Corpus digest `{digest}`.

## Model

Character 1–3-grams (numbers folded to `0`), TF-IDF with sublinear counts, min_df 2;
multinomial logistic regression (C = 8); probabilities scaled by a temperature of {t:.2f}
fitted on 5-fold out-of-fold predictions of the training split. Saved as JSON + float32
NumPy arrays (no pickle).

## Held-out results (test split)

Macro-F1 {macro:.3f}, accuracy {acc:.3f}.

| class | train | test | precision | recall | F1 |
|---|---|---|---|---|---|
{rows}

Confusion matrix (rows: truth, columns: prediction):

| truth | {head} |
|---|{sep}|
{matrix}

Calibration on the test split (mean confidence vs accuracy per band):

| mean confidence | accuracy | phrases |
|---|---|---|
{calibration}

Share of test phrases below the review threshold {review}: {low:.3f}.

## The rules on the same test split

How often each rule of classes.toml decides a test phrase (first match), and how often it is
right. The rules' `confidence` values are set from these figures.

| rule | fired | precision |
|---|---|---|
{rule_rows}

## What it gets wrong

The phrases are short and written for the classes; real indicators are noisier. The hardest
pairs are those of TAXONOMY.md §3: 社会效益 vs 可持续影响 (a lasting effect without a horizon
word), 质量 vs 效益 (a rate about the output or about the people), 经济效益 vs 成本 (money
saved or spent), and the framework-B cost tiers (社会成本, 生态环境成本), which have the least
data. The model knows nothing of the project: a phrase that is an effect for one budget can be
an output for another.
"""
