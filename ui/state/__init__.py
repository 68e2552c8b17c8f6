"""UI state objects: observable classes that call services (never peewee) and that views render.

    from ui.state import AppState
    app = AppState.open("/tmp/plcs")        # opens the data folder, reads language and profile
    app.go("legal-aid"); app.lists["legal-aid"].load()

Every state object can be used without a browser (see tests/test_ui_state.py).
"""
from ui.state.app_state import KINDS, SCREENS, SUB_SCREENS, AppState

__all__ = ["AppState", "KINDS", "SCREENS", "SUB_SCREENS"]
