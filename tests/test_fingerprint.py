"""MinHash signatures and LSH candidates on invented texts with known overlap."""

from __future__ import annotations

import numpy as np
import pytest

from newstrace.match.fingerprint import MinHasher, is_empty, shingle_batch, shingle_hashes, tokenize
from newstrace.match.lsh import LSHIndex, candidate_probability, choose_bands

WORDS = ("council budget river bridge mayor vote school teachers strike storm harbour "
         "airport minister police court ruling farmers drought prices market election "
         "candidate rally hospital nurses union factory workers museum festival").split()


def invented_text(seed: int, words: int = 300) -> str:
    """A reproducible run of invented news vocabulary (unrelated texts share few 5-grams)."""
    rng = np.random.default_rng(seed)
    return " ".join(rng.choice(WORDS, size=words))


def exact_jaccard(a: str, b: str) -> float:
    sa = set(shingle_hashes(tokenize([a]).hashes).tolist())
    sb = set(shingle_hashes(tokenize([b]).hashes).tolist())
    return len(sa & sb) / len(sa | sb)


def test_tokens_carry_offsets_into_each_text() -> None:
    texts = ["The Mayor’s plan, at $3.5m, passed.", "", "Dock-workers STRIKE"]
    tokens = tokenize(texts)
    for i, text in enumerate(texts):
        part = tokens.of(i)
        words = [text[s:e] for s, e in zip(tokens.starts[part], tokens.ends[part])]
        assert words == {0: ["The", "Mayor", "s", "plan", "at", "3", "5m", "passed"], 1: [],
                         2: ["Dock", "workers", "STRIKE"]}[i]


def test_token_hashes_ignore_case_and_batch_company() -> None:
    alone = tokenize(["Harbour strike ends"]).hashes
    in_batch = tokenize(["something else first", "HARBOUR Strike ends"])
    assert np.array_equal(alone, in_batch.hashes[in_batch.of(1)])
    assert len(set(alone.tolist())) == 3


def test_shingle_batch_matches_single_texts() -> None:
    texts = [invented_text(1, 40), "too short", invented_text(2, 60)]
    batch = shingle_batch(texts)
    for i, text in enumerate(texts):
        assert np.array_equal(batch.of(i), shingle_hashes(tokenize([text]).hashes))
    assert len(batch.of(1)) == 0


def test_signature_agreement_estimates_jaccard() -> None:
    hasher = MinHasher(num_perm=256)
    base = invented_text(3, 400)
    tokens = base.split()
    errors = []
    for keep in (100, 200, 300, 400):
        variant = " ".join(tokens[:keep]) + " " + invented_text(keep, 400 - keep)
        sig = hasher.signatures([base, variant])
        errors.append(float((sig[0, :256] == sig[1, :256]).mean()) - exact_jaccard(base, variant))
    assert max(map(abs, errors)) < 0.1


def test_signatures_are_deterministic_and_storable() -> None:
    texts = [invented_text(i, 200) for i in range(5)] + [""]
    first = MinHasher(seed=7).signatures(texts)
    again = MinHasher(seed=7).signatures(texts, batch_size=2)
    assert first.dtype == np.uint32 and first.shape == (6, 128 + 64)
    assert np.array_equal(first, again)
    restored = np.frombuffer(first[2].tobytes(), dtype=np.uint32)
    assert np.array_equal(restored, first[2])
    assert is_empty(first).tolist() == [False] * 5 + [True]


def test_parallel_signatures_equal_serial() -> None:
    texts = [invented_text(i, 150) for i in range(40)]
    hasher = MinHasher()
    assert np.array_equal(hasher.signatures(texts, workers=2, batch_size=10),
                          hasher.signatures(texts))


def test_bands_catch_jaccard_04_with_099() -> None:
    assert candidate_probability(0.4, 85, 3) >= 0.99
    assert candidate_probability(0.05, 85, 3) < 0.02
    bands, rows = choose_bands(256)
    assert bands * rows <= 256 and candidate_probability(0.4, bands, rows) >= 0.99


def test_index_pairs_near_copies_within_and_across_batches() -> None:
    hasher = MinHasher()
    originals = [invented_text(i, 300) for i in range(20)]
    updated = originals[3].split()
    updated[100:110] = ["revised"] * 10
    first = hasher.signatures(originals)
    index = LSHIndex()
    assert index.candidates(first, [f"o{i}" for i in range(20)]) == []
    index.add([f"o{i}" for i in range(20)], first)

    batch = [" ".join(updated), invented_text(99, 300), originals[5], originals[5]]
    keys = ["u3", "new", "d5", "d5again"]
    pairs = set(index.candidates(hasher.signatures(batch), keys))
    assert pairs == {("o3", "u3"), ("o5", "d5"), ("o5", "d5again"), ("d5", "d5again")}
    assert len(index) == 20  # querying does not add


def test_index_rebuilt_from_stored_signatures_answers_alike() -> None:
    hasher = MinHasher()
    texts = [invented_text(i, 200) for i in range(10)]
    signatures = hasher.signatures(texts)
    stored = [row.tobytes() for row in signatures]
    rebuilt = LSHIndex.from_signatures(
        [f"k{i}" for i in range(10)], np.stack([np.frombuffer(b, np.uint32) for b in stored]))
    probe = hasher.signatures([texts[4] + " with a new closing line added"])
    assert rebuilt.candidates(probe, ["probe"]) == [("k4", "probe")]


def test_index_rejects_short_signatures() -> None:
    with pytest.raises(ValueError):
        LSHIndex(bands=85, rows=3).add(["x"], MinHasher(num_perm=128).signatures(["a b c d e f"]))


def test_anchors_catch_a_passage_lifted_into_a_long_text() -> None:
    hasher = MinHasher()
    source = invented_text(50, 700)
    passage = " ".join(source.split()[200:300])
    borrower = f"{invented_text(51, 300)} {passage} {invented_text(52, 300)}"
    signatures = hasher.signatures([source, borrower])
    assert exact_jaccard(source, borrower) < 0.1  # too low for the bands alone
    without_anchors = LSHIndex(min_shared_anchors=10**6)
    assert without_anchors.candidates(signatures, ["source", "borrower"]) == []
    assert LSHIndex().candidates(signatures, ["source", "borrower"]) == [("source", "borrower")]


def test_many_small_inserts_find_the_same_pairs_as_one_batch() -> None:
    hasher = MinHasher()
    bases = [invented_text(200 + i, 250) for i in range(12)]
    texts = bases + [bases[i] + " a closing line" for i in range(0, 12, 2)] + bases[:3]
    keys = [f"t{i}" for i in range(len(texts))]
    signatures = hasher.signatures(texts)
    whole = set(LSHIndex().candidates(signatures, keys))
    index, pieces = LSHIndex(), set()
    for first in range(0, len(texts), 3):
        pieces |= {tuple(sorted(p)) for p in index.insert(keys[first : first + 3],
                                                         signatures[first : first + 3]).tolist()}
    assert {(keys[i], keys[j]) for i, j in pieces} == whole
    # base-extended (6), base-repeat (3), extended-repeat for bases 0 and 2 (2)
    assert len(whole) == 6 + 3 + 2


def test_index_kept_to_a_batchs_keys_finds_the_pairs_a_whole_one_finds() -> None:
    hasher = MinHasher()
    line = " ".join(invented_text(900, 60).split())  # a passage stored articles share
    stored = [invented_text(300 + i, 250) + (f" {line}" if i % 3 == 0 else "") for i in range(60)]
    batch = [stored[7] + " a closing line", f"{invented_text(400, 200)} {line}", stored[30],
             invented_text(401, 250)]
    old, new = hasher.signatures(stored), hasher.signatures(batch)
    keys, fresh = [f"s{i}" for i in range(60)], [f"n{i}" for i in range(len(batch))]
    found = {}
    for name, options in (("whole", {}), ("kept", {"only_keys_of": new})):
        # 20 stored texts hold the shared passage's anchors: more than max_anchor_docs skips them
        for cap in (50, 10):
            index = LSHIndex(max_anchor_docs=cap)
            index.add(keys, old, **options)
            found[name, cap] = index.insert(fresh, new).tolist()
    assert found["kept", 50] == found["whole", 50]
    assert found["kept", 10] == found["whole", 10]
    for cap in (50, 10):  # the copy of s7 and the duplicate of s30
        assert [7, 60] in found["whole", cap] and [30, 62] in found["whole", cap]
    # the passage's anchors pair n1 with the 20 holders, unless more than the cap hold them
    assert [3, 61] in found["whole", 50] and [3, 61] not in found["whole", 10]


def _paragraphs_with_quotations(seed: int) -> str:
    """A reproducible text of a few paragraphs mixing double quote marks (straight, curly,
    guillemets, low-9) with sentence ends: quotations that close in their paragraph, run
    on into the next one, or are closed by a curly mark on the next line; and measures
    (a straight mark after a digit, which only closes)."""
    rng = np.random.default_rng(seed)
    marks = ["“", "”", '"', "«", "»", "„"]
    pieces = ["The cat sat.", "He said", "It ended. Then", "We left!", "Why? Because", "on Monday",
              "No. 5", "Mr. Smith", "in the U.S. The", "ok", "A.", "B. C.", '22" wide.', 'in 2020". So']
    lines = []
    for _ in range(int(rng.integers(1, 6))):
        words = [str(rng.choice(marks))] if rng.random() < 0.5 else []
        words += [str(rng.choice(marks if rng.random() < 0.3 else pieces)) for _ in range(int(rng.integers(0, 7)))]
        lines.append(" " * int(rng.integers(0, 3)) + " ".join(words))
        if rng.random() < 0.3:
            lines.append(str(rng.choice(["", "  ", "\t"])))
    return "\n".join(lines)


def test_batched_sentence_starts_follow_quotations_over_paragraphs() -> None:
    """The batched rule (tokenize) keeps the splitter's sentences where quotations run on
    into a next paragraph, in a batch and alone."""
    from newstrace.text.sentences import split_sentences

    texts = [_paragraphs_with_quotations(seed) for seed in range(400)]
    batch = tokenize(texts)
    for i, text in enumerate(texts):
        alone = tokenize([text])
        expected = np.zeros(len(alone.starts), dtype=bool)
        expected[:1] = True
        firsts = np.searchsorted(alone.starts, [span.start for span in split_sentences(text)])
        expected[firsts[firsts < len(alone.starts)]] = True
        assert batch.breaks[batch.of(i)].tolist() == alone.breaks.tolist() == expected.tolist(), text


def test_key_table_finds_every_shared_key_while_its_bitmap_grows() -> None:
    from newstrace.match.lsh import DOC_MASK, KeyTable

    rng = np.random.default_rng(7)
    keys = rng.integers(0, 2**38, size=300_000, dtype=np.uint64) << np.uint64(26)  # above the doc numbers
    table, docs = KeyTable(), 0
    for batch in np.array_split(keys, 12):  # the table grows past its first bitmap's size
        packed = np.sort(batch | np.arange(docs, docs + len(batch), dtype=np.uint64))
        table.add(packed)
        docs += len(batch)
    probe_keys = np.concatenate([keys[::97], rng.integers(0, 2**38, size=500, dtype=np.uint64) << np.uint64(26)])
    probe = np.sort(probe_keys | np.uint64(int(DOC_MASK)))  # one more document holding them
    pairs = table.pairs(probe)
    assert table._bitmap_bits > KeyTable._MIN_BITMAP_BITS
    assert sorted(pairs[:, 0].tolist()) == list(range(0, len(keys), 97))
