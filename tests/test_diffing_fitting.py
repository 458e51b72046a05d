"""The year-over-year models are fitted by benchmarks/fit_pairing.py, and the weights in use are its output."""

from __future__ import annotations

import pytest

from benchmarks import fit_pairing
from benchmarks.yoy_pairs import pair_dirs
from diffing.pairing import MODEL_PATH


def test_the_model_file_is_what_the_fitting_script_writes() -> None:
    """pairing_model.json is reproducible: refitting on the tuning pairs and the first set gives it byte for byte."""
    pairs, first = fit_pairing.training_pairs()
    missing = sum(fit_pairing.fitted(d.name) for d in pair_dirs("tuning")) - len(pairs)
    if missing:  # the model is fitted on the whole tuning half: a part of it gives other weights
        pytest.skip(f"{missing} tuning pairs are built on ../shared/corpus, which is missing, so the fit would differ")
    _examples, models = fit_pairing.fit_all(pairs + first)
    assert fit_pairing.model_file(models) == MODEL_PATH.read_text(encoding="utf-8")


def test_fit_weighs_the_feature_that_tells_the_labels_apart() -> None:
    """On examples where only the first feature goes with the label, the fit leans on it and separates them."""
    x = [[float(i % 2), float(i % 3)] for i in range(60)]
    y = [i % 2 for i in range(60)]
    model = fit_pairing.fit([fit_pairing.Examples("synthetic", x, y)], c=1.0)
    assert model.weights[0] > 1.0 and abs(model.weights[1]) < 0.2
    assert all((model.log_odds(row) > 0) == bool(label) for row, label in zip(x, y, strict=True))
