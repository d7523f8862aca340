"""How the MinHash sketch was chosen: speed per article and LSH candidates, by sketch.

On the first ``--n`` articles of the near-copy corpus (cleaned, tokenised and shingled
once, as ``newstrace.match.fingerprint`` does), times each sketch per article and counts the
candidate pairs its LSH bands give (anchors off, so only the sketch is measured), the
planted pairs among them, and the largest number of candidates any one article gets:

* rensa R-MinHash (``num_perm`` independent permutations, Rust), read back into numpy;
* one-permutation hashing with optimal densification in numpy (what newstrace used
  before): one hash per shingle, empty bins borrow from other bins;
* datasketch ``MinHash`` (SHA-1 of each shingle string, ``num_perm`` permutations).

    python benchmarks/bench_minhash.py --n 20000
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import rensa

from newstrace.match.fingerprint import MinHasher, ShingleBatch, mix64, shingle_batch
from newstrace.match.lsh import LSHIndex
from newstrace.ingest.readers import iter_articles

from bench_nearcopy import DatasketchHasher  # the baseline's sketch: 128 permutations, SHA-1

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT / "benchmarks" / "data" / "corpus_100k.jsonl"
_U64, _EMPTY = np.uint64, np.uint32(0xFFFFFFFF)


def rensa_minhash(batch: ShingleBatch, num_perm: int, seed: int = 1) -> np.ndarray:
    n = len(batch.offsets) - 1
    digests = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
        batch.hashes, batch.offsets.astype(_U64), num_perm, seed)
    return np.fromiter(itertools.chain.from_iterable(digests.to_rows()), dtype=np.uint32,
                       count=n * num_perm).reshape(n, num_perm)


def densified_oph(batch: ShingleBatch, num_perm: int, seed: int = 1) -> np.ndarray:
    """One-permutation hashing, optimally densified (Shrivastava 2017), vectorised."""
    rng = np.random.default_rng(seed)
    borrow = rng.integers(0, num_perm, size=(64, num_perm))
    salt = _U64(rng.integers(1, 2**63))
    n = len(batch.offsets) - 1
    mixed = mix64(batch.hashes ^ salt)
    bins = ((mixed >> _U64(32)) * _U64(num_perm)) >> _U64(32)
    docs = np.repeat(np.arange(n, dtype=_U64), np.diff(batch.offsets).astype(np.int64))
    flat = np.full(n * num_perm, _EMPTY, dtype=np.uint32)
    np.minimum.at(flat, (docs * _U64(num_perm) + bins).astype(np.int64),
                  (mixed & _U64(0xFFFFFFFF)).astype(np.uint32))
    sig = flat.reshape(n, num_perm)
    empty = (sig == _EMPTY) & ~(sig == _EMPTY).all(axis=1)[:, None]
    rows, cols = np.nonzero(empty)
    dense = sig.copy()
    for attempt in borrow:
        donor = sig[rows, attempt[cols]]
        found = donor != _EMPTY
        dense[rows[found], cols[found]] = donor[found]
        rows, cols = rows[~found], cols[~found]
    return dense


def candidates(signatures: np.ndarray, keys: list[str], bands: int) -> np.ndarray:
    """Band-only LSH candidates, inserted 2,000 at a time."""
    anchors = np.full((len(signatures), 64), _EMPTY, dtype=np.uint32)
    full = np.hstack([signatures, anchors])
    index = LSHIndex(bands=bands, rows=3, min_shared_anchors=10**9)
    return np.concatenate([index.insert(keys[i : i + 2000], full[i : i + 2000])
                           for i in range(0, len(keys), 2000)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--datasketch-n", type=int, default=2_000,
                        help="articles timed for datasketch (it is slow)")
    args = parser.parse_args()
    with args.corpus.open("rb") as lines, tempfile.TemporaryDirectory() as folder:
        head = Path(folder) / "head.jsonl"
        head.write_bytes(b"".join(itertools.islice(lines, args.n)))
        articles = list(iter_articles([head]))
    keys, texts = [a.external_id for a in articles], [a.text for a in articles]
    truth_file = args.corpus.with_name(args.corpus.stem + ".truth.jsonl")
    planted = {frozenset((t["source"], t["copy"])) for t in map(json.loads, truth_file.open())}
    batches = [shingle_batch(texts[i : i + 256]) for i in range(0, len(texts), 256)]
    print(f"{len(texts)} articles, {sum(len(b.hashes) for b in batches) / len(texts):.0f} shingles each")
    sketches = {
        "rensa R-MinHash, 128": lambda b: rensa_minhash(b, 128),
        "rensa R-MinHash, 256": lambda b: rensa_minhash(b, 256),
        "densified OPH, 128": lambda b: densified_oph(b, 128),
        "densified OPH, 256": lambda b: densified_oph(b, 256),
    }
    for name, sketch in sketches.items():
        started = time.process_time()
        signatures = np.concatenate([sketch(b) for b in batches])
        per_article = (time.process_time() - started) / len(texts) * 1e6
        report(name, per_article, signatures, keys, planted)
    started = time.process_time()
    sample = DatasketchHasher().signatures(texts[: args.datasketch_n])
    per_article = (time.process_time() - started) / len(sample) * 1e6
    print(f"  {'datasketch MinHash, 128':<24} {per_article:8.1f} us/article (on {len(sample)}, "
          f"shingle strings included)")
    started = time.process_time()
    MinHasher().signatures(texts)
    print(f"  newstrace MinHasher (tokenise + shingle + rensa 128 + 64 anchors): "
          f"{(time.process_time() - started) / len(texts) * 1e6:.1f} us/article")


def report(name: str, per_article: float, signatures: np.ndarray, keys: list[str],
           planted: set[frozenset[str]]) -> None:
    bands = {128: 42, 256: 85}[signatures.shape[1]]
    pairs = candidates(signatures, keys, bands)
    found = {frozenset((keys[i], keys[j])) for i, j in pairs.tolist()}
    most = np.bincount(pairs.ravel(), minlength=len(keys)).max() if len(pairs) else 0
    print(f"  {name:<24} {per_article:8.1f} us/article  {bands}x3 bands: {len(pairs):,} candidates, "
          f"{len(found & planted):,} planted, at most {most} for one article")


if __name__ == "__main__":
    main()
