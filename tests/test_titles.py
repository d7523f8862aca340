"""One rule titles a story: the first member's headline, else the caller's fallback."""

from __future__ import annotations

from newstrace.model import Article
from newstrace.text.titles import headline, headline_or_lead, story_title


def _article(text: str, title: str | None = None) -> Article:
    return Article.from_text(text, title=title)


def test_the_first_member_with_a_headline_titles_the_story() -> None:
    members = [_article("Untitled wire copy."), _article("Body.", "  Dam holds after storm "),
               _article("Other body.", "Storm passes")]
    assert story_title(members, lambda: "fallback") == "  Dam holds after storm "  # as written


def test_blank_titles_are_no_headline_and_the_fallback_is_used_only_then() -> None:
    calls = []
    members = [_article("A first sentence. A second one.", "   "), _article("Another.")]
    assert headline(members[0]) is None
    assert story_title(members, lambda: calls.append(1) or "lead") == "lead" and calls == [1]
    assert story_title([_article("x", "Title")], lambda: calls.append(2) or "lead") == "Title" and calls == [1]


def test_an_untitled_article_is_named_by_its_first_sentence() -> None:
    assert headline_or_lead(_article("Floods closed the pass. Crews worked overnight.")) == "Floods closed the pass."
    assert headline_or_lead(_article("x" * 500)) == "x" * 200
