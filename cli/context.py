"""Opening the data folder for a CLI command (passphrase from PLCS_PASSPHRASE; never waits without a terminal)."""
from __future__ import annotations

import os

from services import app


def open_context(args):
    data_dir = getattr(args, "data_dir", None)
    opener = getattr(app, "open_data_dir_for_cli", None)   # the security feature adds passphrase handling
    if opener is not None:
        return opener(data_dir)
    return app.open_data_dir(data_dir, os.environ.get("PLCS_PASSPHRASE") or None)
