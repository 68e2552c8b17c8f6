"""Print jobs: where a print's PDF is written (names never collide) and its pages as images for the preview.

    path = output_path(folder, "event-record", event.id)      # event-record_<id>_20261203-172501.pdf (reserved)
    job = PrintJob.open(path, title="Biên bản …", cache_root=data_dir / "cache" / "print-preview")
    job.page_count                      # 3
    png = job.page_png(0)               # bytes of page 1, rendered on first use and cached on disk
    job.close()                         # removes the job's cached images

Pages are rendered with pypdfium2 one at a time, on demand (the preview asks only for the page it shows), and
kept as PNG files in the job's cache folder, so memory holds at most one page image whatever the PDF's length.
Only the newest `KEEP_JOBS` cache folders are kept.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

RENDER_SCALE = 1.5            # 72 dpi × 1.5 = 108 dpi: an A4 page is 893 × 1263 px, readable on a laptop screen
KEEP_JOBS = 8                 # cache folders of older print jobs are removed when a new job opens
_RENDER_LOCK = threading.Lock()   # pdfium is not thread-safe: one render at a time in the process


def safe_name(text: str) -> str:
    """ASCII letters, digits, '.', '_' and '-' only (file names that work on every platform and in URLs)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("_.") or "document"


def output_path(folder: str | Path, doc: str, ident: str, *, ext: str = "pdf", now: dt.datetime | None = None) -> Path:
    """A new file name `<doc>_<record number or id>_<yyyymmdd-hhmmss>.<ext>` in `folder`, created empty so that it
    is reserved: two prints in the same second (or of two events of the same day) get `-2`, `-3`, … ."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = f"{safe_name(doc)}_{safe_name(ident)}_{stamp}"
    for n in range(1, 10_000):
        path = folder / (f"{base}.{ext}" if n == 1 else f"{base}-{n}.{ext}")
        try:
            with open(path, "xb"):
                return path
        except FileExistsError:
            continue
    raise RuntimeError(f"no free file name for {base} in {folder}")


@dataclass
class PrintJob:
    path: Path
    title: str
    page_count: int
    cache_dir: Path
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    scale: float = RENDER_SCALE

    @classmethod
    def open(cls, path: str | Path, *, title: str = "", cache_root: str | Path) -> PrintJob:
        import pypdfium2 as pdfium
        path = Path(path)
        with _RENDER_LOCK:
            pdf = pdfium.PdfDocument(str(path))
            try:
                count = len(pdf)
            finally:
                pdf.close()
        root = Path(cache_root)
        job_id = uuid.uuid4().hex
        cache_dir = root / job_id
        cache_dir.mkdir(parents=True, exist_ok=True)
        _prune(root, keep=cache_dir)
        return cls(path=path, title=title or path.stem, page_count=count, cache_dir=cache_dir, id=job_id)

    def page_file(self, index: int) -> Path:
        """The PNG of page `index` (0-based), rendered now if it is not cached yet."""
        if not 0 <= index < self.page_count:
            raise IndexError(f"page {index + 1} of {self.page_count}")
        out = self.cache_dir / f"page-{index + 1:04d}.png"
        if out.exists():
            return out
        import pypdfium2 as pdfium
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        with _RENDER_LOCK:
            pdf = pdfium.PdfDocument(str(self.path))
            try:
                page = pdf[index]
                try:
                    bitmap = page.render(scale=self.scale)
                    image = bitmap.to_pil()
                    image.save(tmp, format="PNG", optimize=False)
                    bitmap.close()
                finally:
                    page.close()
            finally:
                pdf.close()
        tmp.replace(out)
        return out

    def page_png(self, index: int) -> bytes:
        return self.page_file(index).read_bytes()

    def close(self) -> None:
        shutil.rmtree(self.cache_dir, ignore_errors=True)


def _prune(root: Path, keep: Path) -> None:
    """Remove all but the newest KEEP_JOBS cache folders (best effort: a folder in use is simply skipped)."""
    try:
        dirs = sorted((d for d in root.iterdir() if d.is_dir() and d != keep),
                      key=lambda d: d.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in dirs[KEEP_JOBS - 1:]:
        shutil.rmtree(old, ignore_errors=True)
