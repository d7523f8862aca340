"""MiniLM (today) beside cheaper encoders, on the same data in one run: rate and quality.

    python benchmarks/bench_encoders.py                      # everything (minutes on a busy machine)
    python benchmarks/bench_encoders.py --sections rate      # encoding rate only
    python benchmarks/bench_encoders.py --cache /tmp/minilm.npz   # MiniLM vectors kept across reruns

Encoders: ``minilm`` (today's int8 MiniLM, 128 tokens), ``minilm-64`` (the same model reading
at most 64 tokens), ``static`` (newstrace.encode.static: the 256-d token table distilled from
the same MiniLM by scripts/build_static_model.py). Sections:

* ``rate``: leads (title + 300 characters of AllSides train reports) per CPU-second of this
  process (CPU time, so a loaded machine slows it less than wall time), relative to the first
  row, for MiniLM at 1 and 2 onnxruntime threads, batch sizes 16-256, with and without sorting by length (bucketing:
  little padding), at 64 and 96 tokens, and for the static table.
* ``mrpc``: MRPC train pairs: the cosine baseline's best F1 and newstrace's pair verdict
  (newstrace.match.paraphrase.sentence_pair_verdict, weights fitted on MiniLM cosines).
* ``stories``: ECB+ (ARI, B-cubed F1 of newstrace.stories.cluster_stories on title + lead
  vectors, default parameters) and NeuS-AllSides **train** only (val is held out), in chunks
  of 307 events (the size of val), clustered offline the same way: B-cubed F1 and the share
  of events that are exactly one story of their three reports.
* ``candidates``: recall of the rewrite-candidate search of newstrace.engine.local (each derived
  text's lead among the ``REWRITE_NEIGHBOURS`` nearest stored leads at cosine >=
  threshold), on the derived pairs of bench_rewrites.py (its tune split: ECB+ topics up to 20
  and the first half of the MRPC rewrites) in a pool with every ECB+ article and the first 600
  AllSides train events' reports, and how many other pairs pass (work for the later checks).

Figures (2026-12-03, loaded 2-core machine; quality is unaffected by load):
rate (300 leads): minilm batch 64 28.4 leads/CPU-s, batch 16 34.2, 64 tokens 43.5, static 6459.
MRPC cosine F1 minilm 0.8251 / static 0.8214; pair verdict F1 0.8332 / 0.8252.
ECB+ ARI / B-cubed: minilm 0.893 / 0.922, minilm-64 0.881 / 0.911, static 0.892 / 0.921.
AllSides train B-cubed / exact events: minilm 0.899 / 0.678, minilm-64 0.900 / 0.679,
static 0.848 / 0.569 (static story leads: no). Candidate recall: minilm 0.937 at 0.55
(2.95 other pairs per lead), static 0.928 at 0.70 (4.07 per lead).
Stories again at aa0963c (stories code changed since), one process: ECB+ ARI / B-cubed minilm
0.890 / 0.918, MiniLM reading 80 tokens 0.893 / 0.921 (35.1 vs 28.4 ECB+ leads per CPU-second),
static 0.897 / 0.925; AllSides train B-cubed / exact events minilm 0.902 / 0.685, 80 tokens
0.902 / 0.684, static 0.813 / 0.505.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from newstrace.encode.runtime import Encoder, default_encoder
from newstrace.model import Article
from newstrace.match.paraphrase import sentence_pair_verdict
from newstrace.engine.local import REWRITE_CANDIDATE_SIMILARITY, REWRITE_NEIGHBOURS
from newstrace.encode.static import StaticEncoder
from newstrace.stories import cluster_stories, lead_text

from bench_allsides import load_events
from bench_paraphrase import best_threshold, load_pairs
from bench_paraphrase import scores as mrpc_scores
from bench_rewrites import CachedEncoder, derived_pairs, mrpc_rewrites
from bench_stories import SHARED, labels_of, load_ecbplus, scores

SECTIONS = ("rate", "mrpc", "stories", "candidates")
ALLSIDES_CHUNK = 307
TextEncoder = Callable[[Sequence[str]], np.ndarray]


@dataclass
class Named:
    name: str
    encode: TextEncoder


def encoders(cache: Path | None) -> list[Named]:
    """The encoders compared: today's MiniLM (through the optional vector cache), MiniLM at 64
    tokens, the static table."""
    cached = CachedEncoder(cache)

    def minilm(texts: Sequence[str]) -> np.ndarray:
        vectors = cached.encode(list(texts))
        cached.save()
        return vectors

    short = Encoder(max_tokens=64)
    return [Named("minilm", minilm), Named("minilm-64", short.encode), Named("static", StaticEncoder().encode)]


# -- rate --------------------------------------------------------------------------------
def cpu_rate(encode: TextEncoder, texts: Sequence[str]) -> tuple[float, float]:
    """Texts per CPU-second of this process and per wall-second."""
    cpu, wall = time.process_time(), time.perf_counter()
    encode(texts)
    return len(texts) / max(time.process_time() - cpu, 1e-9), len(texts) / max(time.perf_counter() - wall, 1e-9)


def unsorted_minilm(encoder: Encoder) -> TextEncoder:
    """MiniLM batches in input order (no length bucketing: each batch padded to its longest)."""
    def encode(texts: Sequence[str]) -> np.ndarray:
        return np.concatenate([encoder._encode_batch(list(texts[i : i + encoder.batch_size]))
                               for i in range(0, len(texts), encoder.batch_size)])
    return encode


def run_rate(leads: Sequence[str]) -> None:
    print(f"\n== encoding rate: {len(leads)} leads (title + 300 chars of AllSides train reports)")
    configs: list[tuple[str, TextEncoder]] = [
        ("minilm batch 64 (the default before batch 16)", Encoder(batch_size=64).encode),
        ("minilm default (2 threads, batch 16, sorted, 128 tok)", default_encoder().encode),
        ("minilm 1 thread", Encoder(threads=1).encode),
        ("minilm batch 32", Encoder(batch_size=32).encode),
        ("minilm batch 128", Encoder(batch_size=128).encode),
        ("minilm batch 256", Encoder(batch_size=256).encode),
        ("minilm unsorted (no bucketing)", unsorted_minilm(Encoder())),
        ("minilm 96 tokens", Encoder(max_tokens=96).encode),
        ("minilm 64 tokens", Encoder(max_tokens=64).encode),
        ("minilm 64 tokens, 1 thread", Encoder(max_tokens=64, threads=1).encode),
        ("static (distilled, 256-d)", StaticEncoder().encode),
    ]
    base = None
    for name, encode in configs:
        encode(leads[:32])  # warm-up
        per_cpu, per_wall = cpu_rate(encode, leads)
        base = base or per_cpu
        print(f"  {name:<52} {per_cpu:>9.1f} leads/CPU-s {per_wall:>9.1f} leads/s wall  x{per_cpu / base:.2f}")


# -- quality -----------------------------------------------------------------------------
def run_mrpc(named: Sequence[Named], shared: Path) -> None:
    rows = load_pairs(shared / "datasets/mrpc/train.jsonl", None)
    labels = np.array([r["label"] == 1 for r in rows])
    sentences = sorted({r["s1"] for r in rows} | {r["s2"] for r in rows})
    position = {s: i for i, s in enumerate(sentences)}
    print(f"\n== MRPC train: {len(rows)} pairs")
    for enc in named:
        vectors = enc.encode(sentences)
        cos = (vectors[[position[r["s1"]] for r in rows]] * vectors[[position[r["s2"]] for r in rows]]).sum(axis=1)
        threshold = best_threshold(labels, cos)
        base_acc, base_f1 = mrpc_scores(labels, cos >= threshold)
        verdicts = np.array([sentence_pair_verdict(r["s1"], r["s2"], c).is_paraphrase for r, c in zip(rows, cos)])
        acc, f1 = mrpc_scores(labels, verdicts)
        print(f"  {enc.name:<10} cosine >= {threshold:.3f}: acc {base_acc:.4f} F1 {base_f1:.4f}   "
              f"pair verdict: acc {acc:.4f} F1 {f1:.4f}")


def lead_vectors(enc: Named, articles: Sequence[Article]) -> np.ndarray:
    return enc.encode([lead_text(a) for a in articles])


def run_stories(named: Sequence[Named], shared: Path, chunks: int) -> None:
    articles, gold = load_ecbplus(shared / "datasets/ecbplus/docs.jsonl")
    events = load_events(shared / "datasets/neus-allsides/train.jsonl", chunks * ALLSIDES_CHUNK)
    print(f"\n== stories: ECB+ {len(articles)} articles; AllSides train {len(events)} events in chunks of "
          f"{ALLSIDES_CHUNK} (offline cluster_stories, default parameters)")
    for enc in named:
        ecb = scores(gold, labels_of(cluster_stories(articles, lead_vectors(enc, articles)), len(articles)))
        f1s, exact = [], 0
        for start in range(0, len(events), ALLSIDES_CHUNK):
            chunk = events[start : start + ALLSIDES_CHUNK]
            flat = [a for event in chunk for a in event]
            truth = [str(i) for i, event in enumerate(chunk) for _ in event]
            labels = labels_of(cluster_stories(flat, lead_vectors(enc, flat)), len(flat))
            f1s.append(scores(truth, labels)["b3_f1"])
            exact += exact_events(truth, labels)
        print(f"  {enc.name:<10} ECB+ ARI {ecb['ari']:.3f} B-cubed F1 {ecb['b3_f1']:.3f}   "
              f"AllSides train B-cubed F1 {np.mean(f1s):.3f} (chunks {min(f1s):.3f}-{max(f1s):.3f}), "
              f"events exactly one story: {exact}/{len(events)} = {exact / len(events):.3f}")


def exact_events(truth: Sequence[str], labels: Sequence[int]) -> int:
    """Events whose reports form one story holding nothing else."""
    members: dict[int, set[str]] = {}
    for t, label in zip(truth, labels):
        members.setdefault(label, set()).add(t)
    story_of: dict[str, set[int]] = {}
    for t, label in zip(truth, labels):
        story_of.setdefault(t, set()).add(label)
    return sum(len(s) == 1 and members[next(iter(s))] == {t} for t, s in story_of.items())


def as_article(text: str) -> Article:
    title, _, body = text.partition("\n")
    return Article(id="", title=title, text=body or title)


def run_candidates(named: Sequence[Named], shared: Path, thresholds: dict[str, list[float]]) -> None:
    derived = derived_pairs(shared, 80, 0, 0)
    pairs = [(a, b) for (a, b), split in zip(derived.texts, derived.splits) if split == "tune"]
    mrpc = mrpc_rewrites(shared, 150)
    pairs += [(a, b) for (a, b), split in zip(mrpc.texts, mrpc.splits) if split == "tune"]
    ecb, _ = load_ecbplus(shared / "datasets/ecbplus/docs.jsonl")
    events = load_events(shared / "datasets/neus-allsides/train.jsonl", 600)
    pool_texts = list(dict.fromkeys(
        [t for pair in pairs for t in pair]
        + [f"{a.title}\n{a.text}" for a in ecb] + [f"{a.title}\n{a.text}" for e in events for a in e]))
    row = {t: i for i, t in enumerate(pool_texts)}
    positives = {(row[a], row[b]) for a, b in pairs} | {(row[b], row[a]) for a, b in pairs}
    print(f"\n== rewrite candidates: {len(pairs)} derived pairs (tune split) in a pool of {len(pool_texts)} leads; "
          f"each text's {REWRITE_NEIGHBOURS} nearest leads at cosine >= threshold")
    leads = [lead_text(as_article(t)) for t in pool_texts]
    for enc in named:
        vectors = enc.encode(leads)
        sims = vectors @ vectors.T
        np.fill_diagonal(sims, -np.inf)
        nearest = np.argsort(-sims, axis=1, kind="stable")[:, :REWRITE_NEIGHBOURS]
        for threshold in thresholds.get(enc.name, [REWRITE_CANDIDATE_SIMILARITY]):
            found = {(i, int(j)) for i in range(len(leads)) for j in nearest[i] if sims[i, j] >= threshold}
            hits = sum(1 for a, b in pairs if (row[b], row[a]) in found or (row[a], row[b]) in found)
            others = len({tuple(sorted(p)) for p in found if p not in positives})
            print(f"  {enc.name:<10} threshold {threshold:.2f}: recall {hits}/{len(pairs)} = {hits / len(pairs):.3f}; "
                  f"other pairs passing {others} ({others / len(leads):.2f} per lead)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=SHARED, help="the ../shared folder (default: %(default)s)")
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--cache", type=Path, default=None, help="MiniLM vector cache (.npz) to read and extend")
    parser.add_argument("--rate-leads", type=int, default=600, help="leads encoded per rate figure")
    parser.add_argument("--allsides-chunks", type=int, default=8, help="chunks of 307 AllSides train events")
    parser.add_argument("--static-thresholds", type=float, nargs="+", default=[0.55, 0.65, 0.7, 0.75, 0.8])
    args = parser.parse_args(argv)
    if not (args.shared / "datasets").is_dir():
        print(f"{args.shared}/datasets not found: nothing to measure", file=sys.stderr)
        return 1
    named = encoders(args.cache)
    if "rate" in args.sections:
        events = load_events(args.shared / "datasets/neus-allsides/train.jsonl", args.rate_leads // 3 + 1)
        run_rate([lead_text(a) for e in events for a in e][: args.rate_leads])
    if "mrpc" in args.sections:
        run_mrpc([n for n in named if n.name != "minilm-64"], args.shared)
    if "stories" in args.sections:
        run_stories(named, args.shared, args.allsides_chunks)
    if "candidates" in args.sections:
        run_candidates([n for n in named if n.name != "minilm-64"], args.shared,
                       {"static": args.static_thresholds})
    return 0


if __name__ == "__main__":
    sys.exit(main())
