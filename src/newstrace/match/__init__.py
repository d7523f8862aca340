"""Comparing texts: MinHash fingerprints (:mod:`newstrace.match.fingerprint`), LSH
candidates (:mod:`newstrace.match.lsh`), near-copy verification
(:mod:`newstrace.match.nearcopy`), aligned passages (:mod:`newstrace.match.align`),
boilerplate (:mod:`newstrace.match.boilerplate`), paraphrase and rewrite checks
(:mod:`newstrace.match.paraphrase`) and the verdict for one pair
(:mod:`newstrace.match.compare`).

The package imports nothing itself, so importing one module loads only what that module
needs; the public entry points (:func:`newstrace.compare`, :func:`newstrace.same_claim`)
are in :mod:`newstrace`.
"""
