"""``newstrace serve``: the web app and REST API over a newstrace store.

>>> from newstrace.web import create_app
>>> app = create_app("newstrace.db", token="s3cret")   # doctest: +SKIP
"""

from newstrace.web.app import bind, create_app, serve, token_from

__all__ = ["bind", "create_app", "serve", "token_from"]
