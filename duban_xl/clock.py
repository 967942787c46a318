"""One clock for every front end: what "today" is.

Scheduled runs, the CLI, documents and the Excel buttons all ask here, so a
test (or a re-run of a past month) can set the day once: the environment
variable ``DUBAN_TODAY=YYYY-MM-DD`` overrides the system date.
"""
from __future__ import annotations

import datetime as dt
import os

ENV_TODAY = "DUBAN_TODAY"


def today() -> dt.date:
    """The office's today: ``DUBAN_TODAY`` when set, else the local date."""
    fixed = os.environ.get(ENV_TODAY, "").strip()
    if fixed:
        return dt.date.fromisoformat(fixed)
    return dt.date.today()
