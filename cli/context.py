"""Opening the data folder for a CLI command (passphrase from PLCS_PASSPHRASE; never waits without a terminal)."""
from __future__ import annotations

from services.security.opening import open_for_cli


def open_context(args):
    """PLCS_PASSPHRASE (or a hidden prompt on a terminal; exit 4 at once without either) for an encrypted
    folder, backup before migrations, the daily backup (services/security/opening.py)."""
    return open_for_cli(getattr(args, "data_dir", None))
