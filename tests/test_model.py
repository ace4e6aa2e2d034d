"""The shipped classifier: loads without pickle, refuses what it did not write, and
`indicators train` rebuilds it from the corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from extractor import model
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


@pytest.mark.parametrize("damage", ["pickled", "wrong-dtype", "wrong-shape", "format", "vocab-type"])
def test_loading_refuses_unexpected_artifacts(tmp_path: Path, damage: str) -> None:
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
    else:
        header["vocabulary"][0] = 7
    (folder / "classifier.json").write_text(json.dumps(header), encoding="utf-8")
    with pytest.raises(model.ModelError, match="refusing|cannot read"):
        model.load(folder)


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
