"""One-time download links for web mode: the browser fetches a printed PDF once, from an unguessable URL that
only works for the Flet session that asked for it, within a few minutes.

    token = STORE.issue(session_id, path, "phieu_TG-….pdf")       # secrets.token_urlsafe(32)
    url = download_path(session_id, token)                        # "/_print/<session>/<token>"
    item = STORE.take(session_id, token)                          # Download or None (unknown, used, expired,
                                                                  # or another session's) -> 404
    STORE.forget_session(session_id)                              # the session closed: its links die

Held in memory only (a server restart voids every link); the file itself stays in the exports folder. An
attachment is issued with `chunks` (a function returning its decrypted chunks), so it streams to the browser and
never exists in plain on disk.
"""
from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROUTE_PREFIX = "/_print"
TTL_SECONDS = 300


@dataclass(frozen=True)
class Download:
    session_id: str
    path: Path
    filename: str
    expires: float
    inline: bool = False
    media_type: str = "application/pdf"
    chunks: Callable[[], Iterable[bytes]] | None = None   # streamed content (a decrypted attachment) instead of path


class DownloadStore:
    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self._clock = clock
        self._items: dict[str, Download] = {}
        self._lock = threading.Lock()

    def issue(self, session_id: str, path: str | Path, filename: str, *, inline: bool = False,
              media_type: str = "application/pdf", chunks: Callable[[], Iterable[bytes]] | None = None) -> str:
        if not session_id:
            raise ValueError("a download link needs the session id")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._purge()
            self._items[token] = Download(str(session_id), Path(path), filename, self._clock() + self.ttl, inline,
                                          media_type, chunks)
        return token

    def take(self, session_id: str, token: str) -> Download | None:
        """The download for this session and token, removed so that a second fetch finds nothing. A token
        presented with another session id is left untouched (its owner can still use it)."""
        with self._lock:
            self._purge()
            item = self._items.get(token)
            if item is None or not secrets.compare_digest(item.session_id, str(session_id)):
                return None
            del self._items[token]
            return item

    def forget_session(self, session_id: str) -> None:
        with self._lock:
            for token in [t for t, d in self._items.items() if d.session_id == session_id]:
                del self._items[token]

    def __len__(self) -> int:
        with self._lock:
            self._purge()
            return len(self._items)

    def _purge(self) -> None:
        now = self._clock()
        for token in [t for t, d in self._items.items() if d.expires <= now]:
            del self._items[token]


STORE = DownloadStore()


def download_path(session_id: str, token: str) -> str:
    return f"{ROUTE_PREFIX}/{session_id}/{token}"
