"""The whole product on short, undated reports: NeuS-AllSides events, three outlets each.

    python benchmarks/bench_allsides.py                  # val: 307 events, 921 leads
    python benchmarks/bench_allsides.py --no-assert --train-events 300

Each AllSides event is one real news event told by a left, a centre and a right outlet (title
and first paragraphs, median ~65 words, no dates): three independent reports. The script
writes the ``val`` leads as JSON Lines (``id``, ``title``, ``text``: no date, no outlet, in a
shuffled order, ids that do not name the event) in a temporary folder, runs
``newstrace.analyze`` on it with a store file, and prints:

* derived relations (``duplicate``, ``copy``, ``partial``, ``paraphrase``) inside an event
  (target: at most 10 of its 921 pairs) and across events;
* the events that came out as one story in which all three reports are independent (target:
  at least 0.90 of 307), and how many came out as a story of exactly their three reports;
  how the others fail (split across stories, a report missing, a derived relation inside)
  and how many share their story with other events;
* story B-cubed F1 and ARI beside TF-IDF + average-link agglomerative clustering whose
  distance threshold is tuned (for B-cubed F1) on the first ``--baseline-events`` events of
  ``train`` and then applied to ``val`` (target: newstrace at least 0.03 above it).

``--train-events N`` also runs the product on the first N ``train`` events (part of the data
the clusterer's short-text parameters were fitted on) and prints the same figures for them;
with ``--train-start S``, on events S to S+N-1 instead (events 1228-2455 were never fitted on:
``--train-start 1228 --train-events 1228``). Exits 1 when a target is missed on ``val``
(``--no-assert`` to only print).

``--clusterer`` runs instead the clusterer alone (``StoryClusterer.assign``, no copies or
rewrites, so no must-link pairs) on ``train`` collections of 307 events from ``--train-start``
(``--train-events`` of them, rounded down to whole collections; default 1228: four), each
shuffled as the product's input is, with lead vectors cached under ``--cache``, and prints per
collection and on average the share of events whose 3 reports share one story, of events that
are a story of exactly their 3 reports, and the B-cubed F1; ``--params`` (JSON) are passed to
:class:`StoryClusterer`. Seconds per variant once the vectors are cached, where the product
takes minutes: the loop in which to try a change on train (``--train-start 0``) and check it
on the unused events (``--train-start 1228``). ``val`` is not read. ``--parts N`` gives each
collection in N ``assign`` calls, as runs that add to a store do; ``--params '{"group_size":
300}'`` places it in chunks of 300, as a collection of more than 2,048 articles is placed:

    python benchmarks/bench_allsides.py --clusterer --cache /tmp/allsides --train-start 1228 --train-events 614 --parts 2

``--fit-weights`` fits instead the clusterer's short-text weights (``short_weights``: how much
the embedding, entity and word similarities count) as a logistic regression of "same event"
on the three similarities of each article's nearest neighbours, in ``train`` collections of
307 events like ``val`` (events 0-1227), cross-validated by collection (no event is in two);
it prints each fold's weights (normalised to sum 1), held-out average precision beside the
weights in use, and the weights fitted on all four. ``val`` is not read.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Sequence

import numpy as np

import newstrace
from newstrace.model import Article, Report

from bench_stories import SHARED, baseline_labels, scores, show, tfidf_distances
from newstrace.stories import StoryClusterer, encode_leads, pair_similarities

MAX_DERIVED_INSIDE = 10
MIN_ONE_STORY_SHARE = 0.90
MIN_F1_GAIN = 0.03


def load_events(path: Path, limit: int | None = None) -> list[list[Article]]:
    """The events of a NeuS-AllSides split, each as its three (untitled-id) articles."""
    events = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            events.append([Article(id=f"{row['id']}-{k}", title=item["title"], text=item["text"])
                           for k, item in enumerate(row["articles"])])
            if limit is not None and len(events) == limit:
                break
    return events


def write_collection(events: Sequence[Sequence[Article]], folder: Path, seed: int = 0) -> dict[str, int]:
    """Write the articles as JSON Lines in a shuffled order under neutral ids; return the
    event index of each written id."""
    items = [(event_index, article) for event_index, event in enumerate(events) for article in event]
    random.Random(seed).shuffle(items)
    event_of = {}
    with (folder / "articles.jsonl").open("w", encoding="utf-8") as handle:
        for number, (event_index, article) in enumerate(items):
            key = f"a{number:05d}"
            event_of[key] = event_index
            handle.write(json.dumps({"id": key, "title": article.title, "text": article.text}) + "\n")
    return event_of


def run_product(events: Sequence[Sequence[Article]], label: str) -> tuple[Report, dict[str, int]]:
    """``newstrace.analyze`` on the events' articles (store file in a temp folder); returns
    the report and the event index of each stored article id."""
    with tempfile.TemporaryDirectory(prefix="bench-allsides-") as tmp:
        folder = Path(tmp)
        by_key = write_collection(events, folder)
        started = time.perf_counter()
        report = newstrace.analyze([folder / "articles.jsonl"], db=folder / "allsides.db")
        seconds = time.perf_counter() - started
    print(f"{label}: {len(events)} events, {len(report.articles)} articles analysed in {seconds:.0f} s "
          f"({len(report.skipped)} skipped)")
    return report, {article.id: by_key[article.external_id] for article in report.articles}


def derived_counts(report: Report, event_of: dict[str, int]) -> tuple[int, int, dict[str, int]]:
    """Derived relations inside an event, across events, and inside events by kind."""
    inside = across = 0
    kinds: dict[str, int] = defaultdict(int)
    for relation in report.relations:
        if not relation.derived:
            continue
        if event_of[relation.a] == event_of[relation.b]:
            inside += 1
            kinds[relation.relation] += 1
        else:
            across += 1
    return inside, across, dict(kinds)


def event_outcomes(report: Report, event_of: dict[str, int]) -> tuple[int, int]:
    """Events whose three reports share one story and are all independent in it; events
    that came out as a story of exactly their three reports."""
    members_of_event: dict[int, set[str]] = defaultdict(set)
    for article_id, event in event_of.items():
        members_of_event[event].add(article_id)
    together = exact = 0
    for story in report.stories:
        members, independent = set(story.article_ids), set(story.independent_ids)
        for event in {event_of[m] for m in members}:
            reports = members_of_event[event]
            if reports <= independent:
                together += 1
                exact += members == reports
    return together, exact


def failure_kinds(report: Report, event_of: dict[str, int], events: int) -> dict[str, int]:
    """How the events that are not one story of independent reports fail, and how many of
    those that are one story share it with other events: ``split`` (reports in several
    stories), of which ``split, a report alone`` (one piece is a story of its own),
    ``missing`` (a report not analysed), ``derived`` (one story, but a derived relation inside),
    ``shared`` (one story with other events' reports)."""
    story_of = {m: number for number, story in enumerate(report.stories) for m in story.article_ids}
    independent = {m for story in report.stories for m in story.independent_ids}
    size = {number: len(story.article_ids) for number, story in enumerate(report.stories)}
    reports: dict[int, list[str]] = defaultdict(list)
    for article_id, event in event_of.items():
        reports[event].append(article_id)
    kinds: dict[str, int] = defaultdict(int)
    for event in range(events):
        members = reports.get(event, [])
        stories = [story_of[m] for m in members]
        if len(members) < 3:
            kinds["missing"] += 1
        elif len(set(stories)) > 1:
            kinds["split"] += 1
            pieces = {s: stories.count(s) for s in stories}
            kinds["split, a report alone"] += any(size[s] == 1 for s in pieces)
        elif not set(members) <= independent:
            kinds["derived"] += 1
        elif size[stories[0]] > len(members):
            kinds["shared"] += 1
    return dict(kinds)


def story_labels(report: Report, ids: Sequence[str]) -> list[int]:
    story_of = {m: number for number, story in enumerate(report.stories) for m in story.article_ids}
    return [story_of[i] for i in ids]


def tuned_baseline_threshold(events: Sequence[Sequence[Article]]) -> tuple[float, dict[str, float]]:
    """The TF-IDF + agglomerative distance threshold with the best B-cubed F1 on ``events``."""
    articles = [article for event in events for article in event]
    gold = [str(index) for index, event in enumerate(events) for _ in event]
    distances = tfidf_distances(articles)
    best: tuple[float, dict[str, float]] | None = None
    for threshold in np.arange(0.50, 0.9875, 0.0125):
        result = scores(gold, baseline_labels(distances, float(threshold)))
        if best is None or result["b3_f1"] > best[1]["b3_f1"]:
            best = (float(threshold), result)
    return best


def report_split(events: Sequence[Sequence[Article]], label: str, threshold: float) -> dict[str, float]:
    report, event_of = run_product(events, label)
    ids = [article.id for article in report.articles]
    gold = [str(event_of[i]) for i in ids]
    inside, across, kinds = derived_counts(report, event_of)
    pairs = sum(len(event) * (len(event) - 1) // 2 for event in events)
    together, exact = event_outcomes(report, event_of)
    held = sorted(m for story in report.stories for m in story.article_ids)
    print(f"  derived relations inside an event: {inside} of {pairs} pairs {kinds or ''} "
          f"(target <= {MAX_DERIVED_INSIDE}); across events: {across}")
    print(f"  events as one story with 3 independent reports: {together} of {len(events)} = "
          f"{together / len(events):.3f} (target >= {MIN_ONE_STORY_SHARE}); "
          f"as a story of exactly their 3 reports: {exact}")
    print(f"  failures: {failure_kinds(report, event_of, len(events))} (shared: one story, with other events)")
    print(f"  every article in exactly one story: {'yes' if held == sorted(ids) else 'NO'}; "
          f"{len(report.stories)} stories")
    ours = scores(gold, story_labels(report, ids))
    show("newstrace (analyze)", ours)
    base = scores(gold, baseline_labels(tfidf_distances(report.articles), threshold))
    show(f"TF-IDF+agglomerative (t={threshold:.4f})", base)
    return {"inside": inside, "together": together / len(events), "f1": ours["b3_f1"],
            "base_f1": base["b3_f1"], "complete": float(held == sorted(ids))}


NAMES = ("embedding", "entities", "words")


def pair_table(events: Sequence[Sequence[Article]], vectors: np.ndarray, weights: np.ndarray,
               neighbours: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of (embedding, entity, word) similarity for each article and its ``neighbours``
    nearest others under ``weights`` (the pairs the clusterer has to tell apart; each pair
    once), and whether the two report one event."""
    articles = [article for event in events for article in event]
    event = np.repeat(np.arange(len(events)), [len(e) for e in events])
    similar = pair_similarities(articles, vectors)
    affinity = sum(weight * similar[name] for weight, name in zip(weights, NAMES))
    np.fill_diagonal(affinity, -np.inf)
    nearest = np.argpartition(-affinity, neighbours - 1, axis=1)[:, :neighbours]
    pairs = {(min(i, j), max(i, j)) for i in range(len(articles)) for j in nearest[i].tolist()}
    rows, cols = np.array(sorted(pairs)).T
    table = np.column_stack([similar[name][rows, cols] for name in NAMES])
    return table, event[rows] == event[cols]


def fit_weights(train: Sequence[Sequence[Article]], cache: Path | None, collections: int = 4,
                size: int = 307, neighbours: int = 10) -> np.ndarray:
    """Fit and print the short-text weights (see the module docstring); returns them."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score

    in_use = np.array(StoryClusterer().short_weights[:3])
    tables = []
    for number in range(collections):
        events = train[number * size : (number + 1) * size]
        path = cache / f"train-leads-{number * size}-{(number + 1) * size}.npy" if cache else None
        if path is not None and path.exists():
            vectors = np.load(path)
        else:
            vectors = encode_leads([article for event in events for article in event])
            if path is not None:
                np.save(path, vectors)
        tables.append(pair_table(events, vectors, in_use, neighbours))

    def fitted(parts: Sequence[int]) -> np.ndarray:
        x = np.vstack([tables[p][0] for p in parts])
        y = np.concatenate([tables[p][1] for p in parts])
        coef = LogisticRegression(max_iter=3000).fit(x, y).coef_[0].astype(float)
        return coef / coef.sum()

    for held in range(collections):
        weights = fitted([p for p in range(collections) if p != held])
        x, y = tables[held]
        print(f"  fold {held}: weights {np.round(weights.astype(float), 3).tolist()}; held-out average precision "
              f"{average_precision_score(y, x @ weights):.3f} (in use {np.round(in_use.astype(float), 3).tolist()}: "
              f"{average_precision_score(y, x @ in_use):.3f})")
    weights = fitted(range(collections))
    print(f"short-text weights (embedding, entities, words) fitted on {collections} x {size} train events: "
          f"{np.round(weights.astype(float), 3).tolist()}")
    return weights


COLLECTION = 307  #: events per collection, as in ``val``


def cached_leads(events: Sequence[Sequence[Article]], cache: Path | None, name: str) -> np.ndarray:
    """:func:`encode_leads` of the events' articles (in event order), kept in ``cache``."""
    path = cache / f"{name}.npy" if cache else None
    if path is not None and path.exists():
        return np.load(path)
    vectors = encode_leads([article for event in events for article in event])
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


def clusterer_outcomes(events: Sequence[Sequence[Article]], vectors: np.ndarray, params: dict,
                       seed: int = 0, parts: int = 1) -> tuple[float, float, float]:
    """The clusterer alone on one collection, its articles in the shuffled order
    :func:`write_collection` writes (given in ``parts`` equal ``assign`` calls, as later
    runs add to a store): the share of events whose reports share one story, the share that
    are a story of exactly their reports, and the B-cubed F1."""
    pairs = [(event, k) for event, reports in enumerate(events) for k in range(len(reports))]
    items = [(event, k, row) for row, (event, k) in enumerate(pairs)]  # row: in ``vectors``
    random.Random(seed).shuffle(items)
    articles = [events[event][k] for event, k, _ in items]
    ordered = np.asarray(vectors)[[row for _, _, row in items]]
    clusterer = StoryClusterer(**params)
    bounds = np.linspace(0, len(articles), parts + 1).round().astype(int)
    for start, end in zip(bounds[:-1], bounds[1:]):
        clusterer.assign(articles[start:end], ordered[start:end])
    labels = [clusterer.story_of(article.id) for article in articles]
    gold = [str(event) for event, _, _ in items]
    stories_of: dict[str, set[str]] = defaultdict(set)
    events_of: dict[str, set[str]] = defaultdict(set)
    for label, event in zip(labels, gold):
        stories_of[event].add(label)
        events_of[label].add(event)
    together = [event for event, stories in stories_of.items() if len(stories) == 1]
    exact = sum(events_of[next(iter(stories_of[event]))] == {event} for event in together)
    return len(together) / len(events), exact / len(events), scores(gold, labels)["b3_f1"]


def run_clusterer(train: Sequence[Sequence[Article]], start: int, count: int, cache: Path | None,
                  params: dict, parts: int = 1) -> None:
    """Print :func:`clusterer_outcomes` for each collection of :data:`COLLECTION` events from
    ``start`` and their means (see the module docstring, ``--clusterer``)."""
    results = []
    for first in range(start, start + count - COLLECTION + 1, COLLECTION):
        events = train[first : first + COLLECTION]
        vectors = cached_leads(events, cache, f"train-leads-{first}-{first + COLLECTION}")
        results.append(clusterer_outcomes(events, vectors, params, parts=parts))
        print(f"  events {first}-{first + COLLECTION - 1}: one story {results[-1][0]:.3f}, exactly their "
              f"reports {results[-1][1]:.3f}, B-cubed F1 {results[-1][2]:.3f}")
    together, exact, f1 = np.mean(results, axis=0)
    print(f"clusterer alone, train events {start}-{start + len(results) * COLLECTION - 1} "
          f"({len(results)} x {COLLECTION}), params {params or 'default'}, {parts} part(s): events as one story "
          f"{together:.4f}, as exactly their reports {exact:.4f}, B-cubed F1 {f1:.4f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=SHARED, help="the ../shared folder (default: %(default)s)")
    parser.add_argument("--baseline-events", type=int, default=600,
                        help="train events the baseline's threshold is tuned on (default: %(default)s)")
    parser.add_argument("--train-events", type=int, default=0,
                        help="also run the product on this many train events (default: none)")
    parser.add_argument("--train-start", type=int, default=0,
                        help="first train event of --train-events and --clusterer (default: %(default)s)")
    parser.add_argument("--clusterer", action="store_true",
                        help="run the clusterer alone on train collections of 307 events (see above) instead")
    parser.add_argument("--params", type=json.loads, default={},
                        help="StoryClusterer parameters as JSON, for --clusterer (default: none)")
    parser.add_argument("--parts", type=int, default=1,
                        help="give each collection to the clusterer in this many parts, for --clusterer (default: 1)")
    parser.add_argument("--no-assert", action="store_true", help="print the figures, exit 0 even if a target is missed")
    parser.add_argument("--fit-weights", action="store_true",
                        help="fit the clusterer's short-text weights on train (see above) instead")
    parser.add_argument("--cache", type=Path, default=None, help="folder for train lead vectors (--fit-weights, --clusterer)")
    args = parser.parse_args(argv)
    folder = args.shared / "datasets/neus-allsides"
    if args.fit_weights:
        fit_weights(load_events(folder / "train.jsonl", 4 * 307), args.cache)
        return 0
    if args.clusterer:
        count = args.train_events or 4 * COLLECTION
        run_clusterer(load_events(folder / "train.jsonl", args.train_start + count), args.train_start, count,
                      args.cache, args.params, args.parts)
        return 0
    train = load_events(folder / "train.jsonl", max(args.baseline_events, args.train_start + args.train_events))
    threshold, fitted = tuned_baseline_threshold(train[: args.baseline_events])
    print(f"baseline threshold tuned on train ({args.baseline_events} events, B-cubed F1): {threshold:.4f}")
    show("  TF-IDF+agglomerative on train (fit)", fitted)
    if args.train_events:
        first, last = args.train_start, args.train_start + args.train_events - 1
        fitted_on = "fitted on" if last < 4 * COLLECTION else ("not fitted on" if first >= 4 * COLLECTION else "partly fitted on")
        report_split(train[first : last + 1], f"train ({fitted_on}), events {first}-{last}", threshold)
    val = report_split(load_events(folder / "val.jsonl"), "val (held out)", threshold)
    gain = val["f1"] - val["base_f1"]
    print(f"val B-cubed F1: newstrace {val['f1']:.3f} vs baseline {val['base_f1']:.3f}: {gain:+.3f} "
          f"(target >= {MIN_F1_GAIN:+.2f})")
    met = (val["inside"] <= MAX_DERIVED_INSIDE and val["together"] >= MIN_ONE_STORY_SHARE
           and gain >= MIN_F1_GAIN and val["complete"])
    print(f"all targets met: {'yes' if met else 'NO'}")
    return 0 if met or args.no_assert else 1


if __name__ == "__main__":
    sys.exit(main())
