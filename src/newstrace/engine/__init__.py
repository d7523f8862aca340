"""The engine seam: pure stages (:mod:`newstrace.engine.stages`) that the drivers (the local
pipeline, the streaming ``dedup`` finder, later a server's ingest or a Dask engine) only
schedule and persist."""
