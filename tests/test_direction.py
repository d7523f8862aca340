"""Direction of derived pairs: only from signs a person can check, never from containment."""

from __future__ import annotations

import newstrace
from newstrace.ingest.clean import clean_text
from newstrace.model import Article

PARAGRAPHS = [
    "The harbour authority in Corran closed the eastern quay on Tuesday after a crane collapsed "
    "onto a moored cargo ship during loading operations in strong winds.",
    "Nobody was hurt, according to the authority, but the vessel's deck was badly damaged and "
    "two containers fell into the water near the ferry terminal.",
    "Engineers from the port operator began inspecting the remaining cranes on Wednesday morning "
    "and said the quay would stay closed for at least a week while repairs are planned.",
    "Local fishermen complained that the closure forces them to land their catch at a smaller "
    "harbour forty kilometres north, adding hours to every trip during the busy season.",
    "The regional transport minister promised an independent review of crane maintenance at "
    "all three of the province's commercial ports before the end of the year.",
]
FULL = "\n\n".join(PARAGRAPHS)
EXCERPT = "\n\n".join(PARAGRAPHS[:3])


def test_excerpt_without_signs_has_no_source() -> None:
    # The excerpt is wholly inside the original: containment asymmetry is no sign of direction.
    result = newstrace.compare(FULL, EXCERPT)
    assert result.derived
    assert result.source is None
    assert result.confidence == 0.0
    assert result.reasons == ["no sign of which came first"]


def test_extended_copy_without_signs_has_no_source() -> None:
    extended = FULL + "\n\nWhat a mess. Somebody should answer for this, and soon, before the next storm season."
    assert newstrace.compare(extended, FULL).source is None


def test_copy_that_credits_the_original_outlet_points_to_it() -> None:
    original = Article(id="wire", text=FULL, outlet="Associated Press")
    copy = Article(id="blog", text=EXCERPT, outlet="Harbour Blog", credits=["AP"])
    result = newstrace.compare(copy, original)
    assert result.source == "b"
    assert any("credits AP" in reason for reason in result.reasons)
    assert 0.8 <= result.confidence <= 0.99


def test_republisher_footer_points_to_the_other_article() -> None:
    footer = clean_text(FULL + "\n\nSource link\n\nLeave a Reply\n\nYour email address will not be published.")
    original = Article(id="paper", text=FULL)
    copy = Article(id="blog", text=footer.text, boilerplate=footer.boilerplate)
    result = newstrace.compare(original, copy)
    assert result.source == "a"
    assert any("republisher boilerplate" in reason for reason in result.reasons)


def test_signs_add_up_and_disagreeing_signs_lower_confidence() -> None:
    dated = newstrace.compare(Article(id="x", text=FULL, date="2024-03-01"),
                              Article(id="y", text=EXCERPT, date="2024-03-02"))
    assert dated.source == "a" and dated.confidence >= 0.9
    # The earlier article carries a republisher footer: the two signs disagree.
    footer = clean_text(FULL + "\n\nSource link\n\nLeave a Reply")
    torn = newstrace.compare(Article(id="x", text=footer.text, boilerplate=footer.boilerplate, date="2024-03-01"),
                             Article(id="y", text=EXCERPT, date="2024-03-02"))
    assert torn.confidence < dated.confidence
