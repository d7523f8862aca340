"""Quality of ``analyze --encoder minilm`` beside ``--encoder static``, on the same data in one run.

    python benchmarks/bench_encoder_choice.py [--shared ../shared] [--cache FILE]

Each figure comes from the product's own code with the encoders each choice uses
(:func:`newstrace.encode.runtime.shared_encoders`: MiniLM for both roles; static: centred lead
vectors, uncentred sentence vectors):

* ``stories ECB+``: ARI and B-cubed F1 of :func:`newstrace.stories.cluster_stories` on the
  title + lead vectors (as ``bench_stories.py quality``);
* ``AllSides val``: the whole product (``newstrace.analyze(..., encoder=...)``) on the held-out
  NeuS-AllSides ``val`` events (as ``bench_allsides.py``): story B-cubed F1, ARI, events
  that are one story of 3 independent reports, derived pairs inside / across events;
* ``rewrites``: the rewrite verdict (:func:`newstrace.match.compare.judge`) on ``bench_rewrites.py``'s
  pairs with each choice's sentence vectors: recall on derived texts, share of independent
  same-event pairs judged derived (ECB+ sub-topics, AllSides events).

``--cache`` keeps MiniLM's sentence vectors between runs (``bench_rewrites.py --cache``).
Figures are in the README (section Use, ``--encoder``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

import numpy as np

import newstrace
from newstrace.encode.runtime import ENCODER_NAMES, EncoderChoice, shared_encoders
from newstrace.match.paraphrase import encode_sentences
from newstrace.stories import cluster_stories, encode_leads

from bench_allsides import derived_counts, event_outcomes, load_events, story_labels, write_collection
from bench_rewrites import DERIVED, CachedEncoder, derived_pairs, independent_pairs, judge_all, mrpc_rewrites
from bench_stories import SHARED, labels_of, load_ecbplus, scores


def ecb_stories(choice: EncoderChoice, shared: Path) -> str:
    articles, gold = load_ecbplus(shared / "datasets/ecbplus/docs.jsonl")
    result = scores(gold, labels_of(cluster_stories(articles, encode_leads(articles, encoder=choice.leads)),
                                    len(articles)))
    return f"ARI {result['ari']:.3f}, B-cubed F1 {result['b3_f1']:.3f}"


def allsides_val(name: str, shared: Path) -> str:
    events = load_events(shared / "datasets/neus-allsides/val.jsonl")
    with tempfile.TemporaryDirectory(prefix="bench-encoder-") as tmp:
        event_of_key = write_collection(events, Path(tmp))
        started = time.perf_counter()
        report = newstrace.analyze([Path(tmp) / "articles.jsonl"], db=Path(tmp) / "store.db", encoder=name)
        seconds = time.perf_counter() - started
    event_of = {article.id: event_of_key[article.external_id] for article in report.articles}
    ids = [article.id for article in report.articles]
    result = scores([str(event_of[i]) for i in ids], story_labels(report, ids))
    inside, across, _ = derived_counts(report, event_of)
    together, _ = event_outcomes(report, event_of)
    return (f"B-cubed F1 {result['b3_f1']:.3f}, ARI {result['ari']:.3f}, one story of 3 independent "
            f"{together}/{len(events)} = {together / len(events):.3f}, derived inside {inside} / across {across} "
            f"({seconds:.0f} s)")


def rewrites(choice: EncoderChoice, shared: Path, cache: Path | None) -> str:
    positives = derived_pairs(shared, 80, 20, 0)
    extra = mrpc_rewrites(shared, 150)
    for pair, split, kind in zip(extra.texts, extra.splits, extra.kinds):
        positives.add(*pair, split, kind)
    negatives, _ = independent_pairs(shared, 300, 0, 0)
    texts = sorted({t for pairs in (positives, negatives) for pair in pairs.texts for t in pair})
    encoder = CachedEncoder(cache) if choice.name == "minilm" else choice.sentences
    vectors = dict(zip(texts, encode_sentences(texts, encoder)))  # type: ignore[arg-type]
    if isinstance(encoder, CachedEncoder):
        encoder.save()
    found = [c.relation in DERIVED for c in judge_all(positives, vectors)]
    judged = [c.relation in DERIVED for c in judge_all(negatives, vectors)]

    def share(flags: Sequence[bool]) -> str:
        return f"{np.mean(flags):.3f} ({sum(flags)}/{len(flags)})"

    by_kind = {kind: [f for f, k in zip(judged, negatives.kinds) if k == kind]
               for kind in ("ECB+ same sub-topic", "AllSides event")}
    return (f"recall {share(found)}; judged derived: ECB+ {share(by_kind['ECB+ same sub-topic'])}, "
            f"AllSides {share(by_kind['AllSides event'])}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=SHARED, help="the ../shared folder (default: %(default)s)")
    parser.add_argument("--cache", type=Path, default=None, help="MiniLM sentence-vector cache (.npz)")
    parser.add_argument("--sections", nargs="+", choices=("ecb", "allsides", "rewrites"),
                        default=["ecb", "allsides", "rewrites"])
    args = parser.parse_args(argv)
    sections = {
        "ecb": ("stories ECB+", lambda name: ecb_stories(shared_encoders(name), args.shared)),
        "allsides": ("AllSides val (analyze)", lambda name: allsides_val(name, args.shared)),
        "rewrites": ("rewrites", lambda name: rewrites(shared_encoders(name), args.shared, args.cache)),
    }
    for key in args.sections:
        title, measure = sections[key]
        print(f"== {title}", flush=True)
        for name in ENCODER_NAMES:
            print(f"  {name:<7} {measure(name)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
