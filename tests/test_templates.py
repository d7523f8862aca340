"""Templated articles: one frame of sentences filled with another company's names and figures."""

from __future__ import annotations

import json
import random
from pathlib import Path

import newstrace
from newstrace.match.fingerprint import tokenize
from newstrace.match.templates import fillers, sentence_frames, templated

COMPANIES = [("Larchmont Ferries", "LFY", "Halifax", "ferry"), ("Osprey Tools", "OSP", "Tulsa", "hardware"),
             ("Greyfield Mills", "GFM", "Omaha", "flour milling"), ("Kestrel Chemicals", "KCH", "Houston", "chemicals"),
             ("Vantage Clinics", "VCL", "Nashville", "clinic"), ("Redwater Brewing", "RWB", "Milwaukee", "brewing"),
             ("Silverline Rail", "SLR", "Calgary", "freight rail"), ("Juniper Telecom", "JNT", "Raleigh", "telecom")]


def snapshot(name: str, ticker: str, city: str, sector: str, rng: random.Random) -> str:
    """A results snapshot as a generator writes them: one frame, this company's figures."""
    eps = round(rng.uniform(0.3, 3.0), 2)
    return (f"{city.upper()} — {name} ({ticker}) said on {rng.choice(['Monday', 'Tuesday', 'Thursday'])} that it "
            f"earned ${rng.randint(20, 900)}.{rng.randint(1, 9)} million in its latest quarter.\n\n"
            f"The {city} company reported earnings of ${eps} per share, against ${round(eps * 0.9, 2)} per share "
            f"expected by the {rng.randint(3, 11)} analysts polled by Meridian Estimates.\n\n"
            f"The {sector} business booked sales of ${rng.randint(150, 4000)} million for the quarter, which was "
            f"{rng.choice(['above', 'below'])} the forecasts compiled by Meridian Estimates.\n\n"
            f"For the full year, {name} now sees earnings of ${round(eps * 3.6, 2)} to ${round(eps * 4.1, 2)} "
            f"per share, the company said in its statement.\n\n"
            f"Shares of {name} have moved {rng.uniform(1, 15):.1f}% since the start of the year, the company noted.\n\n"
            "This summary was written by software from figures supplied by Meridian Estimates.")


def test_results_snapshots_of_eight_companies_are_eight_stories(tmp_path: Path) -> None:
    """Eight automated results snapshots share their frame and its names (the estimates
    supplier) and read alike, but each is about its own company: eight stories, not one
    story of eight independent reports. A reporter's own story on one company's results
    joins that company's snapshot."""
    rng = random.Random(3)
    records = [{"id": f"snap-{ticker.lower()}", "title": f"{name}: quarterly results snapshot",
                "text": snapshot(name, ticker, city, sector, rng)} for name, ticker, city, sector in COMPANIES]
    records.append({"id": "osprey-report", "title": "Osprey Tools beats forecasts as Tulsa toolmaker sells more drills",
                    "text": "Osprey Tools, the Tulsa hardware maker, said its quarterly profit rose as contractors "
                            "bought more cordless drills and saws ahead of the building season.\n\nChief executive "
                            "Dana Whitlock told investors that Osprey Tools (OSP) would open a second plant in "
                            "Oklahoma next year, and that demand from home builders had held up despite higher "
                            "mortgage rates.\n\nThe company raised its forecast for the year and said it would buy "
                            "back more of its own shares."})
    path = tmp_path / "snapshots.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = newstrace.analyze([path], db=tmp_path / "store.db")
    name = {a.id: a.external_id for a in report.articles}
    stories = sorted(sorted(name[m] for m in story.article_ids) for story in report.stories)
    assert stories == sorted([["osprey-report", "snap-osp"]]
                             + [[f"snap-{ticker.lower()}"] for _, ticker, _, _ in COMPANIES if ticker != "OSP"])
    assert not [r for r in report.relations if r.derived]


def test_fillers_keep_what_sets_each_templated_text_apart() -> None:
    rng = random.Random(5)
    texts = [snapshot(*company, rng) for company in COMPANIES[:4]]
    templated_texts, frames = templated(sentence_frames(tokenize(texts, cased=True)))
    assert templated_texts.tolist() == [True] * 4 and len(frames) >= 3
    kept = fillers(texts)[1]
    assert "Osprey Tools" in kept and "OSP" in kept and "hardware" in kept
    assert "Meridian" not in kept and "analysts" not in kept and "quarter" not in kept


def test_no_article_of_real_news_is_templated(shared: Path) -> None:
    """Reports of one event share names and even a sentence's shape, not a frame filled
    many ways: no ECB+ document and no PolNeAR article is templated."""
    texts = [json.loads(line)["text"][:3000] for line in (shared / "datasets/ecbplus/docs.jsonl").open(encoding="utf-8")]
    texts += [json.loads(line)["text"][:3000] for split in ("train", "dev")
              for line in (shared / f"datasets/polnear/{split}.jsonl").open(encoding="utf-8")]
    found, _ = templated(sentence_frames(tokenize(texts, cased=True)))
    assert len(texts) > 1600 and not found.any()
