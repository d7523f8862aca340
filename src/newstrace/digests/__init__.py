"""What a story's independent reports say: quotations with their speakers
(:mod:`newstrace.digests.quotation`), claims (:mod:`newstrace.digests.claims`), named facts
(:mod:`newstrace.digests.facts`) and the digest built from them
(:mod:`newstrace.digests.build`).

The package imports nothing itself, so importing one module loads only what that module
needs; the public entry points (:func:`newstrace.digest`, :func:`newstrace.quotes`,
:func:`newstrace.build_digest`) are in :mod:`newstrace`.
"""
