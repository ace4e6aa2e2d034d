"""The shipped classifier: loads without pickle, refuses what it did not write, and
`indicators train` rebuilds it from the corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from extractor import classify, corpus, model
from extractor.cli import main

MODELS = Path(__file__).resolve().parent.parent / "models"


def test_the_shipped_model_loads_and_predicts_probabilities() -> None:
    clf = model.load(MODELS)
    proba = clf.predict_proba(["培训合格率≥95%", "受益群众满意度≥90%", ""])
    assert proba.shape == (3, len(clf.classes))
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert clf.classes[int(proba[1].argmax())] == "satisfaction"


def test_the_artifacts_are_small() -> None:
    assert sum(p.stat().st_size for p in MODELS.iterdir()) < 5 * 2**20


def test_the_plain_python_scorer_reads_phrases_as_numpy_does() -> None:
    """Extraction scores with `Scorer` (no numpy); training evaluates with `Classifier`. Sums
    in another order may move the last bits, never the class or the rounded confidence."""
    numpy_model, scorer = model.load(MODELS), model.load_scorer(MODELS)
    assert scorer.classes == numpy_model.classes
    phrases = [p.text for p in corpus.read_phrases(MODELS.parent / "corpus" / "phrases")]
    assert len(phrases) > 3000
    phrases += ["", "   ", "2024年", "满意度"]
    parents = classify.rules().parents
    for text in phrases:
        expected, got = numpy_model.predict_proba([text])[0], scorer.proba(text)
        assert np.allclose(got, expected, rtol=0, atol=1e-12)
        for level1 in (None, *sorted(set(parents.values()))):
            allowed = [c for c, p in parents.items() if level1 in (None, p)]
            assert _decision(scorer.classes, got, allowed) == _decision(scorer.classes, expected, allowed)


def _decision(classes: tuple[str, ...], proba, allowed: list[str]) -> tuple[str, float]:
    scores = {c: float(p) for c, p in zip(classes, proba, strict=True) if c in allowed}
    best = max(scores, key=scores.__getitem__)
    return best, round(scores[best] / sum(scores.values()), 3)


def test_weights_saved_row_major_load_the_same(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(MODELS, folder)
    np.save(folder / "weights.npy", np.ascontiguousarray(np.load(MODELS / "weights.npy")))
    assert model.load_scorer(folder).weights == model.load_scorer(MODELS).weights
    assert np.array_equal(model.load(folder).weights, model.load(MODELS).weights)


@pytest.mark.parametrize("loader", [model.load, model.load_scorer], ids=["numpy", "plain"])
@pytest.mark.parametrize("damage", ["pickled", "wrong-dtype", "wrong-shape", "format", "vocab-type",
                                    "truncated", "not-npy"])
def test_loading_refuses_unexpected_artifacts(tmp_path: Path, damage: str, loader) -> None:
    folder = tmp_path / "m"
    shutil.copytree(MODELS, folder)
    weights = np.load(folder / "weights.npy")
    header = json.loads((folder / "classifier.json").read_text(encoding="utf-8"))
    if damage == "pickled":
        np.save(folder / "weights.npy", np.array([{"x": 1}], dtype=object), allow_pickle=True)
    elif damage == "wrong-dtype":
        np.save(folder / "weights.npy", weights.astype(np.float64))
    elif damage == "wrong-shape":
        np.save(folder / "weights.npy", weights[:, :-1])
    elif damage == "format":
        header["format"] = "something-else"
    elif damage == "truncated":
        data = (folder / "weights.npy").read_bytes()
        (folder / "weights.npy").write_bytes(data[:len(data) - 4])
    elif damage == "not-npy":
        (folder / "idf.npy").write_bytes(b"\x93NUMPY\x01\x00\x04\x00{'a'")
    else:
        header["vocabulary"][0] = 7
    (folder / "classifier.json").write_text(json.dumps(header), encoding="utf-8")
    with pytest.raises(model.ModelError, match="refusing|cannot read"):
        loader(folder)


@pytest.mark.slow
def test_train_reproduces_the_shipped_model(tmp_path: Path) -> None:
    out = tmp_path / "models"
    assert main(["train", "--out", str(out)]) == 0
    shipped = json.loads((MODELS / "classifier.json").read_text(encoding="utf-8"))
    rebuilt = json.loads((out / "classifier.json").read_text(encoding="utf-8"))
    assert rebuilt == shipped
    for name in ("weights.npy", "idf.npy"):
        # byte for byte on the machine that trained it; BLAS may move the last float32 bits
        assert np.allclose(np.load(out / name), np.load(MODELS / name), atol=1e-4)
    assert (out / "README.md").read_text(encoding="utf-8") == \
        (MODELS / "README.md").read_text(encoding="utf-8")
