"""The trained phrase classifier: character n-grams, TF-IDF, multinomial logistic regression,
temperature-scaled probabilities.

Artifacts (models/ in a checkout, extractor/models/ when installed) are plain files, never
pickle: `classifier.json` (classes, n-gram range, vocabulary, temperature, corpus digest) and
`weights.npy` / `idf.npy` (float32, loaded with allow_pickle=False). Loading checks every type
and shape and refuses anything else. Training lives in extractor/train.py; this module only
predicts, with numpy, so scikit-learn is not imported at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import regex

from extractor.errors import ExtractorError

FORMAT = "indicators-classifier/1"
FILES = ("classifier.json", "weights.npy", "idf.npy")
_NUMBER = regex.compile(r"\d+(?:[.,]\d+)*")


class ModelError(ExtractorError):
    """A model artifact that is missing or not what this code writes."""


@dataclass(frozen=True)
class Classifier:
    classes: tuple[str, ...]
    ngram_range: tuple[int, int]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (features,)
    weights: np.ndarray  # (classes, features + 1): the last column is the intercept
    temperature: float

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        logits = np.array([self._logits(t) for t in texts]).reshape(len(texts), len(self.classes))
        return softmax(logits / self.temperature)

    def _logits(self, text: str) -> np.ndarray:
        """Weights of the phrase's n-grams only: a phrase has tens of n-grams, the model
        thousands of features, so a sparse product is what makes this cheap."""
        counts: dict[int, int] = {}
        for gram in char_ngrams(text, self.ngram_range):
            index = self.vocabulary.get(gram)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        if not counts:
            return self.weights[:, -1].copy()
        indices = np.fromiter(counts, dtype=np.int64)
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))  # sublinear tf
        values = tf * self.idf[indices]
        values /= np.linalg.norm(values)
        return self.weights[:, indices] @ values + self.weights[:, -1]


def model_text(text: str) -> str:
    """What the model sees: one space for any whitespace, `0` for any number."""
    return _NUMBER.sub("0", " ".join(text.split()))


def char_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    text = model_text(text)
    low, high = ngram_range
    return [text[i:i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def default_folder() -> Path:
    """models/ beside the package in a checkout; the installed copy otherwise."""
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "models" / FILES[0]).is_file():
        return root / "models"
    return Path(str(resources.files("extractor") / "models"))


@cache
def default() -> Classifier | None:
    """The shipped model, loaded once per process; None when no model is installed."""
    folder = default_folder()
    return load(folder) if (folder / FILES[0]).is_file() else None


def save(model: Classifier, folder: Path, meta: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    header = {"format": FORMAT, "classes": list(model.classes),
              "ngram_range": list(model.ngram_range), "temperature": model.temperature,
              "vocabulary": sorted(model.vocabulary, key=model.vocabulary.__getitem__), **meta}
    (folder / FILES[0]).write_text(json.dumps(header, ensure_ascii=False, indent=0) + "\n",
                                   encoding="utf-8")
    np.save(folder / FILES[1], model.weights.astype(np.float32), allow_pickle=False)
    np.save(folder / FILES[2], model.idf.astype(np.float32), allow_pickle=False)


def load(folder: Path) -> Classifier:
    try:
        header = json.loads((folder / FILES[0]).read_text(encoding="utf-8"))
        weights = np.load(folder / FILES[1], allow_pickle=False)
        idf = np.load(folder / FILES[2], allow_pickle=False)
    except (OSError, ValueError) as exc:  # ValueError: a pickled or malformed array
        raise ModelError(f"{folder}: cannot read the model: {exc}") from exc
    return _checked(header, weights, idf, folder)


def _checked(header: object, weights: np.ndarray, idf: np.ndarray, folder: Path) -> Classifier:
    def need(condition: bool, what: str) -> None:
        if not condition:
            raise ModelError(f"{folder}: refusing the model: {what}")

    need(isinstance(header, dict) and header.get("format") == FORMAT, f"format is not {FORMAT}")
    assert isinstance(header, dict)
    classes, vocab = header.get("classes"), header.get("vocabulary")
    ngram, temperature = header.get("ngram_range"), header.get("temperature")
    need(isinstance(classes, list) and all(isinstance(c, str) for c in classes), "classes")
    need(isinstance(vocab, list) and all(isinstance(v, str) for v in vocab), "vocabulary")
    need(isinstance(ngram, list) and len(ngram) == 2 and all(type(n) is int for n in ngram),
         "ngram_range")
    need(isinstance(temperature, (int, float)) and temperature > 0, "temperature")
    need(weights.dtype == np.float32 and idf.dtype == np.float32, "arrays must be float32")
    need(weights.shape == (len(classes), len(vocab) + 1), "weights shape")
    need(idf.shape == (len(vocab),), "idf shape")
    return Classifier(tuple(classes), (ngram[0], ngram[1]), {g: i for i, g in enumerate(vocab)},
                      idf.astype(np.float64), weights.astype(np.float64), float(temperature))
