"""The public API contract: names, fields and the pair verdicts on texts written for the tests."""

from __future__ import annotations

import dataclasses

import newstrace
from newstrace import Comparison, Passage, Relation, Report, Story

WIRE = """A fire broke out on Thursday night in a warehouse on the eastern edge of Tarrow, sending a column of black smoke over the ring road and forcing the closure of two schools nearby.

Firefighters from four stations fought the blaze for more than six hours before bringing it under control early on Friday, the county fire service said in a statement.

No one was hurt, but the owners of a furniture business that rented half of the building said they had lost their entire stock of sofas and tables, worth about 300,000 pounds.

Investigators were trying to establish whether the fire started in an electrical cabinet at the back of the warehouse, where neighbours reported hearing a loud bang shortly before 10 p.m.

Residents of the Brookfield estate were told to keep their windows shut overnight because of the smoke, and the ring road stayed closed in both directions until 6 a.m.

The council said the two schools would reopen on Monday after the buildings had been checked."""

UPDATED = WIRE.replace(
    "Investigators were trying to establish",
    "Fire investigators said on Friday afternoon that they were still trying to establish",
) + "\n\nThe warehouse had passed a safety inspection in March, the owners said.\n\nLeave a Reply\n\nYour email address will not be published. Required fields are marked *"

REWRITTEN = """Two schools near Tarrow's ring road were shut on Thursday night after flames broke out in a warehouse on the town's eastern outskirts, sending black smoke over the road.

Crews from four fire stations needed over six hours to get the fire under control, finishing early on Friday, according to a statement from the county fire service.

Nobody was injured. A furniture company renting half of the site said its whole stock of tables and sofas, valued at around 300,000 pounds, had been destroyed.

Investigators are looking into whether an electrical cabinet at the rear of the building caused the blaze; neighbours said they heard a loud bang just before 10 p.m.

People living on the Brookfield estate were asked to keep their windows closed during the night due to the smoke, and the ring road remained shut both ways until 6 a.m.

Both schools will reopen on Monday once the buildings have been inspected, the council said."""

INDEPENDENT = """Parents in Tarrow were scrambling for childcare on Friday after a warehouse fire forced two schools to close.

"We could see the flames from our kitchen," said Lena Ortiz, who lives on the Brookfield estate. "My son thought it was fireworks."

The fire service has not said what caused the blaze. A spokesman for the furniture business that used the building said insurers would visit next week.

Local councillor Sam Okafor said he would ask why the warehouse was allowed so close to homes."""

OTHER_EVENT = """Tarrow's new library opened its doors on Saturday after three years of building work, with a queue of families stretching around the square before the ribbon was cut.

The building, designed by a local firm, has a rooftop reading garden and a makerspace with 3D printers that children can book for free.

Librarian Ruth Amsel said more than 1,200 people had signed up for a card on the first day, a record for the county."""


def test_public_names() -> None:
    for name in ("analyze", "compare", "digest", "load", "load_many", "quotes", "Article", "Report",
                 "Relation", "Story", "Comparison", "Passage"):
        assert hasattr(newstrace, name), name
    assert {f.name for f in dataclasses.fields(Report)} >= {"articles", "relations", "stories"}
    assert {f.name for f in dataclasses.fields(Relation)} == {"a", "b", "comparison"}  # the pair and its verdict
    assert list(Relation.of("x", "y", "copy", source="x").to_dict()) == [
        "a", "b", "relation", "source", "score", "jaccard", "containment_a", "containment_b", "confidence",
        "reasons", "signals", "passages"]
    assert {f.name for f in dataclasses.fields(Story)} >= {"id", "title", "article_ids", "independent_ids"}
    assert {f.name for f in dataclasses.fields(Comparison)} >= {
        "relation", "source", "score", "jaccard", "containment_a", "containment_b", "passages"}


def test_identical_texts_are_duplicates() -> None:
    result = newstrace.compare(WIRE, WIRE)
    assert result.relation == "duplicate"
    assert result.jaccard > 0.99 and result.containment_a > 0.99 and result.containment_b > 0.99


def test_updated_republication_is_a_copy_with_aligned_passages() -> None:
    result = newstrace.compare(WIRE, UPDATED)
    assert result.relation == "copy"
    assert result.passages and all(isinstance(p, Passage) for p in result.passages)
    for p in result.passages:
        assert WIRE[p.a_start : p.a_end].split()[:3] == UPDATED[p.b_start : p.b_end].split()[:3]
        assert 0 < p.similarity <= 1


def test_updated_republication_points_to_the_original() -> None:
    wire = newstrace.Article.from_text(WIRE, date="2025-01-09", credits=["AP"])
    blog = newstrace.Article.from_text(UPDATED, date="2025-01-10",
                                       boilerplate=["Leave a Reply Your email address will not be published."])
    result = newstrace.compare(blog, wire)
    assert result.source == "b"
    assert result.confidence > 0.5 and any("dated" in reason for reason in result.reasons)


def test_different_events_are_unrelated() -> None:
    result = newstrace.compare(WIRE, OTHER_EVENT)
    assert result.relation == "unrelated" and result.source is None and not result.passages


def test_shared_quotation_alone_is_not_copying() -> None:
    quote = '"We will rebuild the warehouse and every job in it will be kept, whatever the insurers decide about the claim," the owner, Dev Malik, said.'
    a = "Flames tore through a Tarrow warehouse overnight, and crews worked until dawn to contain them. " + quote
    b = "A Tarrow furniture firm lost its stock when its depot burned down on Thursday, the county said. " + quote
    result = newstrace.compare(a, b)
    assert result.relation not in {"duplicate", "copy", "partial"}


def test_reworded_rewrite_is_a_paraphrase_with_sentence_passages() -> None:
    result = newstrace.compare(WIRE, REWRITTEN)
    assert result.relation == "paraphrase" and result.derived
    assert len(result.passages) >= 5 and all(p.kind == "paraphrase" for p in result.passages)
    assert result.signals["followed_sentences"] >= 5


def test_independent_report_of_the_same_fire_is_the_same_story_not_derived() -> None:
    result = newstrace.compare(WIRE, INDEPENDENT)
    assert result.relation == "same_story" and not result.derived and not result.passages
