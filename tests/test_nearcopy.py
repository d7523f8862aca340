"""Near-copy verdicts on invented articles and on the real seed articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstrace import compare
from newstrace.match.align import lexical_overlap
from newstrace.match.lsh import LSHIndex
from newstrace.match.nearcopy import classify_overlap, find_near_copies

PARAGRAPHS = [
    "Flood water reached the lower town of Marrow Creek early on Tuesday after two days of "
    "heavy rain, forcing the closure of the main bridge and three primary schools.",
    "Volunteer crews in flat-bottomed boats moved elderly residents from the riverside flats "
    "to a sports hall on the hill, where the regional council had set up beds and a kitchen.",
    "The river gauge at Holt Mill peaked at just over four metres, a level last seen in the "
    "winter of 1998, according to figures published by the environment agency.",
    "Shop owners on Mill Lane spent the afternoon carrying stock upstairs, and several said "
    "they had not been able to renew flood cover since the last serious inundation.",
    "Insurance assessors are expected on Thursday, and the council said early estimates put "
    "the damage to roads, drains and the old footbridge at several million pounds.",
    "Forecasters warned that another band of rain would cross the hills overnight, although "
    "it was expected to be lighter and to clear by the middle of Wednesday morning.",
]
UNRELATED = [
    "The annual cheese fair opened in the market square with a record number of stalls, a "
    "brass band from the coast and a contest for the heaviest wheel of cheddar in the county.",
    "Organisers said ticket sales had doubled since last year, helped by a new late bus from "
    "the city and a children's tent run by the local library and two primary schools.",
    "A panel of three judges, including a retired dairy farmer, will announce the winners on "
    "Sunday afternoon before the closing parade of tractors along the high street.",
]
SCHOOL = [
    "Parents at Elm Road primary were told on Monday that the school will move to a four-day "
    "week from March while the heating system and the roof over the main hall are replaced.",
    "The head teacher said lessons on the fifth day would be set online and that a breakfast "
    "club would stay open for families who could not arrange childcare at short notice.",
    "A petition against the change had gathered more than six hundred signatures by Monday "
    "night, and the governors agreed to hold a public meeting next week.",
]
ORIGINAL = "\n\n".join(PARAGRAPHS)
CHEESE = "\n\n".join(UNRELATED)


def test_identical_bodies_with_different_footers_are_duplicates() -> None:
    a = ORIGINAL + "\n\nRead more local news on our website."
    b = ORIGINAL + "\n\nLeave a reply. Your email address will not be published."
    assert classify_overlap(lexical_overlap(a, b)) == "duplicate"


def test_updated_republication_is_a_copy() -> None:
    updated = PARAGRAPHS[:3] + [
        "Shop owners on Mill Lane spent Tuesday carrying stock to upper floors, and several "
        "said they could not renew flood cover since the last serious inundation.",
        "By Wednesday evening the water had started to fall, and the bridge reopened to "
        "pedestrians shortly before the evening rush.",
    ]
    assert classify_overlap(lexical_overlap(ORIGINAL, "\n\n".join(updated))) == "copy"


def test_lifted_paragraphs_are_partial_reuse() -> None:
    mixed = "\n\n".join(UNRELATED[:2] + PARAGRAPHS[1:3] + UNRELATED[2:])
    overlap = lexical_overlap(ORIGINAL, mixed)
    assert classify_overlap(overlap) == "partial"
    assert len(overlap.passages) == 1


def test_unrelated_texts_have_no_lexical_relation() -> None:
    assert classify_overlap(lexical_overlap(ORIGINAL, CHEESE)) is None


def results_report(company: str, city: str, figures: list[str]) -> str:
    """An automated quarterly-results report: one frame, filled with ``figures``."""
    profit, eps, adjusted, analysts, estimate, revenue, forecast, change = figures
    return "\n\n".join([
        f"{company} on Thursday reported quarterly profit of ${profit} million.",
        f"The {city}-based company said it had net income of ${eps} per share. Earnings, "
        f"adjusted for one-time gains and costs, came to ${adjusted} per share.",
        f"The average estimate of {analysts} analysts surveyed by a research firm was for "
        f"earnings of ${estimate} per share.",
        f"The company posted revenue of ${revenue} million in the period. Analysts had "
        f"expected ${forecast} million, according to the same firm.",
        f"Shares of {company} have moved {change}% since the start of the year.",
    ])


def test_a_frame_filled_with_other_figures_is_not_a_copy() -> None:
    a = results_report("Harrow Freight", "Leeds", ["41.9", "0.98", "1.05", "7", "0.86", "1742", "1717", "12.4"])
    b = results_report("Osprey Dairy", "Truro", ["108.6", "0.84", "0.91", "9", "0.93", "351", "368", "3.1"])
    overlap = lexical_overlap(a, b)
    assert overlap.passages and overlap.figures >= 5 and overlap.figures_kept == 0
    assert classify_overlap(overlap) is None
    verdict = compare(a, b)  # nor the same event: two companies' results
    assert verdict.relation == "unrelated" and "0 of 8 figures" in verdict.reasons[0]
    # the same report updated: two figures revised, the others kept, is still a copy
    revised = results_report("Harrow Freight", "Leeds", ["42.3", "0.98", "1.05", "7", "0.86", "1749", "1717", "12.4"])
    assert classify_overlap(lexical_overlap(a, revised)) == "copy"


@pytest.mark.parametrize("text, relation", [
    ("Central bank holds interest rates steady", None),  # a headline two desks write alike
    ("The company did not immediately respond to a request for comment.", None),
    (PARAGRAPHS[0], "duplicate"),  # a 27-word brief, word for word
])
def test_a_short_text_is_a_copy_only_when_the_shared_words_say_so(text: str, relation: str | None) -> None:
    """Evidence grows with length: the same six words or one formula line from two outlets
    is no copy (the model may still call them one story); a whole sentence of 27 words is."""
    assert classify_overlap(lexical_overlap(text, text)) == relation


POST = ("The Harbour Bridge will remain closed to all traffic until engineers have completed a full "
        "inspection of the damaged supports. We know this is hard for commuters and we thank everyone for "
        "their patience. pic.twitter.com/x8Kd2LmQ\n— Mayor Ellen Price (@MayorPrice) March 4, 2024")
SECOND_POST = ("Crews worked through the night and the first results of the inspection are encouraging, but "
               "safety comes first and we will not reopen until every support has been checked twice.\n\n"
               "— Corran Roads Authority (@CorranRoads) March 5, 2024")


def test_two_reports_embedding_the_same_posts_are_not_copies() -> None:
    """Embedded tweets reach the text as a paragraph and a signature line ("— Name (@handle)
    date"); two reports that embed the same two posts share them as they share quotations."""
    herald = ("Commuters in Corran faced long detours on Tuesday after the Harbour Bridge was shut following "
              "the collision of a barge with one of its piers late on Monday.\n\nThe mayor announced the "
              f"closure on social media shortly after midnight.\n\n{POST}\n\nTraffic on the coast road backed "
              "up for several kilometres during the morning rush, and bus operators added extra services on the "
              f"ferry route.\n\n{SECOND_POST}\n\nLocal businesses near the bridge said they expected a quiet week.")
    gazette = ("A barge that struck a pier of Corran's Harbour Bridge has left the city's main crossing closed "
               "indefinitely, officials said.\n\nThe vessel, carrying gravel, lost power in a strong current, "
               "according to the harbour master, who said an investigation had been opened into the engine "
               f"failure.\n\n{POST}\n\nEngineers will use divers to inspect the underwater sections of the "
               f"damaged pier, a process that could take several days.\n\n{SECOND_POST}\n\nThe bridge carries "
               "about 40,000 vehicles a day.")
    assert classify_overlap(lexical_overlap(herald, gazette)) is None
    assert not compare(herald, gazette).derived


TRANSCRIPT = (
    "HARLOW: Your committee sat on the riverside plan for two years while rents went up by a fifth. "
    "People cannot wait another two years for you to make up your mind.\n\n"
    "PIKE: The riverside plan put eight hundred flats on a flood plain without a single new school. "
    "I will not apologise for asking where the children would go.\n\n"
    "MODERATOR: Mr Pike, would you build on the riverside site if you were elected?\n\n"
    "PIKE: I would build there once the flood defences are finished and paid for, and not a day before.")


RESULTS = "\n".join(f"{rank}. {name} ({country}) 2:{minutes}" for rank, (name, country, minutes) in enumerate([
    ("Samuel Kiprono", "Kenya", "05:41"), ("Tadese Bekele", "Ethiopia", "05:58"),
    ("Joseph Mwangi", "Kenya", "06:12"), ("Yuki Nakamura", "Japan", "07:30"),
    ("Abdi Hassan", "Netherlands", "07:45"), ("Lucas Moreau", "France", "08:03"),
    ("Daniel Ochieng", "Uganda", "08:19"), ("Mark Evans", "Britain", "09:02"),
    ("Pedro Silva", "Brazil", "09:40"), ("Tom Fischer", "Germany", "10:11"),
], start=1))
TEAM_SHEETS = (
    "Corran City: Walsh; Okafor, Brennan, Lindqvist, Duarte; Mensah, Hale (Ferris 71), Novak; Ortega, "
    "Kimura (Adeyemi 84), Price.\nSubs not used: Baird, Collins, Moreau, Sandoval, Tait.\n"
    "Eastbridge Rovers: Hughes; Patel, Sorensen, Grant, Millar; Dube, Carver (Lopes 62), Nakata; Young "
    "(Fofana 75), Reyes, Whitlock.\nSubs not used: Ahmed, Byrne, Chen, Doyle, Ellis.\n"
    "Referee: Martin Acheson. Attendance: 23,418.")
#: Two reports of one event written apart, each pasting the same material from the event's
#: own record, as a transcript, a results list or the team sheets set it out.
COMMON_SOURCE_PAIRS = {
    "transcript": (
        "The two candidates for mayor of Eastbridge traded sharp words over housing costs and the city's bus "
        "network on Tuesday night, in a debate that rarely strayed from the question of who can afford to live "
        "in the city.\n\nCouncillor Dana Harlow, who has led in every public poll since the spring, pressed her "
        "rival on his record as head of the planning committee, which approved fewer than 400 new homes last "
        f"year.\n\n{TRANSCRIPT}\n\nThe exchange drew the loudest reaction of the evening from the audience of "
        "about 200 people at the Corn Exchange. The election is on May 2.",
        "Dana Harlow and Martin Pike met for the first of two televised debates on Tuesday, and within minutes "
        "the contest for Eastbridge's town hall had turned into an argument about one muddy stretch of "
        "riverbank.\n\nThe development, which would add some 800 apartments near the old docks, has been stuck "
        f"in planning for two years.\n\n{TRANSCRIPT}\n\nAnalysts said neither candidate landed a decisive "
        "blow. Harlow leads Pike by six points in the latest poll for the Eastbridge Echo."),
    "results": (
        "Samuel Kiprono broke away from a leading group of five at the 35-kilometre mark on Sunday to win the "
        "Corran Marathon in a course record, on a cool, still morning that suited the fast runners.\n\nThe "
        "27-year-old Kenyan, running only his third marathon, finished 17 seconds ahead of Ethiopia's Tadese "
        "Bekele, with Joseph Mwangi third. The women's race went to Ruth Chebet, also of Kenya.\n\nMen's "
        f"results:\n{RESULTS}",
        "A record field of 31,000 runners set off from the harbour front on Sunday morning, and by lunchtime "
        "Samuel Kiprono had lowered the Corran Marathon record by almost a minute.\n\nBekele, the favourite, "
        "led through halfway but could not answer when the Kenyan surged on the long climb past the castle. "
        f"Organisers said about 29,500 runners finished.\n\nTop ten men:\n\n{RESULTS}"),
    "team sheets": (
        "Miguel Ortega scored twice in the second half as Corran City came from behind to beat Eastbridge "
        "Rovers 2-1 and move to the top of the table on Saturday.\n\nRovers led at the break through Luis "
        "Reyes, who turned in a low cross after 28 minutes, and might have doubled their lead had Tom Young "
        "not shot straight at the keeper.\n\nOrtega headed in a corner on 74 minutes and struck the winner "
        f"from the edge of the area six minutes from time.\n\n{TEAM_SHEETS}",
        "Corran City climbed to first place with a hard-fought win over Eastbridge Rovers, although their "
        "manager admitted his side had been second best for most of the first half.\n\nReyes gave the "
        "visitors a deserved lead before the half-hour, but two late goals, a header from a corner and a "
        f"curling shot, turned the match around. Rovers stay sixth.\n\n{TEAM_SHEETS}"),
}


@pytest.mark.parametrize("kind", sorted(COMMON_SOURCE_PAIRS))
def test_two_reports_pasting_the_event_s_own_record_are_not_copies(kind: str) -> None:
    """The turns of a transcript ("PIKE: ..."), the organisers' results one row a line, the
    team sheets: every outlet is given them, so, like quotations, no evidence of copying."""
    first, second = COMMON_SOURCE_PAIRS[kind]
    assert classify_overlap(lexical_overlap(first, second)) is None
    assert not compare(first, second).derived


def test_a_copy_of_a_report_pasting_a_record_stays_a_copy() -> None:
    """A blog's copy of a report keeps its own prose; a results page is mostly its table,
    compared whole."""
    report = COMMON_SOURCE_PAIRS["transcript"][0]
    blog = report.replace("Tuesday night", "Tuesday evening") + "\n\nShare this story."
    assert compare(report, blog).relation in ("copy", "duplicate")
    page = f"Corran Marathon 2024, men's results\n\n{RESULTS}"
    assert compare(page, page.replace("Corran Marathon 2024", "Corran Marathon")).derived


def test_one_text_published_twice_is_a_duplicate_even_when_it_is_all_quotation() -> None:
    statement = ("\u201cWe will rebuild the bridge within a year, and we will pay for it without raising a "
                 "single tax on the people of this city, whatever the council says about the cost of steel,\u201d "
                 "the mayor said on Tuesday.")
    found = find_near_copies([statement, statement, RESULTS, RESULTS], ["a", "b", "c", "d"])
    assert {(n.a_key, n.b_key): n.relation for n in found} == {("a", "b"): "duplicate", ("c", "d"): "duplicate"}
    assert compare(statement, statement).relation == "duplicate"


SERIES_NOTE = ("This story is part of Open Harbour, our year-long series on the future of the coast. Our "
               "reporting on the series is supported by a grant from the Tidewater Foundation. The foundation "
               "has no say over what we cover or how we cover it.")
FERRY = ("The ferry between Corran and the islands will run twice a day from Monday, the operator said, after "
         "a month in which storms cancelled more than half of its crossings.\n\nIslanders have complained "
         "that the cancellations left shops short of fresh food, and the council has asked the operator to "
         "publish a winter timetable that it can keep.")
DUNES = ("Volunteers planted 4,000 marram grass seedlings on the dunes at Westbay on Saturday to slow the "
         "erosion that has eaten ten metres of beach since 2019.\n\nThe planting was organised by a local "
         "surf club, whose members say the loss of sand has made the northern end unsafe for swimmers at "
         "high tide.")


AUTHOR_BIO = ("Ellen Price writes about the coast and its towns. She joined the paper in 2019 after six "
              "years at a news agency. Reach her at ellen.price@corranherald.example.")


@pytest.mark.parametrize("note, where", [(SERIES_NOTE, "end"), (SERIES_NOTE, "start"), (AUTHOR_BIO, "end")])
def test_two_stories_carrying_one_outlet_note_are_not_copies(note: str, where: str) -> None:
    """Two articles of one outlet that close (or open) with the same series note, or one
    author's bio, and tell other stories share only the note: no copy, whatever share of a
    short article it is."""
    def with_note(body: str) -> str:
        return f"{body}\n\n{note}" if where == "end" else f"{note}\n\n{body}"

    ferry, dunes = with_note(FERRY), with_note(DUNES)
    assert classify_overlap(lexical_overlap(ferry, dunes)) is None
    verdict = compare(ferry, dunes)
    assert verdict.relation == "unrelated" and "note" in verdict.reasons[0]
    assert verdict.passages  # the note is shown, as the evidence of why it is no copy


def test_an_update_sharing_its_closing_paragraphs_stays_a_copy() -> None:
    """A new version with a rewritten top keeps the story's names around the shared end."""
    old = ("The ferry between Corran and the islands was cancelled again on Friday as a storm "
           f"moved up the coast, the operator said.\n\n{FERRY}")
    new = ("Ferry crossings between Corran and the islands resumed on Saturday morning after the "
           f"operator said the storm had passed.\n\n{FERRY}")
    assert compare(old, new).derived
    # and an excerpt is wholly what it shares
    assert compare(f"{FERRY}\n\n{SERIES_NOTE}", FERRY).derived


def test_a_lede_lifted_to_open_a_roundup_stays_reuse() -> None:
    """A roundup opening with another article's first paragraphs, then going on to other
    news, shares a block at both starts, but that block names what its own article goes on
    to tell: reuse, not a note."""
    article = (f"{FERRY}\n\nThe operator, Island Link, said the Monday timetable from Corran would add a "
               "late crossing on Fridays once a second ferry returns from repairs in March, and islanders "
               "on Inis Beag said the council should hold Island Link to it.\n\nIsland Link's chief "
               "executive, Moira Quinn, told the Corran council on Monday that the storms had cost the "
               "company its busiest month, and that the second ferry would be back in service by March if "
               "the yard in Belfast kept to its schedule.")
    roundup = (f"{FERRY}\n\nIn other news: {DUNES}\n\nAnd in Portree, the lifeboat crew was called out "
               "three times in one night on Thursday, first to a yacht with a broken rudder and then twice to "
               "walkers cut off by the tide below the old fort, all of them brought back safely by dawn.")
    assert not lexical_overlap(article, roundup).edge_note
    assert compare(article, roundup).derived


def test_find_near_copies_in_one_batch() -> None:
    texts = [ORIGINAL, CHEESE, ORIGINAL + "\n\nAll rights reserved.",
             "\n\n".join(SCHOOL[:1] + PARAGRAPHS[2:5] + SCHOOL[1:])]
    found = {(n.a_key, n.b_key): n.relation for n in find_near_copies(texts, list("abcd"))}
    assert found == {("a", "c"): "duplicate", ("a", "d"): "partial", ("c", "d"): "partial"}


def test_find_near_copies_against_an_index_reads_old_texts() -> None:
    index = LSHIndex()
    stored = {"old": ORIGINAL, "cheese": CHEESE}
    assert find_near_copies(list(stored.values()), list(stored), index=index) == []
    [found] = find_near_copies([ORIGINAL + "\n\nUpdated at noon."], ["new"], index=index,
                               texts_of=stored.__getitem__)
    assert (found.a_key, found.b_key, found.relation) == ("old", "new", "duplicate")
    assert len(index) == 3
    with pytest.raises(ValueError):
        find_near_copies([CHEESE], ["again"], index=index)


def _seed_texts(seeds: Path) -> dict[str, str]:
    try:
        from newstrace.ingest.clean import clean_text
    except ImportError:  # the cleaning module is optional here: raw text works as well
        def clean_text(raw: str):  # type: ignore[misc]
            return type("Cleaned", (), {"text": raw})
    return {path.name[:3]: clean_text(path.read_text(encoding="utf-8")).text
            for path in sorted(seeds.glob("*.txt"))}


def test_seed_republication_is_a_copy_and_independent_reports_are_not(seeds: Path) -> None:
    texts = _seed_texts(seeds)
    keys = ["000", "001", "002", "003"]
    found = find_near_copies([texts[k] for k in keys], keys)
    assert [(n.a_key, n.b_key, n.relation) for n in found] == [("000", "001", "copy")]

    cnn, blog = texts["000"], texts["001"]
    aligned = [(cnn[p.a_start : p.a_end], blog[p.b_start : p.b_end])
               for p in found[0].overlap.passages]
    unchanged = "Kim arrived in Russia on Tuesday, state media reported, aboard his heavily-armored"
    assert any(unchanged in a and unchanged in b for a, b in aligned)
    kremlin_video = "Video released by the Kremlin Wednesday"  # only in the later version
    assert not any(kremlin_video in b for _, b in aligned)
    assert found[0].overlap.covered_a > 0.6
