"""The trained phrase classifier: character n-grams, TF-IDF, multinomial logistic regression,
temperature-scaled probabilities.

Artifacts (models/ in a checkout, extractor/models/ when installed) are plain files, never
pickle: `classifier.json` (classes, n-gram range, vocabulary, temperature, corpus digest) and
`weights.npy` / `idf.npy` (float32 .npy files, read here without numpy: a .npy file is a
literal header and raw numbers, and nothing in it is ever unpickled). Loading checks every
type and shape and refuses anything else. Training lives in extractor/train.py.

Two predictors share the loading: `Classifier` (numpy, vectorised) for training and its
evaluation, and `Scorer` (plain Python) for extraction, which asks about one phrase at a time
and only for phrases no heading or rule labels. A phrase has tens of n-grams, so the plain
sums are as quick as numpy's, and extraction does not import numpy at all (its import alone
cost a third of the CLI's start-up). The two agree to within 1e-15 in every probability
(float sums in another order); tests/test_model.py checks they pick the same class with the
same rounded confidence.
"""

from __future__ import annotations

import ast
import json
import math
import sys
from array import array
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import regex

from extractor.errors import ExtractorError

if TYPE_CHECKING:
    import numpy as np

FORMAT = "indicators-classifier/1"
FILES = ("classifier.json", "weights.npy", "idf.npy")
_NUMBER = regex.compile(r"\d+(?:[.,]\d+)*")
Npy = tuple[str, bool, tuple[int, ...], bytes]  # an .npy file's dtype, Fortran order, shape, data


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
        """(texts, classes) probabilities, numpy: for training and evaluation."""
        import numpy as np

        logits = np.array([self._logits(t) for t in texts]).reshape(len(texts), len(self.classes))
        return softmax(logits / self.temperature)

    def _logits(self, text: str) -> np.ndarray:
        """Weights of the phrase's n-grams only: a phrase has tens of n-grams, the model
        thousands of features, so a sparse product is what makes this cheap."""
        import numpy as np

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


@dataclass(frozen=True)
class Scorer:
    """The same model as `Classifier`, in plain Python: what extraction uses."""

    classes: tuple[str, ...]
    ngram_range: tuple[int, int]
    vocabulary: dict[str, int]
    idf: array  # float32, (features,)
    weights: array  # float32, feature-major: feature j's class weights at j*classes …; the
    #                 last feature is the intercept
    temperature: float

    def proba(self, text: str) -> list[float]:
        """The class probabilities of one phrase, in `classes` order."""
        logits = [x / self.temperature for x in self._logits(text)]
        top = max(logits)
        shifted = [math.exp(x - top) for x in logits]
        total = sum(shifted)
        return [x / total for x in shifted]

    def _logits(self, text: str) -> list[float]:
        """As `Classifier._logits`: the weights of the phrase's n-grams only."""
        width = len(self.classes)
        counts: dict[int, int] = {}
        for gram in char_ngrams(text, self.ngram_range):
            index = self.vocabulary.get(gram)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        bias = len(self.idf) * width
        sums = [0.0] * width
        if counts:
            values = {j: (1.0 + math.log(n)) * self.idf[j] for j, n in counts.items()}  # sublinear tf
            norm = math.sqrt(sum(v * v for v in values.values()))
            for j, v in values.items():
                scaled = v / norm
                for c, weight in enumerate(self.weights[j * width:(j + 1) * width]):
                    sums[c] += weight * scaled
        return [total + intercept for total, intercept in zip(sums, self.weights[bias:bias + width], strict=True)]


def model_text(text: str) -> str:
    """What the model sees: one space for any whitespace, `0` for any number."""
    return _NUMBER.sub("0", " ".join(text.split()))


def char_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    text = model_text(text)
    low, high = ngram_range
    return [text[i:i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]


def softmax(logits: np.ndarray) -> np.ndarray:
    import numpy as np

    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def default_folder() -> Path:
    """models/ beside the package in a checkout; the installed copy otherwise."""
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "models" / FILES[0]).is_file():
        return root / "models"
    return Path(str(resources.files("extractor") / "models"))


@cache
def default() -> Scorer | None:
    """The shipped model, loaded once per process; None when no model is installed."""
    folder = default_folder()
    return load_scorer(folder) if (folder / FILES[0]).is_file() else None


def save(model: Classifier, folder: Path, meta: dict) -> None:
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    header = {"format": FORMAT, "classes": list(model.classes),
              "ngram_range": list(model.ngram_range), "temperature": model.temperature,
              "vocabulary": sorted(model.vocabulary, key=model.vocabulary.__getitem__), **meta}
    (folder / FILES[0]).write_text(json.dumps(header, ensure_ascii=False, indent=0) + "\n",
                                   encoding="utf-8")
    np.save(folder / FILES[1], model.weights.astype(np.float32), allow_pickle=False)
    np.save(folder / FILES[2], model.idf.astype(np.float32), allow_pickle=False)


def load(folder: Path) -> Classifier:
    """The model for numpy (training, evaluation)."""
    import numpy as np

    header, weights, idf = _read(folder)
    width = len(header["classes"])
    matrix = np.frombuffer(weights, dtype=np.float32).reshape(width, -1, order="F")
    return Classifier(tuple(header["classes"]), tuple(header["ngram_range"]), _index(header),
                      np.frombuffer(idf, dtype=np.float32).astype(np.float64),
                      matrix.astype(np.float64), float(header["temperature"]))


def load_scorer(folder: Path) -> Scorer:
    """The model in plain Python (extraction)."""
    header, weights, idf = _read(folder)
    return Scorer(tuple(header["classes"]), tuple(header["ngram_range"]), _index(header),
                  idf, weights, float(header["temperature"]))


def _index(header: dict) -> dict[str, int]:
    return {g: i for i, g in enumerate(header["vocabulary"])}


def _read(folder: Path) -> tuple[dict, array, array]:
    """The checked header, and the weights (feature-major) and idf as native float32."""
    try:
        header = json.loads((folder / FILES[0]).read_text(encoding="utf-8"))
        weights = read_npy(folder / FILES[1])
        idf = read_npy(folder / FILES[2])
    except (OSError, ValueError, SyntaxError) as exc:  # not JSON, not an .npy file
        raise ModelError(f"{folder}: cannot read the model: {exc}") from exc
    return _checked(header, weights, idf, folder)


def read_npy(path: Path) -> Npy:
    """An .npy file's dtype, order, shape and raw data, without numpy. The header is a Python
    literal, read with `ast.literal_eval` (literals only, as numpy itself reads it)."""
    data = path.read_bytes()
    if data[:6] != b"\x93NUMPY" or data[6:7] not in (b"\x01", b"\x02", b"\x03"):
        raise ValueError(f"{path.name} is not an .npy file")
    size_bytes = 2 if data[6] == 1 else 4
    start = 8 + size_bytes
    size = int.from_bytes(data[8:start], "little")
    header = ast.literal_eval(data[start:start + size].decode("latin-1" if data[6] < 3 else "utf-8"))
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise ValueError(f"{path.name}: unexpected .npy header")
    return header["descr"], header["fortran_order"], header["shape"], data[start + size:]


def _checked(header: object, weights: Npy, idf: Npy, folder: Path) -> tuple[dict, array, array]:
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
    need(weights[0] in _FLOAT32 and idf[0] in _FLOAT32, "arrays must be float32")
    need(weights[2] == (len(classes), len(vocab) + 1), "weights shape")
    need(idf[2] == (len(vocab),), "idf shape")
    need(len(weights[3]) == 4 * len(classes) * (len(vocab) + 1) and len(idf[3]) == 4 * len(vocab),
         "array data")
    columns = _floats(weights)
    if not weights[1]:  # row-major (classes, features): make it feature-major
        columns = _transposed(columns, len(classes))
    return header, columns, _floats(idf)


_FLOAT32 = ("<f4", ">f4")


def _floats(npy: Npy) -> array:
    """The data as native float32 (array "f" is a C float: 4 bytes on every platform)."""
    values = array("f")
    values.frombytes(npy[3])
    if (npy[0] == ">f4") == (sys.byteorder == "little"):
        values.byteswap()
    return values


def _transposed(values: array, rows: int) -> array:
    columns = len(values) // rows
    out = array("f", bytes(len(values) * 4))
    for r in range(rows):
        out[r::rows] = values[r * columns:(r + 1) * columns]
    return out
