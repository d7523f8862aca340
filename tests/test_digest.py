"""Story digests: corroboration counted by independent report, conflicts, and the seed story."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

import newstrace
from newstrace.digests.build import build_digest
from newstrace.digests.claims import Statement, article_claims, same_person, shares_counted_fact, shares_figure
from newstrace.digests.facts import extract_facts
from newstrace.model import Article, Claim, Digest

REPORT_A = (
    "Northland's army fired two cruise missiles into the northern sea on Tuesday, the defence ministry said.\n\n"
    "The missiles flew some 1,000 kilometres before falling into the water, the ministry added.\n\n"
    "Prime Minister Olga Brandt called the launch a routine exercise during a visit to the harbour city of Port Elm.\n\n"
    '"Our forces are ready for any threat," Brandt said.'
)
REPORT_B = (
    "Northland fired three cruise missiles into the northern sea on Tuesday, military officials said.\n\n"
    "The missiles travelled 620 miles before falling into the water, the officials added.\n\n"
    "Fishermen in the region were told to stay in port until the weekend, the coast guard said."
)
COPY_OF_A = REPORT_A.replace("Prime Minister", "Northland's Prime Minister") + "\n\nLeave a Reply"


@pytest.fixture(scope="module")
def invented():
    a = Article.from_text(REPORT_A, date="2023-05-10")
    b = Article.from_text(REPORT_B, date="2023-05-10")
    c = Article.from_text(COPY_OF_A, date="2023-05-11")
    roots = {a.id: a.id, b.id: b.id, c.id: a.id}
    return (a, b, c), roots, build_digest([a, b, c], roots)


def timeline_of(article: Article, chars: int) -> dict[str, str]:
    """The dates of an article's own digest timeline, by the first ``chars`` of each entry."""
    return {t.text[:chars]: t.date for t in build_digest([article], {article.id: article.id}).timeline}


def claim_with(digest: Digest, pattern: str) -> Claim:
    return next(c for c in digest.claims if re.search(pattern, c.text))


def test_citations_name_a_family_member_that_states_the_claim():
    root = Article.from_text("Officials in Port Elm said the harbour reopened on Monday after the storm.")
    copy = Article.from_text(
        "Officials in Port Elm said the harbour reopened on Monday after the storm. "
        "Fishing boats were back at sea by noon, the coast guard said.")
    other = Article.from_text(
        "Fishing boats returned to sea by noon on Monday, according to the coast guard in Port Elm.")
    roots = {root.id: root.id, copy.id: root.id, other.id: other.id}
    digest = build_digest([root, copy, other], roots)
    boats = claim_with(digest, "Fishing boats")
    assert copy.id in boats.article_ids and root.id not in boats.article_ids
    assert copy.id in boats.independent_ids and root.id not in boats.independent_ids


def test_copies_count_once_as_independent_reports(invented):
    (a, b, c), _, digest = invented
    launch = claim_with(digest, "fired (two|three) cruise missiles")
    assert set(launch.article_ids) == {a.id, b.id, c.id}
    assert launch.independent_ids == sorted([a.id, b.id])
    assert launch.n_independent == 2
    brandt = claim_with(digest, "routine exercise")
    assert brandt.n_independent == 1 and brandt.id in digest.single_source


def test_a_claim_only_one_outlet_s_reports_state_rests_on_a_single_source(invented):
    """Two independent reports from one newsroom are one source for a fact-checker: the
    claim both state counts two reports but is single-source; from two outlets it is not."""
    (a, b, c), roots, _ = invented
    outlets = {"Northland Times": ("Northland Times", "NORTHLAND TIMES"), "two": ("Northland Times", "Coast Radio")}
    for case, (outlet_a, outlet_b) in outlets.items():
        same_a, same_b = replace(a, outlet=outlet_a), replace(b, outlet=outlet_b)
        digest = build_digest([same_a, same_b, c], roots)
        launch = claim_with(digest, "fired (two|three) cruise missiles")
        assert launch.n_independent == 2
        assert launch.single_source == (case != "two") == (launch.id in digest.single_source)


def test_different_counts_conflict_but_unit_conversions_do_not(invented):
    (a, b, _), _, digest = invented
    numbers = [c for c in digest.conflicts if c.kind == "number"]
    assert len(numbers) == 1
    [conflict] = numbers
    values = {v.value: v.independent_ids for v in conflict.versions}
    assert values == {"2 cruise missiles": [a.id], "3 cruise missiles": [b.id]}


def test_quotes_dates_and_json_shape(invented):
    (a, _, c), _, digest = invented
    [quote] = [q for q in digest.quotes if "ready for any threat" in q.text]
    assert quote.speaker == "Olga Brandt"
    assert set(quote.article_ids) == {a.id, c.id} and quote.independent_ids == [a.id]
    assert {o.article_id for o in quote.occurrences} == {a.id, c.id}
    assert any(t.date == "2023-05-09" for t in digest.timeline)  # "Tuesday" before Wednesday 10 May
    assert digest.summary and all(s.independent_ids for s in digest.summary)
    assert list(digest.to_dict()) == ["headline", "summary", "timeline", "claims", "quotes", "single_source", "conflicts"]
    assert Digest.from_dict(json.loads(json.dumps(digest.to_dict()))) == digest  # plain JSON, round trip
    claim_ids = {claim.id for claim in digest.claims}
    assert set(digest.single_source) <= claim_ids and len(claim_ids) == len(digest.claims)
    roots = {a.id, c.id} | {i for claim in digest.claims for i in claim.independent_ids}
    assert all(set(v.independent_ids) <= roots for conflict in digest.conflicts for v in conflict.versions)


SEED_DATES = ["2023-09-12", "2023-09-13", "2023-09-13", None, None]
SEED_ROOTS = [0, 0, 2, 3, 3]


def test_seed_story_digest(seeds):
    paths = sorted(seeds.glob("*.txt"))[:5]
    texts = [re.sub(r"^\s*date \d{4}-\d\d-\d\d( By [^\n]*)?\s*", "", p.read_text(encoding="utf-8")) for p in paths]
    articles = [Article.from_text(t, date=d, path=str(p)) for t, d, p in zip(texts, SEED_DATES, paths)]
    ids = [a.id for a in articles]
    roots = {ids[n]: ids[r] for n, r in enumerate(SEED_ROOTS)}
    digest = build_digest(articles, roots)

    missiles = [c for c in digest.claims if "two ballistic missiles" in " ".join(v.text for v in c.versions)]
    assert any(set(c.independent_ids) == {ids[0], ids[2], ids[3]} for c in missiles)

    shoigu = claim_with(digest, "Shoigu")
    assert shoigu.independent_ids == [ids[3]] and {ids[3], ids[4]} <= set(shoigu.article_ids)
    assert shoigu.id in digest.single_source

    [rush] = [q for q in digest.quotes if "without a rush" in q.text]
    assert rush.speaker == "Vladimir Putin" and rush.article_ids == [ids[2]]
    rush_claims = [c for c in digest.claims if any("without a rush" in v.text for v in c.versions)]
    assert len(rush_claims) == 1 and "There is time" in next(
        v.text for v in rush_claims[0].versions if v.article_id == ids[2])

    [easley] = [q for q in digest.quotes if "uninterrupted command" in q.text]
    assert easley.speaker == "Leif-Eric Easley" and easley.speaker_kind == "person"

    texts = {a.id: a.text for a in articles}
    for claim in digest.claims:
        assert set(claim.independent_ids) <= set(claim.article_ids)
        assert claim.single_source == (claim.n_independent == 1)
        for version in claim.versions:
            before = texts[version.article_id][: version.start].rstrip(" “\"")
            assert not before or before[-1] in ".!?:\n”\")", version.text  # starts a sentence
    assert not any(c.text.startswith("local time") for c in digest.claims)

    lengths = [c for c in digest.conflicts if c.kind == "number" and c.topic == "length"]
    assert lengths == []



def test_digests_of_a_collection_equal_each_story_digested_alone(shared, tmp_path):
    # `digest` extracts the facts of many stories together (on the worker processes when
    # there are enough); each story's digest must be the one its own articles give.
    lines = (shared / "datasets" / "polnear" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[:36]
    if len(lines) < 36:
        pytest.skip("PolNeAR dev has fewer than 36 articles here")
    records = [json.loads(line) for line in lines]
    path = tmp_path / "polnear.jsonl"
    path.write_text("".join(json.dumps({"id": r["id"], "title": r["title"], "text": r["text"],
                                        "outlet": r["publisher"], "date": r["date"]}) + "\n"
                            for r in records), encoding="utf-8")
    import newstrace
    from newstrace.engine.stages import story_roots

    report = newstrace.digest([path], db=tmp_path / "store.db", workers=2)
    by_id = {a.id: a for a in report.articles}
    assert len(report.stories) > 5
    for story in report.stories:
        alone = build_digest([by_id[m] for m in story.article_ids], story_roots(story))
        assert story.digest.to_dict() == alone.to_dict(), story.title
    assert sum(len(story.digest.quotes) for story in report.stories) > 10


def test_several_figures_of_one_kind_in_a_report_are_not_a_conflict():
    a = Article.from_text("Kestrel Capital agreed to inject $6.5 billion into Ardent Spaces and to fund a "
                          "$3 billion buyout of its shareholders, the company said on Monday.")
    b = Article.from_text("Ardent Spaces received a rescue from Kestrel Capital worth up to $8 billion and is now "
                          "cutting jobs at a unit it bought for $200 million, the company said on Monday.")
    roots = {a.id: a.id, b.id: b.id}
    digest = build_digest([a, b], roots)
    assert claim_with(digest, "Kestrel").n_independent == 2
    assert not [c for c in digest.conflicts if c.kind == "number"]


def test_timeline_dates_take_the_weekday_they_name_and_ignore_years_that_label_things():
    a = Article.from_text(
        "The Harbour Kings announced the tour while closing out their November 18th concert in Nashville, "
        "which featured songs from 1972’s Salt Road and 1973’s Blue Hour.\n\n"
        "Live Nation is producing the tour, tickets for which go on sale Friday, Dec. 6 at the box office.\n\n"
        "Tickets for the tour go on sale to the general public starting Friday, December 6th, at 10 a.m. local time.",
        date="2019-11-19")
    timeline = timeline_of(a, 20)
    assert timeline == {"The Harbour Kings an": "2019-11-18", "Live Nation is produ": "2019-12-06",
                        "Tickets for the tour": "2019-12-06"}


def test_headings_list_entries_and_sentences_inside_quotations_are_not_claims():
    a = Article.from_text(
        "The Harbour Kings will tour North America next year for the first time in a decade.\n\n"
        "The Harbour Kings 2020 Anniversary Tour dates are as follows:\n\n"
        "June 14 – Alpharetta, GA @ Ameris Bank Amphitheatre (Formerly Verizon Amphitheatre)\n\n"
        "June 16 – Raleigh, NC @ Coastal Credit Union Music Park (Walnut Creek)\n\n"
        "Singer Tom Reyes said: “We are thrilled to be back on the road.\n\n“We have new songs to play for our fans.”",
        date="2019-11-19")
    claims = [c.text for c in build_digest([a], {a.id: a.id}).claims]
    assert claims[0].startswith("The Harbour Kings will tour")
    assert not any(c.startswith(("The Harbour Kings 2020", "June 1")) or "new songs" in c for c in claims)
    assert any(c.startswith("Singer Tom Reyes said") for c in claims)


def test_measures_of_one_kind_about_different_things_are_not_a_conflict():
    a = Article.from_text("The Harbour Kings will tour together for the first time in nearly 25 years, the band said on Monday.\n\n"
                          "Their plane flew 400 kilometres before landing on the island, the pilot said.")
    b = Article.from_text("To celebrate 50 years since the band's formation, the Harbour Kings will tour together next "
                          "year, the band said on Monday.\n\n"
                          "Their plane flew 900 kilometres before landing on the island, the pilot said.")
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    assert claim_with(digest, "Harbour Kings").n_independent == 2
    topics = sorted(c.topic for c in digest.conflicts if c.kind == "number")
    assert topics == ["length"]


@pytest.mark.parametrize("text, published, expected", [
    # a month still ahead, told in the present, is this year's; one told of the past, last year's
    ("The outcome of the Nov. 8 presidential election could be pivotal for the regulations, lawyers said.\n\n"
     "The protests began peacefully in October and were sparked by a proposed law, the police said.",
     "2016-09-27", {"The outcome ": "2016-11-08", "The protests": "2015-10-01"}),
    # *on Wednesday night* (a TIME to the recogniser) dates what happened; *said on Thursday* only the report
    ("A fire tore through the Chimex plant in Lyon on Wednesday night, killing 12 workers, "
     "officials said on Thursday.\n\nMonday night, residents had complained of a smell of solvent.",
     "2024-03-14", {"A fire tore ": "2024-03-13", "Monday night": "2024-03-11"}),
])
def test_timeline_dates_of_months_ahead_and_weekday_nights(text, published, expected):
    assert timeline_of(Article.from_text(text, date=published), 12) == expected


def test_counts_of_different_things_and_model_sizes_are_not_conflicts():
    a = Article.from_text("Orbital Games launched its Nimbus service with 22 launch titles on Tuesday, the company said.\n\n"
                          "The new 16-inch Zenbook Pro from Orbital Games has a physical escape key, reviewers said.")
    b = Article.from_text(
        "Orbital Games launched its Nimbus service with 22 games on Tuesday (the addition of 10 extra titles was "
        "announced last week), the company said.\n\n"
        "The old 13-inch Zenbook Pro from Orbital Games has a physical escape key too, reviewers said.")
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    assert claim_with(digest, "Nimbus").n_independent == 2
    assert not [c for c in digest.conflicts if c.kind == "number"]


def test_quotes_sharing_loose_words_are_not_one_quote_nor_a_speaker_conflict():
    a = Article.from_text("Governor Kristin Noble spoke about the drug campaign on Monday.\n\n"
                          "“At no time was I aware of an effort in the region, and he knew it was in the file he had, "
                          "as the whole thing showed,” Noble said.")
    b = Article.from_text("Campaign manager Julie Grant spoke about the drug campaign on Monday.\n\n"
                          "“He was in charge of the whole thing,” Grant said.")
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    assert sorted(q.speaker for q in digest.quotes) == ["Julie Grant", "Kristin Noble"]
    assert not [c for c in digest.conflicts if c.kind == "speaker"]


def test_a_day_of_a_past_month_told_in_the_present_is_next_years():
    a = Article.from_text("The reunion tour stops at the Riverside Music Center on July 22, the promoter said.\n\n"
                          "The report, released on March 3, shows that ticket prices rose, the promoter said.",
                          date="2019-11-19")
    timeline = timeline_of(a, 10)
    assert timeline == {"The reunio": "2020-07-22", "The report": "2019-03-03"}



def test_two_dates_for_one_event_are_a_conflict():
    a = Article.from_text("The Port Elm bridge collapsed on Nov. 11, killing two drivers, the police said.",
                          date="2019-11-19")
    b = Article.from_text("The Port Elm bridge collapsed on Nov. 12, killing two drivers, the police said.",
                          date="2019-11-19")
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    dates = [c for c in digest.conflicts if c.kind == "date"]
    assert [sorted(v.value for v in c.versions) for c in dates] == [["2019-11-11", "2019-11-12"]]


def test_dates_of_two_tariffs_in_two_real_reports_are_no_conflict(shared):
    """Two reports of one week of the US-China trade talks (pages of the extraction benchmark):
    one names a tariff planned for Dec. 15 on $160 billion of goods, the other one imposed on
    Sept. 1 on $125 billion; their sentences group as one claim, their dates are no conflict."""
    pages = shared / "datasets" / "article-extraction-benchmark" / "html"
    a, b = (newstrace.load(pages / f"{name}.html.gz") for name in (
        "39d5c43beb60605c3eec760c99500e62e7bd71ebbe4ae05edf382125e1b0b80a",
        "702d1da63b8e064cb70617620e45c2d116b4912c9bc9d518dcf5ce54bb8057ed"))
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    tariffs = [c for c in digest.claims if "tariff" in c.text and c.n_independent == 2]
    assert tariffs and not [c for c in digest.conflicts if c.kind == "date"]


def test_a_date_of_a_plan_or_timetable_is_the_nearest_one():
    a = Article.from_text("Firms are unsure whether a tariff the administration had planned to impose Dec. 15 "
                          "would go into effect, traders said.\n\n"
                          "The vote, scheduled for Jan. 5, was postponed, officials said.\n\n"
                          "The protests began peacefully in December, the police said.", date="2019-11-18")
    timeline = timeline_of(a, 9)
    assert timeline == {"Firms are": "2019-12-15", "The vote,": "2020-01-05", "The prote": "2018-12-01"}


def test_a_model_size_is_no_counted_fact_that_makes_two_sentences_one_claim():
    a = Article.from_text("The 16-inch MacBook Pro also features a physical Esc key and an inverted-T arrow key "
                          "layout, reviewers said.")
    b = Article.from_text("The 16-inch MacBook Pro looks like a hell of a laptop, as it should for a starting price "
                          "of $2,400, reviewers said.")
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    assert [c.n_independent for c in digest.claims] == [1, 1]


def test_reports_giving_one_figure_for_one_thing_state_one_claim():
    """Outlets word a fact differently, but its figure stays: the same count of the same thing
    with a word in common around it is one claim, though the sentences are no paraphrases."""
    a = Article.from_text("Hiring picked up as factories added 48,300 jobs in April, the statistics office "
                          "said Friday, the largest gain in two years.")
    b = Article.from_text("The economy beat forecasts by adding 48,300 new jobs in April while wages held steady "
                          "as the harbour reopened.")
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    assert claim_with(digest, "48,300").n_independent == 2


def test_a_short_phrase_two_reports_attribute_to_two_people_is_no_speaker_conflict():
    """A phrase of two words is no one's own utterance: a critic repeating it is no other speaker."""
    a = Article.from_text("Mayor Lena Ortiz called the bridge audit “a hoax” on Monday.")
    b = Article.from_text("The bridge audit was “a hoax”, Councillor Tom Reyes said on Monday.")
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    assert not [c for c in digest.conflicts if c.kind == "speaker"]


def test_a_body_and_its_named_spokesman_are_no_speaker_conflict():
    """*Police said* and *Constable Tim Fanning said* of one quote: the body and its spokesman
    (ECB+ 18); two named people for one quote still are a conflict."""
    quote = "A man who had just been let go from his job came in, shot and killed another man"
    a = Article.from_text(f'"{quote}," Police said on Saturday.')
    b = Article.from_text(f'"{quote}," Constable Tim Fanning said on Saturday.')
    c = Article.from_text(f'"{quote}," Sergeant Ann Cole said on Saturday.')
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    assert not [c for c in digest.conflicts if c.kind == "speaker"]
    digest = build_digest([b, c], {b.id: b.id, c.id: c.id})
    [conflict] = [c for c in digest.conflicts if c.kind == "speaker"]
    assert sorted(v.value for v in conflict.versions) == ["Ann Cole", "Tim Fanning"]


def test_a_name_and_its_initials_are_one_person():
    assert same_person("MEJ", "Mara Ellis-Jones")
    assert not same_person("MEJ", "Mara Ellis")


def statement(text: str) -> Statement:
    article = Article.from_text(text)
    [facts] = extract_facts([article])
    return article_claims(facts, article.text)[0]


def test_a_number_in_two_names_is_no_shared_figure():
    """*Skyrunner 2* names a game, it counts nothing: two sentences naming it share no figure."""
    assert not shares_figure(statement("Testers said the Vexa port of Skyrunner 2 runs at a low resolution."),
                             statement("The Vexa port of Skyrunner 2 does not keep a steady frame rate, testers said."))
    assert shares_figure(statement("The Vexa console sold 48,300 units in April, the maker said."),
                         statement("The maker said 48,300 units of the Vexa console were sold in April."))


def test_a_country_and_its_initials_are_one_place_but_two_countries_conflict():
    def place_conflicts(place_a: str, place_b: str) -> list[list[str]]:
        a = Article.from_text(f"The storm made landfall in {place_a} on Tuesday, killing two people, the agency said.")
        b = Article.from_text(f"The storm made landfall in {place_b} on Tuesday, killing two people, the agency said.")
        digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
        assert claim_with(digest, "landfall").n_independent == 2
        return [sorted(v.value for v in c.versions) for c in digest.conflicts if c.kind == "place"]

    assert place_conflicts("the United States", "the U.S.") == []
    assert place_conflicts("the United Kingdom", "the UK") == []
    assert place_conflicts("Canada", "Mexico") == [["Canada", "Mexico"]]


def test_a_place_written_as_within_another_is_no_conflict_with_it():
    """*in New York's Westchester County* and *in New York* tell one place (AllSides 2341); two
    states whose names share words still conflict."""
    def place_conflicts(place_a: str, place_b: str) -> list[list[str]]:
        a = Article.from_text(f"The storm made landfall in {place_a} on Tuesday, killing two people, the agency said.")
        b = Article.from_text(f"The storm made landfall in {place_b} on Tuesday, killing two people, the agency said.")
        digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
        return [sorted(v.value for v in c.versions) for c in digest.conflicts if c.kind == "place"]

    assert place_conflicts("New York’s Westchester County", "New York") == []
    assert place_conflicts("West Virginia", "Virginia") == [["Virginia", "West Virginia"]]


def test_the_same_count_of_different_harms_is_two_facts():
    """*killed two people* and *injured two people* share a figure, not a fact: neither agreement
    nor a figure to compare (the same harm told twice still is one claim)."""
    killed = "A gunman killed two people at the Port Elm ferry terminal on Sunday, the police said."
    injured = "A gunman injured two people at the Port Elm ferry terminal on Sunday, the police said."
    died = "Two people were killed when a gunman opened fire at the Port Elm ferry terminal on Sunday, police said."
    assert not shares_figure(statement(killed), statement(injured))
    assert shares_figure(statement(killed), statement(died))
    a, b = Article.from_text(killed), Article.from_text(injured)
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    assert [c.n_independent for c in digest.claims] == [1, 1]
    five = Article.from_text("A gunman injured five people at the Port Elm ferry terminal on Sunday, the police said.")
    digest = build_digest([a, five], {a.id: a.id, five.id: five.id})
    assert not [c for c in digest.conflicts if c.kind == "number"]


def test_ordinals_are_figures_that_group_and_conflict():
    """*the 12th candidate* and *the 13th candidate* about one person: one claim, whose ranks conflict."""
    a = Article.from_text("Mayor Lena Ortiz entered the governor's race on Monday, becoming the 12th candidate "
                          "to join the crowded field.")
    b = Article.from_text("Lena Ortiz launched her campaign for governor on Monday, becoming the 13th candidate "
                          "seeking the office.")
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    assert claim_with(digest, "Ortiz").n_independent == 2
    [conflict] = [c for c in digest.conflicts if c.kind == "number"]
    assert sorted(v.value for v in conflict.versions) == ["12th candidate", "13th candidate"]
    assert [c.numbers for c in digest.claims] == [[]]  # ranks are no counts


def test_a_sum_shared_only_with_the_words_it_is_part_of_is_no_shared_figure():
    """*$1,500 rebate cheques*: every sentence of the story names them; backing them, passing them
    and arguing over them are three claims."""
    backs = statement("Senator Lena Ortiz backs $1,500 rebate cheques, saying families need help now.")
    passed = statement("After a long debate the assembly voted to pass $1,500 rebate cheques on Monday evening.")
    assert not shares_figure(backs, passed)


def test_a_quotation_told_by_a_headline_and_the_body_goes_to_the_named_person():
    """A headline's description (*Harbour witness*) and the body's name share a quotation: the
    name is its speaker."""
    from newstrace.digests.claims import group_quotes
    from newstrace.digests.quotation import Quote

    said = [Quote("death trap", "Harbour witness", "said", 0, 10, article_id="a", speaker_kind="organisation"),
            Quote("death trap", "Lena Varga", "testified", 80, 90, article_id="a", speaker_kind="person")]
    for quotes in (said, said[::-1]):
        [group] = group_quotes(quotes, {"a": "a"})
        assert group.speaker == "Lena Varga" and group.cue == "testified" and group.speaker_kind == "person"


def test_two_lengths_about_one_name_are_not_one_claim_unless_they_agree_or_share_a_word():
    """A unit says what kind of value, not what is measured: the rocket's height and the launch
    site's distance from a town are two facts."""
    height = statement("Orbital Games' Skyrunner rocket launched on Tuesday, aiming to reach about 66 miles "
                       "above the Earth's surface.")
    site = statement("The Skyrunner spacecraft lifted off from Orbital Games' launch site about 20 miles outside "
                     "the small town of Port Elm.")
    same_site = statement("Orbital Games launched the Skyrunner from a desert site about 20 miles from Port Elm "
                          "on Tuesday.")
    assert not shares_counted_fact(height, site)
    assert shares_counted_fact(site, same_site)


def test_quotations_sharing_loose_words_do_not_make_two_sentences_one_claim():
    from newstrace.digests.claims import shares_quote
    from newstrace.digests.quotation import Quote

    def quoted(text: str) -> list[Quote]:
        return [Quote(text, None, None, 0, len(text))]

    assert not shares_quote(quoted("allegations about the poor mental health"),
                            quoted("rival actors will keep denigrating candidates through allegations of poor "
                                   "mental or physical health"))
    assert shares_quote(quoted("bigotry seems emboldened"), quoted("bigotry seems emboldened in our time"))


def test_a_word_one_outlet_censors_does_not_split_a_quotation():
    from newstrace.digests.claims import shares_quote
    from newstrace.digests.quotation import Quote

    def quoted(text: str) -> list[Quote]:
        return [Quote(text, None, None, 0, len(text))]

    assert shares_quote(quoted("a bullet in her f---ing skull"), quoted("somebody ought to put a bullet in her skull"))


def test_a_role_a_headline_puts_before_a_name_is_not_part_of_the_story_s_name():
    from newstrace.digests.quotation import full_names

    names = ["Accuser Brittany Okafor", "Brittany Okafor", "Okafor"]
    assert full_names(names, preferred=names) == dict.fromkeys(names, "Brittany Okafor")


def test_two_sums_ten_times_apart_are_two_things_not_a_dispute():
    """Reports that differ on one figure give close values: a product's quarter and the whole
    firm's year, one twenty times the other, are neither one claim nor a conflict."""
    quarter = statement("The scanner brought in $2.5 billion in revenue in the first three months, Velto said.")
    year = statement("Across all of its products, Velto expects between $50.5 billion and $52 billion in revenue "
                     "this year.")
    close = statement("Velto's scanner brought in $2.7 billion in revenue in the first quarter, the firm said.")
    assert not shares_counted_fact(quarter, year)
    assert shares_counted_fact(quarter, close)


def test_a_quotation_one_outlet_gives_whole_and_another_in_two_pieces_is_one_quote():
    """*"A"* in one report, *"A. B."* in another, *"B"* in a third: each piece is the same words
    as the whole, so all three are one quotation reported three times, not one x2 and one x1."""
    from newstrace.digests.claims import group_quotes
    from newstrace.digests.quotation import Quote

    whole = ("The bridge stays closed until the inspectors sign off. No one will be allowed on the deck "
             "before Friday.")
    pieces = [Quote("bridge stays closed until the inspectors sign off", "Velto", "said", 0, 1, article_id="a"),
              Quote(whole, "Velto", "said", 0, 1, article_id="b"),
              Quote("No one will be allowed on the deck before Friday.", "Velto", "said", 60, 90, article_id="c")]
    [group] = group_quotes(pieces, {"a": "a", "b": "b", "c": "c"})
    assert len(group.quotes) == 3 and group.independent_ids == ["a", "b", "c"]


def test_counts_far_apart_stay_one_fact_in_dispute():
    """Police count 5,000 at a rally, its organisers 60,000; a fire service 3 dead and a hospital
    40 in one blast: counts of one thing by two sources, however far apart, are one claim in
    dispute (unlike sums of two things, such as a quarter's and a year's revenue)."""
    from newstrace.digests.claims import tells_other_harm

    police = statement("Police said about 5,000 people attended the rally in Marlow, which ended outside city hall.")
    organisers = statement("Organisers said about 60,000 people attended the rally in Marlow, which ended at city hall.")
    assert shares_counted_fact(police, organisers)
    fire = statement("An explosion at a warehouse in Marlow killed 3 people, the fire service said.")
    hospital = statement("An explosion at a warehouse in Marlow killed 40 people, hospital officials said.")
    assert not tells_other_harm(fire, hospital)
    assert shares_counted_fact(fire, hospital)


def test_counts_far_apart_are_a_conflict_in_the_digest():
    crowd = [Article.from_text("Police said about 5,000 people attended the rally in Marlow on Saturday, which "
                               "ended outside city hall. The council meets again in March."),
             Article.from_text("Organisers said about 60,000 people attended the rally in Marlow on Saturday, "
                               "which ended at city hall. Speakers called for the port levy to be scrapped.")]
    digest = build_digest(crowd, {a.id: a.id for a in crowd})
    [conflict] = [c for c in digest.conflicts if c.kind == "number"]
    assert {v.value for v in conflict.versions} == {"~5000 people", "~60000 people"}

def test_two_quotations_that_begin_alike_and_go_on_differently_are_not_one_claim():
    """Two statements of one speaker that open with the same words (AllSides train 2222: a
    headline's quotation grouped with another quotation of the same politician)."""
    from newstrace.digests.claims import quotes_diverge

    headline = "Mayor Lind on the budget: 'I will not sign a budget that cuts the library hours'."
    other = '"I will not sign a budget that raises the harbour fees for every fisherman in town," Lind said.'
    assert quotes_diverge(headline, other)
    # the same quotation, given whole by one outlet and in part by another, still agrees
    part = 'Lind said she "will not sign a budget that cuts the library hours."'
    assert not quotes_diverge(headline, part)
    assert not quotes_diverge(part, headline.replace("cuts", "slashes"))
    # a diverging pair does not count when another pair of the two sentences' quotations agrees
    both = other.replace('," Lind said.', '," Lind said, adding "I will not sign a budget that cuts the library hours."')
    assert not quotes_diverge(headline, both)
    # quotations with no run of words in common, or none at all, are left to the other tests
    assert not quotes_diverge(headline, 'Lind called the plan "a bad deal for the town".')
    assert not quotes_diverge("The mayor will not sign the budget.", other)


def test_a_toll_told_in_other_words_by_two_reports_is_one_figure_in_conflict():
    """*Twelve people died* and *the number of people killed … rose to 14* are one toll whose
    values conflict (*rose to* is no approximation); *injuring 31* and *Thirty-one people were
    injured* agree; *two of the injured* counts a share, not a toll; the day the toll rose is
    no date conflict with the day of the fire."""
    a = Article.from_text(
        "Twelve people died when fire swept through the Chimex chemical factory in Lyon late on Wednesday, "
        "authorities confirmed.\n\nThirty-one people were injured, five of them seriously, the fire service said.",
        date="2024-03-14")
    b = Article.from_text(
        "The number of people killed in a fire at a chemical factory in Lyon rose to 14 on Friday after two of "
        "the injured died in hospital, the regional health agency said.\n\n"
        "The blaze at the Chimex factory in Lyon, injuring 31, was the worst in the city for decades, the fire service said.",
        date="2024-03-15")
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    numbers = [c for c in digest.conflicts if c.kind == "number"]
    assert [(c.topic, sorted(v.value for v in c.versions)) for c in numbers] == [("deaths", ["12 deaths", "14 deaths"])]
    assert {v.value: v.independent_ids for v in numbers[0].versions} == {"12 deaths": [a.id], "14 deaths": [b.id]}
    assert not [c for c in digest.conflicts if c.kind == "date"]


def test_the_day_of_the_event_a_toll_counts_is_a_date_conflict():
    """*died when an earthquake hit the coast on Wednesday night* and *killed by the earthquake
    that shook the coast on Thursday night rose to 11 on Saturday*: Wednesday against Thursday is
    a conflict (*hit* before the day is no toll rising, and *rose* after it dates only Saturday);
    the tolls, *at least nine* and 11, are shown as told."""
    a = Article.from_text(
        "At least nine people died when a powerful earthquake hit southern Peru on Wednesday night, "
        "local authorities said.", date="2024-06-28")
    b = Article.from_text(
        "The number of people killed by the earthquake that shook southern Peru on Thursday night rose to 11 "
        "on Saturday, the civil defence agency said.", date="2024-06-29")
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    [date] = [c for c in digest.conflicts if c.kind == "date"]
    assert {v.value: v.independent_ids for v in date.versions} == {"2024-06-26": [a.id], "2024-06-27": [b.id]}
    [toll] = [c for c in digest.conflicts if c.kind == "number"]  # *at least nine* stays a lower bound
    assert {v.value for v in toll.versions} == {"~9 deaths", "11 deaths"}


def test_a_timeline_entry_shows_a_wording_that_names_its_day():
    """Two reports say the quake struck on Thursday night, one says Wednesday night: the entry
    is dated Thursday (*hit* before the day is no toll rising) and shows a wording that says so."""
    site = Article.from_text("At least nine people died when a powerful earthquake struck southern Peru on "
                             "Wednesday night, officials said.", date="2024-06-28")
    wire = Article.from_text("A powerful earthquake struck southern Peru late on Thursday night, killing at least "
                             "eight people, officials said.", date="2024-06-28")
    paper = Article.from_text("At least ten people died when a strong earthquake hit southern Peru on Thursday "
                              "night, officials said.", date="2024-06-29")
    digest = build_digest([site, wire, paper], {a.id: a.id for a in (site, wire, paper)})
    [entry] = digest.timeline
    assert entry.date == "2024-06-27" and "Thursday" in entry.text and len(entry.article_ids) == 3


def test_counts_of_named_groups_are_not_one_toll():
    """*killed three soldiers* and *killed 14 people* may count different dead: no conflict."""
    a = Article.from_text("The attack on the Port Elm base on Tuesday killed three soldiers, the army said.", date="2024-03-14")
    b = Article.from_text("The attack on the Port Elm base on Tuesday killed 14 people, the army said.", date="2024-03-14")
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    assert not [c for c in digest.conflicts if c.kind == "number"]


def test_two_ages_for_one_person_are_a_conflict_and_equal_ages_agree():
    """*Daniel Kerr, 34,* and *35-year-old Daniel Kerr*: one person, two ages (however close
    the numbers); *Anna Berg (41)* and *Anna Berg, aged 41,* agree; an age says who, so two
    things one person did are two claims however alike their ages."""
    a = Article.from_text("Police arrested Daniel Kerr, 34, on Tuesday after the robbery at the Port Elm bank, "
                          "officers said.\n\nThe bank's manager Anna Berg (41) raised the alarm, officers said.")
    b = Article.from_text("Police arrested 35-year-old Daniel Kerr on Tuesday after the robbery at the Port Elm bank, "
                          "officers said.\n\nThe bank's manager Anna Berg, aged 41, raised the alarm, officers said.")
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    ages = [(c.topic, sorted(v.value for v in c.versions)) for c in digest.conflicts if c.topic.startswith("age")]
    assert ages == [("age of Daniel Kerr", ["34 years old", "35 years old"])]
    c = Article.from_text("Daniel Kerr, 34, appeared before magistrates in Port Elm on Friday charged with the theft.")
    facts = extract_facts([a, c])
    arrested = next(s for s in article_claims(facts[0], a.text) if "arrested" in s.text)
    [court] = article_claims(facts[1], c.text)
    assert [x.value for x in arrested.ages] == [x.value for x in court.ages] == [34.0]
    assert not shares_counted_fact(arrested, court) and not shares_figure(arrested, court)


def test_the_day_a_toll_rose_does_not_date_what_it_counts():
    """*Twelve people died … on Wednesday* grouped with *the number killed rose to 14 on
    Friday* is dated Wednesday on the timeline, whichever report comes first."""
    a = Article.from_text("Twelve people died when fire swept through the Chimex chemical factory in Lyon late on "
                          "Wednesday, authorities confirmed.", key="site", date="2024-03-14")
    b = Article.from_text("The number of people killed in a fire at a chemical factory in Lyon rose to 14 on Friday "
                          "after two of the injured died in hospital, the regional health agency said.",
                          key="paper", date="2024-03-15")
    assert b.id < a.id  # the Friday wording comes first among the group's dates
    digest = build_digest([a, b], {a.id: a.id, b.id: b.id})
    [entry] = [t for t in digest.timeline if t.text == claim_with(digest, "Lyon").text]
    assert (len(entry.article_ids), entry.date) == (2, "2024-03-13"), entry.text
