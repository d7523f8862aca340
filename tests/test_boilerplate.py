"""Boilerplate learned from the collection: recurring text is listed and never copy evidence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import newstrace
from newstrace.match.boilerplate import BoilerplateIndex
from newstrace.match.fingerprint import sentence_pair_batch
from newstrace.match.nearcopy import find_near_copies

WORDS = ("council budget river bridge mayor vote school teachers strike storm harbour airport "
         "minister police court ruling farmers drought prices market election candidate rally "
         "hospital nurses union factory workers museum festival ferry tunnel rail fares library "
         "port road clinic budget report board parents pupils orchard bakery dock").split()
#: A standing note one outlet appends to every article on one subject. Labelled "Editor's note:"
#: it is removed by cleaning already (tests/test_real_news.py); unlabelled, only its document
#: frequency tells it is boilerplate.
NOTE = ("A reminder to our readers: Mayor Ruth Calder regularly spreads falsehoods about the city budget and "
        "has repeatedly pledged to close every public library in the county. This newspaper "
        "will keep reminding readers of those facts in all of its coverage of her campaign.")


def article(seed: int, paragraphs: int = 4) -> str:
    """An invented article: paragraphs of three sentences of random words."""
    rng = np.random.default_rng(seed)
    sentence = lambda: " ".join(rng.choice(WORDS, size=14)).capitalize() + "."  # noqa: E731
    return "\n\n".join(" ".join(sentence() for _ in range(3)) for _ in range(paragraphs))


def write(folder: Path, records: list[dict]) -> Path:
    path = folder / "articles.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def derived_pairs(report: newstrace.Report) -> dict[frozenset[str], str]:
    labels = {a.id: a.external_id for a in report.articles}
    return {frozenset({labels[r.a], labels[r.b]}): r.relation for r in report.relations if r.derived}


def test_an_outlets_standing_note_is_boilerplate_not_copying(tmp_path: Path) -> None:
    records = [{"id": f"planet-{i}", "outlet": "Daily Planet", "text": article(i) + "\n\n" + NOTE}
               for i in range(6)]
    records += [{"id": f"other-{i}", "outlet": "Gazette", "text": article(100 + i)} for i in range(3)]
    records.append({"id": "planet-copy", "outlet": "Blog",
                    "text": article(2, paragraphs=3) + "\n\n" + NOTE})  # a real copy of planet-2
    report = newstrace.analyze([write(tmp_path, records)])
    assert derived_pairs(report) == {frozenset({"planet-2", "planet-copy"}): "copy"}
    [note] = [p for p in report.boilerplate if "A reminder to our readers" in p.text]
    assert note.text == NOTE
    assert note.document_frequency == 7
    assert note.outlets == {"Daily Planet": 6, "Blog": 1}
    copy = next(r for r in report.relations if r.derived)
    texts = {a.id: a.text for a in report.articles}
    for passage in copy.passages:  # the evidence is the copied article, not the note
        assert "A reminder to our readers" not in texts[copy.a][passage.a_start : passage.a_end]


def test_the_note_stays_boilerplate_in_a_later_run_over_the_store(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    first = [{"id": f"planet-{i}", "text": article(i) + "\n\n" + NOTE} for i in range(4)]
    newstrace.analyze([write(tmp_path, first)], db=db)
    later = tmp_path / "later"
    later.mkdir()
    report = newstrace.analyze([write(later, [{"id": "planet-9", "text": article(9) + "\n\n" + NOTE}])],
                               db=db)
    assert derived_pairs(report) == {}
    [note] = report.boilerplate
    assert note.document_frequency == 5


def test_a_story_syndicated_to_many_outlets_stays_copies() -> None:
    wire = article(7)
    texts = [f"{outlet} | Wire service\n\n{wire}" for outlet in ("Herald", "Courier", "Post", "Tribune")]
    texts += [article(200 + i) for i in range(4)]
    keys = [str(i) for i in range(len(texts))]
    index = BoilerplateIndex()
    index.add(keys, sentence_pair_batch(texts))
    found = {(n.a_key, n.b_key): n.relation
             for n in find_near_copies(texts, keys, boilerplate=index)}
    assert found == {(a, b): "duplicate" for a in "0123" for b in "0123" if a < b}


def test_one_shared_ordinary_sentence_does_not_make_a_derived_pair() -> None:
    shared = ("The regional council said on Tuesday that the new ferry terminal at the old "
              "harbour would open to passengers in the spring after two years of delays and a "
              "long dispute with the contractor over the cost of the steel piles.")
    first = article(11).replace("\n\n", f" {shared}\n\n", 1)
    second = article(12) + " " + shared
    comparison = newstrace.compare(first, second)
    assert comparison.relation not in {"duplicate", "copy", "partial", "paraphrase"}
    assert comparison.containment_a > 0  # they do share the sentence


def test_document_frequency_counts_each_article_once() -> None:
    texts = [NOTE + "\n\n" + NOTE, article(1) + "\n\n" + NOTE, article(2)]
    index = BoilerplateIndex()
    pairs = sentence_pair_batch(texts)
    index.add(["a", "b", "c"], pairs)
    note_pairs = sentence_pair_batch([NOTE]).hashes
    assert index.document_frequency(note_pairs).tolist() == [1, 2, 2]  # start, inner, end


def test_the_holders_among_added_articles_are_those_holding_a_boilerplate_pair() -> None:
    """holders_among reads the pairs the index holds: the same answer as holders on the texts'
    own pairs, for every article or some, added in two batches, in the order asked."""
    texts = {f"n{i}": article(10 + i) + "\n\n" + NOTE for i in range(4)} | {f"p{i}": article(20 + i) for i in range(3)}
    keys = list(texts)
    index = BoilerplateIndex()
    index.add(keys[:3], sentence_pair_batch([texts[k] for k in keys[:3]]))
    index.add(keys[3:], sentence_pair_batch([texts[k] for k in keys[3:]]))
    asked = keys[::-1]
    expected = [asked[row] for row in index.holders(sentence_pair_batch([texts[k] for k in asked]), every_text=True)]
    assert sorted(expected) == ["n0", "n1", "n2", "n3"]
    assert index.holders_among(asked) == expected
    assert index.holders_among(["p1", "n2", "p0"]) == ["n2"] and index.holders_among([]) == []


def test_seed_verdicts_hold_when_a_note_is_appended_to_every_independent_report(
        seeds: Path, tmp_path: Path) -> None:
    """Real articles: 001 copies 000, 004 rewrites 003; the same note under 000–003."""
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if not path.name.startswith("004"):
            text = text.rstrip() + "\n\n" + NOTE + "\n"
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    report = newstrace.analyze([tmp_path])
    labels = {a.id: a.label[:3] for a in report.articles}
    derived = {(labels[r.source], labels[r.copy_id]) if r.source else frozenset(
        {labels[r.a], labels[r.b]}): r.relation for r in report.relations if r.derived}
    assert derived == {("000", "001"): "copy", ("003", "004"): "paraphrase"}
    # 001 is a blog page: cleaning already cut what follows its comment form, the note too
    assert [(p.text, p.document_frequency) for p in report.boilerplate] == [(NOTE, 3)]


def test_dedup_finds_the_copy_and_not_the_note(tmp_path: Path) -> None:
    records = [{"id": f"planet-{i}", "text": article(i) + "\n\n" + NOTE} for i in range(6)]
    records.append({"id": "planet-copy", "text": article(2, paragraphs=3) + "\n\n" + NOTE})
    found = {frozenset({r.a, r.b}): r.relation
             for r in newstrace.find_copies([write(tmp_path, records)], workers=0)}
    assert found == {frozenset({"planet-2", "planet-copy"}): "copy"}


PROMO = ("Get the Harbour Weekly delivered to your door every Saturday for twelve months at half the "
         "shop price. Subscribe today and choose a free tide table for the year. Tell us what you "
         "think of this story in the comments below.")


def test_a_sites_footer_on_two_of_its_pages_is_its_boilerplate_from_the_second_page() -> None:
    pages = [article(21) + "\n\n" + PROMO, article(22) + "\n\n" + PROMO]
    promo = sentence_pair_batch([PROMO]).hashes

    def flagged(outlets: list[str | None]) -> list[bool]:
        index = BoilerplateIndex()
        index.add(["p1", "p2"], sentence_pair_batch(pages), outlets=outlets)
        return index.flag(promo).tolist()

    # the promo's pairs: (start, 1st), (1st, 2nd), (2nd, 3rd), (3rd, end); it ends the pages
    assert flagged(["Harbour Weekly", "harbour  weekly"]) == [False, True, True, True]  # one site's
    assert flagged(["The Harbour Weekly", "harbourweekly.example"]) == [False, True, True, True]  # its host
    assert flagged([None, None]) == [False] * 4  # outlet unknown: three families needed
    assert flagged(["Harbour Weekly", "Gazette"]) == [False] * 4  # shared across outlets


def test_a_sites_footer_is_not_copy_evidence_but_its_rerun_story_still_is() -> None:
    story = article(31)
    texts = [article(32) + "\n\n" + PROMO,                     # two unrelated pages of one site
             article(33) + "\n\n" + PROMO,
             story + "\n\n" + PROMO,                           # a story the site ran again, updated
             story.replace("\n\n", " Updated at noon.\n\n", 1) + "\n\n" + PROMO]
    keys = ["a", "b", "story", "story-updated"]
    index = BoilerplateIndex()
    index.add(keys, sentence_pair_batch(texts), outlets=["Harbour Weekly"] * 4)
    found = {(n.a_key, n.b_key) for n in find_near_copies(texts, keys, boilerplate=index)}
    assert found == {("story", "story-updated")}


def test_families_are_the_connected_components_of_each_sample() -> None:
    """The batched family count (all keys of a flag() call at once) is the number of
    connected components of each key's sampled carriers, whatever the sample's size."""
    from scipy.sparse.csgraph import connected_components

    from newstrace.match.boilerplate import _components

    rng = np.random.default_rng(7)
    linked = rng.random((300, 8, 8)) < rng.choice([0.05, 0.15, 0.4], size=(300, 1, 1))
    linked |= linked.transpose(0, 2, 1)
    sizes = rng.integers(1, 9, size=300)
    expected = [connected_components(graph[:n, :n], directed=False)[0] for graph, n in zip(linked, sizes)]
    assert _components(linked, sizes).tolist() == expected


def test_a_labelled_note_cleaning_removes_is_still_listed_with_its_document_frequency(tmp_path: Path) -> None:
    labelled = "Editor's note: " + NOTE.split(": ", 1)[1]
    records = [{"id": f"planet-{i}", "outlet": "Daily Planet", "text": article(i) + "\n\n" + labelled}
               for i in range(3)]
    records.append({"id": "gazette-1", "outlet": "Gazette", "text": article(50)})
    report = newstrace.analyze([write(tmp_path, records)])
    assert all("Editor's note" not in a.text for a in report.articles)  # cut from the texts
    [listed] = [p for p in report.boilerplate if p.text.startswith("Editor's note")]
    assert (listed.text, listed.document_frequency, listed.outlets) == (labelled, 3, {"Daily Planet": 3})
    assert derived_pairs(report) == {}


#: A statement every report of one event pastes whole (no quotation marks: a block quote).
STATEMENT = ("We are deeply saddened by the events at our Harlow plant on Monday evening. Our first priority is "
             "the safety of our employees and the people who live near the site, and we are working closely "
             "with the fire service and the environment agency to understand what happened. The plant will "
             "remain closed until inspectors have completed their work, and all staff will continue to "
             "receive full pay during that time. We will share more information as soon as we are able to do so.")
FIRE_REPORTS = {
    "gazette": ["A fire broke out at a chemical plant on the edge of Harlow on Monday evening, sending a column "
                "of black smoke over the town and forcing the closure of two main roads.",
                "Firefighters from four stations fought the blaze for more than five hours. Residents within a "
                "mile of the site were told to keep their windows shut overnight.",
                "Kestrel Chemicals, which owns the site, said in a statement:", STATEMENT,
                "The plant makes solvents for the paint industry and employs about 180 people."],
    "echo": ["Smoke from a blaze at the Kestrel Chemicals works drifted across Harlow late on Monday, and police "
             "shut the A414 while crews were at the scene.",
             "The fire, which began shortly after 7pm in a storage building, was under control by midnight, "
             "according to the county fire service. No injuries were reported.",
             "In a statement posted on its website, the company wrote:", STATEMENT,
             "An investigation into the cause is under way."],
    "radio": ["Kestrel Chemicals' Harlow site, where fire broke out on Monday, has faced complaints from "
              "neighbours over odours for several years.",
              "The company responded to the fire in a statement: " + STATEMENT,
              "The environment agency said it would test the air and the nearby brook on Tuesday."],
}


def test_a_statement_every_report_pastes_is_no_evidence_of_rewriting(tmp_path: Path) -> None:
    """Three reports of one fire paste the owner's statement: it recurs, so it is boilerplate,
    and a short report that is mostly that statement is no rewrite of the others for
    restating it sentence by sentence: three independent reports."""
    records = [{"id": name, "text": "\n\n".join(paragraphs)} for name, paragraphs in FIRE_REPORTS.items()]
    report = newstrace.analyze([write(tmp_path, records)])
    assert any("Our first priority is the safety" in p.text for p in report.boilerplate)
    assert derived_pairs(report) == {}
    [story] = report.stories
    assert len(story.independent_ids) == 3


def test_two_reports_pasting_one_statement_as_a_block_quote_are_not_copies() -> None:
    """Set as its own paragraph after "... said in a statement:", the statement is a block
    quotation (no quote marks survive text extraction): like a quotation, no copy evidence.
    Half of each report, it made them a copy."""
    from newstrace.text.quotes import block_quote_spans

    gazette, echo = ("\n\n".join(FIRE_REPORTS[name]) for name in ("gazette", "echo"))
    assert [gazette[start:end] for start, end in block_quote_spans(gazette)] == [STATEMENT]
    assert not newstrace.compare(gazette, echo).derived
    # the same statement in running prose, with no introducing line, is shared wording
    inline = gazette.replace("said in a statement:\n\n", "has had a difficult week. ")
    assert block_quote_spans(inline) == [] and newstrace.compare(inline, echo.replace(
        "the company wrote:\n\n", "the company set out its plans. ")).derived


@pytest.mark.parametrize("intro", [
    "The company's statement reads, in part:",
    "According to a statement from Kestrel Chemicals:",
    "A spokesperson for the company responded:",
])
def test_a_block_quote_may_be_introduced_in_other_words(intro: str) -> None:
    """"... reads, in part:", "According to ...:" and the other verbs of reporting set a
    pasted statement apart as "said:" does."""
    from newstrace.text.quotes import block_quote_spans

    gazette = "\n\n".join(FIRE_REPORTS["gazette"]).replace("Kestrel Chemicals, which owns the site, said in a statement:", intro)
    assert [gazette[start:end] for start, end in block_quote_spans(gazette)] == [STATEMENT]
    assert not newstrace.compare(gazette, "\n\n".join(FIRE_REPORTS["echo"])).derived
