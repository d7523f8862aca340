"""The offline MiniLM encoder: loads without network, normalised vectors, agrees with fp32."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from newstrace.encode.runtime import DIM, default_encoder
from newstrace.encode.static import default_static_encoder

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_model_loads_offline():
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}
    code = "from newstrace.encode.runtime import Encoder; print(Encoder().encode(['Offline test.']).shape)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"(1, {DIM})"


def test_vectors_are_normalised():
    vectors = default_encoder().encode(["A ferry sank off the coast.", "", "Markets rallied."])
    assert vectors.shape == (3, DIM) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("encoder", [default_encoder, default_static_encoder], ids=["minilm", "static"])
def test_similar_sentences_are_closer_than_unrelated(encoder) -> None:
    a, b, c = encoder().encode([
        "The mayor opened the new bridge on Monday.",
        "On Monday the new bridge was opened by the mayor.",
        "The striker signed a three-year contract with the club.",
    ])
    assert a @ b > a @ c + 0.3


def test_int8_vectors_agree_with_original_fp32_model():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from check_int8_model import SAMPLE_SENTENCES, agreement, reference_vectors
    finally:
        sys.path.remove(str(BENCHMARKS))
    assert len(SAMPLE_SENTENCES) >= 20
    cosines = agreement(SAMPLE_SENTENCES)
    assert cosines.mean() >= 0.98
    # the reference itself tells sentences apart (it is not a constant vector)
    reference = reference_vectors(SAMPLE_SENTENCES[:2])
    assert reference[0] @ reference[1] < 0.9
    assert cosines.min() > 0.95


def test_a_texts_vector_does_not_depend_on_its_batch():
    """The sentence store keys vectors by text alone (newstrace.encode.sentence_store): a text
    encoded alone, padded in a batch of longer texts, or in another order gets the same
    vector, bit for bit."""
    texts = [
        "Rain.",
        "The council approved the budget on Tuesday after a long debate.",
        "Shares of the carmaker fell 4 percent in early trading in Frankfurt, their lowest since March,"
        " after the company cut its forecast for the year.",
    ]
    encoder = default_encoder()
    together = encoder.encode(texts)
    reversed_order = encoder.encode(texts[::-1])[::-1]
    alone = np.stack([encoder.encode([text])[0] for text in texts])
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(together, reversed_order)
