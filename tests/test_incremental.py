"""Incremental runs: exact lead neighbours, the story state by column, articles outside stories."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

import numpy as np
import pytest

import newstrace
from newstrace.encode.index import NO_KEY, VectorIndex, approximate_neighbours, exact_neighbours, rescored, top_columns
from newstrace.model import Article
from newstrace.stories import StoryClusterer


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize(("columns", "count"), [(5, 5), (9, 3), (40, 16), (333, 16), (4096, 16), (4100, 32), (2000, 7)])
def test_top_columns_are_each_rows_highest_values(columns: int, count: int) -> None:
    rng = np.random.default_rng(columns + count)
    scores = rng.normal(size=(37, columns)).astype(np.float32)
    scores[3] = -scores[3] ** 2  # a row of negative values
    scores[5, : columns // 2] = -np.inf  # and one half excluded, as a diagonal is
    top = top_columns(scores, count)
    assert top.shape == (37, count)
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :count]
    assert np.array_equal(np.sort(top, axis=1), np.sort(expected, axis=1))
    assert top_columns(scores, 0).shape == (37, 0)


def test_exact_neighbours_are_the_most_similar_rows_best_first() -> None:
    rng = np.random.default_rng(7)
    vectors = _unit(rng.normal(size=(300, 16)))
    queries = _unit(rng.normal(size=(40, 16)))
    keys, sims = exact_neighbours(queries, vectors * 3.0, k=5)  # cosine: the length does not count
    full = queries @ vectors.T
    expected = np.argsort(-full, axis=1, kind="stable")[:, :5]
    assert np.array_equal(keys, expected)
    assert np.allclose(sims, np.take_along_axis(full, expected, axis=1), atol=1e-5)


def test_exact_neighbours_pad_short_rows_and_put_ties_in_row_order() -> None:
    vectors = np.array([[0, 1], [1, 0], [1, 0]], dtype=np.float32)
    keys, sims = exact_neighbours(np.array([[1, 0]], dtype=np.float32), vectors, k=5)
    assert keys.tolist() == [[1, 2, 0, NO_KEY, NO_KEY]]
    assert sims[0, :3].round(5).tolist() == [1.0, 1.0, 0.0] and np.isneginf(sims[0, 3:]).all()
    empty_keys, _ = exact_neighbours(np.zeros((2, 2), dtype=np.float32), np.zeros((0, 2), dtype=np.float32), k=3)
    assert (empty_keys == NO_KEY).all()


@pytest.mark.parametrize("copies", [10, 700])  # 21,000 vectors: scored in tiles, ties across them
def test_exact_neighbours_from_a_floor_are_the_same_best_first_and_padded_below_it(copies: int) -> None:
    rng = np.random.default_rng(11)
    centres = _unit(rng.normal(size=(30, 16)))
    vectors = _unit(np.repeat(centres, copies, axis=0) + 0.4 * rng.normal(size=(30 * copies, 16)))
    vectors[7] = vectors[8]  # a tie: the lower row first
    vectors[-1] = vectors[3]  # a tie between the first and the last tile
    queries = vectors[:60]
    keys, sims = exact_neighbours(queries, vectors, k=6)
    for floor in (0.8, 0.9, 0.95):
        floored_keys, floored_sims = exact_neighbours(queries, vectors, k=6, floor=floor)
        above = sims >= floor
        assert 0 < above.sum() < above.size
        assert np.array_equal(floored_keys, np.where(above, keys, NO_KEY))
        assert np.array_equal(floored_sims, np.where(above, sims, -np.inf))


def test_exact_neighbours_agree_with_the_index_on_a_small_set() -> None:
    rng = np.random.default_rng(3)
    vectors = _unit(rng.normal(size=(200, 8)))
    index = VectorIndex(ndim=8)
    index.add(np.arange(len(vectors)), vectors)
    approximate, _ = index.search(vectors[:20], k=4)
    exact, _ = exact_neighbours(vectors[:20], vectors, k=4)
    assert (approximate == exact).mean() > 0.9  # HNSW misses some, the exact search none


def test_the_graphs_built_side_by_side_find_the_exact_neighbours_best_first_and_the_same_each_time() -> None:
    rng = np.random.default_rng(5)
    vectors = _unit(rng.normal(size=(300, 8)))
    keys, sims = approximate_neighbours(vectors[:30], vectors, k=5)
    exact, exact_sims = exact_neighbours(vectors[:30], vectors, k=5)
    assert keys[:, 0].tolist() == list(range(30))  # each query's own row, found in its part
    # the graphs hold 16-bit values, but what they find is scored again in 32-bit floats
    assert (keys == exact).mean() > 0.9 and np.allclose(sims[keys == exact], exact_sims[keys == exact], atol=1e-6)
    assert (np.diff(sims, axis=1) <= 0).all()  # best first across the graphs
    again, _ = approximate_neighbours(vectors[:30], vectors, k=5)
    assert (again == keys).all()
    padded, padded_sims = approximate_neighbours(vectors[:2], vectors[:3], k=5)
    assert (padded[:, 3:] == NO_KEY).all() and np.isneginf(padded_sims[:, 3:]).all()


def test_found_rows_are_rescored_best_first_ties_to_the_lower_row_and_padded() -> None:
    vectors = np.array([[1, 0], [0, 2], [3, 3], [3, 3], [-1, 0]], dtype=np.float32)
    queries = np.array([[2, 1], [0, 1]], dtype=np.float32)
    found = np.array([[4, 3, NO_KEY, 2, 0], [1, NO_KEY, NO_KEY, NO_KEY, NO_KEY]])
    keys, sims = rescored(queries, vectors, found, 3)
    assert keys.tolist() == [[2, 3, 0], [1, NO_KEY, NO_KEY]]
    assert np.allclose(sims[0], [9 / 90**0.5, 9 / 90**0.5, 2 / 5**0.5]) and sims[1, 0] == 1
    assert np.isneginf(sims[1, 1:]).all()
    wide, _ = rescored(queries, vectors, found[:, :2], 4)
    assert wide.tolist() == [[3, 4, NO_KEY, NO_KEY], [1, NO_KEY, NO_KEY, NO_KEY]]


def test_a_rewrite_of_a_stored_article_is_found_among_the_stored_leads(seeds: Path, tmp_path: Path) -> None:
    db = tmp_path / "grow.db"
    files = sorted(seeds.iterdir())
    first = newstrace.analyze([f for f in files if not f.name.startswith("004")], db=db)
    second = newstrace.analyze(files, db=db)
    assert second.stats["articles_new"] == 1 and second.stats["rewrite_pairs_checked"] >= 1
    by_file = {Path(a.path).name[:3]: a.id for a in second.articles}
    rewrites = [r for r in second.relations if {r.a, r.b} == {by_file["003"], by_file["004"]}]
    assert [r.relation for r in rewrites] == ["paraphrase"] and rewrites[0].source == by_file["003"]
    assert {(r.a, r.b) for r in first.relations} <= {(r.a, r.b) for r in second.relations}
    with newstrace.Store(db) as store:
        assert store.ids_outside_stories() == []


def _one_story_at_a_time(state: dict) -> dict:
    """``state`` in the layout written before the columns: a dict per story."""
    columns, dim = state["stories"], state["embedding_dim"]
    decode = lambda key, dtype: np.frombuffer(base64.b64decode(columns[key]), dtype=dtype)  # noqa: E731
    encode = lambda array: base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")  # noqa: E731
    embeddings = decode("embedding_sum", np.float32).reshape(-1, dim)
    ends = np.cumsum(decode("bag_count", np.int32))
    indexes, sums = decode("bag_index", np.int32), decode("bag_sum", np.float32)
    first, last, floors = decode("first_day", np.int32), decode("last_day", np.int32), decode("floor", np.float32)
    stories = []
    for row, story_id in enumerate(columns["id"]):
        start = ends[row - 1] if row else 0
        stories.append({
            "id": story_id, "articles": columns["articles"][row], "title": columns["title"][row],
            "title_score": columns["title_score"][row], "title_id": columns["title_id"][row],
            "embedding_sum": encode(embeddings[row]), "bag_index": encode(indexes[start:ends[row]]),
            "bag_sum": encode(sums[start:ends[row]]), "first_day": int(first[row]), "last_day": int(last[row]),
            "floor": float(floors[row]),
        })
    return {**state, "stories": stories}


def test_story_state_by_column_and_one_story_at_a_time_resume_alike() -> None:
    rng = np.random.default_rng(11)
    topics = ["Flood waters rise in Corran", "Senate passes the budget", "Storm closes the port of Vella"]
    articles = [Article.from_text(f"{topics[i % 3]}. Officials in Corran said {i} people were moved on Monday.",
                                  title=topics[i % 3], date=f"2024-03-{1 + i % 5:02d}") for i in range(30)]
    centres = _unit(rng.normal(size=(3, 12)))
    vectors = _unit(centres[np.arange(30) % 3] + 0.05 * rng.normal(size=(30, 12)))
    clusterer = StoryClusterer()
    clusterer.assign(articles[:20], vectors[:20])
    state = json.loads(json.dumps(clusterer.to_state()))
    assert isinstance(state["stories"], dict) and len(state["stories"]["id"]) == len(clusterer.stories())
    by_column = StoryClusterer.from_state(state)
    by_story = StoryClusterer.from_state(_one_story_at_a_time(state))
    assert by_column.to_state() == by_story.to_state() == clusterer.to_state()
    for resumed in (by_column, by_story):
        resumed.assign(articles[20:], vectors[20:])
    clusterer.assign(articles[20:], vectors[20:])
    assert by_column.stories() == by_story.stories() == clusterer.stories()


def test_story_table_resumes_as_the_whole_state_and_writes_only_changed_stories(tmp_path: Path) -> None:
    """A clusterer restored from its story table (the stories' sums read as needed, the
    changed ones written back) places the next batches exactly as one restored from the
    whole state each time, and the rows it leaves unchanged are not written again."""
    from newstrace.store import Store

    rng = np.random.default_rng(5)
    topics = ["Flood waters rise in Corran", "Senate passes the budget", "Storm closes the port of Vella",
              "Miners trapped in Dorn", "Vella wins the cup final"]
    articles = [Article.from_text(f"{topics[i % 5]}. Officials in Corran said {i} people were moved on Monday.",
                                  title=topics[i % 5], date=f"2024-03-{1 + (7 * i) % 28:02d}") for i in range(60)]
    centres = _unit(rng.normal(size=(5, 12)))
    vectors = _unit(centres[np.arange(60) % 5] + 0.3 * rng.normal(size=(60, 12)))
    batches = [slice(0, 30), slice(30, 40), slice(40, 50), slice(50, 60)]
    links = [(articles[0].id, articles[41].id), (articles[3].id, articles[52].id)]  # merges old stories
    by_state = StoryClusterer()
    by_state.assign(articles[batches[0]], vectors[batches[0]])
    with Store(tmp_path / "s.db") as store:
        by_table = StoryClusterer()
        by_table.assign(articles[batches[0]], vectors[batches[0]])
        for batch in batches[1:]:
            rows, emptied, replace = by_table.table_changes()
            store.put_story_state(by_table.table_header(), rows, emptied, replace=replace)
            header, stored = store.story_state()
            by_table = StoryClusterer.from_table(header, stored, store.story_bags)
            by_state = StoryClusterer.from_state(json.loads(json.dumps(by_state.to_state())))
            assert by_table.to_state() == by_state.to_state()
            by_table = StoryClusterer.from_table(header, stored, store.story_bags)  # to_state read every story
            by_table.assign(articles[batch], vectors[batch], links)
            by_state.assign(articles[batch], vectors[batch], links)
            assert by_table.stories() == by_state.stories()
            changed, emptied, replace = by_table.table_changes()
            assert not replace and 0 < len(changed) < len(by_table.stories())
            assert {row[1] for row in changed} <= by_table.changed_story_ids()
            assert len(by_table.changed_story_ids()) == len(changed) + len(emptied)
        rows, emptied, replace = by_table.table_changes()
        store.put_story_state(by_table.table_header(), rows, emptied, replace=replace)
        header, stored = store.story_state()
        assert StoryClusterer.from_table(header, stored, store.story_bags).to_state() == by_state.to_state()


def test_a_run_reaches_every_article_chained_to_a_judged_one_by_derived_relations() -> None:
    """The articles whose parent or root a run can change: those joined to a judged one by
    a chain of derived relations, in either direction; a same-event pair joins nothing."""
    from newstrace.model import Relation
    from newstrace.relate import derivation_component

    relations = [Relation.of("wire", "blog", "copy", "wire", 0.9), Relation.of("blog", "scraper", "duplicate", "blog", 1.0),
                 Relation.of("digest", "wire", "partial", "wire", 0.4), Relation.of("agency", "rewrite", "paraphrase", "agency", 0.9),
                 Relation.of("scraper", "agency", "same_story", None, 0.7), Relation.of("lone", "other", "same_story", None, 0.6)]
    assert derivation_component(relations, {"scraper"}) == {"wire", "blog", "scraper", "digest"}
    assert derivation_component(relations, {"rewrite", "lone"}) == {"agency", "rewrite"}
    assert derivation_component(relations, {"new"}) == set()


def test_collector_paused_leaves_what_it_made_in_the_oldest_generation() -> None:
    """The objects made while the collector was paused are not walked by the next young
    collection: they wait in the oldest generation, and are still collected there."""
    import gc

    from newstrace.engine.memory import collector_paused

    with collector_paused():
        kept = [[number] for number in range(20_000)]
        cycle: list = []
        cycle.append(cycle)
    assert gc.get_count()[0] < 1_000
    assert any(item is kept for item in gc.get_objects(generation=2))
    cycle_id = id(cycle)
    del cycle
    gc.collect()
    assert all(id(item) != cycle_id for item in gc.get_objects())


PROMO = "Sign up for the Morning Brief newsletter to get our top stories. Follow us for updates all day long."


def _write_articles(folder: Path, texts: list[str]) -> list[Path]:
    folder.mkdir()
    paths = []
    for i, text in enumerate(texts):
        path = folder / f"{i:02d}.txt"
        path.write_text(text)
        paths.append(path)
    return paths


def test_boilerplate_of_a_store_read_from_the_articles_that_hold_it(tmp_path: Path) -> None:
    topics = ["The harbour bridge reopened after three months of repairs, the city engineer said on Tuesday.",
              "Wheat prices fell for a fourth week as the harvest in the south came in larger than expected.",
              "A new library opened in the old mill, with a reading room on each of its five floors.",
              "The regional orchestra named a violinist from Tallinn as its next principal conductor.",
              "Voters in the district will choose a new mayor in May after the incumbent stepped down."]
    body = lambda topic, n: " ".join(f"{topic[:-1]}, report {k} of {n} said." for k in range(6))  # noqa: E731
    texts = [f"{body(topic, i)} {PROMO}" for i, topic in enumerate(topics[:4])] + [body(topics[4], 4)]
    paths = _write_articles(tmp_path / "in", texts)
    db = tmp_path / "store.db"
    newstrace.analyze(paths[:2], db=db)
    report = newstrace.analyze(paths, db=db)
    held = [p for p in report.boilerplate if "Morning Brief" in p.text]
    assert len(held) == 1 and held[0].document_frequency == 4
    by_path = {Path(a.path).name: a.id for a in report.articles}
    assert sorted(held[0].article_ids) == sorted(by_path[f"{i:02d}.txt"] for i in range(4))
    assert all(by_path["04.txt"] not in p.article_ids for p in report.boilerplate)


NOTE = ("This story was corrected to give the council's vote count. An earlier version misstated it "
        "as nine to two.")


def test_boilerplate_runs_kept_between_runs_are_found_again_where_an_article_gained_boilerplate(tmp_path: Path) -> None:
    """The boilerplate runs a report found are kept in the store and reused for an article
    whose flagged sentence pairs did not change: the second run's listing is the one a single
    run over every article makes, also where a note two stored articles carried became
    boilerplate only when later articles carried it too."""
    topics = ["The harbour bridge reopened after three months of repairs, the city engineer said on Tuesday.",
              "Wheat prices fell for a fourth week as the harvest in the south came in larger than expected.",
              "A new library opened in the old mill, with a reading room on each of its five floors.",
              "The regional orchestra named a violinist from Tallinn as its next principal conductor.",
              "Voters in the district will choose a new mayor in May after the incumbent stepped down.",
              "The ferry company added a night crossing to the islands for the summer season."]
    body = lambda topic, n: " ".join(f"{topic[:-1]}, report {k} of {n} said." for k in range(6))  # noqa: E731
    texts = ([f"{body(topics[0], 0)} {NOTE} {PROMO}", f"{body(topics[1], 1)} {NOTE} {PROMO}",
              f"{body(topics[2], 2)} {PROMO}"]
             + [f"{body(topic, i)} {NOTE}" for i, topic in enumerate(topics[3:], 3)])
    paths = _write_articles(tmp_path / "in", texts)
    db = tmp_path / "store.db"
    first = newstrace.analyze(paths[:3], db=db)
    assert [p.document_frequency for p in first.boilerplate if "Morning Brief" in p.text] == [3]
    assert not [p for p in first.boilerplate if "corrected" in p.text]
    later = newstrace.analyze(paths, db=db)
    whole = newstrace.analyze(paths, db=tmp_path / "whole.db")

    def listed(report) -> list[tuple[str, int, list[str]]]:
        names = {a.id: Path(a.path).name for a in report.articles}
        return sorted((p.text, p.document_frequency, sorted(names[i] for i in p.article_ids))
                      for p in report.boilerplate)

    assert listed(later) == listed(whole)
    noted = {name for text, _, names in listed(later) if "corrected" in text for name in names}
    assert noted == {"00.txt", "01.txt", "03.txt", "04.txt", "05.txt"}  # 00 and 01 found again


def test_story_index_buckets_built_side_by_side_or_after_exact_searches_are_the_ones_built_in_turn(monkeypatch) -> None:
    """A restored state's time buckets are indexed on parallel threads, each on one, or
    searched exactly until ``BUILD_AFTER_QUERIES`` queries have reached them, and only then
    built: the same graphs, byte for byte, as building them one after the other (means added
    after the restore included), and the same stories found."""
    import newstrace.story_index as story_index

    monkeypatch.setattr(story_index, "BUILD_AFTER_QUERIES", 100)  # (a few thousand by default)
    monkeypatch.setattr(story_index, "EXACT_KEYS", 50)  # buckets of about 100 get graphs
    rng = np.random.default_rng(3)
    vectors = _unit(rng.normal(size=(6000, 16)))
    days = rng.integers(738000, 738400, size=6000)
    queries, query_days = vectors[:50], np.full(50, days[0])  # recent news: one week
    undated = np.full(story_index.BUILD_AFTER_QUERIES + 1, story_index.UNDATED)  # each reaches every bucket
    weeks, sizes = np.unique(days // 7, return_counts=True)
    graphed = len(weeks[sizes > story_index.EXACT_KEYS])  # the buckets too large to stay without a graph
    built, found = [], []
    for cores, later in ((1, False), (2, False), (2, True)):
        monkeypatch.setattr(story_index, "available_cores", lambda cores=cores: cores)
        index = story_index.StoryIndex(16, 7)
        index.add(np.arange(5000), vectors[:5000], days[:5000], later=later)
        index.add(np.arange(5000, 6000), vectors[5000:], days[5000:])  # a run's new means
        assert len(index._indexes) == (0 if later else graphed)
        found.append(index.search(queries, query_days, 5))
        assert len(index._indexes) == 0 or not later  # answered exactly: no graph yet
        index.search(vectors[: len(undated)], undated, 5)  # one query more than exact search answers
        built.append({name: bytes(bucket.save()) for name, bucket in index._indexes.items()})
    assert len(built[0]) == graphed > 50 and sorted(built[0], key=str) == sorted(built[2], key=str)
    assert built[0] == built[1] == built[2]
    assert all((a == b).all() and (a == c).all() for a, b, c in zip(*found))


def test_a_story_index_bucket_is_searched_exactly_until_it_outgrows_exact_keys(monkeypatch) -> None:
    """A time bucket of at most ``EXACT_KEYS`` means has no graph and finds each query's
    true nearest means (a brute-force top 5 per bucket); one more mean gives it a graph."""
    import newstrace.story_index as story_index

    monkeypatch.setattr(story_index, "EXACT_KEYS", 300)
    rng = np.random.default_rng(5)
    vectors = _unit(rng.normal(size=(301, 16)))
    day = 738003  # one week: one bucket
    index = story_index.StoryIndex(16, 7)
    index.add(np.arange(200), vectors[:200], np.full(200, day))
    index.add(np.arange(200, 300), vectors[200:300], np.full(100, day))
    queries = _unit(rng.normal(size=(40, 16)))
    found = index.search(queries, np.full(40, day), 5)
    assert not index._indexes
    best = np.argsort(-(queries @ vectors[:300].T), axis=1)[:, :5]
    assert all(sorted(rows.tolist()) == sorted(top.tolist()) for rows, top in zip(found, best))
    index.add(np.array([300]), vectors[300:], np.array([day]))
    assert len(index._indexes) == 1 and len(next(iter(index._indexes.values()))) == 301


def test_a_collection_added_in_parts_gets_the_stories_of_one_run(shared: Path, tmp_path: Path) -> None:
    """Up to a group's size, the stories of a collection do not depend on how its articles
    arrived: leads of 60 NeuS-AllSides events (three outlets each), written in two halves,
    analysed in two runs into one store and in one run into another."""
    allsides = shared / "datasets" / "neus-allsides" / "val.jsonl"
    if not allsides.is_file():
        pytest.skip("../shared/datasets/neus-allsides is absent")
    with allsides.open(encoding="utf-8") as lines:
        events = [json.loads(line) for _, line in zip(range(60), lines)]
    records = [{"id": f"{event['id']}-{k}", "title": item["title"], "text": item["text"]}
               for event in events for k, item in enumerate(event["articles"]) if item["text"].strip()]
    random.Random(5).shuffle(records)
    halves = [tmp_path / "first.jsonl", tmp_path / "second.jsonl"]
    for path, part in zip(halves, (records[: len(records) // 2], records[len(records) // 2 :])):
        path.write_text("".join(json.dumps(record) + "\n" for record in part), encoding="utf-8")

    def stories(report: newstrace.Report) -> set[frozenset[str]]:
        label = {a.id: a.external_id for a in report.articles}
        return {frozenset(label[i] for i in story.article_ids) for story in report.stories}

    whole = newstrace.analyze(halves, db=tmp_path / "one.db", encoder="static")
    newstrace.analyze(halves[:1], db=tmp_path / "two.db", encoder="static")
    in_parts = newstrace.analyze(halves, db=tmp_path / "two.db", encoder="static")
    assert in_parts.stats["articles_new"] == len(records) - len(records) // 2
    assert stories(in_parts) == stories(whole) and len(stories(whole)) < len(records)
