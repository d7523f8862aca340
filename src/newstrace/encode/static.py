"""A static (token-lookup) encoder distilled from the shipped MiniLM: about a hundred times
cheaper per text than running the transformer, for searches where recall of candidates
matters more than fine distinctions.

The table ``models/minilm-static-256-int8.npy`` is built by ``scripts/build_static_model.py``
with model2vec's distillation from the pinned all-MiniLM-L6-v2 (each vocabulary token
embedded through the model, PCA to 256 dimensions, Zipf/SIF weighting): one int8 row per
token id of the pinned MiniLM tokenizer. A text's vector is the normalised sum of its
tokens' rows, computed for a whole batch as one sparse matrix product, less half the mean
vector of news leads (``models/minilm-static-256-centre.npy``, built by
``scripts/build_static_centre.py``), normalised again: summed token vectors share one large
common direction that would make any two texts look close. Nothing is downloaded at run
time; both files are checked against their pinned sha256.

>>> StaticEncoder().encode(["Kim met Putin.", "Putin met Kim."]).shape
(2, 256)
"""

from __future__ import annotations

import hashlib
import importlib.resources
from itertools import chain
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.sparse import csr_matrix

from newstrace.encode.runtime import ModelError, tokenizer_path

MODEL_FILE = "minilm-static-256-int8.npy"
#: sha256 of the table written by scripts/build_static_model.py (model2vec 0.10.0, torch 2.13.0 CPU).
MODEL_SHA256 = "399b4a9d9e753e94bfae5661aa04e75fe8ce9659d17196551982ca24a2740797"
CENTRE_FILE = "minilm-static-256-centre.npy"
#: sha256 of the offset written by scripts/build_static_centre.py.
CENTRE_SHA256 = "392b37810e12a41872b4ea09c36737e9bd25966049a23a91ad668b9bd53fefeb"
STATIC_DIM = 256
#: Tokens read per text (a lead is title + 300 characters: about 70 tokens).
MAX_TOKENS = 512
#: Texts tokenised in one call. The tokenizer's encodings of 100,000 leads at once (ids,
#: token strings, offsets) were freed to an allocator that kept them: the process stayed
#: about 670 MB larger for the rest of a run.
ENCODE_TEXTS = 4096


def model_path(name: str = MODEL_FILE) -> Path:
    path = Path(str(importlib.resources.files("newstrace").joinpath("models", name)))
    if not path.is_file():
        raise ModelError(f"static model file missing: {path} (run scripts/build_static_model.py "
                         "and scripts/build_static_centre.py)")
    return path


def _pinned_array(path: Path, sha256: str, verify: bool) -> np.ndarray:
    """The array saved in ``path``, refused unless its bytes have the pinned ``sha256``."""
    data = path.read_bytes()
    if verify and hashlib.sha256(data).hexdigest() != sha256:
        raise ModelError(f"{path}: sha256 does not match the pinned static model")
    return np.load(path, allow_pickle=False)


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


class StaticEncoder:
    """Turns texts into L2-normalised 256-d float32 vectors by summing token vectors.

    A text's vector depends on its text alone (never on its batch); a text without any
    known token (empty) gets the zero vector. With ``centre`` (the default) the shipped
    offset is subtracted from every other text's unit vector before it is normalised again.
    """

    name = "static"

    def __init__(self, *, path: Path | None = None, centre: bool = True, max_tokens: int = MAX_TOKENS,
                 verify: bool = True) -> None:
        from tokenizers import Tokenizer

        self._table = _pinned_array(path or model_path(), MODEL_SHA256, verify).astype(np.float32)
        self._offset = _pinned_array(model_path(CENTRE_FILE), CENTRE_SHA256, verify) if centre else None
        self.dim = self._table.shape[1]
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path()))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=max_tokens)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``, :data:`ENCODE_TEXTS` at a time (:meth:`_encode_batch`)."""
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.concatenate([self._encode_batch(texts[first : first + ENCODE_TEXTS])
                               for first in range(0, len(texts), ENCODE_TEXTS)])

    def _encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``: one tokenizer batch call (without character offsets, which nothing
        here reads: 0.93-0.97 against 1.36-1.57 s for 20,000 leads, the same ids), then one
        sparse product (token counts per text times the token table), a normalisation and
        the centring."""
        encodings = self._tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        ids = np.fromiter(chain.from_iterable(e.ids for e in encodings), dtype=np.int64, count=int(lengths.sum()))
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        counts = csr_matrix((np.ones(len(ids), dtype=np.float32), ids, indptr),
                            shape=(len(texts), len(self._table)))
        units = _unit(np.asarray(counts @ self._table, dtype=np.float32))
        if self._offset is None:
            return units
        known = units.any(axis=1, keepdims=True)
        return _unit(units - known * self._offset).astype(np.float32)


@lru_cache(maxsize=2)
def default_static_encoder(centre: bool = True) -> StaticEncoder:
    """One shared static encoder per process, centred or not (loading takes a fraction of a second)."""
    return StaticEncoder(centre=centre)
