"""Boilerplate learned from the collection: text that recurs across otherwise unrelated articles.

Editor's notes, promos, disclaimers, author bios and site furniture that extraction left in
recur, word for word, across many articles (above all one outlet's) that share nothing else.
They are never evidence of copying. A :class:`BoilerplateIndex` counts, for every two
consecutive sentences of an article (and its first and last sentence against the text's
edge), how many articles hold them: its document frequency, kept incrementally as
articles arrive (the idea of passim's ``maxDF``). A sentence pair held by at least
``min_docs`` articles is boilerplate when those articles are otherwise unrelated.

Unrelated is what tells boilerplate from syndication: a wire story republished by ten
outlets has sentences held by ten articles too, but those articles share the rest of their
text as well. The articles holding a recurring pair are therefore grouped into *families*
(two of them are one family when they share at least ``family_share`` of the smaller one's
sentence pairs), and the pair counts as boilerplate only when it is held by at least
``min_docs`` families. A single sentence that several articles carry is not boilerplate on
its own (it is not copy evidence either: see :func:`newstrace.match.nearcopy.classify_overlap`);
a recurring first or last line is, through its pair with the text's edge.

Where the outlet is known, one outlet's template needs fewer carriers: a sentence pair held
by ``outlet_min_docs`` (2) families of articles that are all of one outlet is that outlet's
template when those articles share nothing but a run of sentences at the same edge (they all
end, or all begin, with it: a site's newsletter promo or "About us" paragraph under every
page, a standing header). Two pages of one site that share only that are not copies of each
other, even before a third page shows it recurring. A passage an outlet lifts from one of
its articles into another, or anything shared besides the edge run, stays evidence; and
articles of one outlet that share most of their text (an updated or re-run story) are one
family, so what they share stays evidence too.

:func:`recurring_passages` lists the boilerplate of a collection with its document
frequency and outlets, and :func:`removed_passages` the blocks cleaning cut by rule from
several articles (an editor's note, a promo), counted the same way; ``Report.boilerplate``
holds both (:func:`listed_boilerplate`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from newstrace.match.fingerprint import (
    ShingleBatch,
    among,
    mix64,
    sentence_pair_batch,
    sentence_pairs,
    sentences_of,
    sorted_distinct,
    sorted_unique,
    tokenize,
)
from newstrace.match.lsh import DOC_MASK, KEY_MASK, KeyTable
from newstrace.model import Article, BoilerplatePassage
from newstrace.text.outlets import outlet_key

_U64 = np.uint64
#: A packed pair key keeps its top bits (``KEY_MASK``); tagged with a row below ``2**26``,
#: it sorts as one integer, the key shifted down by ``_KEY_SHIFT``, the row up by ``_ROW_SHIFT``.
_KEY_SHIFT = _U64(int(DOC_MASK).bit_length())
_ROW_SHIFT = _U64(64 - int(DOC_MASK).bit_length())
#: Articles (families) that must hold a sentence pair for it to be boilerplate.
MIN_DOCS = 3
#: Two articles holding a recurring pair are one family (syndicated copies) when they share
#: at least this share of the smaller one's sentence pairs.
FAMILY_SHARE = 0.5
#: How many of a pair's articles are grouped into families (the rest is extrapolated).
FAMILY_SAMPLE = 8
#: Families of articles, all of one known outlet, that make a sentence pair that outlet's boilerplate.
OUTLET_MIN_DOCS = 2


@dataclass
class _Chunk:
    """A batch of added articles: ``first`` is the number of its first article."""

    first: int
    pairs: ShingleBatch  #: each text's sentence-pair keys, sorted
    ordered: ShingleBatch  #: the same in text order


@dataclass(eq=False)
class BoilerplateIndex:
    """Document frequencies of sentence pairs over every article added, and which pairs
    are boilerplate (see the module docstring). Articles are numbered in the order added."""

    min_docs: int = MIN_DOCS
    family_share: float = FAMILY_SHARE
    family_sample: int = FAMILY_SAMPLE
    outlet_min_docs: int = OUTLET_MIN_DOCS
    keys: list[str] = field(default_factory=list)
    _table: KeyTable = field(default_factory=lambda: KeyTable(bitmap=False), repr=False)
    _chunks: list[_Chunk] = field(default_factory=list, repr=False)
    _verdicts: dict[int, tuple[bool, int]] = field(default_factory=dict, repr=False)
    _numbers: dict[str, int] = field(default_factory=dict, repr=False)
    _outlet_numbers: dict[str, int] = field(default_factory=dict, repr=False)
    #: per article added: its outlet's number, -1 where unknown
    _outlet_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: object) -> bool:
        """Whether the article ``key`` was added."""
        return key in self._numbers

    def add(self, keys: Sequence[str], pairs: ShingleBatch,
            outlets: Sequence[str | None] | None = None) -> None:
        """Count the sentence pairs (:func:`~newstrace.match.fingerprint.sentence_pairs`) of
        articles ``keys``, published by ``outlets`` (``None`` where unknown)."""
        if len(keys) != len(pairs.offsets) - 1:
            raise ValueError(f"{len(keys)} keys for {len(pairs.offsets) - 1} texts")
        if outlets is not None and len(outlets) != len(keys):
            raise ValueError(f"{len(outlets)} outlets for {len(keys)} texts")
        first = len(self.keys)
        if first + len(keys) > int(DOC_MASK) + 1:
            raise ValueError(f"a boilerplate index holds at most {int(DOC_MASK) + 1:,} articles")
        # Each step writes into an array it made (a store's every pair at once: fresh memory
        # costs more than the passes), with the values of _sorted_by_row.
        docs = np.repeat(np.arange(first, first + len(keys), dtype=_U64), np.diff(pairs.offsets))
        keyed = np.bitwise_and(np.asarray(pairs.hashes, dtype=_U64), KEY_MASK)
        self._table.add(sorted_distinct(np.bitwise_or(keyed, docs)))
        by_text = _packed_by_row(np.subtract(docs, _U64(first), out=docs), keyed)  # each text's hashes sorted
        np.left_shift(by_text, _KEY_SHIFT, out=by_text)
        self._chunks.append(_Chunk(first, ShingleBatch(by_text, pairs.offsets), ShingleBatch(keyed, pairs.offsets)))
        self._numbers.update(zip(keys, range(first, first + len(keys))))
        self.keys.extend(keys)
        self._outlet_codes = np.concatenate([self._outlet_codes, self._outlet_codes_of(outlets, len(keys))])

    def _outlet_codes_of(self, outlets: Sequence[str | None] | None, count: int) -> np.ndarray:
        """The numbers of ``outlets`` by :func:`~newstrace.text.outlets.outlet_key` (new keys
        numbered in order of first appearance; ``-1`` where unknown), each distinct spelling
        folded once."""
        if outlets is None:
            return np.full(count, -1, dtype=np.int64)
        numbers = self._outlet_numbers
        code_of: dict[str | None, int] = {}
        for outlet in outlets:
            if outlet not in code_of:
                name = outlet_key(outlet)
                code_of[outlet] = -1 if name is None else numbers.setdefault(name, len(numbers))
        return np.array([code_of[outlet] for outlet in outlets], dtype=np.int64)

    def add_texts(self, keys: Sequence[str], texts: Sequence[str]) -> ShingleBatch:
        """:meth:`add` for texts; returns their sentence pairs."""
        pairs = sentence_pair_batch(texts)
        self.add(keys, pairs)
        return pairs

    def document_frequency(self, hashes: np.ndarray) -> np.ndarray:
        """How many added articles hold each sentence-pair hash."""
        keys, inverse = np.unique(np.asarray(hashes, dtype=_U64) & KEY_MASK, return_inverse=True)
        return self._counts(keys)[inverse]

    def _counts(self, keys: np.ndarray) -> np.ndarray:
        """How many added articles hold each packed pair key of the sorted ``keys``. Sorted,
        so that the binary searches into the table run in order: ten times faster than
        the same keys in any order, on a table of millions."""
        counts = np.zeros(len(keys), dtype=np.int64)
        for segment in self._table.segments:
            counts += (np.searchsorted(segment, keys | DOC_MASK, side="right")
                       - np.searchsorted(segment, keys, side="left"))
        return counts

    def flag(self, pair_hashes: np.ndarray) -> np.ndarray:
        """Per sentence-pair hash: whether it is boilerplate (held by ``min_docs``
        families of otherwise unrelated articles); each distinct pair is judged once."""
        pair_hashes = np.asarray(pair_hashes, dtype=_U64)
        if not len(pair_hashes) or not self._table.segments:
            return np.zeros(len(pair_hashes), dtype=bool)
        keys, inverse = np.unique(pair_hashes & KEY_MASK, return_inverse=True)
        counts = self._counts(keys)
        frequent = counts >= self.min_docs
        if self._outlet_numbers and self.outlet_min_docs < self.min_docs:
            few = (counts >= self.outlet_min_docs) & ~frequent
            frequent[few] = self._held_by_one_outlet(keys[few])
        flagged = np.zeros(len(keys), dtype=bool)
        if frequent.any():
            flagged[frequent] = self._are_boilerplate(keys[frequent])
        return flagged[inverse]

    def recurring_of(self, keys: Sequence[str], judged: RecurringPairs | None = None) -> RecurringPairs:
        """What :meth:`flag` says of the sentence pairs of articles ``keys``, frozen: a
        small :class:`RecurringPairs` to ship to another process with those articles'
        texts, instead of this whole index; read from ``judged`` (this index's
        :meth:`recurring_of` some of the same articles, or more) when given. Every key must
        have been added."""
        if not keys or not self._table.segments:
            return RecurringPairs(np.zeros(0, dtype=_U64))
        docs = np.fromiter((self._numbers[key] for key in keys), dtype=np.int64, count=len(keys))
        held, _ = sorted_unique(self._tagged_pairs(docs)[1])
        return RecurringPairs(held[(self if judged is None else judged).flag(held)])

    def holders(self, pairs: ShingleBatch, *, every_text: bool = False) -> np.ndarray:
        """The texts (rows of ``pairs``, their sentence-pair hashes) that hold a pair this
        index flags as boilerplate, in order; each distinct pair is asked once. With
        ``every_text`` (the texts are all the articles counted here) only the pairs that two
        or more of them hold are asked: :meth:`flag` needs ``outlet_min_docs`` or
        ``min_docs`` carriers."""
        if len(pairs.offsets) - 1 > int(DOC_MASK) + 1:
            raise ValueError(f"holders of at most {int(DOC_MASK) + 1:,} texts at a time")
        tagged = np.bitwise_and(np.asarray(pairs.hashes, dtype=_U64), KEY_MASK)
        tagged |= np.repeat(np.arange(len(pairs.offsets) - 1, dtype=_U64), np.diff(pairs.offsets))
        return self._flagged_rows(sorted_distinct(tagged), every_text=every_text)  # each (pair, text) once

    def _flagged_rows(self, tagged: np.ndarray, *, every_text: bool,
                      row_of: np.ndarray | None = None) -> np.ndarray:
        """The rows holding a flagged pair, sorted, from ``tagged`` (each distinct (pair key,
        row) once, sorted by key; reused in place), or (pair key, article number) with
        ``row_of`` giving each article's row."""
        rows = np.bitwise_and(tagged, DOC_MASK).view(np.int64)
        if row_of is not None:
            rows = row_of[rows]
        keys = np.bitwise_and(tagged, KEY_MASK, out=tagged)
        starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]])) if len(keys) else np.zeros(0, int)
        holders = np.diff(np.append(starts, len(keys)))
        shared = holders >= (min(self.min_docs, self.outlet_min_docs) if every_text else 1)
        flagged = np.zeros(len(starts), dtype=bool)
        flagged[shared] = self.flag(keys[starts[shared]])
        return sorted_unique(rows[np.repeat(flagged, holders)])[0]

    def holders_among(self, keys: Sequence[str]) -> list[str]:
        """Those of the added articles ``keys`` that hold a pair this index flags as
        boilerplate (:meth:`holders` of their pairs as added: none read again), in order.
        Asked of every added article, the count table itself holds each (pair, article)
        once, sorted: no pair is gathered again per article."""
        if not keys:
            return []
        docs = np.array([self._numbers[key] for key in keys], dtype=np.int64)
        if len(docs) == len(self) and self._table.segments:
            row_of = np.full(len(self), -1, dtype=np.int64)
            row_of[docs] = np.arange(len(docs))
            if (row_of >= 0).all():  # every article, each once
                tagged = np.concatenate(self._table.segments)
                tagged.sort(kind="stable")  # sorted runs, merged in place
                held = self._flagged_rows(tagged, every_text=True, row_of=row_of)
                return [keys[row] for row in held.tolist()]
        rows, hashes = self._tagged_pairs(docs)
        order = np.argsort(rows, kind="stable")
        offsets = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(docs)))])
        held = self.holders(ShingleBatch(hashes[order], offsets), every_text=len(docs) == len(self))
        return [keys[row] for row in held.tolist()]

    def _carriers_of(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The articles holding each packed pair key, gathered from the table at once (the
        searches fastest with ``keys`` sorted, see :meth:`_counts`): per carrier, the key's
        position in ``keys`` and the article, sorted by both."""
        owners, docs = [], []
        for segment in self._table.segments:
            low = np.searchsorted(segment, keys, side="left")
            counts = np.searchsorted(segment, keys | DOC_MASK, side="right") - low
            total = int(counts.sum())
            if total:
                owners.append(np.repeat(np.arange(len(keys)), counts))
                starts = np.repeat(low - np.cumsum(counts) + counts, counts)
                docs.append((segment[starts + np.arange(total)] & DOC_MASK).astype(np.int64))
        if not owners:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        shift = int(_KEY_SHIFT)  # an article number's bits: both sorted as one integer each
        packed = np.sort((np.concatenate(owners) << shift) | np.concatenate(docs))
        return packed >> shift, packed & int(DOC_MASK)

    def _one_outlet(self, owner: np.ndarray, docs: np.ndarray, n: int) -> np.ndarray:
        """For ``n`` keys whose carriers are ``docs`` (``owner``: each one's key): whether
        they are all of one known outlet."""
        code = self._outlet_codes[docs]
        lowest = np.full(n, np.iinfo(np.int64).max)
        highest = np.full(n, -1)
        np.minimum.at(lowest, owner, code)
        np.maximum.at(highest, owner, code)
        return (lowest == highest) & (lowest >= 0)

    def _held_by_one_outlet(self, keys: np.ndarray) -> np.ndarray:
        """Per packed pair key: whether every article holding it is of one known outlet."""
        return self._one_outlet(*self._carriers_of(keys), len(keys))

    def _are_boilerplate(self, keys: np.ndarray) -> np.ndarray:
        """Per packed pair key (distinct): whether it is boilerplate. A verdict is kept
        until the key's carriers have doubled; the others are reached together
        (:meth:`_verdicts_from`)."""
        owner, docs = self._carriers_of(keys)
        carriers = np.bincount(owner, minlength=len(keys))
        verdicts = np.zeros(len(keys), dtype=bool)
        stale = []
        for row, (key, count) in enumerate(zip(keys.tolist(), carriers.tolist())):
            known = self._verdicts.get(key)
            if known is not None and count < 2 * known[1]:
                verdicts[row] = known[0]
            else:
                stale.append(row)
        if stale:
            stale_rows = np.array(stale, dtype=np.int64)
            taken = np.isin(owner, stale_rows)
            renumbered = np.searchsorted(stale_rows, owner[taken])
            verdicts[stale_rows] = self._verdicts_from(keys[stale_rows], renumbered, docs[taken])
            for key, verdict, count in zip(keys[stale_rows].tolist(), verdicts[stale_rows].tolist(),
                                           carriers[stale_rows].tolist()):
                self._verdicts[key] = (verdict, count)
        return verdicts

    def _verdicts_from(self, keys: np.ndarray, owner: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """Whether each packed pair key is boilerplate, from its carriers ``docs``
        (``owner``: each one's key, sorted by key then article): the first
        ``family_sample`` carriers are grouped into families and their number extrapolated
        to all carriers; short of ``min_docs``, articles of one outlet may still make the
        pair that outlet's template (:meth:`_edge_template`)."""
        carriers = np.bincount(owner, minlength=len(keys))
        slot = np.arange(len(owner)) - np.searchsorted(owner, np.arange(len(keys)))[owner]
        sampled = slot < self.family_sample
        sample = np.minimum(carriers, self.family_sample)
        families = self._families(owner[sampled], slot[sampled], docs[sampled], sample)
        verdicts = families * carriers / sample >= self.min_docs
        maybe = np.flatnonzero(~verdicts & (families >= self.outlet_min_docs))
        if len(maybe):
            held = np.isin(owner, maybe)
            one = np.flatnonzero(self._one_outlet(owner[held], docs[held], len(keys))[maybe])
            for row in maybe[one].tolist():
                verdicts[row] = self._edge_template(docs[owner == row][: self.family_sample], int(keys[row]))
        return verdicts

    def _families(self, owner: np.ndarray, slot: np.ndarray, docs: np.ndarray,
                  sample: np.ndarray) -> np.ndarray:
        """Per key: how many families its sampled carriers ``docs`` (``owner``: the key,
        ``slot``: the carrier's place in the key's sample of ``sample[key]``) form, two
        articles sharing at least ``family_share`` of the smaller one's sentence pairs
        being one family (connected components, for all keys at once)."""
        size = self.family_sample
        rows, pair_keys = _unique_per_row(*self._tagged_pairs(docs))
        held = np.bincount(owner[rows] * size + slot[rows],  # distinct pairs per carrier
                           minlength=len(sample) * size).reshape(len(sample), size)
        # the pair keys (low bits free) tagged with their key's row, sorted: one run per
        # pair key and sampled key, holding the slots of the carriers that share it
        tagged = pair_keys | owner[rows].astype(_U64)
        order = np.argsort(tagged)
        tagged, slots = tagged[order], slot[rows][order]
        shared = np.zeros(len(sample) * size * size, dtype=np.int64)
        for gap in range(1, size):
            same = np.flatnonzero(tagged[gap:] == tagged[:-gap])
            if not len(same):
                break
            low = np.minimum(slots[same], slots[same + gap])
            high = np.maximum(slots[same], slots[same + gap])
            cell = (tagged[same] & DOC_MASK).astype(np.int64) * size * size + low * size + high
            shared += np.bincount(cell, minlength=len(shared))
        shared = shared.reshape(len(sample), size, size)
        smaller = np.minimum(held[:, :, None], held[:, None, :])
        linked = (smaller > 0) & (shared >= self.family_share * smaller)
        return _components(linked | linked.transpose(0, 2, 1), sample)

    def _edge_template(self, docs: np.ndarray, key: int) -> bool:
        """Whether every two of the articles ``docs`` share nothing but a run of sentence
        pairs that ends (or begins) both, holding the pair ``key``."""
        texts = [self._ordered_pairs_of(int(doc)) for doc in docs]
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                run = _edge_run(texts[i], texts[j])
                if int(key) not in run or not set(texts[i].tolist()) & set(texts[j].tolist()) <= run:
                    return False
        return True

    def flag_digests(self, keys: Sequence[str]) -> dict[str, int]:
        """Per added article ``keys``: a 64-bit digest of which of its sentence pairs (in
        text order) this index flags now. An article's boilerplate runs
        (:func:`passage_runs`) depend on nothing else but its text, so an unchanged digest
        says its runs are those found before."""
        if not keys:
            return {}
        docs = np.array([self._numbers[key] for key in keys], dtype=np.int64)
        digests = np.zeros(len(docs), dtype=_U64)
        for rows, held in self._pairs_by_chunk(docs, in_text_order=True):
            counts = np.diff(held.offsets)
            position = np.arange(len(held.hashes), dtype=_U64) - np.repeat(held.offsets[:-1], counts).astype(_U64)
            terms = np.where(self.flag(held.hashes), mix64(position + _U64(1)), _U64(0))
            sums = np.concatenate([np.zeros(1, dtype=_U64), np.cumsum(terms, dtype=_U64)])
            digests[rows] = mix64(sums[held.offsets[1:]] - sums[held.offsets[:-1]] + counts.astype(_U64))
        return dict(zip(keys, digests.tolist()))

    def _ordered_pairs_of(self, doc: int) -> np.ndarray:
        """The sentence-pair keys of article ``doc``, in text order."""
        chunk = self._chunks[int(np.searchsorted(self._chunk_firsts(), doc, side="right")) - 1]
        return chunk.ordered.of(doc - chunk.first)

    def _chunk_firsts(self) -> np.ndarray:
        return np.fromiter((chunk.first for chunk in self._chunks), dtype=np.int64, count=len(self._chunks))

    def _tagged_pairs(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sentence-pair keys of articles ``docs``, each tagged with its row in ``docs``
        (in no particular order)."""
        rows_parts, keys_parts = [], []
        for rows, held in self._pairs_by_chunk(docs):
            rows_parts.append(np.repeat(rows, np.diff(held.offsets)))
            keys_parts.append(held.hashes)
        return np.concatenate(rows_parts), np.concatenate(keys_parts)

    def _pairs_by_chunk(self, docs: np.ndarray, *,
                        in_text_order: bool = False) -> Iterator[tuple[np.ndarray, ShingleBatch]]:
        """For each added batch holding some of articles ``docs``: their rows in ``docs`` and
        their sentence-pair keys (sorted per text, or in text order)."""
        which = np.searchsorted(self._chunk_firsts(), docs, side="right") - 1
        for number in sorted_unique(which)[0].tolist():
            rows = np.flatnonzero(which == number)
            chunk = self._chunks[number]
            yield rows, (chunk.ordered if in_text_order else chunk.pairs).subset(docs[rows] - chunk.first)

    def share_free_text(self, pairs: Sequence[tuple[str, str]],
                        judged: RecurringPairs | None = None) -> np.ndarray:
        """Per pair of added articles (by key): whether they share two consecutive
        sentences (or a first or last one) that are not boilerplate. Articles sharing
        only boilerplate, or no run of sentences at all, are not near copies. With
        ``judged`` (:meth:`recurring_of` every article of the pairs), no pair is judged again."""
        known = np.array([a in self._numbers and b in self._numbers for a, b in pairs], dtype=bool)
        free = ~known  # an article it does not hold is given the benefit of the doubt
        rows = np.flatnonzero(known)
        if not len(rows):
            return free
        a_docs = np.array([self._numbers[pairs[row][0]] for row in rows.tolist()], dtype=np.int64)
        b_docs = np.array([self._numbers[pairs[row][1]] for row in rows.tolist()], dtype=np.int64)
        shared_rows, shared_keys = _shared_per_row(self._tagged_pairs(a_docs), self._tagged_pairs(b_docs))
        if len(shared_keys):
            free[rows[sorted_unique(shared_rows[~(self if judged is None else judged).flag(shared_keys)])[0]]] = True
        return free


@dataclass
class RecurringPairs:
    """The boilerplate sentence pairs of some articles, as a
    :class:`BoilerplateIndex` flagged them (:meth:`BoilerplateIndex.recurring_of`): answers
    :meth:`flag` for those articles' pairs without the index."""

    keys: np.ndarray  #: packed pair keys (``KEY_MASK``'s bits), sorted

    def flag(self, pair_hashes: np.ndarray) -> np.ndarray:
        """Per sentence-pair hash: whether it is one of :attr:`keys`."""
        keys = np.asarray(pair_hashes, dtype=_U64) & KEY_MASK
        if not len(self.keys):
            return np.zeros(len(keys), dtype=bool)
        return among(keys, self.keys)


def _edge_run(a: np.ndarray, b: np.ndarray) -> set[int]:
    """The sentence pairs two texts (pair keys in text order) both begin with, and both end
    with: their common prefix and suffix."""
    limit = min(len(a), len(b))
    same_start = np.flatnonzero(a[:limit] != b[:limit])
    prefix = int(same_start[0]) if len(same_start) else limit
    same_end = np.flatnonzero(a[::-1][:limit] != b[::-1][:limit])
    suffix = int(same_end[0]) if len(same_end) else limit
    return set(a[:prefix].tolist()) | set(a[len(a) - suffix:].tolist())


def _sorted_by_row(rows: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Packed pair keys (``KEY_MASK``'s bits only) tagged with rows, sorted by row then
    key: sorted as one integer each, the row in the low bits the keys leave free moved
    above the key's, where the rows fit (several times faster than ``np.lexsort``)."""
    if not len(rows) or int(rows.max()) > int(DOC_MASK):
        order = np.lexsort((keys, rows))
        return rows[order], keys[order]
    packed = _packed_by_row(rows.astype(_U64), keys)
    return (packed >> _ROW_SHIFT).astype(np.int64), packed << _KEY_SHIFT


def _packed_by_row(rows: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Rows (``uint64`` that fit ``DOC_MASK``, packed where they lie) above the top bits of
    their pair keys, one integer each, sorted: by row, then key."""
    np.left_shift(rows, _ROW_SHIFT, out=rows)
    rows |= np.right_shift(keys, _KEY_SHIFT)
    rows.sort()
    return rows


def _unique_per_row(rows: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Tagged keys sorted by row then key, each (row, key) once."""
    rows, keys = _sorted_by_row(rows, keys)
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (keys[1:] != keys[:-1])
    return rows[first], keys[first]


def _shared_per_row(a: tuple[np.ndarray, np.ndarray],
                    b: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The keys tagged with one row on both sides (row-wise set intersection, batched),
    with their rows."""
    a_rows, a_keys = _unique_per_row(*a)
    b_rows, b_keys = _unique_per_row(*b)
    rows, keys = _sorted_by_row(np.concatenate([a_rows, b_rows]), np.concatenate([a_keys, b_keys]))
    twice = (rows[1:] == rows[:-1]) & (keys[1:] == keys[:-1])
    return rows[:-1][twice], keys[:-1][twice]


def _components(linked: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per graph of a stack (``linked``: symmetric adjacency matrices, graph k on its
    first ``sizes[k]`` nodes): how many connected components it has."""
    nodes = linked.shape[1]
    real = np.arange(nodes) < sizes[:, None]
    reach = (linked & real[:, :, None] & real[:, None, :]) | np.eye(nodes, dtype=bool)
    for _ in range(max(nodes - 1, 1).bit_length()):  # paths of up to 2**steps edges
        reach = np.matmul(reach.astype(np.int32), reach.astype(np.int32)) > 0
    lower = np.tril(np.ones((nodes, nodes), dtype=bool), -1)
    first = ~(reach & lower).any(axis=2)  # no node before it in its component
    return (first & real).sum(axis=1)


def pair_arrays(pairs: ShingleBatch) -> list[np.ndarray]:
    """Each text's sentence-pair hashes as its own array (to store per article)."""
    return np.split(pairs.hashes, pairs.offsets[1:-1])


def pair_batch(arrays: Sequence[np.ndarray]) -> ShingleBatch:
    """Per-article sentence-pair hashes (as stored) as one batch."""
    sizes = [len(a) for a in arrays]
    hashes = np.concatenate(arrays).astype(_U64) if arrays else np.zeros(0, dtype=_U64)
    return ShingleBatch(hashes, np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64))


#: An article's boilerplate runs: each ``(start, end, key)``, where it starts and ends in the
#: article's text and its sentences' hashes (see :func:`passage_runs`).
Runs = list[tuple[int, int, tuple[int, ...]]]


def recurring_passages(articles: Sequence[Article], index: BoilerplateIndex, *,
                       max_ids: int = 50, runs: dict[str, tuple[int | None, Runs]] | None = None
                       ) -> list[BoilerplatePassage]:
    """The boilerplate passages of ``articles`` (maximal runs of sentences held by a
    boilerplate pair), each once with the articles and outlets that carry it (at most
    ``max_ids`` ids listed), most frequent first; from ``runs`` (:func:`passage_runs` of
    the articles) when given."""
    if runs is None:
        runs = passage_runs(articles, index)
    found: dict[tuple[int, ...], BoilerplatePassage] = {}
    seen: dict[tuple[int, ...], set[str]] = {}
    for article in articles:
        for start, end, key in runs[article.id][1]:
            passage = found.get(key)
            if passage is None:
                passage = found[key] = BoilerplatePassage(text=article.text[start:end])
                seen[key] = set()
            if article.id in seen[key]:
                continue
            seen[key].add(article.id)
            passage.document_frequency += 1
            if len(passage.article_ids) < max_ids:
                passage.article_ids.append(article.id)
            if article.outlet:
                passage.outlets[article.outlet] = passage.outlets.get(article.outlet, 0) + 1
    return sorted(found.values(), key=lambda p: (-p.document_frequency, p.text))


def passage_runs(articles: Sequence[Article], index: BoilerplateIndex,
                 known: dict[str, tuple[int | None, Runs]] | None = None) -> dict[str, tuple[int | None, Runs]]:
    """Each article's boilerplate runs, with the digest of the flags they were found under
    (:meth:`BoilerplateIndex.flag_digests`; ``None`` for an article the index does not
    hold). Runs ``known`` under the same digest are taken as they are; the other articles
    are tokenised again, :data:`PASSAGE_BATCH` at a time (arrays of one batch stay in cache,
    where one tokenisation of 12,000 articles' 43 million characters took 6 s). A second
    run of 1,000 articles into a 100,000-article store finds the runs of about 13,000
    articles, most of them unchanged."""
    digests = index.flag_digests([a.id for a in articles if a.id in index])
    known = known or {}
    runs: dict[str, tuple[int | None, Runs]] = {}
    again = []
    for article in articles:
        digest = digests.get(article.id)
        before = known.get(article.id)
        if digest is not None and before is not None and before[0] == digest:
            runs[article.id] = before
        else:
            runs[article.id] = (digest, [])
            again.append(article)
    for first in range(0, len(again), PASSAGE_BATCH):
        for article, start, end, key in _recurring_runs(again[first : first + PASSAGE_BATCH], index):
            runs[article.id][1].append((start, end, key))
    return runs


#: Articles tokenised at once by :func:`passage_runs`.
PASSAGE_BATCH = 256


def _recurring_runs(articles: Sequence[Article], index: BoilerplateIndex
                    ) -> Iterator[tuple[Article, int, int, tuple[int, ...]]]:
    """Each maximal run of sentences held by a boilerplate pair in ``articles``, in order:
    its article, where it starts and ends in the article's text, and its sentences' hashes."""
    tokens = tokenize([a.text for a in articles])
    sentences = sentences_of(tokens)
    pairs = sentence_pairs(sentences)
    flagged = index.flag(pairs.hashes)
    counts = np.diff(sentences.offsets)
    owner = np.repeat(np.arange(len(articles)), counts)
    pair = pairs.offsets[owner] + np.arange(len(sentences.hashes)) - sentences.offsets[owner]
    recurring = flagged[pair] | flagged[pair + 1]
    ends = np.append(sentences.starts[1:], len(tokens.hashes)) - 1  # last token of each sentence
    for s, e in _runs(recurring, sentences.offsets):
        article = articles[int(owner[s])]
        start = int(tokens.starts[sentences.starts[s]])
        end = _past_punctuation(article.text, int(tokens.ends[ends[e - 1]]))
        yield article, start, end, tuple(sentences.hashes[s:e].tolist())


def removed_passages(articles: Sequence[Article], *, max_ids: int = 50) -> list[BoilerplatePassage]:
    """The blocks cleaning cut from two or more of ``articles`` (``Article.boilerplate``: an
    editor's note, a newsletter promo, a site's footer; compared with their white space
    collapsed), each once with the articles and outlets that carried it, most frequent first:
    boilerplate found by rule rather than by document frequency, listed the same way."""
    found: dict[str, BoilerplatePassage] = {}
    for article in articles:
        for block in dict.fromkeys(" ".join(block.split()) for block in article.boilerplate):
            passage = found.setdefault(block, BoilerplatePassage(text=block))
            passage.document_frequency += 1
            if len(passage.article_ids) < max_ids:
                passage.article_ids.append(article.id)
            if article.outlet:
                passage.outlets[article.outlet] = passage.outlets.get(article.outlet, 0) + 1
    return sorted((p for p in found.values() if p.document_frequency >= 2),
                  key=lambda p: (-p.document_frequency, p.text))


def listed_boilerplate(recurring: Sequence[BoilerplatePassage],
                       removed: Sequence[BoilerplatePassage]) -> list[BoilerplatePassage]:
    """The report's boilerplate: the recurring passages and the blocks cleaning removed from
    several articles (one entry per text), most frequent first."""
    seen = {" ".join(p.text.split()) for p in recurring}
    merged = list(recurring) + [p for p in removed if p.text not in seen]
    return sorted(merged, key=lambda p: (-p.document_frequency, p.text))


def _runs(mask: np.ndarray, offsets: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` of every maximal run of ``True`` in ``mask`` that stays inside one
    text (texts own ``offsets[i]:offsets[i+1]``)."""
    edges = np.zeros(len(mask) + 1, dtype=bool)
    edges[offsets[:-1][offsets[:-1] < len(mask)]] = True
    padded = np.concatenate([[False], mask, [False]])
    starts = np.flatnonzero(padded[1:] & (~padded[:-1] | edges))
    stops = np.flatnonzero(padded[:-1] & (~padded[1:] | edges))
    return list(zip(starts.tolist(), stops.tolist()))


def _past_punctuation(text: str, end: int) -> int:
    """``end`` moved past the punctuation that closes the passage (``.``, ``”``, ``)``)."""
    while end < len(text) and not text[end].isspace() and not text[end].isalnum():
        end += 1
    return end
