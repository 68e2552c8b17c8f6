"""Progress bars on stderr for long CLI commands (tqdm); silent when stderr is not a terminal and
PLCS_PROGRESS is not set, so scripts get clean output."""
from __future__ import annotations

import os
import sys

from tqdm import tqdm


def bar(description: str, total: int | None = None, unit: str = "rec"):
    enabled = sys.stderr.isatty() or os.environ.get("PLCS_PROGRESS") == "1"
    return tqdm(total=total, desc=description, unit=unit, file=sys.stderr, disable=not enabled,
                dynamic_ncols=True, mininterval=0.2)


def callback(progress_bar):
    """A (done, total) callback that moves the bar to `done`."""
    def update(done, total=None):
        if total is not None and progress_bar.total != total:
            progress_bar.total = total
        progress_bar.n = done
        progress_bar.refresh()
    return update
