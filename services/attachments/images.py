"""Images with Pillow: checked before decoding, converted (HEIC -> JPEG), optionally downscaled, thumbnailed.

    info = inspect(path, kind)              # ImageInfo(width, height); BadFile for a bomb or a corrupt file
    data = normalised_jpeg(path, max_side)  # bytes of a JPEG (HEIC, or a photo larger than max_side)
    thumb = thumbnail(source)               # JPEG bytes, long side THUMB_SIDE

Decompression bombs: Pillow's MAX_IMAGE_PIXELS is set to MAX_PIXELS and, above all, the size the file *declares*
is checked right after opening (Image.open reads only the header), before any pixel is decoded.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 50_000_000          # a 48-megapixel phone photo fits; decoding it takes ~150 MB of RGB at most
THUMB_SIDE = 256
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_heif_ready: bool | None = None


def heif_available() -> bool:
    """pillow-heif registers the HEIC decoder with Pillow; without it HEIC is refused with a clear message."""
    global _heif_ready
    if _heif_ready is None:
        try:
            import pillow_heif
            pillow_heif.register_heif_opener()
            _heif_ready = True
        except Exception:     # noqa: BLE001 - a missing or broken native library: HEIC refused, nothing else
            _heif_ready = False
    return _heif_ready


class BadImage(Exception):
    def __init__(self, reason: str, **values):
        super().__init__(reason)
        self.reason, self.values = reason, values


@dataclass
class ImageInfo:
    width: int
    height: int


def _open(source) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadImage("too_many_pixels", max=MAX_PIXELS) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise BadImage("corrupt") from None


def inspect(path: Path, kind: str) -> ImageInfo:
    """Declared size first (no pixels decoded), then a full decode to prove the file is whole."""
    if kind == "heic" and not heif_available():
        raise BadImage("heic_unavailable")
    im = _open(path)
    with im:
        width, height = im.size
        if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
            raise BadImage("too_many_pixels", max=MAX_PIXELS)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                im.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise BadImage("too_many_pixels", max=MAX_PIXELS) from None
        except Exception:     # noqa: BLE001 - any decoder failure is a corrupt file for the officer
            raise BadImage("corrupt") from None
    return ImageInfo(width, height)


def normalised_jpeg(path: Path, max_side: int | None) -> tuple[bytes, ImageInfo]:
    """The picture as a JPEG (EXIF orientation applied, colour kept), its long side at most max_side."""
    with _open(path) as im:
        if im.format == "JPEG" and max_side:
            im.draft("RGB", (max_side, max_side))        # decode at reduced size when JPEG allows it
        im = ImageOps.exif_transpose(im)
        if max_side and max(im.size) > max_side:
            im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        if im.mode not in ("RGB", "L"):
            im = im.convert("RGB")
        out = io.BytesIO()
        im.save(out, "JPEG", quality=88, optimize=True)
        return out.getvalue(), ImageInfo(*im.size)


def thumbnail(source) -> bytes:
    """A small JPEG of an image (path or file object)."""
    with _open(source) as im:
        if im.format == "JPEG":
            im.draft("RGB", (THUMB_SIDE * 2, THUMB_SIDE * 2))
        im = ImageOps.exif_transpose(im)
        im.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
        if im.mode not in ("RGB", "L"):
            im = im.convert("RGB")
        out = io.BytesIO()
        im.save(out, "JPEG", quality=80)
        return out.getvalue()


def pdf_thumbnail(path: Path) -> bytes | None:
    """First page of a PDF as a static picture (pypdfium2 renders; no script ever runs: the app's PDFium build
    has no JavaScript engine, and PDFs with active content are not rendered at all). None if it cannot render."""
    try:
        import pypdfium2 as pdfium
        pdf = pdfium.PdfDocument(str(path))
        try:
            if len(pdf) == 0:
                return None
            page = pdf[0]
            w, h = page.get_size()
            scale = THUMB_SIDE / max(w, h, 1)
            image = page.render(scale=scale).to_pil()
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
            return out.getvalue()
        finally:
            pdf.close()
    except Exception:         # noqa: BLE001 - a PDF that does not render simply has no thumbnail
        return None
