"""Corpus-scale near copies (``CopyFinder``, ``newstrace dedup``) on an invented JSON Lines
corpus cut into many slices, on worker processes and without them."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import newstrace
from newstrace.match.fingerprint import MinHasher
from newstrace.match.lsh import Banding, LSHIndex
from newstrace.ingest.readers import iter_articles, plan_slices, read_slice, slice_size

VOCABULARY = ("council budget river bridge mayor vote school teachers strike storm harbour "
              "airport minister police court ruling farmers drought prices market election "
              "candidate rally hospital nurses union factory workers museum festival ferry "
              "tunnel rail fares library port ").split()


def paragraph(seed: int, words: int = 60) -> str:
    rng = np.random.default_rng(seed)
    return " ".join(rng.choice(VOCABULARY, size=words)).capitalize() + "."


def article(seed: int, paragraphs: int = 5) -> str:
    return "\n\n".join(paragraph(seed * 100 + k) for k in range(paragraphs))


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, dict[frozenset[str], str]]:
    """40 unrelated articles and, late in the file, a verbatim copy, an updated copy
    (one paragraph rewritten, one added) and a text that lifts two paragraphs."""
    records = [{"id": f"doc{i:02d}", "text": article(i)} for i in range(40)]
    updated = article(3).split("\n\n")
    updated[2] = paragraph(9001)
    records += [
        {"id": "verbatim-of-05", "text": article(5)},
        {"id": "update-of-03", "text": "\n\n".join(updated + [paragraph(9002)])},
        {"id": "lifts-from-07", "text": "\n\n".join([paragraph(9003), *article(7).split("\n\n")[1:3],
                                                     paragraph(9004), paragraph(9005)])},
    ]
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    truth = {frozenset({"doc05", "verbatim-of-05"}): "duplicate",
             frozenset({"doc03", "update-of-03"}): "copy",
             frozenset({"doc07", "lifts-from-07"}): "partial"}
    return path, truth


@pytest.mark.parametrize("workers", [0, 2])
def test_finds_each_planted_copy_across_slices(corpus, workers: int) -> None:
    path, truth = corpus
    finder = newstrace.CopyFinder(workers=workers, slice_bytes=3000)
    found = {frozenset({r.a, r.b}): r for r in finder.run(path)}
    assert {pair: r.relation for pair, r in found.items()} == truth
    assert finder.stats["articles"] == 43 and finder.stats["pairs"] == 3
    for relation in found.values():
        assert relation.a < relation.b or relation.a.startswith("doc")  # the earlier input first
        text_a, text_b = finder.text(relation.a), finder.text(relation.b)
        for p in relation.passages:
            assert text_a[p.a_start : p.a_end].split()[:8] == text_b[p.b_start : p.b_end].split()[:8]
    assert found[frozenset({"doc05", "verbatim-of-05"})].jaccard == 1.0


@pytest.mark.parametrize("memory_bytes", [0, 200, 64 << 20])
def test_every_text_read_comes_back_whole_after_the_run(tmp_path: Path, memory_bytes: int) -> None:
    """Texts wait in memory or on disk (beyond ``text_memory_bytes``) until the
    verification: any article's text, accents, scripts and emoji included, comes back as
    the reader cleaned it, paired or not."""
    texts = [article(i) + suffix for i, suffix in
             enumerate([" Café déjà vu.", " Ελληνικά κείμενα.", " 北京 报道。", " Emoji 🚀 launch.", ""])]
    records = [{"id": f"t{i}", "text": text} for i, text in enumerate(texts)] + [{"id": "copy", "text": texts[3]}]
    path = tmp_path / "texts.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    finder = newstrace.CopyFinder(workers=0, slice_bytes=2000, text_memory_bytes=memory_bytes)
    assert [(r.a, r.b) for r in finder.run(path)] == [("t3", "copy")]
    cleaned = {a.external_id: a.text for a in iter_articles([path])}
    assert {key: finder.text(key) for key in cleaned} == cleaned


def test_texts_wait_in_memory_up_to_a_sixteenth_of_what_the_container_allows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A container's memory limit (a control group's ``memory.max``) bounds the texts kept in
    memory as the machine's memory does: a sixteenth; "max" is no limit."""
    from newstrace.engine import memory
    from newstrace.engine.streamed import text_memory_default

    machine = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    if machine < 4 << 30:
        pytest.skip("needs a machine with at least 4 GiB of memory")
    cgroup = tmp_path / "memory.max"
    monkeypatch.setattr(memory, "_CGROUP_LIMITS", (str(cgroup),))
    cgroup.write_text("2147483648\n")  # a container of 2 GiB
    assert memory.memory_limit() == 2 << 30
    assert text_memory_default() == 128 << 20
    cgroup.write_text("max\n")
    assert memory.memory_limit() == machine
    assert text_memory_default() == min(1 << 30, machine // 16)


def test_workers_and_no_workers_agree(corpus) -> None:
    path, _ = corpus
    alone = [r.to_dict() for r in newstrace.find_copies(path, workers=0)]
    pooled = [r.to_dict() for r in newstrace.CopyFinder(workers=2, slice_bytes=2000).run([path])]
    assert alone == pooled


def test_candidates_verified_on_workers_give_the_pairs_verified_here(tmp_path: Path) -> None:
    """Hundreds of candidate pairs (families of four versions of an article) and a line
    every article carries: verified in jobs on two worker processes, each job with the
    recurring sentence pairs of its articles instead of the whole count, the pairs, their
    order and their evidence are those verified in this process."""
    note = ("Ferry timetables for the winter season are printed on page two of every edition. "
            "Readers may collect a copy at the harbour office during opening hours.")
    records = []
    for family in range(70):
        paragraphs = article(family).split("\n\n")
        for version in range(4):
            edited = paragraphs[: 5 - version % 2] + [paragraph(50_000 + family * 10 + version)]
            records.append({"id": f"f{family:02d}-v{version}", "text": "\n\n".join(edited + [note])})
    path = tmp_path / "families.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    alone, pooled = newstrace.CopyFinder(workers=0), newstrace.CopyFinder(workers=2, slice_bytes=100_000)
    here = [r.to_dict() for r in alone.run([path])]
    there = [r.to_dict() for r in pooled.run([path])]
    assert alone.stats["verify_processes"] == 1 and pooled.stats["verify_processes"] == 2
    assert len(here) == 70 * 6  # every pair of versions of each family
    assert there == here
    assert all(r["a"].split("-")[0] == r["b"].split("-")[0] for r in here)  # never across families over the note


def test_default_slices_give_each_worker_several(corpus, tmp_path: Path) -> None:
    path, _ = corpus
    size = path.stat().st_size
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "a.txt").write_text("x" * 1000, encoding="utf-8")
    assert slice_size([path], 2, least=100, most=10**9) == size // 8  # four slices a worker
    assert slice_size([path, tmp_path / "more"], 4, least=100, most=10**9) == (size + 1000) // 16
    assert slice_size([path], 2, least=size, most=10**9) == size  # never below least
    assert slice_size([path], 1, most=5000) == 5000  # one process: the largest
    assert len(list(plan_slices([path], slice_bytes=slice_size([path], 2, least=100)))) in (8, 9)


def test_slices_cover_every_line_once_with_its_number(corpus) -> None:
    path, _ = corpus
    slices = list(plan_slices([path], slice_bytes=2500))
    assert len(slices) > 5
    assert slices[0].start == 0 and slices[-1].stop == path.stat().st_size
    assert all(a.stop == b.start for a, b in zip(slices, slices[1:]))
    sliced = [(a.id, a.meta["line"]) for piece in slices for a in read_slice(piece)]
    whole = [(a.id, a.meta["line"]) for a in iter_articles([path])]
    assert sliced == whole and [line for _, line in whole] == list(range(1, 44))


def test_bad_lines_in_late_slices_are_named_by_file_and_line(corpus) -> None:
    path, _ = corpus
    with path.open("a", encoding="utf-8") as out:
        out.write('{"id": "broken", "text": "no closing\n')
        out.write(json.dumps({"id": "doc01", "text": article(77)}) + "\n")  # reused id
    skipped = []
    finder = newstrace.CopyFinder(workers=2, slice_bytes=2000, on_skip=skipped.append)
    assert len(list(finder.run(path))) == 3
    assert [(s.path, s.reason.split(" (")[0]) for s in skipped] == [
        (f"{path}:44", "malformed JSON"),
        (f"{path}:45", "duplicate id 'doc01' with other content"),
    ]
    assert finder.stats["articles"] == 43 and finder.stats["skipped"] == 2


def test_quotations_shared_by_independent_reports_are_no_copy(tmp_path: Path) -> None:
    statement = '"' + paragraph(4242, 40) + '"'
    records = [{"id": f"report{i}", "text": f"{paragraph(i, 50)}\n\nThe ministry said: {statement}\n\n"
                                            f"{paragraph(100 + i, 50)}"} for i in range(3)]
    path = tmp_path / "quotes.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert list(newstrace.find_copies(path, workers=0)) == []


def test_prepared_batches_subset_like_the_signatures_they_come_from() -> None:
    texts = [article(i, 2) for i in range(6)] + [article(2, 2)]
    signatures = MinHasher().signatures(texts)
    banding = Banding()
    keep = [0, 2, 3, 6]
    from_subset = LSHIndex().insert([str(i) for i in keep], banding.prepare(signatures).subset(keep))
    direct = LSHIndex().insert([str(i) for i in keep], signatures[keep])
    assert np.array_equal(from_subset, direct) and direct.tolist() == [[1, 3]]


def test_dedup_command_writes_pairs_with_passage_texts(corpus, tmp_path: Path) -> None:
    path, truth = corpus
    out = tmp_path / "pairs.jsonl"
    done = subprocess.run([sys.executable, "-m", "newstrace", "dedup", str(path), "-o", str(out),
                           "--texts", "--workers", "2"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "43 articles, 3 pairs" in done.stderr
    pairs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {frozenset({p["a"], p["b"]}): p["relation"] for p in pairs} == truth
    duplicate = next(p for p in pairs if p["relation"] == "duplicate")
    assert [(q["a_text"] == q["b_text"], q["similarity"]) for q in duplicate["passages"]] == [(True, 1.0)]
    assert {"a", "b", "relation", "source", "score", "jaccard", "containment_a", "containment_b",
            "passages"} <= set(pairs[0])


def test_dedup_command_exits_1_when_an_input_is_skipped(corpus, tmp_path: Path) -> None:
    path, _ = corpus
    (tmp_path / "empty.txt").write_text("")
    done = subprocess.run([sys.executable, "-m", "newstrace", "dedup", str(path),
                           str(tmp_path / "empty.txt"), "-w", "0"], capture_output=True, text=True)
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == 3
    assert f"{tmp_path / 'empty.txt'}: empty file" in done.stderr


def test_gzipped_corpus_is_cut_into_slices_too(corpus, tmp_path: Path) -> None:
    path, truth = corpus
    packed = tmp_path / "corpus.jsonl.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    slices = list(plan_slices([packed], slice_bytes=3000))
    assert len(slices) > 5 and all(s.lines for s in slices)
    assert [a.meta["line"] for s in slices for a in read_slice(s)] == list(range(1, 44))
    found = {frozenset({r.a, r.b}): r.relation
             for r in newstrace.CopyFinder(workers=2, slice_bytes=3000).run(packed)}
    assert found == truth


def test_truncated_gzip_keeps_what_was_read_and_names_the_file(corpus, tmp_path: Path) -> None:
    path, _ = corpus
    packed = tmp_path / "cut.jsonl.gz"
    whole = gzip.compress(path.read_bytes())
    packed.write_bytes(whole[: len(whole) * 2 // 3])
    skipped = []
    finder = newstrace.CopyFinder(workers=0, slice_bytes=3000, on_skip=skipped.append)
    list(finder.run(packed))
    assert [(s.path, s.reason.split(" (")[0]) for s in skipped] == [
        (str(packed), "truncated or corrupt gzip file")]
    assert 0 < finder.stats["articles"] < 43
