"""Reading articles: files, pages, feeds, archives and tables
(:mod:`newstrace.ingest.readers`), the metadata of a web page
(:mod:`newstrace.ingest.pagemeta`) and the cleaning every text gets
(:mod:`newstrace.ingest.clean`).

The package imports nothing itself, so importing one module loads only what that module
needs; the public entry points (:func:`newstrace.load`, :func:`newstrace.iter_articles`)
are in :mod:`newstrace`.
"""
