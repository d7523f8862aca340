"""The static encoder distilled from MiniLM: the shipped table is the pinned one, vectors are
normalised, depend on their text alone, and keep MiniLM's sense of what is close."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from newstrace.encode.runtime import ModelError
from newstrace.encode.static import (
    CENTRE_FILE,
    CENTRE_SHA256,
    MODEL_SHA256,
    STATIC_DIM,
    StaticEncoder,
    default_static_encoder,
    model_path,
)


def test_shipped_table_is_the_pinned_one():
    path = model_path()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == MODEL_SHA256
    table = np.load(path, allow_pickle=False)
    assert table.shape == (30522, STATIC_DIM) and table.dtype == np.int8  # one row per MiniLM token id
    assert path.stat().st_size < 8_500_000
    assert np.count_nonzero(np.abs(table).sum(axis=1)) > 29_000  # only the [unused…] rows are empty


def test_a_changed_table_is_refused(tmp_path):
    copy = tmp_path / "table.npy"
    table = np.load(model_path(), allow_pickle=False).copy()
    table[1000, 0] ^= 1
    np.save(copy, table)
    with pytest.raises(ModelError, match="sha256"):
        StaticEncoder(path=copy)


def test_vectors_are_normalised_and_an_empty_text_is_zero():
    vectors = default_static_encoder().encode(["A ferry sank off the coast.", "", "Markets rallied."])
    assert vectors.shape == (3, STATIC_DIM) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[[0, 2]], axis=1), 1.0, atol=1e-5)
    assert not vectors[1].any()
    assert default_static_encoder().encode([]).shape == (0, STATIC_DIM)


def test_a_texts_vector_does_not_depend_on_its_batch():
    texts = [
        "Rain.",
        "The council approved the budget on Tuesday after a long debate.",
        "Shares of the carmaker fell 4 percent in early trading in Frankfurt, their lowest since March.",
    ]
    encoder = default_static_encoder()
    together = encoder.encode(texts)
    alone = np.stack([encoder.encode([text])[0] for text in texts])
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(together, encoder.encode(texts[::-1])[::-1])


def test_a_batch_tokenised_in_parts_gets_the_vectors_of_one_call(monkeypatch):
    """More texts than ENCODE_TEXTS are tokenised a part at a time (the tokenizer's
    encodings of them all at once kept hundreds of MB): the vectors are those of one call."""
    import newstrace.encode.static as static

    texts = [f"The council approved budget number {i} on Tuesday; {'rain ' * (i % 5)}fell." for i in range(23)]
    texts[7] = ""
    encoder = default_static_encoder()
    whole = encoder.encode(texts)
    monkeypatch.setattr(static, "ENCODE_TEXTS", 5)
    parts = encoder.encode(texts)
    assert parts.shape == (23, STATIC_DIM) and parts.dtype == np.float32
    np.testing.assert_array_equal(parts, whole)
    assert not parts[7].any() and np.allclose(np.linalg.norm(parts[8:], axis=1), 1.0, atol=1e-5)


def test_shipped_centre_is_the_pinned_one():
    path = model_path(CENTRE_FILE)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == CENTRE_SHA256
    offset = np.load(path, allow_pickle=False)
    assert offset.shape == (STATIC_DIM,) and offset.dtype == np.float32


@pytest.mark.parametrize("centre", [True, False])
def test_centred_or_not_vectors_are_unit_and_empty_is_zero(centre):
    vectors = default_static_encoder(centre=centre).encode(["A ferry sank off the coast.", ""])
    np.testing.assert_allclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-5)
    assert not vectors[1].any()


def test_centring_spreads_unrelated_texts_apart():
    texts = ["Floods closed the main road to the airport after two days of rain.",
             "The central bank raised interest rates by a quarter point on Wednesday."]
    raw = default_static_encoder(centre=False).encode(texts)
    centred = default_static_encoder(centre=True).encode(texts)
    assert float(centred[0] @ centred[1]) < float(raw[0] @ raw[1]) - 0.1
