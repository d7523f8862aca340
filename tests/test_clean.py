"""Cleaning of plain-text articles: metadata, boilerplate and credits."""

from __future__ import annotations

import pytest

from newstrace.ingest.clean import clean_text, clean_texts, credit_name, iso_date, split_byline

LEDE = "Flood waters rose across the valley on Monday, forcing hundreds of families to leave."
SECOND = "The river crested at 9.2 metres, officials said, the highest level since 1998."


def test_metadata_line_gives_date_byline_outlet_and_credit() -> None:
    raw = f" date 2024-03-04 By Ana Ruiz and Tom Okafor, CNN\n\n(CNN) — {LEDE}\n\n{SECOND}\n"
    cleaned = clean_text(raw)
    assert cleaned.date == "2024-03-04"
    assert cleaned.byline == "Ana Ruiz and Tom Okafor"
    assert cleaned.outlet == "CNN"
    assert cleaned.credits == ["CNN"]
    assert cleaned.text == f"{LEDE}\n\n{SECOND}"
    assert cleaned.boilerplate == ["(CNN) —"]


def test_metadata_line_without_byline_keeps_the_rest_of_the_line() -> None:
    cleaned = clean_text(f"date 2024-03-05 {LEDE}\n\n{SECOND}")
    assert cleaned.date == "2024-03-05"
    assert cleaned.byline is None
    assert cleaned.text.startswith(LEDE)


def test_repeated_title_and_published_line_are_removed() -> None:
    title = "Valley floods force hundreds from their homes"
    raw = f"{title}\n\n{title}\n  • PublishedMarch 4, 2024\n\n{LEDE}\n\n{SECOND}"
    cleaned = clean_text(raw)
    assert cleaned.title == title
    assert cleaned.date == "2024-03-04"
    assert cleaned.text == f"{LEDE}\n\n{SECOND}"


def test_a_first_sentence_is_not_taken_for_a_title() -> None:
    cleaned = clean_text(f"{LEDE}\n\n{SECOND}")
    assert cleaned.title is None
    assert cleaned.text.startswith(LEDE)


@pytest.mark.parametrize("line", ["Tuesday 15th of January 2008", "|  |  |  |", "home", "© 2004 Independent News & Media"])
def test_a_first_line_that_is_no_headline_is_not_taken_for_a_title(line: str) -> None:
    cleaned = clean_text(f"{line}\n\n{LEDE}\n\n{SECOND}")
    assert cleaned.title is None
    assert clean_text(f"Valley families flee rising river\n\n{LEDE}").title == "Valley families flee rising river"


def test_a_known_title_is_removed_from_the_head_only_when_it_matches() -> None:
    title = "Valley floods"
    assert clean_text(f"{title}\n\n{LEDE}", title=title).text == LEDE
    assert clean_text(f"Other words\n\n{LEDE}", title=title).text.startswith("Other words")


@pytest.mark.parametrize(
    ("dateline", "credit"),
    [
        ("SEOUL, South Korea (AP) — ", "AP"),
        ("LONDON, March 4 (Reuters) - ", "Reuters"),
        ("BEIJING, March 4 (Xinhua) -- ", "Xinhua"),
        ("(CNN)", "CNN"),
    ],
)
def test_datelines_are_stripped_and_credited(dateline: str, credit: str) -> None:
    cleaned = clean_text(f"{dateline}{LEDE}\n\n{SECOND}")
    assert cleaned.text.startswith(LEDE)
    assert cleaned.credits == [credit]
    assert cleaned.boilerplate == [dateline.strip()]


def test_quoted_sources_are_not_credits() -> None:
    body = (
        "The minister told AFP the talks would resume.\n\n"
        "RIA Novosti and TASS reported that the delegation had arrived, according to KCNA.\n\n"
        "“We will not be rushed,” he told Reuters on Tuesday."
    )
    cleaned = clean_text(body)
    assert cleaned.credits == []
    assert cleaned.text == body


def test_footers_and_notes_are_moved_to_boilerplate() -> None:
    footer = [
        "This is a developing story. More to come.",
        "The-CNN-Wire",
        "™ & © 2024 Cable News Network, Inc. All rights reserved.",
        "The Associated Press contributed to this report.",
        "Share this article",
        "Sign up for our morning newsletter",
        "Leave a Reply\n\nYour email address will not be published. Required fields are marked *",
    ]
    cleaned = clean_text("\n\n".join([LEDE, SECOND, *footer]))
    assert cleaned.text == f"{LEDE}\n\n{SECOND}"
    assert cleaned.boilerplate == footer
    assert cleaned.credits == ["CNN", "AP"]


def test_related_headlines_between_paragraphs_are_boilerplate() -> None:
    """A teaser line ("RELATED: ...", "READ MORE: ...") between paragraphs is site furniture:
    two unrelated articles of one site carrying the same three teasers were a partial copy."""
    teasers = ["RELATED: Storm leaves thousands without power across the county",
               "ALSO READ: Council approves new budget for road repairs after long debate",
               "Read more: https://herald.example/news/school-award"]
    kept = "Related: the council said it would meet again on Friday to discuss the damage."
    cleaned = clean_text("\n".join([LEDE, teasers[0], teasers[1], SECOND, teasers[2], kept]))
    assert cleaned.boilerplate == teasers
    assert cleaned.text.split() == f"{LEDE} {SECOND} {kept}".split()


def test_page_template_lines_between_paragraphs_are_boilerplate() -> None:
    """Advertisement labels, a paywall's "continue reading", a rail's heading and a photo
    credit on a line of its own are the site's page, not the article; a caption that
    describes the picture in a sentence stays."""
    furniture = ["ADVERTISEMENT", "SKIP ADVERTISEMENT", "Story continues below advertisement",
                 "Continue reading the main story", "Most Popular", "Image: Reuters",
                 "Photo: AP Photo/Evan Vucci", "Subscribe now for unlimited access."]
    caption = ("Photo: Firefighters work to contain the blaze near the river on Monday, when the "
               "winds picked up and crews were pulled back.")
    cleaned = clean_text("\n\n".join([LEDE, *furniture[:4], SECOND, *furniture[4:], caption]))
    assert cleaned.boilerplate == furniture
    assert cleaned.text == f"{LEDE}\n\n{SECOND}\n\n{caption}"


def test_a_closing_about_section_is_boilerplate_and_credits_no_one() -> None:
    about = ("About Valley Pumps\n\nValley Pumps makes flood pumps for councils in 12 countries "
             "and works with the Associated Press on weather data. For more information, visit valleypumps.example.")
    cleaned = clean_text(f"{LEDE}\n\n{SECOND}\n\n{about}")
    assert cleaned.text == f"{LEDE}\n\n{SECOND}"
    assert cleaned.boilerplate == [about]
    assert cleaned.credits == []


def test_an_about_heading_may_end_with_the_company_s_legal_form() -> None:
    about = "About Valley Pumps, Inc.\nValley Pumps makes flood pumps for councils in 12 countries."
    cleaned = clean_text(f"{LEDE}\n\n{SECOND}\n\n{about}")
    assert cleaned.text == f"{LEDE}\n\n{SECOND}" and cleaned.boilerplate == [about]


def test_about_opening_a_sentence_a_fact_box_or_a_long_closing_section_stays_in_the_body() -> None:
    sentence = "About 200 families were still waiting for boats on Tuesday night."
    for body in (f"{LEDE}\n\n{sentence}\n\n{SECOND}", f"{LEDE}\n\nAbout a dozen were hurt.\n{SECOND}",
                 f"{LEDE}\n\nAbout the flood\n\n" + " ".join([SECOND] * 60),
                 f"{LEDE}\n\nAbout the river:\n{SECOND}"):
        cleaned = clean_text(body)
        assert cleaned.text == body and cleaned.boilerplate == []


@pytest.mark.parametrize("line, origin", [
    ("Originally published on Live Science.", "Live Science"),
    ("This article is republished from The Conversation under a Creative Commons license. "
     "Read the original article.", "The Conversation"),
    ("This article was originally published by Futurism. Read the original article.", "Futurism"),
    ("This story originally appeared in The Atlantic on Nov. 18, 2019.", "The Atlantic"),
    ("Republished with permission from The Texas Tribune.", "The Texas Tribune"),
    ("The post Flood waters rise appeared first on Valley News Today.", "Valley News Today"),
    ("Read the full story at The Valley Courier.", "The Valley Courier"),
    ("This article first appeared on https://www.valleycourier.example/2024/03/flood.html", "valleycourier.example"),
    ("Source: https://www.valleycourier.example/2024/03/flood.html", "valleycourier.example"),  # a scraper's
    ("Via: https://harbourwire.example/crane", "harbourwire.example"),
])
def test_an_attribution_line_is_boilerplate_naming_where_the_article_was_first_published(
        line: str, origin: str) -> None:
    cleaned = clean_text(f"{LEDE}\n\n{SECOND}\n\n{line}")
    assert cleaned.text == f"{LEDE}\n\n{SECOND}"
    assert cleaned.boilerplate == [line]
    assert cleaned.republished_from == origin
    assert cleaned.credits == []  # where the copy came from is no credit of its own text


@pytest.mark.parametrize("line", [
    "The report was published by the Valley Water Board on Tuesday.",  # what the story is about
    "It first appeared in 1998, when the river crested at the same level.",
    "First published in The Valley Review, the study found that half the pumps failed.",
    "Originally published in 1998, the flood guide was revised this spring.",
    "This post first appeared on the council's blog, where officials answer residents' questions about "
    "flood defences, pumps and insurance every week.",  # a sentence, not an outlet's name
    "Source: Valley Water Board",
])
def test_sentences_about_publishing_stay_in_the_body(line: str) -> None:
    body = f"{LEDE}\n\n{line}\n\n{SECOND}"
    cleaned = clean_text(body)
    assert cleaned.text == body and cleaned.republished_from is None


@pytest.mark.parametrize("dateline, date, credits", [
    ("SPRINGFIELD, March 3, 2024 --", "2024-03-03", []),
    ("NEW YORK, March 3, 2024 /PRNewswire/ --", "2024-03-03", ["PR Newswire"]),
    ("SPRINGFIELD, Ill., Jan. 5, 2024 /PRNewswire/ --", "2024-01-05", ["PR Newswire"]),
    ("TORONTO, Nov. 18, 2019 (GLOBE NEWSWIRE) --", "2019-11-18", ["GlobeNewswire"]),
    ("SAN FRANCISCO--(BUSINESS WIRE)--", None, ["Business Wire"]),
    ("LONDON, Nov 18, 2019 (Reuters) -", "2019-11-18", ["Reuters"]),
    ("LONDON, Nov 18 (Reuters) -", None, ["Reuters"]),  # no year: no date
])
def test_a_press_release_dateline_is_removed_and_dates_the_release(
        dateline: str, date: str | None, credits: list[str]) -> None:
    cleaned = clean_text(f"{dateline} {LEDE}\n\n{SECOND}")
    assert cleaned.text == f"{LEDE}\n\n{SECOND}"
    assert cleaned.boilerplate == [dateline]
    assert cleaned.date == date and cleaned.credits == credits


def test_a_date_in_the_first_sentence_is_no_dateline() -> None:
    for body in (f"Springfield, which flooded on March 3, 2024 - and again in May - is rebuilding.\n\n{SECOND}",
                 f"The council met on March 3, 2024 -- a Sunday -- to vote.\n\n{SECOND}"):
        cleaned = clean_text(body)
        assert cleaned.text == body and cleaned.date is None and cleaned.boilerplate == []


def test_reuters_signature_line_is_a_reuters_credit() -> None:
    cleaned = clean_text(f"{LEDE}\n\n(Reporting by Ana Ruiz; Editing by Tom Okafor)")
    assert cleaned.text == LEDE
    assert cleaned.credits == ["Reuters"]


def test_caption_paragraph_is_removed_and_credited() -> None:
    caption = "Rescue boats on the flooded high street. (Source: Associated Press)"
    cleaned = clean_text(f"{LEDE}\n\n{caption}\n\n{SECOND}")
    assert cleaned.text == f"{LEDE}\n\n{SECOND}"
    assert cleaned.boilerplate == [caption]
    assert cleaned.credits == ["AP"]


def test_caption_sentences_inside_a_paragraph_are_cut_and_the_lede_kept() -> None:
    caption = (
        "Residents wade through water in the valley, on March 4, 2024. "
        "Hundreds of families left their homes in the valley. (AFP)"
    )
    cleaned = clean_text(f"{LEDE} {caption}\n\n{SECOND}")
    assert cleaned.text == f"{LEDE}\n\n{SECOND}"
    assert cleaned.boilerplate == [caption]
    assert cleaned.credits == ["AFP"]


def test_an_agency_in_parentheses_inside_a_sentence_is_not_a_caption() -> None:
    body = f"{LEDE} Agence France-Presse (AFP) reported the toll.\n\n{SECOND}"
    cleaned = clean_text(body)
    assert cleaned.text == body
    assert cleaned.credits == []


def test_body_characters_are_kept_and_whitespace_tidied() -> None:
    body = "“It’s gone,” said Ms\u00a0Ortiz — the café's owner."
    cleaned = clean_text(f"{body}   \r\n\r\n\r\n\r\n{SECOND}\t\n")
    assert cleaned.text == f"{body}\n\n{SECOND}"


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("September 13, 2023", "2023-09-13"),
        ("Sept. 3 2023", "2023-09-03"),
        ("13 September 2023", "2023-09-13"),
        ("2023-09-13T08:00:00Z", "2023-09-13"),
        ("February 30, 2023", None),
        ("last Tuesday", None),
    ],
)
def test_iso_date(written: str, iso: str | None) -> None:
    assert iso_date(written) == iso


def test_split_byline_and_credit_names() -> None:
    assert split_byline("By Ana Ruiz, Associated Press") == ("Ana Ruiz", "Associated Press")
    assert split_byline("By Ana Ruiz, Tom Okafor") == ("Ana Ruiz, Tom Okafor", None)
    assert credit_name("Agence France-Presse") == "AFP"
    assert credit_name("KCNA") is None


def test_clean_texts_cleans_each_text() -> None:
    results = clean_texts([f"(AP) — {LEDE}", SECOND])
    assert [r.text for r in results] == [LEDE, SECOND]
    assert [r.credits for r in results] == [["AP"], []]


_WIRE_PARAGRAPHS = [
    "Flood barriers along the river held overnight after the water rose to its highest level "
    "in forty years, officials said on Tuesday, while crews worked through the rain to reinforce "
    "the weakest sections near the old mill bridge.",
    "The county's emergency manager said about 300 homes had been evacuated as a precaution and "
    "that the shelters at the school and the sports hall would stay open until the river falls "
    "below the warning mark, which could take until the weekend.",
    "Forecasters expect another inch of rain by Thursday.",
]


@pytest.mark.parametrize("width", [60, 72, 80])
@pytest.mark.parametrize("between", ["\n\n", "\n"])
def test_hard_wrapped_paragraphs_are_joined_into_lines(width: int, between: str) -> None:
    import textwrap

    wrapped = between.join(textwrap.fill(p, width) for p in _WIRE_PARAGRAPHS)
    assert wrapped.count("\n") > 6
    assert clean_text(wrapped).text == between.join(_WIRE_PARAGRAPHS)


def test_a_word_broken_after_its_hyphen_is_joined_whole() -> None:
    wrapped = "\n".join([
        "Flood barriers along the river held overnight after a record-",
        "breaking rise of the water, officials said on Tuesday, while the",
        "crews worked through the rain to reinforce the weakest sections",
        "near the old mill bridge and the pumping station on the east -",
        "the side of the town that flooded in the storms of last winter.",
    ])
    assert clean_text(wrapped).text == (
        "Flood barriers along the river held overnight after a record-breaking rise of the water, "
        "officials said on Tuesday, while the crews worked through the rain to reinforce the weakest "
        "sections near the old mill bridge and the pumping station on the east - the side of the "
        "town that flooded in the storms of last winter.")


@pytest.mark.parametrize("lines", [
    [  # one sentence a line, as feeds and briefs are laid out: every line ends a sentence
        "The council approved the budget on Monday after a two-hour debate over road repairs.",
        "Police closed the northbound lanes of the bypass for most of the afternoon on Sunday.",
        "The museum will reopen its east wing in March after a year of renovation work there.",
        "Two schools in the district will close early on Friday because of the heating fault.",
        "A new bus route will link the station with the hospital from the start of next month.",
    ],
    [  # a list of headlines of about one length: no line goes on into the next
        "Council approves budget after long debate over roads",
        "Bypass lanes closed for most of Sunday afternoon",
        "Museum east wing to reopen in March after renovation",
        "Two schools close early over heating fault",
        "New bus route to link station and hospital",
    ],
])
def test_short_lines_that_are_not_wrapped_stay_lines(lines: list[str]) -> None:
    text = "\n".join([_WIRE_PARAGRAPHS[0], *lines])
    assert clean_text(text).text == text


def test_text_decoded_with_the_wrong_charset_is_repaired() -> None:
    """UTF-8 read as Windows-1252 upstream ("â€œ" for "“"): the quotation marks, dashes and
    accents come back, so quotations are found again; correct accents are left alone."""
    text = ("The minister, Ségolène Royal, said the talks in São Paulo were “a first step” — "
            "and that Korea’s envoy agreed.")
    windows = text.replace("”", "’").encode("utf-8").decode("cp1252")  # cp1252 has no byte 0x9d
    assert "â€œ" in windows
    assert clean_text(windows).text == text.replace("”", "’")
    assert clean_text(text.encode("utf-8").decode("latin-1")).text == text
    quotes_only = "“A first step” — Korea’s envoy agreed, officials said on Tuesday."
    assert clean_text(quotes_only.encode("utf-8").decode("latin-1")).text == quotes_only
    assert clean_text("SÃO PAULO — Café owners in São Paulo said so.").text == "SÃO PAULO — Café owners in São Paulo said so."
