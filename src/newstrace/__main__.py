"""``python -m newstrace``: the command line."""

from newstrace.cli import app

app(prog_name="newstrace")
