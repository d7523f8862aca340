"""The model runtime: the MiniLM encoder run with onnxruntime
(:mod:`newstrace.encode.runtime`, the one module that loads it), the static encoder
distilled from it (:mod:`newstrace.encode.static`), the vector index
(:mod:`newstrace.encode.index`, the one module that imports usearch, after onnxruntime) and
sentence vectors kept in the store by content (:mod:`newstrace.encode.sentence_store`).

The package imports nothing itself; :class:`newstrace.Encoder` is the public entry point.
"""
