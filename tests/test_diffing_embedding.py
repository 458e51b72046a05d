"""benchmarks/embedding.py, the measurement of an embedding model against the lexical matcher, on parts
that need no model: the WordPiece tokenizer and, where numpy is installed (it is a measurement-only
need), the safetensors reader."""

from __future__ import annotations

import json
import struct

import pytest

from benchmarks.embedding import MiniLM, _safetensors, unk_share


def test_wordpiece_and_unknown_chinese() -> None:
    model = MiniLM.__new__(MiniLM)
    model.vocab = {"[UNK]": 0, "play": 1, "##ing": 2, "法": 3, "。": 4}
    assert model.tokens("Playing 普法。") == ["play", "##ing", "[UNK]", "法", "。"]
    assert unk_share(model, ["普法"]) == 0.5


def test_safetensors_reader() -> None:
    np = pytest.importorskip("numpy", reason="numpy is installed only to run benchmarks/embedding.py")
    weights = np.arange(6, dtype=np.float32).reshape(2, 3)
    header = json.dumps({"bert.w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
                         "__metadata__": {}}).encode()  # fmt: skip
    blob = struct.pack("<Q", len(header)) + header + weights.tobytes()
    read = _safetensors(blob)
    assert list(read) == ["w"] and (read["w"] == weights).all()
