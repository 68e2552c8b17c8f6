"""What a file really is, from its first bytes (never from its name), and whether a PDF carries active content.

    kind_of(head)                 -> "pdf" | "jpeg" | "png" | "heic" | None
    pdf_active_content(path)      -> ["/JavaScript", "/OpenAction", …]   (streamed, 64 KiB at a time)

Hand-written rather than `filetype`/libmagic: four formats are accepted, and a narrow check of exactly those
signatures is stricter than a general detector (which also answers for formats we refuse).
"""
from __future__ import annotations

import re
from pathlib import Path

HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
MIME = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png", "heic": "image/heic"}
IMAGE_KINDS = ("jpeg", "png", "heic")

# PDF names that make a reader act (run script, launch, submit, carry embedded files). Names may be written
# with #xx escapes (/J#61vaScript), so the scan also looks for the escaped spelling of the first letters.
_ACTIVE_RE = re.compile(rb"/(JavaScript|JS|OpenAction|AA|Launch|EmbeddedFile|SubmitForm|RichMedia|XFA)(?![A-Za-z0-9])"
                        rb"|/[A-Za-z]*#[0-9A-Fa-f]{2}")
_OVERLAP = 64


def kind_of(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "heic"
    return None


def pdf_active_content(path: Path) -> list[str]:
    """Names of active-content features found anywhere in the PDF (a PDF hex-escaped name counts as suspicious,
    since honest writers do not spell keywords that way). Compressed object streams could hide more, which is why
    a PDF is never rendered by the app as anything but a static picture (see docs/threat-model.md)."""
    found: set[str] = set()
    tail = b""
    with open(path, "rb") as f:
        while True:
            block = f.read(64 * 1024)
            if not block:
                break
            data = tail + block
            for m in _ACTIVE_RE.finditer(data):
                found.add(m.group(0).decode("latin-1"))
            tail = data[-_OVERLAP:]
    return sorted(found)


def pdf_looks_complete(path: Path) -> bool:
    """A PDF ends with %%EOF (within its last kilobyte, allowing trailing junk some scanners write)."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        f.seek(max(0, size - 1024))
        return b"%%EOF" in f.read()
