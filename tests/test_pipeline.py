"""The whole pipeline through the public API: the seed articles, the demo corpus, re-runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import newstrace
from newstrace import Report

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _by_file(report: Report) -> dict[str, str]:
    """Seed file number ('000'..'004') -> article id."""
    return {Path(a.path).name[:3]: a.id for a in report.articles}


def _relation(report: Report, x: str, y: str):
    for r in report.relations:
        if {r.a, r.b} == {x, y}:
            return r
    return None


@pytest.fixture(scope="module")
def seed_report(seeds: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    return newstrace.analyze([seeds], db=tmp_path_factory.mktemp("db") / "seeds.db")


def test_seed_001_is_a_copy_of_000(seed_report: Report) -> None:
    ids = _by_file(seed_report)
    rel = _relation(seed_report, ids["000"], ids["001"])
    assert rel is not None and rel.relation == "copy"
    assert rel.source == ids["000"]
    assert rel.reasons and rel.confidence > 0.5


def test_seed_000_001_passages_cover_the_shared_paragraphs(seed_report: Report) -> None:
    ids = _by_file(seed_report)
    rel = _relation(seed_report, ids["000"], ids["001"])
    a = seed_report.article(rel.a).text
    b = seed_report.article(rel.b).text
    for passage in rel.passages:
        assert 0 <= passage.a_start < passage.a_end <= len(a)
        assert 0 <= passage.b_start < passage.b_end <= len(b)
    aligned_a = " ".join(a[p.a_start : p.a_end] for p in rel.passages)
    aligned_b = " ".join(b[p.b_start : p.b_end] for p in rel.passages)
    for shared in ("heavily-armored private train", "border town Khasan", "Sunan area",
                   "Leif-Eric Easley", "fresh supplies of ammunition", "spy satellite into orbit"):
        assert shared in aligned_a and shared in aligned_b, shared
    # The paragraph 001 rewrote (video released by the Kremlin) is not claimed as copied.
    assert "Video released by the Kremlin" not in aligned_b


def test_independent_seed_reports_share_no_lexical_reuse(seed_report: Report) -> None:
    ids = _by_file(seed_report)
    for x, y in (("000", "002"), ("000", "003"), ("002", "003")):
        rel = _relation(seed_report, ids[x], ids[y])
        assert rel is None or not rel.derived, (x, y, rel and rel.relation)


def test_seed_004_is_a_rewrite_of_003(seed_report: Report) -> None:
    ids = _by_file(seed_report)
    rel = _relation(seed_report, ids["003"], ids["004"])
    assert rel is not None and rel.relation == "paraphrase"
    assert rel.source == ids["003"]
    assert all(p.kind == "paraphrase" for p in rel.passages) and len(rel.passages) >= 8


def test_seeds_are_one_story_with_three_independent_reports(seed_report: Report) -> None:
    ids = _by_file(seed_report)
    assert len(seed_report.stories) == 1
    story = seed_report.stories[0]
    assert sorted(story.article_ids) == sorted(ids.values())
    assert sorted(story.independent_ids) == sorted([ids["000"], ids["002"], ids["003"]])
    roots = {d.article_id: d.root_id for d in story.derived}
    assert roots == {ids["001"]: ids["000"], ids["004"]: ids["003"]}


def test_no_derived_relation_between_different_roots(seed_report: Report) -> None:
    ids = _by_file(seed_report)
    family = {ids["000"]: "cnn", ids["001"]: "cnn", ids["002"]: "ap", ids["003"]: "afp", ids["004"]: "afp"}
    for r in seed_report.relations:
        if r.derived:
            assert family[r.a] == family[r.b], (r.a, r.b, r.relation)


def test_a_hard_wrapped_report_keeps_its_rewrite_and_its_copy(seeds: Path, tmp_path: Path) -> None:
    """AFP's and CNN's reports as a plain-text feed delivers them, every line broken at 72
    columns: the spun copy of AFP is still its rewrite, the blog still CNN's copy."""
    import textwrap

    corpus = tmp_path / "feed"
    shutil.copytree(seeds, corpus)
    for name in ("000_*.txt", "003_*.txt"):
        path = next(corpus.glob(name))
        paragraphs = path.read_text(encoding="utf-8").split("\n")
        path.write_text("\n".join(textwrap.fill(p, 72) for p in paragraphs), encoding="utf-8")
    report = newstrace.analyze([corpus], db=tmp_path / "feed.db")
    ids = _by_file(report)
    assert _relation(report, ids["003"], ids["004"]).relation == "paraphrase"
    assert _relation(report, ids["000"], ids["001"]).relation == "copy"
    assert len(report.stories) == 1
    assert sorted(report.stories[0].independent_ids) == sorted([ids["000"], ids["002"], ids["003"]])



def test_the_seeds_as_news_agency_xml_keep_their_verdicts(seeds: Path, tmp_path: Path) -> None:
    """The seeds as a wire service or an archive delivers them: CNN's report, its blog copy
    and AP's as NITF documents, AFP's report and its spun copy as two items of a NewsML-G2
    message: the same copy, the same rewrite, three independent reports."""
    from xml.sax.saxutils import escape

    def body(path: Path) -> str:
        return "".join(f"<p>{escape(p)}</p>" for p in path.read_text(encoding="utf-8").split("\n") if p.strip())

    corpus = tmp_path / "wire"
    corpus.mkdir()
    paths = {path.name[:3]: path for path in seeds.glob("*.txt")}
    for number in ("000", "001", "002"):
        (corpus / f"{number}.xml").write_text(
            f'<?xml version="1.0"?><nitf><head><docdata><doc-id id-string="doc-{number}"/></docdata></head>'
            f"<body><body.content>{body(paths[number])}</body.content></body></nitf>", encoding="utf-8")
    items = "".join(
        f'<newsItem guid="urn:newsml:example.org:{number}"><itemMeta><itemClass qcode="ninat:text"/></itemMeta>'
        f'<contentSet><inlineXML contenttype="application/nitf+xml"><nitf><body><body.content>{body(paths[number])}'
        "</body.content></body></nitf></inlineXML></contentSet></newsItem>" for number in ("003", "004"))
    (corpus / "afp.newsml").write_text(
        f'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>{items}</itemSet></newsMessage>',
        encoding="utf-8")
    report = newstrace.analyze([corpus], db=tmp_path / "wire.db")
    assert not report.skipped and len(report.articles) == 5
    ids = {a.external_id[-3:]: a.id for a in report.articles}
    assert _relation(report, ids["000"], ids["001"]).relation == "copy"
    assert _relation(report, ids["003"], ids["004"]).relation == "paraphrase"
    assert len(report.stories) == 1
    assert sorted(report.stories[0].independent_ids) == sorted([ids["000"], ids["002"], ids["003"]])


def test_the_seeds_in_an_archive_keep_their_verdicts_and_their_file(seeds: Path, tmp_path: Path) -> None:
    """The seeds as a corpus ships them, in a zip: the same verdicts; the archive is the
    articles' file: a later run that prunes missing files keeps them, removing the archive
    by name removes them all."""
    import zipfile

    archive = tmp_path / "seeds.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(seeds.glob("*.txt")):
            zipped.write(path, f"2023-09-13/{path.name}")
    db = tmp_path / "zip.db"
    report = newstrace.analyze([archive], db=db)
    ids = _by_file(report)
    assert _relation(report, ids["003"], ids["004"]).relation == "paraphrase"
    assert _relation(report, ids["000"], ids["001"]).relation == "copy"
    assert sorted(report.stories[0].independent_ids) == sorted([ids["000"], ids["002"], ids["003"]])
    assert len(newstrace.analyze([archive], db=db, prune_missing=True).articles) == 5
    removed, unmatched = newstrace.remove([str(archive)], db=db)
    assert sorted(removed) == sorted(ids.values()) and not unmatched


def test_reports_scraped_as_markdown_keep_their_copy_and_rewrite(seeds: Path, tmp_path: Path) -> None:
    """CNN's and AFP's reports as a scraper for language models writes them (Markdown: names
    linked to topic pages, a photo, a "Read more" link, share links), their copies as plain
    text: the blog is still CNN's copy (before, the links' addresses kept it apart: four
    independent reports), the spun text still AFP's rewrite."""
    import re

    corpus = tmp_path / "scraped"
    shutil.copytree(seeds, corpus)
    for name, site in (("000_*.txt", "cnn.example"), ("003_*.txt", "afp.example")):
        path = next(corpus.glob(name))
        paragraphs = [p for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
        linked = [re.sub(r"\b([A-Z][a-z]+ [A-Z][a-z]+)\b",
                         lambda m: f"[{m.group(1)}](https://www.{site}/topic/{m.group(1).lower().replace(' ', '-')})", p,
                         count=2) for p in paragraphs]
        linked.insert(1, f"![Image 1: The leaders at the cosmodrome](https://media.{site}/summit.jpg)")
        linked.insert(4, f"**Read more:** [Related coverage](https://www.{site}/related)")
        linked.append("* [Share on Facebook](https://facebook.example/share)\n* [Share on X](https://x.example/share)")
        path.write_text("\n\n".join(linked), encoding="utf-8")
    report = newstrace.analyze([corpus], db=tmp_path / "scraped.db")
    ids = _by_file(report)
    assert _relation(report, ids["000"], ids["001"]).relation == "copy"
    assert _relation(report, ids["003"], ids["004"]).relation == "paraphrase"
    assert sorted(report.stories[0].independent_ids) == sorted([ids["000"], ids["002"], ids["003"]])

def test_second_run_adds_and_recomputes_nothing(seeds: Path, tmp_path: Path) -> None:
    db = tmp_path / "again.db"
    first = newstrace.analyze([seeds], db=db)
    second = newstrace.analyze([seeds], db=db)
    assert second.stats["articles_new"] == 0
    assert second.stats.get("rewrite_pairs_checked", 0) == 0
    assert second.stats.get("copies_found", 0) == 0
    assert [a.id for a in second.articles] == [a.id for a in first.articles]
    assert second.relations == first.relations
    assert [s.article_ids for s in second.stories] == [s.article_ids for s in first.stories]


def test_new_articles_join_the_stored_story(seeds: Path, tmp_path: Path) -> None:
    db = tmp_path / "grow.db"
    files = sorted(seeds.iterdir())
    newstrace.analyze(files[:3], db=db)
    report = newstrace.analyze(files[3:], db=db)
    assert report.stats["articles_new"] == 2
    assert len(report.articles) == 5 and len(report.stories) == 1
    assert len(report.stories[0].independent_ids) == 3


def test_demo_corpus(tmp_path: Path) -> None:
    report = newstrace.analyze([EXAMPLES], db=tmp_path / "demo.db")
    labels = {a.id: a.label for a in report.articles}
    kinds = {(labels[r.source], labels[r.copy_id]): r.relation for r in report.relations if r.derived and r.source}
    assert kinds.get(("01_meridian_press.txt", "02_riverside_blog.html")) == "copy"
    assert kinds.get(("03_valley_courier.json", "04_spun_copy.txt")) == "paraphrase"
    pairs = {frozenset((labels[r.a], labels[r.b])): r.relation for r in report.relations}
    assert pairs.get(frozenset(("01_meridian_press.txt", "feed-0001"))) == "duplicate"  # the wire report syndicated
    assert not report.skipped
    assert len(report.articles) == 6  # every record is a publication, the duplicate too
    flood = max(report.stories, key=lambda s: len(s.article_ids))
    assert len(flood.article_ids) == 5 and len(flood.independent_ids) == 2


def test_articles_a_stopped_run_left_unanalysed_are_finished_next_time(tmp_path: Path) -> None:
    """A run killed after storing articles (before their fingerprints, verdicts and stories)
    leaves them for the next run to finish, with the same outcome as an unbroken run."""
    db = tmp_path / "stopped.db"
    with newstrace.Store(db) as store:  # what the stopped run got done: ingest only
        store.add_articles(newstrace.load_many([EXAMPLES]).articles)
    resumed = newstrace.analyze([EXAMPLES], db=db)
    unbroken = newstrace.analyze([EXAMPLES])
    assert resumed.stats["articles_new"] == 0 and resumed.stats["articles_resumed"] == 6
    assert resumed.relations == unbroken.relations and len(resumed.relations) >= 3
    assert [s.article_ids for s in resumed.stories] == [s.article_ids for s in unbroken.stories]
    again = newstrace.analyze([EXAMPLES], db=db)
    assert "articles_resumed" not in again.stats and again.relations == resumed.relations


def _with_roundup(folder: Path) -> Path:
    """The demo corpus and a roundup that lifts three paragraphs of its wire report under
    a lead of its own (a partial-reuse pair only the near-copy stage finds)."""
    shutil.copytree(EXAMPLES, folder)
    wire = (EXAMPLES / "corran-flood" / "01_meridian_press.txt").read_text(encoding="utf-8").split("\n\n")
    own = ["The town council approved its budget on Monday night, setting aside money for two school "
           "buses, repairs to the library roof and a study for a cycle path along the old railway line.",
           "A new passenger ferry entered service on the lake on Thursday, replacing a vessel that had "
           "carried commuters between Westmere and Caldbeck for thirty-one years. The operator said the "
           "boat uses electric motors for most of the crossing and would cut journey times by ten minutes.",
           "Further down the valley, the news was grimmer this week."]
    sport = ("In sport, the Caldbeck rowing club won three of the five races at the spring regatta, and "
             "the valley chess league crowned a fourteen-year-old champion for the first time in its history.")
    (folder / "roundup.txt").write_text("\n\n".join(own + wire[5:8] + [sport]), encoding="utf-8")
    return folder


def test_stored_partial_pairs_left_unjudged_are_judged_next_time(tmp_path: Path) -> None:
    """A run stopped between the near-copy stage and the rewrite check: the partial-reuse
    pairs stored with the signatures get their rewrite verdict on the next run."""
    corpus, db = _with_roundup(tmp_path / "corpus"), tmp_path / "halfway.db"
    unbroken = newstrace.analyze([corpus])
    with newstrace.Store(db) as store:  # the stopped run: ingest and near copies only
        analyzer = newstrace.Analyzer(store)
        analyzer.find_copies(analyzer.ingest([corpus]))
        assert store.relations(kind="partial")
    resumed = newstrace.analyze([corpus], db=db)
    assert resumed.relations == unbroken.relations


@pytest.mark.parametrize("layout", ["briefing", "run-on page"])
def test_a_text_holding_two_events_does_not_merge_them(seeds: Path, tmp_path: Path, layout: str) -> None:
    """A morning briefing that pastes paragraphs of the flood's wire report and of the
    summit's AFP report shares passages with both (two partial relations), and a page
    scraped with the next article run on holds both whole (two copies), but neither is about
    both events: the two events stay two stories."""
    corpus = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    shutil.copytree(seeds, corpus / "seeds")
    wire = (EXAMPLES / "corran-flood" / "01_meridian_press.txt").read_text(encoding="utf-8").split("\n\n")
    afp = next(seeds.glob("003_*.txt")).read_text(encoding="utf-8").split("\n\n")
    if layout == "briefing":
        text = (["Good morning. Here is what you need to know to start your day."]
                + ["First, the floods."] + wire[1:4] + ["Abroad, a summit drew attention."] + afp[2:5]
                + ["That is all for today. Forward this briefing to a friend who might like it."])
    else:
        text = afp + ["Read next"] + wire
    (corpus / "compiled.txt").write_text("\n\n".join(text), encoding="utf-8")
    report = newstrace.analyze([corpus], db=tmp_path / "compiled.db")
    labels = {a.id: a.label for a in report.articles}
    compiled_id = next(i for i, label in labels.items() if label == "compiled.txt")
    partners = {labels[r.b if r.a == compiled_id else r.a] for r in report.relations
                if r.derived and compiled_id in (r.a, r.b)}
    assert any(label.startswith("01_") for label in partners) and any(label.startswith("003_") for label in partners)
    for story in report.stories:
        seed = {labels[i][:3].isdigit() for i in story.article_ids if i != compiled_id}
        assert len(seed) <= 1, [labels[i] for i in story.article_ids]  # seeds or flood, not both


class _CountingEncoder:
    """The shared encoder, counting the texts it is asked to encode."""

    def __init__(self) -> None:
        from newstrace.encode.runtime import default_encoder

        self.inner = default_encoder()
        self.texts: list[str] = []

    def encode(self, texts):
        self.texts += list(texts)
        return self.inner.encode(texts)


def test_sentence_vectors_are_stored_once_per_sentence(tmp_path: Path) -> None:
    """A sentence two articles carry is encoded once; a second call encodes nothing and
    returns the same (float16-stored) values."""
    from newstrace.match.paraphrase import sentence_texts
    from newstrace.encode.sentence_store import stored_sentence_vectors

    shared = "The river rose four metres overnight and flooded the old town."
    texts = [f"{shared} Officials closed the bridge.", f"Residents fled at dawn. {shared}"]
    encoder = _CountingEncoder()
    with newstrace.Store(tmp_path / "s.db") as store:
        first = stored_sentence_vectors(store, texts, encoder)
        assert sorted(encoder.texts) == sorted(set(s for group in sentence_texts(texts) for s in group))
        np.testing.assert_array_equal(first[0][0], first[1][1])
        encoder.texts.clear()
        again = stored_sentence_vectors(store, texts, encoder)
    assert encoder.texts == []
    for x, y in zip(first, again):
        np.testing.assert_array_equal(x, y)
    expected = encoder.inner.encode(sentence_texts(texts)[0]).astype(np.float16).astype(np.float32)
    np.testing.assert_array_equal(first[0], expected)


def test_a_second_run_over_the_same_store_encodes_nothing(tmp_path: Path) -> None:
    """The demo corpus's rewrite check encodes sentences once; analysing it again over the
    same store (its articles already judged) asks the encoder for nothing."""
    encoder = _CountingEncoder()
    report = newstrace.analyze([EXAMPLES], db=tmp_path / "demo.db", encoder=encoder)
    assert report.stats["rewrite_pairs_checked"] >= 1 and encoder.texts
    encoder.texts.clear()
    again = newstrace.analyze([EXAMPLES], db=tmp_path / "demo.db", encoder=encoder)
    assert encoder.texts == [] and again.relations == report.relations
