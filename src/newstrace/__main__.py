"""The ``newstrace`` command (and ``python -m newstrace``): the command line of
:mod:`newstrace.cli`, which takes a moment to load, as do the stages a command loads on
first use. Ctrl-C in those moments ends the run as it does later, with one
``interrupted`` line and exit 130, not a traceback. An extension module stopped while it
loads raises ``ImportError`` rather than ``KeyboardInterrupt``; the noted signal tells
such an error from a real one."""

from __future__ import annotations

import signal
import sys
from typing import Any

EXIT_INTERRUPTED = 130


def main() -> None:
    """Run the command line; Ctrl-C before a command could say more ends it in one line."""
    noted: list[int] = []

    def on_interrupt(signum: int, frame: Any) -> None:
        noted.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        from newstrace.cli import app

        app(prog_name="newstrace")
    except SystemExit:
        raise
    except BaseException:
        if not noted:
            raise
        sys.stderr.write("interrupted: stopped while loading; run the same command again\n")
        raise SystemExit(EXIT_INTERRUPTED) from None


if __name__ == "__main__":
    main()
